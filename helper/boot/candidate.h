/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "boot/reason.h"
#include "config/selector.h"
#include "pci/pci.h"

/* A function the selector names, and why it is not taken, if it is not. */
struct candidate {
	struct pci_function f;
	bool ids_read; /* f's IDs could be read */
	struct reason why; /* REASON_NONE while it is to be taken */
	char selected_by[SELECTION_ORIGIN_MAX]; /* selector_origin() */
	bool bind_tried; /* the boot job or bind tried to bind it */
	int bind_result; /* then: bind_to_vfio()'s enum bind_outcome, or -errno */
};

/* The candidates, in address order. */
struct candidates {
	struct candidate *items;
	size_t n;
};

void candidates_free(struct candidates *c);
#define _cleanup_candidates_ _cleanup_(candidates_free)
