/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "config/driverctl.h"
#include "config/modprobe.h"
#include "shared/macro.h"
#include "shared/sysroot.h"

/*
 * What the boot is configured with, read once per command and handed down,
 * as kmod hands its struct kmod_config around: the kernel command line and
 * modprobe.d, as libkmod reads them (kmod_config_new()), and driverctl's
 * saved overrides.
 */
struct boot_config {
	char *cmdline; /* proc/cmdline */
	struct modprobe_config modprobe; /* in the order libkmod applies it */
	struct driverctl_override *driverctl;
	size_t n_driverctl;
};

/* All three, under the root; an error is logged. */
int boot_config_read(const struct sysroot *s, struct boot_config *cfg) _must_check_;
void boot_config_free(struct boot_config *cfg);
#define _cleanup_boot_config_ _cleanup_(boot_config_free)
