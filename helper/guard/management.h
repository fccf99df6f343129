/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guard/need.h"
#include "pci/addrs.h"
#include "pci/pci.h"
#include "shared/sysroot.h"

/*
 * The management NICs: the PCI functions under the host's default routes
 * (through bridges, bonds, VLANs, Open vSwitch and VFs, as the live guard
 * follows them), recorded into an image when it is built on that host, one
 * line each in etc/vfio-bind/management-nics:
 *   ADDRESS VENDOR:DEVICE MAC INTERFACE
 * (INTERFACE: the one that carries the route), or, when a default route is
 * on an interface that leads to no PCI function (a tunnel):
 *   unsure WHY
 * The boot runs before any network exists: the record is all it knows of
 * them.
 */
#define MANAGEMENT_NICS_FILE "etc/vfio-bind/management-nics"
#define MANAGEMENT_UNSURE "unsure "

struct management_nic {
	char addr[PCI_ADDR_MAX];
	uint32_t vendor, device;
	char mac[32];
	char iface[32];
};

struct management_nics {
	struct management_nic *items;
	size_t n;
	struct doubt unsure; /* a record that could not be read or made */
};

/* Those of the running system under S, to record. */
int management_nics_find(const struct sysroot *s, struct management_nics *m) _must_check_;
/* The image's record; none when it has no file. */
int management_nics_read(const struct sysroot *s, struct management_nics *m) _must_check_;
void management_nics_free(struct management_nics *m);
#define _cleanup_management_nics_ _cleanup_(management_nics_free)
/* One line of the record, without its newline. */
void management_nic_format(const struct management_nic *nic, char *buf, size_t size);
/*
 * Why the boot keeps f: it is a recorded NIC, or has a recorded NIC's IDs
 * while that NIC is no longer at its address, or the record could not be
 * read and f is a network controller; KEEP_NOTHING when it may be taken,
 * or when NAMED (vfio-bind.addrs=, driverctl) names its address.
 */
void management_nic_check(const struct sysroot *s, const struct management_nics *m,
			  const struct addr_list *named, const struct pci_function *f,
			  struct keep *k);
