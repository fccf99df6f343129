/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "pci.h"
#include "sysroot.h"

#define GUARD_WHY_MAX 256

/* Something the system needs (a block device, a PCI function) by its name,
 * and why, as a phrase for the log. */
struct guard_reason {
	char name[64];
	char why[GUARD_WHY_MAX];
};

/*
 * The storage guard's one rule: a PCI function is never taken while any
 * block device under it, at any depth (a VMD domain, a RAID HBA, every
 * controller of a multipath NVMe subsystem), belongs to the root
 * filesystem, the resume device, a mounted filesystem, active swap, an
 * active dm/md/LVM/ZFS/btrfs stack, or a --keep device; nor while its
 * network interface carries the default route or an established TCP
 * session, or reaches a network root.
 * When the guard cannot tell (a root that is not found, a multi-device
 * filesystem with members missing), it keeps every storage controller, and
 * under a network root whose interface it cannot find, every network
 * controller.
 */
struct storage_guard {
	struct guard_reason *kept; /* PCI functions, by address */
	size_t n_kept;
	char storage_unsure[GUARD_WHY_MAX]; /* why no storage controller is
					       taken; "" when it can tell */
	char network_unsure[GUARD_WHY_MAX]; /* the same for network
					       controllers */
};

/* Reads what the system needs from the command line (root=, resume=),
 * the mount table, swaps, sysfs and /proc/net, and KEEP (device specs). */
int guard_load(const struct sysroot *s, const char *cmdline, char *const *keep,
	       size_t n_keep, struct storage_guard *g) _must_check_;
void guard_free(struct storage_guard *g);
/* Why f must not be taken, as a phrase; "" when it may be. */
void guard_check(const struct sysroot *s, const struct storage_guard *g,
		 const struct pci_function *f, char *why, size_t size);
/*
 * Functions whose disks appear only after udev, and that a root disk may sit
 * behind: mass storage (PCI class 01), SD/eMMC hosts (0805), USB (0c03) and
 * Fibre Channel (0c04) controllers.
 */
bool is_storage_controller(const struct pci_function *f);
/* Some block device sits on f, at any depth. */
bool function_has_disks(const struct sysroot *s, const struct pci_function *f);
/* The guard has a say about f: a storage or network controller, or a
 * function some block device sits on. */
bool guard_applies(const struct sysroot *s, const struct pci_function *f);
