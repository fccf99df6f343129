// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-bind list: every PCI function, as the operator needs to see it. */
#include <stdio.h>
#include <string.h>

#include "boot/match.h"
#include "boot/reset.h"
#include "commands/commands.h"
#include "shared/json.h"
#include "commands/numa.h"
#include "commands/pciids.h"
#include "shared/log.h"

/* reset_method's names as a JSON list; null when the kernel shows none. */
static void print_reset_methods(const struct sysroot *s, const char *addr)
{
	char methods[256];
	const char *p = methods;

	if (reset_method_read(s, addr, methods, sizeof(methods)) < 0) {
		fputs(", \"reset_method\": null", stdout);
		return;
	}
	fputs(", \"reset_method\": [", stdout);
	while (*p) {
		size_t len = strcspn(p, " ");

		printf("%s\"%.*s\"", p == methods ? "" : ", ", (int)len, p);
		p += len + (p[len] == ' ');
	}
	fputc(']', stdout);
}

static void print_json(const struct sysroot *s, const struct pci_function *f,
		       const char *name, long boot_vga, int numa_node, bool selected,
		       bool first)
{
	printf("%s\n  {\"address\": ", first ? "" : ",");
	json_string(stdout, f->addr);
	printf(", \"class\": \"%06x\", \"vendor\": \"%04x\", \"device\": \"%04x\", \"subsystem_vendor\": \"%04x\", \"subsystem_device\": \"%04x\", \"name\": ",
	       f->class, f->vendor, f->device, f->subvendor, f->subdevice);
	json_string(stdout, name);
	fputs(", \"driver\": ", stdout);
	json_string(stdout, f->driver);
	fputs(", \"driver_override\": ", stdout);
	json_string(stdout, f->override);
	fputs(", \"iommu_group\": ", stdout);
	if (f->iommu_group[0])
		fputs(f->iommu_group, stdout);
	else
		fputs("null", stdout);
	if (numa_node >= 0)
		printf(", \"numa_node\": %d", numa_node);
	else
		fputs(", \"numa_node\": null", stdout);
	print_reset_methods(s, f->addr);
	printf(", \"boot_vga\": %s, \"selected\": %s}", boot_vga > 0 ? "true" : "false",
	       selected ? "true" : "false");
}

static void print_row(const struct pci_function *f, const char *name, long boot_vga,
		      int numa_node, bool selected)
{
	char numa[16] = "-";

	if (numa_node >= 0)
		snprintf(numa, sizeof(numa), "%d", numa_node);
	printf("%-13s %04x  %04x:%04x  %04x:%04x  %-14s %-9s %-5s %-4s %-4s %-3s %s\n",
	       f->addr, f->class >> 8, f->vendor, f->device, f->subvendor, f->subdevice,
	       f->driver[0] ? f->driver : "-", f->override[0] ? f->override : "-",
	       f->iommu_group[0] ? f->iommu_group : "-", numa, boot_vga > 0 ? "yes" : "-",
	       selected ? "yes" : "-", name);
}

int cmd_list(struct sysroot *s, const struct options *opts)
{
	_cleanup_free_ struct pci_function *all = NULL;
	_cleanup_boot_config_ struct boot_config cfg = {0};
	_cleanup_selector_ struct selector selector = {0};
	_cleanup_pci_ids_db_ struct pci_ids_db db = {0};
	bool present;
	size_t n;
	int r;

	r = boot_config_read(s, &cfg);
	if (r >= 0)
		r = selector_from_boot_config(&cfg, &selector, &present);
	if (r < 0 && selection_exit_status(r) == EXIT_USAGE)
		return EXIT_USAGE;
	if (match_every_function(s, &all, &n) < 0)
		return EXIT_USAGE;
	pci_ids_db_load(s, &db);
	if (opts->json)
		fputs("[", stdout);
	else
		printf("%-13s %-5s %-10s %-10s %-14s %-9s %-5s %-4s %-4s %-3s %s\n",
		       "ADDRESS", "CLASS", "ID", "SUBSYSTEM", "DRIVER", "OVERRIDE",
		       "GROUP", "NUMA", "VGA", "SEL", "NAME");
	for (size_t i = 0; i < n; i++) {
		char name[256];
		long boot_vga = 0;
		bool selected = selector_matches(&selector, &all[i]);
		int numa_node = numa_node_of(s, all[i].addr);

		if (pci_read_number(s, all[i].addr, "boot_vga", &boot_vga) < 0)
			boot_vga = 0;
		pci_ids_db_name(&db, all[i].vendor, all[i].device, name, sizeof(name));
		if (opts->json)
			print_json(s, &all[i], name, boot_vga, numa_node, selected,
				   i == 0);
		else
			print_row(&all[i], name, boot_vga, numa_node, selected);
	}
	if (opts->json)
		fputs(n ? "\n]\n" : "]\n", stdout);
	return EXIT_OK;
}
