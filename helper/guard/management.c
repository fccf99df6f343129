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

/* An interface's MAC (sys/class/net/IFACE/address), or "-". */
static void read_mac(const struct sysroot *s, const char *iface, char *mac, size_t size)
{
	if (sysroot_readf(s, mac, size, "sys/class/net/%s/address", iface) < 0)
		str_copy(mac, size, "-");
}

/* The function ADDR under the interface ROUTED, which reaches it through
 * LOWER (or is it, when LOWER is ""). */
static int add_found(const struct sysroot *s, struct management_nics *m, const char *addr,
		     const char *routed, const char *lower)
{
	struct management_nic nic = {0};
	struct pci_function f;
	int r = pci_read_function(s, addr, &f);

	if (r < 0 || has_nic(m, addr))
		return r < 0 ? r : 0;
	str_copy(nic.addr, sizeof(nic.addr), addr);
	nic.vendor = f.vendor;
	nic.device = f.device;
	read_mac(s, lower[0] ? lower : routed, nic.mac, sizeof(nic.mac));
	str_copy(nic.iface, sizeof(nic.iface), routed);
	return array_push(&m->items, &m->n, sizeof(nic), &nic);
}

/* The interface a use names: sys/class/net/IFACE. */
static const char *use_iface(const struct need *use)
{
	const char *slash = strrchr(use->name, '/');

	return slash ? slash + 1 : use->name;
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
		char unsure[NEED_WHY_MAX];
		size_t n_fns;

		r = nic_functions(s, &uses[i], &fns, &n_fns, unsure, sizeof(unsure));
		if (r >= 0 && unsure[0] && !m->unsure[0])
			str_copy(m->unsure, sizeof(m->unsure), unsure);
		for (size_t j = 0; r >= 0 && j < n_fns; j++)
			r = add_found(s, m, fns[j].name, use_iface(&uses[i]), fns[j].why);
	}
	if (r < 0)
		management_nics_free(m);
	return r;
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
		if (!m->unsure[0])
			str_format(m->unsure, sizeof(m->unsure),
				   "when this image was built, %s",
				   line + strlen(MANAGEMENT_UNSURE));
		return 0;
	}
	if (sscanf(line, "%63s %4x:%4x %31s %31s %n", addr, &nic.vendor, &nic.device,
		   nic.mac, nic.iface, &end) != 5 ||
	    line[end] || path_format(nic.addr, sizeof(nic.addr), "%s", addr) < 0) {
		if (!m->unsure[0])
			str_format(
				m->unsure, sizeof(m->unsure),
				"/" MANAGEMENT_NICS_FILE
				" has a line that is not ADDRESS VENDOR:DEVICE MAC INTERFACE (%s)",
				line);
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

void management_nic_check(const struct sysroot *s, const struct management_nics *m,
			  const struct addr_list *named, const struct pci_function *f,
			  char *why, size_t size)
{
	why[0] = '\0';
	if (named && addr_list_match(named, f->addr))
		return;
	for (size_t i = 0; i < m->n; i++) {
		const struct management_nic *nic = &m->items[i];

		if (!same_ids(nic, f))
			continue;
		if (strcmp(nic->addr, f->addr) == 0) {
			str_format(
				why, size,
				"it carried the default route on %s (MAC %s) when this image was built; vfio-bind.addrs=%s takes it",
				nic->iface, nic->mac, f->addr);
			return;
		}
		if (!still_there(s, nic)) {
			str_format(
				why, size,
				"the NIC that carried the default route when this image was built (%s on %s) is not at its address, so no %04x:%04x is taken; vfio-bind.addrs= takes one",
				nic->iface, nic->addr, f->vendor, f->device);
			return;
		}
	}
	if (m->unsure[0] && (is_network_controller(f) || function_has_interfaces(s, f)))
		str_format(why, size, "%s, so no network controller is taken", m->unsure);
}
