/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/macro.h"

/* A PCI address or slot: [domain:]bus:device[.function]. */
struct pci_addr {
	uint32_t domain;
	uint32_t bus;
	uint32_t dev;
	int fn; /* -1: every function of the slot */
	bool pinned; /* ADDR@VENDOR:DEVICE: only a function with these IDs */
	uint32_t pin_vendor, pin_device;
};

struct addr_list {
	struct pci_addr *addrs;
	size_t n_addrs;
	char **rejected;
	size_t n_rejected;
};

/*
 * Parses "0000:0b:00.1", "0b:00.1", "0000:0b:00" or "0b:00" as lspci and
 * sysfs write them: a domain of up to 8 hex digits (0 when absent), a bus of
 * up to 2, a device up to 1f, a function 0-7.
 */
int pci_addr_parse(const char *text, struct pci_addr *addr) _must_check_;
bool pci_addr_match(const struct pci_addr *pattern, const char *sysfs_addr);
/* ADDRESS or ADDRESS@VENDOR:DEVICE (four hex digits each), as
 * vfio-bind.addrs= and the commands take one. */
int addr_entry_parse(const char *text, struct pci_addr *addr) _must_check_;
/*
 * Comma-separated addresses, as vfio-bind.addrs= takes them, each with or
 * without a pin to the IDs expected there: 0000:0b:00.0@10de:1c30.
 */
int addr_list_parse(const char *value, struct addr_list *list) _must_check_;
void addr_list_free(struct addr_list *list);
bool addr_list_match(const struct addr_list *list, const char *sysfs_addr);
/* The first entry that matches the address, or NULL. */
const struct pci_addr *addr_list_find(const struct addr_list *list,
				      const char *sysfs_addr);
