/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "shared/sysroot.h"

/*
 * The NUMA node of a PCI function, from its numa_node attribute: -1 when
 * the firmware gives it none (the kernel writes NUMA_NO_NODE) or the
 * kernel has no NUMA support (no such attribute).
 */
int numa_node_of(const struct sysroot *s, const char *addr);
/* Whether the host has more than one NUMA node online. */
bool numa_many_nodes(const struct sysroot *s);
