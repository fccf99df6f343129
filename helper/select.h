/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "ids.h"
#include "pci.h"
#include "sysfs.h"
#include "vfio.h"

struct selected {
	struct pci_function f;
	const struct pci_id *id; /* the first entry that matched; NULL if the
				  * function's IDs could not be read */
	char skip[SKIP_REASON_MAX]; /* why it is not taken; "" when it is */
};

struct selection {
	struct selected *items;
	size_t n;
};

/*
 * The functions that vfio-pci's dynamic IDs match (pci_match_device()),
 * each with the reason vfio-pci would refuse it, if any. Attributes are read
 * only as far as the IDs need them.
 */
int select_by_ids(const struct sysfs *s, const struct id_list *ids,
		  const struct vfio_params *params,
		  struct selection *sel) _must_check_;
void selection_free(struct selection *sel);
