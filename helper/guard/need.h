/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pci/pci.h"
#include "shared/macro.h"

/*
 * The guard's vocabulary, as values: what the system needs a device for
 * (struct need), why the guard cannot tell (struct doubt), and what it
 * decides about one PCI function (struct keep). They become words in one
 * place, keep_describe().
 */

enum need_role {
	NEED_ROOT, /* spec: root= */
	NEED_RESUME, /* spec: resume= */
	NEED_KEEP, /* spec: --keep, vfio-bind.keep= */
	NEED_MOUNT, /* where: the mount point */
	NEED_MOUNT_OPTION, /* option= of the filesystem mounted on where */
	NEED_ROOTFLAGS, /* option= of the root, from rootflags= */
	NEED_BCACHEFS, /* a member of bcachefs mounted on where */
	NEED_ZFS_MOUNTED, /* in ZFS pool option, mounted on where */
	NEED_ZFS_IMPORTED, /* in ZFS pool option, imported */
	NEED_SWAP,
	NEED_HELD, /* held by where, an active dm or md device */
	NEED_LOOP_BACKING, /* the backing device of where, a loop device */
	NEED_DEFAULT_ROUTE, /* where: the gateway */
	NEED_DEFAULT_ROUTE6,
	NEED_ROOT_ROUTE, /* where: the destination, number: its prefix */
	NEED_ROOT_ROUTE6,
	NEED_TCP_SESSION, /* where: the local address, number: the port */
	NEED_TCP6_SESSION, /* number: the port */
	NEED_IP_PARAM, /* where: the value of ip= */
	NEED_BOOTIF, /* where: the value of BOOTIF= */
	NEED_IFNAME, /* where: the value of ifname= */
	NEED_IBFT, /* where: the iBFT record */
};

/* How a PCI function holds an interface in use that is not its own. */
enum need_through {
	THROUGH_NONE, /* the interface is the function's */
	THROUGH_INTERFACE, /* a lower interface of a bridge, bond, VLAN, ... */
	THROUGH_VF, /* an SR-IOV virtual function of this physical one */
};

#define NEED_NAME_MAX 128
#define NEED_WHERE_MAX 256

/* A device the system needs: NAME (a block device, a PCI address, an
 * interface's sysfs link) needed in ROLE, which DEVICE (a block device or
 * an interface) plays. */
struct need {
	char name[NEED_NAME_MAX];
	enum need_role role;
	char device[64];
	char where[NEED_WHERE_MAX];
	char option[32]; /* a mount option's key, a ZFS pool */
	unsigned number;
	enum need_through through;
	char through_name[64]; /* the lower interface, the VF's address */
};

/* Appends NAME needed as WHAT says, unless NAME is listed already (its
 * need stays). */
int need_add(struct need **list, size_t *n, const char *name,
	     const struct need *what) _must_check_;

enum doubt_kind {
	DOUBT_NONE,
	DOUBT_SPEC_UNTOLD, /* about's spec names no block device to tell */
	DOUBT_SPEC_NOT_FOUND, /* about's spec is not found */
	DOUBT_POOL_NOT_FOUND, /* none of about's ZFS pool members is found */
	DOUBT_SOURCE_NOT_FOUND, /* name: a /dev path that about names */
	DOUBT_FS_INCOMPLETE, /* name: a device of the filesystem text */
	DOUBT_MULTIPATH_EMPTY, /* name: an NVMe head needed as about says */
	DOUBT_MD_DEGRADED, /* name: the array, text: members missing */
	DOUBT_ROOT_UNKNOWN,
	DOUBT_NETWORK_ROOT_UNFOUND,
	DOUBT_IFACE_VIRTUAL, /* name: the interface */
	DOUBT_IFACE_TOO_DEEP, /* name: the interface */
	DOUBT_RECORD_SAYS, /* text: the image's record of the management NICs */
	DOUBT_RECORD_BAD_LINE, /* text: the line */
	DOUBT_RECORD_UNREADABLE, /* err */
};

/* Why the guard cannot tell whether the system needs a kind of device. */
struct doubt {
	enum doubt_kind kind;
	struct need about;
	char name[NEED_WHERE_MAX];
	char text[NEED_WHERE_MAX];
	uint64_t total; /* DOUBT_FS_INCOMPLETE: devices, and those present */
	size_t present;
	int err; /* a positive errno */
};

/* Sets *d to NEW unless it holds a doubt already (the first one stands). */
void doubt_set(struct doubt *d, const struct doubt *new);
/* doubt_set() of a doubt of KIND about ABOUT, naming NAME (either NULL). */
void doubt_note(struct doubt *d, enum doubt_kind kind, const struct need *about,
		const char *name);

enum keep_kind {
	KEEP_NOTHING, /* it may be taken */
	KEEP_NEEDED, /* need */
	KEEP_STORAGE_UNSURE, /* doubt: no storage controller is taken */
	KEEP_NETWORK_UNSURE, /* doubt: no network controller is taken */
	KEEP_MANAGEMENT_NIC, /* the image's record: iface, mac */
	KEEP_MANAGEMENT_MOVED, /* the record's NIC (iface, nic_addr) moved */
	KEEP_DISK_BUSY, /* disk: the kernel refuses to claim it */
	KEEP_DISK_UNCLAIMABLE, /* disk, err */
	KEEP_CLAIMS_FAILED, /* err */
};

/* What the guard decides about one PCI function, and what for. */
struct keep {
	enum keep_kind kind;
	struct need need;
	struct doubt doubt;
	char iface[32];
	char mac[32];
	char nic_addr[PCI_ADDR_MAX];
	char disk[64];
	int err; /* a positive errno */
};

/* Why f is kept, as one phrase for the log: the guard's only words. */
void keep_describe(const struct keep *k, const struct pci_function *f, char *buf,
		   size_t size);
/* The doubt alone (what a record of the management NICs carries). */
void doubt_describe(const struct doubt *d, char *buf, size_t size);
