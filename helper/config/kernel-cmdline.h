/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "shared/sysroot.h"

/* libkmod reads /proc/cmdline into a buffer of this size (KCMD_LINE_SIZE). */
#define CMDLINE_MAX 4096

/* proc/cmdline, malloc()ed; an error is logged. */
int cmdline_read(const struct sysroot *s, char **cmdline) _must_check_;

/* What a module is given for one parameter from the kernel command line. */
struct module_param {
	char *value; /* the last occurrence's value; NULL if it had no '=' */
	unsigned count; /* occurrences */
	size_t longest; /* length of the longest value */
	bool any_bare; /* some occurrence had no "=value" */
	bool ended; /* a bare "--" ended the options: the kernel sets none
		       after it (kernel/params.c, parse_args()) */
};

/*
 * Finds MODULE.PARAM as libkmod does when it loads MODULE (dashes and
 * underscores alike, double quotes as libkmod and the kernel treat them),
 * and the value the kernel then stores: the last occurrence's.
 * MODULE is written with underscores ("vfio_pci"). Returns the count.
 */
int cmdline_module_param(const char *cmdline, const char *module, const char *param,
			 struct module_param *out) _must_check_;
void module_param_clear(struct module_param *p);
/*
 * Adds to OUT the occurrences of PARAM in OPTIONS, a module's option
 * string as libkmod hands it to init_module() ("ids=10de:1c30 nointxmask=1"),
 * split as the kernel's parse_args() splits it. Returns how many it found.
 */
int module_options_scan(const char *options, const char *param,
			struct module_param *out) _must_check_;
/* LATER's occurrences come after INTO's: the last value wins. LATER is
 * cleared. */
void module_param_merge(struct module_param *into, struct module_param *later);
/* libkmod's underscores(): '-' becomes '_' outside "[...]"; -EINVAL for an
 * unbalanced bracket. */
int modname_underscores(char *s) _must_check_;

/*
 * The kernel's next_arg() (lib/cmdline.c): splits the first word off ARGS
 * in place, double quotes as the kernel treats them, and returns the rest.
 * *value is NULL for a word without '='.
 */
char *kernel_next_arg(char *args, char **param, char **value);

/*
 * A parameter of the kernel's own (root=, resume=, ip=), as parse_args()
 * sees it: words split by next_arg() up to "--" (the rest is init's), names
 * with '-' and '_' alike. kernel_param_values() gives every occurrence's
 * value in order ("" for a bare word); kernel_param() the last one, which is
 * what the kernel's own handlers keep, as a malloc()ed copy (NULL when
 * absent), and returns the number of occurrences.
 */
int kernel_param_values(const char *cmdline, const char *name, char ***values,
			size_t *n) _must_check_;
int kernel_param(const char *cmdline, const char *name, char **value) _must_check_;
/* Some parameter's name starts with PREFIX ("rd.iscsi."). */
bool kernel_param_prefixed(const char *cmdline, const char *prefix);

/* kstrtobool() as param_set_bool() applies it; NULL (no "=value") is true. */
int parse_kernel_bool(const char *value, bool *result) _must_check_;
