/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "shared/sysroot.h"

#define BOOTLOADER_TEXT_MAX 512

/*
 * Where a kernel argument missing from the running kernel's command line
 * is written for the next boot, and what puts it there.
 */
struct bootloader_hint {
	char file[BOOTLOADER_TEXT_MAX]; /* "/etc/default/grub (GRUB_CMDLINE_LINUX)" */
	char command[BOOTLOADER_TEXT_MAX]; /* "run update-grub, then reboot" */
};

/*
 * Looks for a parameter named one of NAMES (NULL-terminated, "intel_iommu",
 * '-' and '_' alike) in the boot loader configuration under the root, only
 * reading it: /etc/kernel/cmdline (systemd-boot through kernel-install, or
 * proxmox-boot-tool), the BLS entries in /boot/loader/entries (grubby), and
 * /etc/default/grub with /etc/default/grub.d/ *.cfg sourced after it, as
 * grub-mkconfig does (update-grub). Returns 1 with *hint filled when it is
 * found, 0 when no layout has it.
 */
int bootloader_find(const struct sysroot *s, const char *const *names,
		    struct bootloader_hint *hint);
