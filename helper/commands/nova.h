/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pci/pci.h"
#include "shared/sysroot.h"

/* nova/pci/request.py, _ALIAS_SCHEMA: "name" has 1 to 256 characters. */
#define NOVA_ALIAS_NAME_MAX 256

/*
 * One [pci] alias: the functions on vfio-pci of one vendor:product and
 * device type. Nova merges aliases of one name, and refuses the whole list
 * when merged ones differ in device type, so each gets its own name.
 */
struct nova_alias {
	uint32_t vendor;
	uint32_t device;
	const char *device_type; /* "type-PCI", "type-PF" or "type-VF" */
	bool no_numa_node; /* a function of it has none on a multi-node host */
	char name[NOVA_ALIAS_NAME_MAX + 1];
	/* while naming: the --alias name given for it, and the one its
	 * derived name starts with */
	bool named;
	const char *base;
};

/*
 * The aliases of the functions on vfio-pci among all[] (in address order),
 * named by the --alias arguments: "NAME=ADDRESS|SLOT" names the alias of
 * that function, or of the slot's first function that is not a storage
 * controller; a bare "NAME" does the same for the first such slot that is
 * not named yet. The others are named BASE-VENDOR-DEVICE, with -pf or -vf
 * for SR-IOV functions, BASE being the name given for their slot or the
 * bare name, if any. Every error, a name Nova would refuse or two aliases
 * of one name, is logged and gives -EINVAL.
 */
int nova_aliases(const struct sysroot *s, const struct pci_function *all, size_t n,
		 char *const *args, size_t n_args, struct nova_alias **aliases,
		 size_t *n_aliases) _must_check_;
/* Whether f is on vfio-pci or a VFIO variant driver. */
bool nova_on_vfio(const struct sysroot *s, const struct pci_function *f);
