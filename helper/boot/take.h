/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "boot/match.h"
#include "boot/precondition.h"
#include "guard/guard.h"
#include "shared/sysroot.h"

/*
 * The functions the selector names (match_functions()), each with the
 * reason vfio-pci would refuse it, if it would (precondition.h): stages 2
 * and 3 for the boot job, ids, check, bind and unbind. An error is logged.
 */
int take_match(const struct sysroot *s, const struct selector *selector,
	       const struct vfio_params *params, struct candidates *c) _must_check_;
/* take_match() among functions read already (match_read_functions()). */
int take_match_read(const struct sysroot *s, const struct selector *selector,
		    const struct vfio_params *params, const struct pci_function *all,
		    size_t n, struct candidates *c) _must_check_;

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
