// SPDX-License-Identifier: GPL-2.0-or-later
/* The NUMA node of a PCI function, and whether the host has several. */
#include <string.h>

#include "commands/numa.h"
#include "pci/pci.h"

int numa_node_of(const struct sysroot *s, const char *addr)
{
	long node;

	if (pci_read_number(s, addr, "numa_node", &node) < 0 || node < 0 ||
	    node > 1 << 16)
		return -1;
	return (int)node;
}

bool numa_many_nodes(const struct sysroot *s)
{
	char online[256];

	/* A node list in the kernel's range format: "0", "0-1", "0,2-3". */
	if (sysroot_read(s, "sys/devices/system/node/online", online, sizeof(online)) < 0)
		return false;
	return strpbrk(online, ",-") != NULL;
}
