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

/*
 * How the next boot's kernel arguments are kept on this system: each layout
 * has its file and the tool that carries that file into what the boot
 * loader reads.
 */
enum boot_layout {
	BOOT_LAYOUT_UNKNOWN,
	BOOT_LAYOUT_GRUB, /* Debian's: /etc/default/grub and grub.d, update-grub */
	BOOT_LAYOUT_GRUB_MKCONFIG, /* /etc/default/grub alone, grub2-mkconfig -o */
	BOOT_LAYOUT_GRUB_BLS, /* Fedora's and RHEL's: BLS entries, grubby */
	BOOT_LAYOUT_KERNEL_INSTALL, /* /etc/kernel/cmdline, kernel-install */
	BOOT_LAYOUT_PROXMOX, /* /etc/kernel/cmdline, proxmox-boot-tool */
	BOOT_LAYOUT_PROXMOX_GRUB, /* Debian's GRUB files, proxmox-boot-tool */
	BOOT_LAYOUT_OSTREE, /* the deployment's kargs, rpm-ostree */
};

/* What the running kernel's command line says loaded it. */
enum boot_booted_by {
	BOOTED_BY_UNSEEN, /* neither mark: no command line, or another loader */
	BOOTED_BY_GRUB, /* BOOT_IMAGE=, which GRUB's linux command puts first */
	BOOTED_BY_STUB, /* initrd=\EFI\...: systemd-boot or the kernel's EFI stub */
};

struct boot_loader {
	enum boot_layout layout;
	enum boot_booted_by booted_by;
	const char *evidence; /* the file under the root that decided it */
};

/* Decides the layout from the files under the root and CMDLINE, the
 * running kernel's (NULL when unread). */
void bootloader_detect(const struct sysroot *s, const char *cmdline,
		       struct boot_loader *out);
/* Words for the layout ("GRUB with update-grub"), the file the arguments
 * go in, and the command that applies them, for messages and fixes. */
const char *boot_layout_name(enum boot_layout layout);
const char *boot_layout_file(enum boot_layout layout);
const char *boot_layout_command(enum boot_layout layout);
const char *boot_booted_by_name(enum boot_booted_by by);
/* grub-mkconfig's path under the root ("/usr/sbin/grub2-mkconfig"), NULL. */
const char *bootloader_mkconfig_tool(const struct sysroot *s);

/* vfio-bind kargs --apply's own: its grub.d drop-in, and the mark that ends
 * its line in /etc/default/grub where grub-mkconfig reads no drop-in. */
#define BOOTLOADER_GRUB_DROPIN "vfio-bind.cfg"
#define BOOTLOADER_GRUB_MARK "# vfio-bind kargs --remove deletes this line"

/*
 * The arguments GRUB's 10_linux gives a normal entry, GRUB_CMDLINE_LINUX
 * then GRUB_CMDLINE_LINUX_DEFAULT, as /etc/default/grub and the grub.d
 * drop-ins set them; WITHOUT_OURS leaves out what vfio-bind kargs wrote.
 */
void bootloader_grub_cmdline(const struct sysroot *s, bool without_ours, char *out,
			     size_t size);
/*
 * Each BLS entry's "options" line under boot/loader/entries, with
 * $kernelopts taken from grubenv as GRUB's blscfg takes it; malloc()ed.
 */
int bootloader_bls_options(const struct sysroot *s, char ***options,
			   size_t *n) _must_check_;
