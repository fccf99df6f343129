/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "select.h"
#include "sysfs.h"
#include "vfio.h"

/*
 * Puts the selected functions on vfio-pci: logs why any is not taken,
 * checks that vfio-pci can take them (IOMMU, vfio-pci loaded, loading it if
 * needed) and changes nothing if not, then binds each and confirms it.
 * With dry_run, prints the plan instead of binding. Returns an exit status.
 */
int claim_functions(const struct sysfs *s, struct selection *sel,
		    const struct vfio_params *params, bool dry_run);

/* Hands selected functions on vfio-pci back to their host drivers. */
int release_functions(const struct sysfs *s, struct selection *sel,
		      bool dry_run);
