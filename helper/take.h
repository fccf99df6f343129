/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "guard.h"
#include "match.h"
#include "precondition.h"
#include "sysroot.h"

/*
 * Puts the candidates on vfio-pci, in the boot path's order: the storage
 * guard, the IOMMU and vfio-pci preconditions (nothing changes when they
 * fail), then each candidate left is bound and confirmed, and reported.
 * With dry_run, prints the plan instead. Returns an exit status.
 */
int take_candidates(const struct sysroot *s, struct candidates *c,
		    const struct vfio_params *params, const struct guard_opts *guard,
		    bool dry_run);

/* Hands the candidates on vfio-pci back to their host drivers. */
int give_back_candidates(const struct sysroot *s, struct candidates *c, bool dry_run);
