/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "guard/disk-map.h"
#include "guard/management.h"
#include "guard/need.h"
#include "pci/pci.h"
#include "shared/sysroot.h"

/*
 * The guard's one rule, over what the running system needs: a PCI function is never taken
 * while any block device under it, at any depth (a VMD domain, a RAID HBA, every
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
struct system_needs {
	struct need *kept; /* PCI functions, by address */
	size_t n_kept;
	struct doubt storage_doubt; /* why no storage controller is taken;
				       DOUBT_NONE when it can tell */
	struct doubt network_doubt; /* the same for network controllers */
	struct disk_map disks; /* the block devices, listed once */
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
	struct system_needs g;
};

void guard_pass_start(struct guard_pass *p, const struct guard_opts *opts);
void guard_pass_end(struct guard_pass *p);
#define _cleanup_guard_pass_ _cleanup_(guard_pass_end)
/*
 * With defer_storage, storage controllers, and network controllers under a
 * network root, wait for the later pass; a function the guard has a say
 * about that the system needs is kept, with what for in k. Returns the
 * verdict; an error is logged.
 */
int guard_decide(const struct sysroot *s, struct guard_pass *p,
		 const struct pci_function *f, struct keep *k) _must_check_;

/* Reads what the system needs from the command line (root=, resume=),
 * the mount table, swaps, sysfs and /proc/net, and KEEP (device specs). */
int guard_load(const struct sysroot *s, const char *cmdline, char *const *keep,
	       size_t n_keep, struct system_needs *g) _must_check_;
void guard_free(struct system_needs *g);
#define _cleanup_guard_ _cleanup_(guard_free)
/* Why f must not be taken; KEEP_NOTHING when it may be. */
void guard_check(const struct sysroot *s, const struct system_needs *g,
		 const struct pci_function *f, struct keep *k);
/*
 * Functions whose disks appear only after udev, and that a root disk may sit
 * behind: mass storage (PCI class 01), SD/eMMC hosts (0805), USB (0c03) and
 * Fibre Channel (0c04) controllers.
 */
bool is_storage_controller(const struct pci_function *f);
/* Some block device sits on f, at any depth (g's list of them). */
bool function_has_disks(const struct sysroot *s, struct system_needs *g,
			const struct pci_function *f);
