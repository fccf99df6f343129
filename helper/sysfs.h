/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/*
 * The one view of the system: a root prefix and a directory fd on it.
 * Every access is openat() on a path relative to that root ("sys/...",
 * "proc/cmdline"), so --root DIR is just another prefix.
 */
struct sysfs {
	char root[4096];
	int root_fd;
	bool is_live; /* root is "/": the running system, not a test tree */
};

/* The largest value read from one attribute or written to one. */
#define SYSFS_VALUE_MAX 4096

int sysfs_open(struct sysfs *s, const char *root) _must_check_;
void sysfs_close(struct sysfs *s);

int path_format(char *buf, size_t size, const char *fmt, ...)
	_printf_format_(3, 4) _must_check_;

/* The largest file sysfs_read_file() reads (a mount table of many
 * thousand mounts fits). */
#define SYSFS_FILE_MAX (16u << 20)

/*
 * Reads the whole file into buf, NUL-terminated, without one trailing
 * newline; -EFBIG when it holds more than size-1 bytes. Returns the length.
 */
int sysfs_read(const struct sysfs *s, const char *path, char *buf,
	       size_t size) _must_check_;
/*
 * Reads a whole file of any length up to SYSFS_FILE_MAX (procfs tables:
 * mountinfo, swaps, routes) into a malloc()ed, NUL-terminated buffer;
 * -EFBIG beyond.
 */
int sysfs_read_file(const struct sysfs *s, const char *path,
		    char **text) _must_check_;
/*
 * Calls fn for each line of a whole file (sysfs_read_file()), after its
 * header line if it has one, until fn returns a negative errno. A missing
 * file has no lines.
 */
int sysfs_for_each_line(const struct sysfs *s, const char *path,
			bool has_header,
			int (*fn)(const char *line, void *data),
			void *data) _must_check_;
int sysfs_write(const struct sysfs *s, const char *path,
		const char *value) _must_check_;
int sysfs_read_hex(const struct sysfs *s, const char *path,
		   uint32_t *value) _must_check_;
int sysfs_read_bytes(const struct sysfs *s, const char *path, void *buf,
		     size_t size, off_t offset) _must_check_;
/* The last component of a symlink's target ("driver" -> "vfio-pci"). */
int sysfs_read_link_name(const struct sysfs *s, const char *path, char *buf,
			 size_t size) _must_check_;
bool sysfs_exists(const struct sysfs *s, const char *path);
int sysfs_opendir(const struct sysfs *s, const char *path,
		  DIR **dir) _must_check_;
/* The full path of a relative one, for messages only. */
const char *sysfs_describe(const struct sysfs *s, const char *path, char *buf,
			   size_t size);
