/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "guard/management.h"
#include "pci/pci.h"
#include "shared/sysroot.h"
#include "shared/util.h"

/*
 * The storage guard's one rule: a PCI function is never taken while any
 * block device under it, at any depth (a VMD domain, a RAID HBA, every
 * controller of a multipath NVMe subsystem), belongs to the root
 * filesystem, the resume device, a mounted filesystem, active swap, an
 * active dm/md/LVM/ZFS/btrfs/bcachefs stack, an imported ZFS pool, an
 * external log or journal, a loop device, or a --keep device; nor while its
 * network interface carries the default route or an established TCP
 * session, or reaches a network root, directly or under a bridge, bond,
 * VLAN, Open vSwitch bridge or one of its SR-IOV virtual functions.
 * When the guard cannot tell (a root that is not found, a multi-device
 * filesystem with members missing, a degraded md array), it keeps every
 * storage controller, and under a network root whose interface it cannot
 * find, or an interface in use that leads to no device, every network
 * controller.
 */
struct storage_guard {
	struct need *kept; /* PCI functions, by address */
	size_t n_kept;
	char storage_unsure[NEED_WHY_MAX]; /* why no storage controller is
					       taken; "" when it can tell */
	char network_unsure[NEED_WHY_MAX]; /* the same for network
					       controllers */
};

struct guard_opts {
	bool defer_storage; /* before udev: storage controllers wait */
	const char *cmdline; /* for root=, resume= and a network root */
	char *const *keep; /* more devices to keep (devspec.h) */
	size_t n_keep;
	/* the boot: the image's record of the management NICs, kept unless
	 * named among these addresses (management.h) */
	const struct management_nics *management;
	const struct addr_list *named;
};

/* What the guard decides about a function nothing else refuses. */
enum guard_verdict {
	GUARD_TAKE,
	GUARD_WAITS_STORAGE, /* before udev: its disks do not exist yet */
	GUARD_WAITS_NETWORK, /* before udev: the root is on the network */
	GUARD_KEEP, /* the system needs it */
};

/* The guard over one function after another: what the system needs is
 * read once, when the first function the guard has a say about comes. */
struct guard_pass {
	const struct guard_opts *opts;
	const char *cmdline; /* opts->cmdline, or "" */
	bool network_root;
	bool loaded; /* g holds what the system needs */
	struct storage_guard g;
};

void guard_pass_start(struct guard_pass *p, const struct guard_opts *opts);
void guard_pass_end(struct guard_pass *p);
#define _cleanup_guard_pass_ _cleanup_(guard_pass_end)
/*
 * With defer_storage, storage controllers, and network controllers under a
 * network root, wait for the later pass; a function the guard has a say
 * about that the system needs is kept, with what for in why. Returns the
 * verdict; an error is logged.
 */
int guard_decide(const struct sysroot *s, struct guard_pass *p,
		 const struct pci_function *f, char *why, size_t size) _must_check_;

/* Reads what the system needs from the command line (root=, resume=),
 * the mount table, swaps, sysfs and /proc/net, and KEEP (device specs). */
int guard_load(const struct sysroot *s, const char *cmdline, char *const *keep,
	       size_t n_keep, struct storage_guard *g) _must_check_;
void guard_free(struct storage_guard *g);
#define _cleanup_guard_ _cleanup_(guard_free)
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
