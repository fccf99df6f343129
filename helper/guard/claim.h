/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "guard/need.h"
#include "pci/pci.h"
#include "shared/sysroot.h"

/*
 * The kernel's own answer to "does anything use this disk": an open with
 * O_EXCL claims a block device, and fails with EBUSY while anything else
 * claims it (a filesystem mounted in any mount namespace, swap, an md, dm,
 * LVM, bcache or ZFS member, a btrfs device, an external log). The claims
 * are held across the unbind, so that nothing can take a disk between the
 * check and the unbind.
 */
struct disk_claims {
	int *fds;
	size_t n;
};

/*
 * Claims every whole disk under f (at any depth, as the guard counts
 * them), through its node dev/NAME: 0 with all of them held in c; 1 when
 * one is busy or cannot be opened, with k naming it and nothing held; a
 * negative errno on an error of the helper's own. A disk without a node,
 * or whose node is another device, cannot be asked and is left to the
 * guard's rules.
 */
int disks_claim(const struct sysroot *s, const struct pci_function *f,
		struct disk_claims *c, struct keep *k) _must_check_;
void disks_release(struct disk_claims *c);
#define _cleanup_disk_claims_ _cleanup_(disks_release)
