// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "pci/addrs.h"
#include "pci/pci-proc.h"
#include "shared/util.h"

#define PCI_PROC_DEVICES "proc/bus/pci/devices"
/* One slot for each bus number and devfn. */
#define PCI_PROC_SLOTS 0x10000

/*
 * show_device() (drivers/pci/proc.c) prints no domain: functions in
 * different domains share a slot, and the file can only rule a slot out
 * as a whole, when every function it lists there fails every entry.
 */
struct pci_proc_slot {
	int32_t balance; /* functions the file lists here minus those sysfs lists */
	bool may_match;
};

struct reading {
	struct pci_proc *p;
	const struct id_list *ids;
	size_t lines;
};

static int slot_of(const char *addr)
{
	struct pci_addr a;

	if (pci_addr_parse(addr, &a) < 0 || a.fn < 0)
		return -EINVAL;
	return (int)(a.bus << 8 | a.dev << 3 | (uint32_t)a.fn);
}

/* show_device()'s "%02x%02x\t%04x%04x\t": bus number, devfn, vendor, device. */
static int add_line(const char *line, void *data)
{
	struct reading *rd = data;
	struct pci_function f = {0};
	struct pci_proc_slot *slot;
	uint32_t at, ids;

	if (hex_scan(line, 4, &at) != 4 || line[4] != '\t' ||
	    hex_scan(line + 5, 8, &ids) != 8 || line[13] != '\t')
		return -EINVAL;
	f.vendor = ids >> 16;
	f.device = ids & 0xffff;
	slot = &rd->p->slots[at];
	slot->balance++;
	for (size_t i = 0; i < rd->ids->n_ids && !slot->may_match; i++)
		slot->may_match =
			pci_id_field_match(&rd->ids->ids[i], PCI_FIELD_VENDOR, &f) &&
			pci_id_field_match(&rd->ids->ids[i], PCI_FIELD_DEVICE, &f);
	rd->lines++;
	return 0;
}

int pci_proc_read(const struct sysroot *s, const struct id_list *ids,
		  char (*addrs)[PCI_ADDR_MAX], size_t n, struct pci_proc *p)
{
	struct reading rd = {.p = p, .ids = ids};
	int r;

	if (n > PCI_PROC_MAX_FUNCTIONS)
		return -EFBIG;
	p->slots = calloc(PCI_PROC_SLOTS, sizeof(*p->slots));
	if (!p->slots)
		return -ENOMEM;
	r = sysroot_for_each_line(s, PCI_PROC_DEVICES, false, add_line, &rd);
	if (r >= 0 && rd.lines == 0)
		r = -ENOENT;
	if (r < 0) {
		pci_proc_free(p);
		return r;
	}
	for (size_t i = 0; i < n; i++) {
		int at = slot_of(addrs[i]);

		if (at >= 0)
			p->slots[at].balance--;
	}
	return 0;
}

void pci_proc_free(struct pci_proc *p)
{
	free(p->slots);
	p->slots = NULL;
}

/*
 * bus_add_device() (drivers/base/bus.c) links a function into
 * sys/bus/pci/devices before it adds it to the bus's list that
 * pci_seq_start() walks, and a function may come or go between the two
 * reads: where the file and sysfs disagree on how many functions a slot
 * holds, the file is not trusted there.
 */
bool pci_proc_rules_out(const struct pci_proc *p, const char *addr)
{
	int at;

	if (!p->slots)
		return false;
	at = slot_of(addr);
	return at >= 0 && p->slots[at].balance == 0 && !p->slots[at].may_match;
}
