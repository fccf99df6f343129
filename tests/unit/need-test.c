// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The guard's decisions are values (guard/need.h) that become words in one
 * place: each kind of need, doubt and keep, built as the guard builds it,
 * against the phrase the log shows. Prints one line per failure and
 * "N passed, N failed".
 */
#include <stdio.h>
#include <string.h>

#include "guard/need.h"
#include "shared/util.h"

static int passed, failed;

static void expect(const struct keep *k, const char *phrase)
{
	struct pci_function f = {
		.addr = "0000:01:00.0", .vendor = 0x8086, .device = 0x1533};
	char buf[1024];

	keep_describe(k, &f, buf, sizeof(buf));
	if (strcmp(buf, phrase) == 0) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL: kind %d: <%s>, not <%s>\n", k->kind, buf, phrase);
}

static struct keep needed(enum need_role role, const char *device, const char *where,
			  const char *option, unsigned number)
{
	struct keep k = {.kind = KEEP_NEEDED, .need = {.role = role, .number = number}};

	str_copy(k.need.device, sizeof(k.need.device), device);
	str_copy(k.need.where, sizeof(k.need.where), where);
	str_copy(k.need.option, sizeof(k.need.option), option);
	return k;
}

static void check_needs(void)
{
	struct keep k;

	k = needed(NEED_ROOT, "sda2", "UUID=1f", "", 0);
	expect(&k, "carries root (sda2, UUID=1f)");
	k = needed(NEED_KEEP, "nvme0n1", "/dev/nvme0n1", "", 0);
	expect(&k, "carries a kept device (nvme0n1, /dev/nvme0n1)");
	k = needed(NEED_MOUNT, "sdb1", "/srv", "", 0);
	expect(&k, "carries sdb1, mounted on /srv");
	k = needed(NEED_MOUNT_OPTION, "sdc", "/var", "logdev", 0);
	expect(&k, "carries sdc, logdev= of the filesystem mounted on /var");
	k = needed(NEED_ROOTFLAGS, "sdc", "", "journal_path", 0);
	expect(&k, "carries sdc, journal_path= of the root (rootflags=)");
	k = needed(NEED_ZFS_MOUNTED, "sdd", "/tank", "tank", 0);
	expect(&k, "carries sdd, in ZFS pool tank, mounted on /tank");
	k = needed(NEED_ZFS_IMPORTED, "sdd", "", "rpool", 0);
	expect(&k, "carries sdd, in ZFS pool rpool, imported");
	k = needed(NEED_HELD, "sde", "dm-0", "", 0);
	expect(&k, "carries sde, held by dm-0 (an active dm or md device)");
	k = needed(NEED_ROOT_ROUTE, "eno1", "10.0.0.0", "", 24);
	expect(&k,
	       "its interface eno1 has a route to 10.0.0.0/24 and the root is on the network");
	k = needed(NEED_DEFAULT_ROUTE, "br0", "192.0.2.1", "", 0);
	k.need.through = THROUGH_INTERFACE;
	str_copy(k.need.through_name, sizeof(k.need.through_name), "eno1");
	expect(&k,
	       "its interface br0 carries the default route (via 192.0.2.1), through eno1");
	k.need.through = THROUGH_VF;
	str_copy(k.need.through_name, sizeof(k.need.through_name), "0000:01:10.0");
	expect(&k,
	       "its interface br0 carries the default route (via 192.0.2.1), through its virtual function 0000:01:10.0");
}

static void check_doubts(void)
{
	struct keep k = {
		.kind = KEEP_STORAGE_UNSURE,
		.doubt = {.kind = DOUBT_SOURCE_NOT_FOUND, .about = {.role = NEED_SWAP}}};

	str_copy(k.doubt.name, sizeof(k.doubt.name), "/dev/sdz");
	expect(&k,
	       "/dev/sdz is used as swap and not found among the block devices, so no storage controller is taken");
	k.doubt = (struct doubt){.kind = DOUBT_SPEC_NOT_FOUND,
				 .about = {.role = NEED_RESUME}};
	str_copy(k.doubt.about.where, sizeof(k.doubt.about.where), "LABEL=swap");
	expect(&k,
	       "resume LABEL=swap is not found among the block devices, so no storage controller is taken");
	k.doubt = (struct doubt){.kind = DOUBT_FS_INCOMPLETE, .total = 3, .present = 2};
	str_copy(k.doubt.text, sizeof(k.doubt.text), "btrfs");
	str_copy(k.doubt.name, sizeof(k.doubt.name), "sdf");
	expect(&k,
	       "the btrfs filesystem on sdf has 3 devices and only 2 are present, so no storage controller is taken");
	k.kind = KEEP_NETWORK_UNSURE;
	k.doubt = (struct doubt){.kind = DOUBT_IFACE_VIRTUAL};
	str_copy(k.doubt.name, sizeof(k.doubt.name), "wg0");
	expect(&k,
	       "the interface wg0 is virtual and over no device vfio-bind can follow, so no network controller is taken");
	/* the first doubt stands */
	doubt_set(&k.doubt, &(struct doubt){.kind = DOUBT_ROOT_UNKNOWN});
	expect(&k,
	       "the interface wg0 is virtual and over no device vfio-bind can follow, so no network controller is taken");
}

static void check_keeps(void)
{
	struct keep k = {.kind = KEEP_NOTHING};

	expect(&k, "");
	k = (struct keep){.kind = KEEP_DISK_BUSY, .disk = "nvme0n1"};
	expect(&k,
	       "its disk nvme0n1 is in use (the kernel refuses to claim it: a mount in some mount namespace, swap, md, dm or ZFS holds it)");
	k = (struct keep){.kind = KEEP_MANAGEMENT_MOVED,
			  .iface = "eno1",
			  .nic_addr = "0000:02:00.0"};
	expect(&k,
	       "the NIC that carried the default route when this image was built (eno1 on 0000:02:00.0) is not at its address, so no 8086:1533 is taken; vfio-bind.addrs= takes one");
}

int main(void)
{
	check_needs();
	check_doubts();
	check_keeps();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
