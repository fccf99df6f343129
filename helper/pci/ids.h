/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "pci/pci.h"

/* vfio-pci's "static char ids[1024]" holds at most this many characters. */
#define VFIO_PCI_IDS_MAX 1023

struct id_list {
	struct pci_id *ids;
	size_t n_ids;
	char **rejected; /* entries vfio-pci warns about and skips */
	size_t n_rejected;
};

/*
 * Parses the value of vfio-pci's ids= as vfio_pci_fill_ids() does
 * (drivers/vfio/pci/vfio_pci.c): comma-separated entries of
 * vendor:device[:subvendor[:subdevice[:class[:class_mask]]]] in hex.
 */
int id_list_parse(const char *value, struct id_list *list) _must_check_;
void id_list_free(struct id_list *list);
int id_format(char *buf, size_t size, const struct pci_id *id) _must_check_;
