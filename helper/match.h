/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "pci.h"
#include "precondition.h"
#include "reason.h"
#include "selector.h"
#include "sysroot.h"

/* A function the selector names, and why it is not taken, if it is not. */
struct candidate {
	struct pci_function f;
	bool ids_read; /* f's IDs could be read */
	struct reason why; /* REASON_NONE while it is to be taken */
	char selected_by[SELECTION_ORIGIN_MAX]; /* selector_origin() */
};

/* The candidates, in address order. */
struct candidates {
	struct candidate *items;
	size_t n;
};

/*
 * The functions the selector names: those whose IDs an entry matches as
 * pci_match_device() matches vfio-pci's dynamic IDs, and those at a listed
 * address, each with the reason vfio-pci would refuse it, if any
 * (precondition.h). IDs are read only as far as matching needs them, and
 * not at all for a function whose vendor and device proc/bus/pci/devices
 * shows no entry can match. An error is logged.
 */
int match_functions(const struct sysroot *s, const struct selector *selector,
		    const struct vfio_params *params, struct candidates *c) _must_check_;
void candidates_free(struct candidates *c);
#define _cleanup_candidates_ _cleanup_(candidates_free)
/* Every function whose attributes can be read, in address order; an error
 * is logged. */
int match_every_function(const struct sysroot *s, struct pci_function **all,
			 size_t *n) _must_check_;
