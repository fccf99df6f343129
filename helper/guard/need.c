// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The guard's vocabulary (need.h), and the one place it becomes words.
 */
#include <inttypes.h>
#include <string.h>

#include "guard/management.h"
#include "guard/need.h"
#include "shared/util.h"

int need_add(struct need **list, size_t *n, const char *name, const struct need *what)
{
	struct need need = *what;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*list)[i].name, name) == 0)
			return 0;
	str_copy(need.name, sizeof(need.name), name);
	return array_push(list, n, sizeof(need), &need);
}

void doubt_set(struct doubt *d, const struct doubt *new)
{
	if (d->kind == DOUBT_NONE)
		*d = *new;
}

void doubt_note(struct doubt *d, enum doubt_kind kind, const struct need *about,
		const char *name)
{
	struct doubt new = {.kind = kind};

	if (about)
		new.about = *about;
	if (name)
		str_copy(new.name, sizeof(new.name), name);
	doubt_set(d, &new);
}

/* root=, resume= and --keep name the device by a spec. */
static const char *spec_role(enum need_role role)
{
	switch (role) {
	case NEED_ROOT:
		return "root";
	case NEED_RESUME:
		return "resume";
	default:
		return "a kept device";
	}
}

/* What a block device is used as, after "carries DEVICE, ". */
static void need_use(const struct need *n, char *buf, size_t size)
{
	switch (n->role) {
	case NEED_MOUNT:
		str_format(buf, size, "mounted on %s", n->where);
		return;
	case NEED_MOUNT_OPTION:
		str_format(buf, size, "%s= of the filesystem mounted on %s", n->option,
			   n->where);
		return;
	case NEED_ROOTFLAGS:
		str_format(buf, size, "%s= of the root (rootflags=)", n->option);
		return;
	case NEED_BCACHEFS:
		str_format(buf, size, "a member of bcachefs mounted on %s", n->where);
		return;
	case NEED_ZFS_MOUNTED:
		str_format(buf, size, "in ZFS pool %s, mounted on %s", n->option,
			   n->where);
		return;
	case NEED_ZFS_IMPORTED:
		str_format(buf, size, "in ZFS pool %s, imported", n->option);
		return;
	case NEED_SWAP:
		str_copy(buf, size, "used as swap");
		return;
	case NEED_HELD:
		str_format(buf, size, "held by %s (an active dm or md device)", n->where);
		return;
	case NEED_LOOP_BACKING:
		str_format(buf, size, "the backing device of %s", n->where);
		return;
	default:
		str_copy(buf, size, "");
	}
}

/* A network interface in use, by the role it plays. */
static void need_interface(const struct need *n, char *buf, size_t size)
{
	switch (n->role) {
	case NEED_DEFAULT_ROUTE:
		str_format(buf, size,
			   "its interface %s carries the default route (via %s)",
			   n->device, n->where);
		return;
	case NEED_DEFAULT_ROUTE6:
		str_format(buf, size, "its interface %s carries the IPv6 default route",
			   n->device);
		return;
	case NEED_ROOT_ROUTE:
		str_format(
			buf, size,
			"its interface %s has a route to %s/%u and the root is on the network",
			n->device, n->where, n->number);
		return;
	case NEED_ROOT_ROUTE6:
		str_format(
			buf, size,
			"its interface %s has an IPv6 route and the root is on the network",
			n->device);
		return;
	case NEED_TCP_SESSION:
		str_format(buf, size,
			   "its interface %s carries an established TCP session (%s:%u)",
			   n->device, n->where, n->number);
		return;
	case NEED_TCP6_SESSION:
		str_format(
			buf, size,
			"its interface %s carries an established TCP session over IPv6 (port %u)",
			n->device, n->number);
		return;
	case NEED_IP_PARAM:
		str_format(buf, size, "its interface %s reaches the network root (ip=%s)",
			   n->device, n->where);
		return;
	case NEED_BOOTIF:
		str_format(buf, size,
			   "its interface %s is the boot interface (BOOTIF=%s)",
			   n->device, n->where);
		return;
	case NEED_IFNAME:
		str_format(buf, size,
			   "its interface is named for the network root (ifname=%s)",
			   n->where);
		return;
	default:
		str_format(buf, size, "it is the iSCSI boot firmware's NIC (iBFT %s)",
			   n->where);
	}
}

static void need_describe(const struct need *n, char *buf, size_t size)
{
	char use[NEED_WHERE_MAX + 64], role[2 * NEED_WHERE_MAX];

	switch (n->role) {
	case NEED_ROOT:
	case NEED_RESUME:
	case NEED_KEEP:
		str_format(buf, size, "carries %s (%s, %s)", spec_role(n->role),
			   n->device, n->where);
		return;
	case NEED_MOUNT:
	case NEED_MOUNT_OPTION:
	case NEED_ROOTFLAGS:
	case NEED_BCACHEFS:
	case NEED_ZFS_MOUNTED:
	case NEED_ZFS_IMPORTED:
	case NEED_SWAP:
	case NEED_HELD:
	case NEED_LOOP_BACKING:
		need_use(n, use, sizeof(use));
		str_format(buf, size, "carries %s, %s", n->device, use);
		return;
	default:
		break;
	}
	need_interface(n, role, sizeof(role));
	if (n->through == THROUGH_INTERFACE)
		str_format(buf, size, "%s, through %s", role, n->through_name);
	else if (n->through == THROUGH_VF)
		str_format(buf, size, "%s, through its virtual function %s", role,
			   n->through_name);
	else
		str_copy(buf, size, role);
}

