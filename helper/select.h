/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "addrs.h"
#include "ids.h"
#include "pci.h"
#include "sysroot.h"
#include "vfio.h"

/* What selects functions: vfio-pci's IDs and vfio-bind's addresses. */
struct selector {
	struct id_list ids;
	struct addr_list addrs;
};

struct selected {
	struct pci_function f;
	bool ids_read; /* f's IDs could be read */
	char skip[SKIP_REASON_MAX]; /* why it is not taken; "" when it is */
	bool deferred; /* left for the storage guard's later pass */
};

struct selection {
	struct selected *items;
	size_t n;
};

void selector_free(struct selector *sel);
/*
 * Adds a command-line argument: "10de:1c30" (two fields of four hex digits)
 * selects by IDs, anything else must be a PCI address or slot. -EINVAL when
 * it is neither.
 */
int selector_add_arg(struct selector *sel, const char *arg) _must_check_;
bool selector_is_empty(const struct selector *sel);

/*
 * The functions the selector names: those whose IDs an entry matches as
 * pci_match_device() matches vfio-pci's dynamic IDs, and those at a listed
 * address. Each carries the reason vfio-pci would refuse it, if any. IDs
 * are read only as far as matching needs them.
 */
int select_functions(const struct sysroot *s, const struct selector *selector,
		     const struct vfio_params *params,
		     struct selection *sel) _must_check_;
void selection_free(struct selection *sel);
/* Whether the selector names the function f (whose IDs are read). */
bool selector_matches(const struct selector *selector,
		      const struct pci_function *f);
