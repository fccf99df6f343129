// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-bind nova-config: the [pci] device_spec and alias lines of nova.conf
 * for the functions on vfio-pci.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "match.h"

static const char *device_type(const struct sysroot *s, const struct pci_function *f)
{
	long vfs = 0;

	if (pci_has_attr(s, f->addr, "physfn"))
		return "type-VF";
	if (pci_read_number(s, f->addr, "sriov_totalvfs", &vfs) == 0 && vfs > 0)
		return "type-PF";
	return "type-PCI";
}

static bool same_ids(const struct pci_function *a, const struct pci_function *b)
{
	return a->vendor == b->vendor && a->device == b->device;
}

static bool on_vfio(const struct pci_function *f)
{
	return strcmp(f->driver, VFIO_PCI) == 0;
}

/* An identical function left on the host makes Nova need addresses. */
static bool has_host_twin(const struct pci_function *all, size_t n,
			  const struct pci_function *f)
{
	for (size_t i = 0; i < n; i++)
		if (same_ids(&all[i], f) && !on_vfio(&all[i]))
			return true;
	return false;
}

static bool seen_before(const struct pci_function *all, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (on_vfio(&all[j]) && same_ids(&all[j], &all[i]))
			return true;
	return false;
}

int cmd_nova_config(struct sysroot *s, const struct options *opts)
{
	_cleanup_free_ struct pci_function *all = NULL;
	size_t n, pairs = 0;

	if (match_every_function(s, &all, &n) < 0)
		return EXIT_USAGE;
	for (size_t i = 0; i < n; i++)
		pairs += on_vfio(&all[i]) && !seen_before(all, i);
	if (pairs == 0) {
		ERR("no PCI function is on vfio-pci: run vfio-bind check");
		return EXIT_PARTIAL;
	}

	puts("[pci]");
	for (size_t i = 0; i < n; i++) {
		if (!on_vfio(&all[i]))
			continue;
		if (has_host_twin(all, n, &all[i]))
			printf("device_spec = {\"vendor_id\": \"%04x\", \"product_id\": \"%04x\", \"address\": \"%s\"}\n",
			       all[i].vendor, all[i].device, all[i].addr);
		else if (!seen_before(all, i))
			printf("device_spec = {\"vendor_id\": \"%04x\", \"product_id\": \"%04x\"}\n",
			       all[i].vendor, all[i].device);
	}
	for (size_t i = 0, k = 0; i < n; i++) {
		char name[128];

		if (!on_vfio(&all[i]) || seen_before(all, i))
			continue;
		if (opts->alias && (pairs == 1 || k == 0))
			snprintf(name, sizeof(name), "%s", opts->alias);
		else if (opts->alias)
			snprintf(name, sizeof(name), "%s-%04x", opts->alias,
				 all[i].device);
		else
			snprintf(name, sizeof(name), "%04x-%04x", all[i].vendor,
				 all[i].device);
		printf("alias = {\"vendor_id\": \"%04x\", \"product_id\": \"%04x\", \"device_type\": \"%s\", \"name\": \"%s\"}\n",
		       all[i].vendor, all[i].device, device_type(s, &all[i]), name);
		k++;
	}
	return EXIT_OK;
}
