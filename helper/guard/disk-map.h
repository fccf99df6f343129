/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "guard/block.h"
#include "pci/pci.h"
#include "shared/sysroot.h"

/*
 * The block devices and the PCI functions each sits under, as the guard
 * asks for them over one run: sys/class/block listed once, each device's
 * functions read the first time they are asked for (block_pci_functions()).
 */
struct disk {
	char name[BLOCK_NAME_MAX];
	char (*addrs)[PCI_ADDR_MAX];
	size_t n_addrs;
	int read; /* 0 not yet, 1 read, or block_pci_functions()'s error */
};

struct disk_map {
	struct disk *items;
	size_t n;
	bool listed;
};

/* Lists sys/class/block, unless it is listed already. */
int disk_map_list(const struct sysroot *s, struct disk_map *m) _must_check_;
/* The functions under the device NAME; -ENOENT for a device not listed. */
int disk_map_functions(const struct sysroot *s, struct disk_map *m, const char *name,
		       const char (**addrs)[PCI_ADDR_MAX], size_t *n) _must_check_;
/* Some block device sits on the function ADDR, at any depth. */
bool disk_map_has_function(const struct sysroot *s, struct disk_map *m, const char *addr);
void disk_map_free(struct disk_map *m);
