/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "shared/macro.h"

/*
 * The system the helper reads and changes, the running one ("/") or a tree
 * under --root: a root prefix and a directory fd on it. Every access, to
 * sys/, proc/, dev/ or usr/share/, opens a path relative to that root, so
 * --root DIR is just another prefix; under a tree, with openat2()'s
 * RESOLVE_IN_ROOT, so that no symlink or ".." leads out of DIR.
 */
struct sysroot {
	char root[4096];
	int root_fd;
	bool is_live; /* root is "/": the running system, not a test tree */
};

/* The largest value read from one attribute or written to one. */
#define SYSROOT_VALUE_MAX 4096

/* -ENOSYS: a tree cannot be kept to itself, the kernel has no openat2(). */
int sysroot_open(struct sysroot *s, const char *root) _must_check_;
void sysroot_close(struct sysroot *s);

int path_format(char *buf, size_t size, const char *fmt, ...)
	_printf_format_(3, 4) _must_check_;

/*
 * The functions whose name ends in "f" take a path as printf() formats it
 * (FMT and its arguments), as util-linux's ul_path_readf() and its
 * family do, and return -ENAMETOOLONG when it is longer than PATH_MAX.
 * A missing file is -ENOENT, for the callers to whom an attribute is
 * optional, apart from a value that is there but no number (-EINVAL).
 */

/* The largest file sysroot_read_file() reads (a mount table of many
 * thousand mounts fits). */
#define SYSROOT_FILE_MAX (16u << 20)

/*
 * Reads the whole file into buf, NUL-terminated, without one trailing
 * newline; -EFBIG when it holds more than size-1 bytes. Returns the length.
 */
int sysroot_read(const struct sysroot *s, const char *path, char *buf,
		 size_t size) _must_check_;
int sysroot_readf(const struct sysroot *s, char *buf, size_t size, const char *fmt, ...)
	_printf_format_(4, 5) _must_check_;
/*
 * Reads a whole file of any length up to SYSROOT_FILE_MAX (procfs tables:
 * mountinfo, swaps, routes) into a malloc()ed, NUL-terminated buffer;
 * -EFBIG beyond. Returns its length, which counts any NUL byte in it.
 */
int sysroot_read_file(const struct sysroot *s, const char *path,
		      char **text) _must_check_;
int sysroot_read_filef(const struct sysroot *s, char **text, const char *fmt, ...)
	_printf_format_(3, 4) _must_check_;
/* What sysroot_for_each_line() reads at a time; it holds no more than
 * that and one line (up to SYSROOT_FILE_MAX) of any file. */
#define SYSROOT_LINES_CHUNK (64u << 10)
/*
 * Calls fn for each non-empty line of a file of any length, after its
 * header line if it has one, until fn returns a negative errno. A missing
 * file has no lines; -EFBIG for a line longer than SYSROOT_FILE_MAX.
 */
int sysroot_for_each_line(const struct sysroot *s, const char *path, bool has_header,
			  int (*fn)(const char *line, void *data),
			  void *data) _must_check_;
int sysroot_write(const struct sysroot *s, const char *path,
		  const char *value) _must_check_;
int sysroot_writef(const struct sysroot *s, const char *value, const char *fmt, ...)
	_printf_format_(3, 4) _must_check_;
/* Writes CONTENT to the file NAME in the directory DIR, which it creates,
 * or empties first when it is there; never through a symlink. */
int sysroot_create(const struct sysroot *s, const char *dir, const char *name,
		   const char *content) _must_check_;
/*
 * Replaces the file NAME in the directory DIR (created, mode 0755, when
 * missing; its parent must be there) with CONTENT, as a whole: written to a
 * temporary file beside it, then renamed over it, so that a reader finds
 * the old content or the new, never a part. Never through a symlink.
 */
int sysroot_replace(const struct sysroot *s, const char *dir, const char *name,
		    const char *content) _must_check_;
/* Makes the directory NAME in DIR (there already is fine), and removes the
 * file NAME from DIR (not there is fine); never through a symlink. */
int sysroot_mkdir(const struct sysroot *s, const char *dir,
		  const char *name) _must_check_;
/* The directory NAME in DIR when it is empty (not there, or not empty, is
 * fine). */
int sysroot_rmdir(const struct sysroot *s, const char *dir,
		  const char *name) _must_check_;
int sysroot_unlink(const struct sysroot *s, const char *dir,
		   const char *name) _must_check_;
/* A hexadecimal number of 32 bits ("0x10de", as sysfs shows IDs); -EINVAL
 * for anything else. */
int sysroot_read_hex(const struct sysroot *s, const char *path,
		     uint32_t *value) _must_check_;
int sysroot_read_hexf(const struct sysroot *s, uint32_t *value, const char *fmt, ...)
	_printf_format_(3, 4) _must_check_;
/* The number on the first line, as strtol() reads it with base 0 (and
 * pciutils a sysfs value): -EINVAL for none or anything after it, -ERANGE
 * beyond a long. */
int sysroot_read_long(const struct sysroot *s, const char *path,
		      long *value) _must_check_;
int sysroot_read_longf(const struct sysroot *s, long *value, const char *fmt, ...)
	_printf_format_(3, 4) _must_check_;
int sysroot_read_bytes(const struct sysroot *s, const char *path, void *buf, size_t size,
		       off_t offset) _must_check_;
int sysroot_read_bytesf(const struct sysroot *s, void *buf, size_t size, off_t offset,
			const char *fmt, ...) _printf_format_(5, 6) _must_check_;
/* A symlink's target, cut to fit. */
int sysroot_read_link(const struct sysroot *s, const char *path, char *target,
		      size_t size) _must_check_;
int sysroot_read_linkf(const struct sysroot *s, char *target, size_t size,
		       const char *fmt, ...) _printf_format_(4, 5) _must_check_;
/* The last component of a symlink's target ("driver" -> "vfio-pci"). */
int sysroot_read_link_name(const struct sysroot *s, const char *path, char *buf,
			   size_t size) _must_check_;
int sysroot_read_link_namef(const struct sysroot *s, char *buf, size_t size,
			    const char *fmt, ...) _printf_format_(4, 5) _must_check_;
bool sysroot_exists(const struct sysroot *s, const char *path);
/* 1 when the path is there, 0 when not (whatever kept it from being
 * looked up, as sysroot_exists()), -ENAMETOOLONG. */
int sysroot_existsf(const struct sysroot *s, const char *fmt, ...)
	_printf_format_(2, 3) _must_check_;
/* stat() of a path (its symlinks followed, inside the root). */
int sysroot_stat(const struct sysroot *s, const char *path, struct stat *st) _must_check_;
int sysroot_statf(const struct sysroot *s, struct stat *st, const char *fmt, ...)
	_printf_format_(3, 4) _must_check_;
/* An fd on a path, with open()'s flags (O_CLOEXEC added), or -errno. */
int sysroot_open_at(const struct sysroot *s, const char *path, int flags) _must_check_;
int sysroot_open_atf(const struct sysroot *s, int flags, const char *fmt, ...)
	_printf_format_(3, 4) _must_check_;
int sysroot_opendir(const struct sysroot *s, const char *path, DIR **dir) _must_check_;
int sysroot_opendirf(const struct sysroot *s, DIR **dir, const char *fmt, ...)
	_printf_format_(3, 4) _must_check_;
/* The full path of a relative one, for messages only. */
const char *sysroot_describe(const struct sysroot *s, const char *path, char *buf,
			     size_t size);
