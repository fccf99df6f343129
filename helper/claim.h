/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "select.h"
#include "sysroot.h"
#include "vfio.h"

struct claim_opts {
	bool dry_run; /* print the plan instead */
	bool defer_storage; /* leave storage controllers for a later pass */
	const char *cmdline; /* for root= and resume= */
	char *const *keep; /* more devices the storage guard keeps */
	size_t n_keep;
};

/*
 * Puts the selected functions on vfio-pci: applies the storage guard, logs
 * why any is not taken, checks that vfio-pci can take them (IOMMU, vfio-pci
 * loaded, loading it if needed) and changes nothing if not, then binds each
 * and confirms it. Returns an exit status.
 */
int claim_functions(const struct sysroot *s, struct selection *sel,
		    const struct vfio_params *params,
		    const struct claim_opts *opts);

/* Hands selected functions on vfio-pci back to their host drivers. */
int release_functions(const struct sysroot *s, struct selection *sel,
		      bool dry_run);
