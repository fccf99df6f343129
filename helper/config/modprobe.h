/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "config/kernel-cmdline.h"
#include "shared/sysroot.h"

/* The lines of modprobe.d that matter to vfio-bind. */
enum modprobe_kind {
	MODPROBE_OPTIONS, /* options MODULE REST */
	MODPROBE_BLACKLIST, /* blacklist MODULE */
	MODPROBE_SOFTDEP, /* softdep MODULE REST */
	MODPROBE_BAD, /* a line about vfio-pci that gives it nothing; REST is the line */
};

struct modprobe_entry {
	enum modprobe_kind kind;
	char *module; /* with underscores, as libkmod compares it; NULL for MODPROBE_BAD
		       */
	char *rest;
	char *path; /* "/etc/modprobe.d/vfio.conf", as on the system */
	unsigned line; /* the first line it is written on */
};

/* Every entry, in the order libkmod applies them. */
struct modprobe_config {
	struct modprobe_entry *entries;
	size_t n;
};

/*
 * Reads the configuration directories libkmod reads, under the root, with
 * its rules: *.conf files only, a name in an earlier directory hides the
 * same name in a later one, files in the order of their names whatever
 * their directory, a backslash joining lines. A missing directory is
 * normal; an error is logged.
 */
int modprobe_config_read(const struct sysroot *s,
			 struct modprobe_config *cfg) _must_check_;
void modprobe_config_free(struct modprobe_config *cfg);
#define _cleanup_modprobe_config_ _cleanup_(modprobe_config_free)

/*
 * PARAM as the options lines for MODULE ("vfio_pci") give it, in order;
 * *last is the entry whose line set it last (NULL if none did). With
 * CHECK, each line's own occurrences are handed to it first; a negative
 * return from it stops the scan and is returned.
 */
int modprobe_module_param(const struct modprobe_config *cfg, const char *module,
			  const char *param, struct module_param *out,
			  const struct modprobe_entry **last,
			  int (*check)(const struct module_param *line,
				       const struct modprobe_entry *e)) _must_check_;

/* "FILE line N", for messages. */
void modprobe_entry_where(const struct modprobe_entry *e, char *buf, size_t size);
