/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "macro.h"

/* Appends one element to a realloc()ed array. */
int array_push(void *array_ptr, size_t *n, size_t elem_size,
	       const void *elem) _must_check_;
/* Appends a copy of a string to a realloc()ed array of strings. */
int strv_push(char ***strv, size_t *n, const char *s) _must_check_;
void strv_free(char **strv, size_t n);
/* Copies src into dst, cut to fit; dst is always NUL-terminated. */
void str_copy(char *dst, size_t size, const char *src);
/* snprintf() for phrases that may be cut to fit, like str_copy(). */
void str_format(char *dst, size_t size, const char *fmt, ...)
	_printf_format_(3, 4);
