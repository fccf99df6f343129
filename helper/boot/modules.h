/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "shared/macro.h"

/* module_load(): a blacklist entry names the module, so it was not loaded. */
#define MODULE_BLACKLISTED 1

/*
 * Loads a module and its dependencies with libkmod, as modprobe would:
 * options from modprobe.d and the kernel command line apply, blacklists are
 * honoured. Returns 0 when it is loaded or built in, MODULE_BLACKLISTED
 * when a modprobe.d blacklist line or modprobe.blacklist= names it,
 * -ENOENT when no such module exists for this kernel, -ELIBACC when
 * libkmod.so.2 cannot be opened, or the kernel's -errno (-EPERM: loading
 * is not permitted, whatever the blacklists say).
 * extra_options (may be NULL) come after every other option, so they win.
 */
int module_load(const char *name, const char *extra_options) _must_check_;

/*
 * The VFIO variant driver's module for a function whose modalias (its
 * sysfs attribute, "pci:v...d...sv...sd...bc..sc..i..") is MODALIAS: the
 * module whose vfio_pci: alias in modules.alias matches it with the fewest
 * wildcards, vfio_pci's own catch-all left out. DIRNAME: the modules
 * directory (NULL: the running kernel's). 1 with *module set, 0 when none
 * is there, -ENOTUNIQ when two match as closely, or -errno.
 */
int module_vfio_variant(const char *dirname, const char *modalias, char *module,
			size_t size) _must_check_;
