/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "pci/pci.h"
#include "shared/sysroot.h"

#define BLOCK_NAME_MAX 64

/*
 * Block devices as sysfs shows them: sys/class/block/NAME links to the
 * device, whose path runs through the PCI function that carries it;
 * slaves/ and holders/ link the layers of dm and md stacks.
 */

/* The names in a directory of block devices (slaves/, holders/,
 * /sys/fs/btrfs/UUID/devices/), sorted. */
int block_list_dir(const struct sysroot *s, const char *path,
		   char (**names)[BLOCK_NAME_MAX], size_t *n) _must_check_;
/* The same, of a directory already open. */
int block_dir_names(DIR *dir, char (**names)[BLOCK_NAME_MAX], size_t *n) _must_check_;
/* Every block device name, sorted; none when sys/class/block is missing. */
int block_list(const struct sysroot *s, char (**names)[BLOCK_NAME_MAX],
	       size_t *n) _must_check_;
/*
 * Every PCI function the device sits under: any on its sysfs path (a RAID
 * HBA, a VMD domain and the NVMe function inside it, bridges), and for a
 * namespace of a multipath NVMe subsystem, every controller's. None for a
 * virtual device (dm, md, loop, an NVMe-oF namespace).
 */
int block_pci_functions(const struct sysroot *s, const char *name,
			char (**addrs)[PCI_ADDR_MAX], size_t *n) _must_check_;
/* The device named by "/dev/...", "/dev/disk/by-*", "/dev/mapper/...",
 * "MAJ:MIN" or a bare kernel name; -ENOENT when there is none. */
int block_resolve_path(const struct sysroot *s, const char *spec, char *name,
		       size_t size) _must_check_;
int block_from_devnum(const struct sysroot *s, const char *majmin, char *name,
		      size_t size) _must_check_;
/* The device whose attribute ATTR reads VALUE ("dm/name" is "vg-root");
 * with PARENT, only the devices inside it (a disk's partitions). */
int block_find_by_attr(const struct sysroot *s, const char *parent, const char *attr,
		       const char *value, char *name, size_t size) _must_check_;
bool block_is_partition(const struct sysroot *s, const char *name);
/* The names linked in NAME/slaves or NAME/holders. */
int block_links(const struct sysroot *s, const char *name, const char *which,
		char (**names)[BLOCK_NAME_MAX], size_t *n) _must_check_;
