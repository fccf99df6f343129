/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "guard/need.h"
#include "pci/pci.h"
#include "shared/sysroot.h"

/*
 * The command line asks for a root reached over the network: root= names
 * no local disk (NFS, CIFS, iSCSI, NBD, a live image by URL), or dracut's
 * netroot=, the kernel's nfsroot=, rd.iscsi.*, rd.nvmf.* or
 * initramfs-tools' iscsi_target_name= is there.
 */
bool cmdline_network_root(const char *cmdline);

/* Network controllers: PCI base class 02 (Ethernet, InfiniBand, ...) and
 * InfiniBand controllers of class 0c06 (PCI_CLASS_SERIAL_INFINIBAND). */
bool is_network_controller(const struct pci_function *f);
/* A network interface sits on f (its sysfs directory has net/). */
bool function_has_interfaces(const struct sysroot *s, const struct pci_function *f);
/* A network controller, or a function with an interface. */
bool is_network_function(const struct sysroot *s, const struct pci_function *f);

/*
 * The interfaces the running system uses: each that carries the default
 * route or an established TCP session (IPv4 or IPv6), as
 * dpdk-devbind refuses an "active" interface; and
 * when the root is on the network, each that has a route, each named by
 * ip=...:IFACE, BOOTIF= or ifname=, and the iSCSI boot firmware's NIC.
 * Each is named by its sysfs link (sys/class/net/IFACE, or iBFT's device).
 */
int nics_in_use(const struct sysroot *s, const char *cmdline, bool network_root,
		struct need **uses, size_t *n) _must_check_;

/* The interfaces that carry the default routes (IPv4 and IPv6), as
 * nics_in_use() names them. */
int nics_default_route(const struct sysroot *s, struct need **uses,
		       size_t *n) _must_check_;

/*
 * The PCI functions an interface in use (one of nics_in_use()) stands on,
 * by address, each needed as USE is, through the interface it holds when
 * that is another one: a physical interface's, and its physical
 * function's when it is an SR-IOV virtual function; through a bridge,
 * bond, team, VLAN, macvlan or an Open vSwitch bridge, those of the
 * interfaces under it. When an interface cannot be followed (a tunnel, a
 * container's veth), says why in unsure.
 */
int nic_functions(const struct sysroot *s, const struct need *use, struct need **fns,
		  size_t *n, struct doubt *unsure) _must_check_;