static void describe_pool_doubt(const struct need *pool, char *buf, size_t size)
{
	if (pool->role == NEED_ZFS_MOUNTED)
		str_format(
			buf, size,
			"ZFS pool %s is mounted on %s and none of its members is found",
			pool->option, pool->where);
	else
		str_format(buf, size,
			   "ZFS pool %s is imported and none of its members is found",
			   pool->option);
}

static void describe_record_doubt(const struct doubt *d, char *buf, size_t size)
{
	switch (d->kind) {
	case DOUBT_RECORD_SAYS:
		str_format(buf, size, "when this image was built, %s", d->text);
		return;
	case DOUBT_RECORD_BAD_LINE:
		str_format(
			buf, size,
			"/" MANAGEMENT_NICS_FILE
			" has a line that is not ADDRESS VENDOR:DEVICE MAC INTERFACE (%s)",
			d->text);
		return;
	default:
		str_format(buf, size, "/" MANAGEMENT_NICS_FILE " cannot be read (%s)",
			   strerror(d->err));
	}
}

void doubt_describe(const struct doubt *d, char *buf, size_t size)
{
	char about[2 * NEED_WHERE_MAX + 64];

	switch (d->kind) {
	case DOUBT_NONE:
		str_copy(buf, size, "");
		return;
	case DOUBT_SPEC_UNTOLD:
		str_format(buf, size, "%s %s is no block device that can be told",
			   spec_role(d->about.role), d->about.where);
		return;
	case DOUBT_SPEC_NOT_FOUND:
		str_format(buf, size, "%s %s is not found among the block devices",
			   spec_role(d->about.role), d->about.where);
		return;
	case DOUBT_POOL_NOT_FOUND:
		describe_pool_doubt(&d->about, buf, size);
		return;
	case DOUBT_SOURCE_NOT_FOUND:
		need_use(&d->about, about, sizeof(about));
		str_format(buf, size, "%s is %s and not found among the block devices",
			   d->name, about);
		return;
	case DOUBT_FS_INCOMPLETE:
		str_format(buf, size,
			   "the %s filesystem on %s has %" PRIu64
			   " devices and only %zu are present",
			   d->text, d->name, d->total, d->present);
		return;
	case DOUBT_MULTIPATH_EMPTY:
		need_describe(&d->about, about, sizeof(about));
		str_format(buf, size,
			   "the NVMe multipath device %s (%s) lists no controller",
			   d->name, about);
		return;
	case DOUBT_MD_DEGRADED:
		str_format(buf, size,
			   "the md array %s runs degraded, missing %s of its members",
			   d->name, d->text);
		return;
	case DOUBT_ROOT_UNKNOWN:
		str_copy(
			buf, size,
			"the root device is unknown (no root=, no --keep, / not mounted from a disk)");
		return;
	case DOUBT_NETWORK_ROOT_UNFOUND:
		str_copy(
			buf, size,
			"the root is on the network and the interface that reaches it is not found");
		return;
	case DOUBT_IFACE_VIRTUAL:
		str_format(
			buf, size,
			"the interface %s is virtual and over no device vfio-bind can follow",
			d->name);
		return;
	case DOUBT_IFACE_TOO_DEEP:
		str_format(buf, size,
			   "the interface %s is stacked deeper than vfio-bind follows",
			   d->name);
		return;
	case DOUBT_RECORD_SAYS:
	case DOUBT_RECORD_BAD_LINE:
	case DOUBT_RECORD_UNREADABLE:
		describe_record_doubt(d, buf, size);
		return;
	}
}

static void describe_disk_keep(const struct keep *k, char *buf, size_t size)
{
	switch (k->kind) {
	case KEEP_DISK_BUSY:
		str_format(
			buf, size,
			"its disk %s is in use (the kernel refuses to claim it: a mount in some mount namespace, swap, md, dm or ZFS holds it)",
			k->disk);
		return;
	case KEEP_DISK_UNCLAIMABLE:
		str_format(
			buf, size,
			"its disk %s cannot be claimed to tell whether it is in use (%s)",
			k->disk, strerror(k->err));
		return;
	default:
		str_format(buf, size, "its disks cannot be claimed (%s)",
			   strerror(k->err));
	}
}

void keep_describe(const struct keep *k, const struct pci_function *f, char *buf,
		   size_t size)
{
	char doubt[3 * NEED_WHERE_MAX];

	switch (k->kind) {
	case KEEP_NOTHING:
		str_copy(buf, size, "");
		return;
	case KEEP_NEEDED:
		need_describe(&k->need, buf, size);
		return;
	case KEEP_STORAGE_UNSURE:
		doubt_describe(&k->doubt, doubt, sizeof(doubt));
		str_format(buf, size, "%s, so no storage controller is taken", doubt);
		return;
	case KEEP_NETWORK_UNSURE:
		doubt_describe(&k->doubt, doubt, sizeof(doubt));
		str_format(buf, size, "%s, so no network controller is taken", doubt);
		return;
	case KEEP_MANAGEMENT_NIC:
		str_format(
			buf, size,
			"it carried the default route on %s (MAC %s) when this image was built; vfio-bind.addrs=%s takes it",
			k->iface, k->mac, f->addr);
		return;
	case KEEP_MANAGEMENT_MOVED:
		str_format(
			buf, size,
			"the NIC that carried the default route when this image was built (%s on %s) is not at its address, so no %04x:%04x is taken; vfio-bind.addrs= takes one",
			k->iface, k->nic_addr, f->vendor, f->device);
		return;
	case KEEP_DISK_BUSY:
	case KEEP_DISK_UNCLAIMABLE:
	case KEEP_CLAIMS_FAILED:
		describe_disk_keep(k, buf, size);
		return;
	}
}
