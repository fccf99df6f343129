/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "block.h"
#include "pci.h"
#include "sysfs.h"

/*
 * The storage guard: the block devices the running system needs (its root,
 * its resume device, what is mounted or used as swap, what the caller asks
 * to keep) and every device beneath them in dm and md stacks. A PCI function
 * that carries one of them, or a disk that an active dm or md device holds,
 * is never taken.
 */
struct needed_dev {
	char name[BLOCK_NAME_MAX];
	char why[256]; /* "carries root (nvme0n1p2, UUID=...)" */
};

struct storage_guard {
	struct needed_dev *devs;
	size_t n;
	char unresolved[256]; /* a needed device that could not be found */
	bool root_known; /* root=, --keep or a mounted / tell where root is */
};

int guard_load(const struct sysfs *s, const char *cmdline, char *const *keep,
	       size_t n_keep, struct storage_guard *g) _must_check_;
void guard_free(struct storage_guard *g);
/* Why f must not be taken, as a phrase; "" when it may be. */
void guard_check(const struct sysfs *s, const struct storage_guard *g,
		 const struct pci_function *f, char *why, size_t size);
/*
 * Functions whose disks appear only after udev, and that a root disk may sit
 * behind: mass storage (PCI class 01), SD/eMMC hosts (0805), USB (0c03) and
 * Fibre Channel (0c04) controllers.
 */
bool is_storage_controller(const struct pci_function *f);
/* Some block device sits on f. */
bool function_has_disks(const struct sysfs *s, const struct pci_function *f);
