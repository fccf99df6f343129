// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The management NICs, found on the running host when an image is built and
 * kept at boot from the record the image carries (management.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard/management.h"
#include "guard/netuse.h"
#include "shared/log.h"
#include "shared/util.h"

void management_nics_free(struct management_nics *m)
{
	free(m->items);
	memset(m, 0, sizeof(*m));
}

void management_nic_format(const struct management_nic *nic, char *buf, size_t size)
{
	str_format(buf, size, "%s %04x:%04x %s %s", nic->addr, nic->vendor, nic->device,
		   nic->mac, nic->iface);
}

static bool has_nic(const struct management_nics *m, const char *addr)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->items[i].addr, addr) == 0)
			return true;
	return false;
}

/* The MAC of the interface FN holds (sys/class/net/IFACE/address), or
 * "-": a physical function held through its VF has no interface of the
 * route's. */
static void read_mac(const struct sysroot *s, const struct need *fn, char *mac,
		     size_t size)
{
	const char *iface =
		fn->through == THROUGH_INTERFACE ? fn->through_name : fn->device;

	if (fn->through == THROUGH_VF ||
	    sysroot_readf(s, mac, size, "sys/class/net/%s/address", iface) < 0)
		str_copy(mac, size, "-");
}

/* The function FN names, under the interface that carries the route. */
static int add_found(const struct sysroot *s, struct management_nics *m,
		     const struct need *fn)
{
	struct management_nic nic = {0};
	struct pci_function f;
	int r = pci_read_function(s, fn->name, &f);

	if (r < 0 || has_nic(m, fn->name))
		return r < 0 ? r : 0;
	str_copy(nic.addr, sizeof(nic.addr), fn->name);
	nic.vendor = f.vendor;
	nic.device = f.device;
	read_mac(s, fn, nic.mac, sizeof(nic.mac));
	str_copy(nic.iface, sizeof(nic.iface), fn->device);
	return array_push(&m->items, &m->n, sizeof(nic), &nic);
}

int management_nics_find(const struct sysroot *s, struct management_nics *m)
{
	_cleanup_free_ struct need *uses = NULL;
	size_t n;
	int r;

	memset(m, 0, sizeof(*m));
	r = nics_default_route(s, &uses, &n);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		_cleanup_free_ struct need *fns = NULL;
		struct doubt unsure;
		size_t n_fns;

		r = nic_functions(s, &uses[i], &fns, &n_fns, &unsure);
		if (r >= 0)
			doubt_set(&m->unsure, &unsure);
		for (size_t j = 0; r >= 0 && j < n_fns; j++)
			r = add_found(s, m, &fns[j]);
	}
	if (r < 0)
		management_nics_free(m);
	return r;
}

static void record_doubt(struct management_nics *m, enum doubt_kind kind,
			 const char *text)
{
	struct doubt d = {.kind = kind};

	str_copy(d.text, sizeof(d.text), text);
	doubt_set(&m->unsure, &d);
}

static int read_line(const char *line, void *data)
{
	struct management_nics *m = data;
	struct management_nic nic = {0};
	char addr[64];
	int end = 0;

	if (line[0] == '#')
		return 0;
	if (strncmp(line, MANAGEMENT_UNSURE, strlen(MANAGEMENT_UNSURE)) == 0) {
		record_doubt(m, DOUBT_RECORD_SAYS, line + strlen(MANAGEMENT_UNSURE));
		return 0;
	}
	if (sscanf(line, "%63s %4x:%4x %31s %31s %n", addr, &nic.vendor, &nic.device,
		   nic.mac, nic.iface, &end) != 5 ||
	    line[end] || path_format(nic.addr, sizeof(nic.addr), "%s", addr) < 0) {
		record_doubt(m, DOUBT_RECORD_BAD_LINE, line);
		return 0;
	}
	return array_push(&m->items, &m->n, sizeof(nic), &nic);
}

int management_nics_read(const struct sysroot *s, struct management_nics *m)
{
	int r;

	memset(m, 0, sizeof(*m));
	r = sysroot_for_each_line(s, MANAGEMENT_NICS_FILE, false, read_line, m);
	if (r < 0)
		management_nics_free(m);
	return r == -ENOENT ? 0 : r;
}

static bool same_ids(const struct management_nic *nic, const struct pci_function *f)
{
	return nic->vendor == f->vendor && nic->device == f->device;
}

/* The recorded NIC is still where it was, with its IDs. */
static bool still_there(const struct sysroot *s, const struct management_nic *nic)
{
	struct pci_function f;

	return pci_read_function(s, nic->addr, &f) >= 0 && same_ids(nic, &f);
}

static void keep_management_nic(struct keep *k, enum keep_kind kind,
				const struct management_nic *nic)
{
	k->kind = kind;
	str_copy(k->iface, sizeof(k->iface), nic->iface);
	str_copy(k->mac, sizeof(k->mac), nic->mac);
	str_copy(k->nic_addr, sizeof(k->nic_addr), nic->addr);
}

void management_nic_check(const struct sysroot *s, const struct management_nics *m,
			  const struct addr_list *named, const struct pci_function *f,
			  struct keep *k)
{
	*k = (struct keep){.kind = KEEP_NOTHING};
	if (named && addr_list_match(named, f->addr))
		return;
	for (size_t i = 0; i < m->n; i++) {
		const struct management_nic *nic = &m->items[i];

		if (!same_ids(nic, f))
			continue;
		if (strcmp(nic->addr, f->addr) == 0) {
			keep_management_nic(k, KEEP_MANAGEMENT_NIC, nic);
			return;
		}
		if (!still_there(s, nic)) {
			keep_management_nic(k, KEEP_MANAGEMENT_MOVED, nic);
			return;
		}
	}
	if (m->unsure.kind != DOUBT_NONE && is_network_function(s, f)) {
		k->kind = KEEP_NETWORK_UNSURE;
		k->doubt = m->unsure;
	}
}
