/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "pci/addrs.h"
#include "pci/pci.h"
#include "shared/sysroot.h"

/* Where driverctl keeps the overrides it sets again at every boot. */
#define DRIVERCTL_DIR "/etc/driverctl.d"

/* One saved override: driverctl set-override ADDRESS DRIVER. */
struct driverctl_override {
	char name[PCI_ADDR_MAX]; /* the address as the file names it */
	struct pci_addr addr;
	char driver[DRIVER_NAME_MAX];
};

/*
 * The PCI overrides under the root: each file "pci-ADDRESS" holds the
 * driver's name. A file whose name is no PCI function's address is
 * skipped with a warning. A missing directory is normal; an error is
 * logged.
 */
int driverctl_read(const struct sysroot *s, struct driverctl_override **list,
		   size_t *n) _must_check_;
/* The override for the function at sysfs address ADDR, or NULL. */
const struct driverctl_override *driverctl_find(const struct driverctl_override *list,
						size_t n, const char *addr);
