/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "boot/candidate.h"
#include "config/selector.h"
#include "pci/pci.h"
#include "shared/sysroot.h"

/*
 * The functions the selector names: those whose IDs an entry matches as
 * pci_match_device() matches vfio-pci's dynamic IDs, and those at a listed
 * address, each with the reason it cannot be read, if it cannot. IDs are
 * read only as far as matching needs them, and not at all for a function
 * whose vendor and device proc/bus/pci/devices shows no entry can match.
 * An error is logged.
 */
int match_functions(const struct sysroot *s, const struct selector *selector,
		    struct candidates *c) _must_check_;
/*
 * Whether to drop the candidate: it vanished while it was read (an error
 * ENOENT, and its directory gone) and no address names it, so there is
 * nothing to take and no one to tell. Logged.
 */
bool match_drop_vanished(const struct sysroot *s, const struct selector *selector,
			 const struct candidate *it);
/* match_functions() over functions read already (ALL, in address order,
 * as match_every_function() reads them); an error is logged. */
int match_read_functions(const struct selector *selector, const struct pci_function *all,
			 size_t n, struct candidates *c) _must_check_;
/* Every function whose attributes can be read, in address order; an error
 * is logged. */
int match_every_function(const struct sysroot *s, struct pci_function **all,
			 size_t *n) _must_check_;
