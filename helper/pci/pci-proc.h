/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "pci/ids.h"
#include "pci/pci.h"
#include "shared/sysroot.h"

struct pci_proc_slot;

/*
 * seq_read_iter() (fs/seq_file.c) hands out at most a page per read() and
 * calls pci_seq_start() (drivers/pci/proc.c) for each, which walks the list
 * of devices from its head: reading the file of N functions takes about
 * N * N / 30 steps of pci_get_device(). Beyond about a thousand functions
 * that costs more than reading each one's vendor attribute.
 */
#define PCI_PROC_MAX_FUNCTIONS 512

/*
 * What proc/bus/pci/devices says of each bus number and devfn: how many
 * functions it lists there, and whether some ID entry accepts the vendor
 * and device of one of them.
 */
struct pci_proc {
	struct pci_proc_slot *slots; /* NULL: the file rules nothing out */
};

/*
 * Reads proc/bus/pci/devices for the functions sysfs lists (addrs, listed
 * before this call) against the entries ids. -ENOENT when it is missing or
 * empty, -EINVAL when a line is not as the kernel writes it, -EFBIG when
 * sysfs lists so many functions that the kernel's file costs more than it
 * saves, -ENOMEM.
 */
int pci_proc_read(const struct sysroot *s, const struct id_list *ids,
		  char (*addrs)[PCI_ADDR_MAX], size_t n, struct pci_proc *p) _must_check_;
void pci_proc_free(struct pci_proc *p);
#define _cleanup_pci_proc_ _cleanup_(pci_proc_free)
/*
 * Whether the file shows that no entry can match the function at addr by
 * its vendor and device, so that its attributes need not be read.
 */
bool pci_proc_rules_out(const struct pci_proc *p, const char *addr);
