/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "shared/sysroot.h"

/* The distribution's PCI ID database (hwdata's or pciutils' pci.ids). */
struct pci_ids_db {
	char *text; /* the whole file, NUL-terminated; NULL when absent */
	size_t size;
};

/* Loads usr/share/misc/pci.ids or usr/share/hwdata/pci.ids under the root. */
void pci_ids_db_load(const struct sysroot *s, struct pci_ids_db *db);
void pci_ids_db_free(struct pci_ids_db *db);
#define _cleanup_pci_ids_db_ _cleanup_(pci_ids_db_free)
/*
 * "Vendor Device" as lspci names a function; "" when the database is absent
 * or does not know the vendor.
 */
void pci_ids_db_name(const struct pci_ids_db *db, uint32_t vendor, uint32_t device,
		     char *buf, size_t size);
