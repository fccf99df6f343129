/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(fn) __attribute__((cleanup(fn)))
#define _must_check_ __attribute__((warn_unused_result))
#define _nonnull_(...) __attribute__((nonnull(__VA_ARGS__)))
#define _printf_format_(a, b) __attribute__((format(printf, a, b)))
#define _unused_ __attribute__((unused))

/* 0 for an array; a build error for a pointer, which has no size to take. */
#define _array_size_chk(a)                                                              \
	(sizeof(struct {                                                                \
		 int _must_be_array                                                     \
		     : __builtin_types_compatible_p(__typeof__(a), __typeof__(&(a)[0])) \
		       ? -1                                                             \
		       : 1;                                                             \
	 }) *                                                                           \
	 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]) + _array_size_chk(a))

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

static inline void closedirp(DIR **dir)
{
	if (*dir)
		closedir(*dir);
}
#define _cleanup_closedir_ _cleanup_(closedirp)

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)
