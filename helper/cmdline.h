/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "sysfs.h"

/* libkmod reads /proc/cmdline into a buffer of this size (KCMD_LINE_SIZE). */
#define CMDLINE_MAX 4096

int cmdline_read(const struct sysfs *s, char **cmdline) _must_check_;

/* What a module is given for one parameter from the kernel command line. */
struct module_param {
	char *value; /* the last occurrence's value; NULL if it had no '=' */
	unsigned count; /* occurrences */
	size_t longest; /* length of the longest value */
	bool any_bare; /* some occurrence had no "=value" */
};

/*
 * Finds MODULE.PARAM as libkmod does when it loads MODULE (dashes and
 * underscores alike, double quotes as libkmod and the kernel treat them),
 * and the value the kernel then stores: the last occurrence's.
 * MODULE is written with underscores ("vfio_pci"). Returns the count.
 */
int cmdline_module_param(const char *cmdline, const char *module,
			 const char *param,
			 struct module_param *out) _must_check_;
void module_param_clear(struct module_param *p);

/* kstrtobool() as param_set_bool() applies it; NULL (no "=value") is true. */
int parse_kernel_bool(const char *value, bool *result) _must_check_;
