/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "shared/sysroot.h"

/* Which boot loader's configuration names the next boot. */
enum next_boot_loader {
	NEXT_BOOT_GRUB, /* a menuentry of grub.cfg */
	NEXT_BOOT_GRUB_BLS, /* a BLS entry that grub.cfg's blscfg reads */
	NEXT_BOOT_SYSTEMD_BOOT, /* a loader/entries/ *.conf of the ESP */
	NEXT_BOOT_UKI, /* a unified kernel image in the ESP's EFI/Linux */
};

#define NEXT_BOOT_PATH_MAX 512
#define NEXT_BOOT_TITLE_MAX 256
#define NEXT_BOOT_ARGS_MAX 4096
#define NEXT_BOOT_INITRDS 4

/* What the boot loader will start next, as its configuration says. */
struct next_boot {
	enum next_boot_loader loader;
	char config[NEXT_BOOT_PATH_MAX]; /* the file it read, relative to the root */
	char title[NEXT_BOOT_TITLE_MAX];
	char release[NEXT_BOOT_TITLE_MAX]; /* from the kernel's name, "" unknown */
	char kernel[NEXT_BOOT_PATH_MAX]; /* relative to the root */
	char cmdline[NEXT_BOOT_ARGS_MAX]; /* its variables expanded */
	char initrds[NEXT_BOOT_INITRDS][NEXT_BOOT_PATH_MAX]; /* relative to the root */
	size_t n_initrds;
	char unexpanded[NEXT_BOOT_TITLE_MAX]; /* "$vt_handoff ", variables it could not */
	char uncertain[NEXT_BOOT_TITLE_MAX]; /* why the choice may not hold, "" */
};

/*
 * Reads, under the root, the configuration the firmware's boot loader
 * will read: systemd-boot's loader.conf and entries in the ESP (/boot/efi,
 * /efi, /boot), else GRUB's grub.cfg (following an EFI stub's configfile)
 * with its grubenv. -ENOENT: no boot loader configuration; -ENOMSG: one
 * that names no entry it can boot; -EXDEV: proxmox-boot-tool's, on ESPs
 * that are not mounted.
 */
int next_boot_read(const struct sysroot *s, struct next_boot *nb) _must_check_;
/* The grub.cfg under the root that holds the menu the firmware's GRUB
 * shows (past an ESP's stub), "boot/grub2/grub.cfg". */
int next_boot_grub_config(const struct sysroot *s, char *path, size_t size) _must_check_;

/* "GRUB entry", "systemd-boot entry", for messages. */
const char *next_boot_loader_name(enum next_boot_loader loader);

/*
 * Where the section NAME (".cmdline") of a PE image is in its file, from
 * the image's first bytes (HEAD, with its section table) and the file's
 * size: -ENOENT without one, -EBADMSG when it is no PE image or a header
 * points outside HEAD or the section outside the file.
 */
int pe_section(const unsigned char *head, size_t head_size, uint64_t file_size,
	       const char *name, uint64_t *offset, uint64_t *size) _must_check_;
