/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "addrs.h"
#include "ids.h"
#include "pci.h"
#include "sysroot.h"

/* vfio-bind's own parameter: functions by address, beside vfio-pci.ids=. */
#define ADDRS_PARAM "vfio-bind.addrs"

/*
 * What selects functions: vfio-pci's IDs and vfio-bind's addresses, from
 * the kernel command line or from a command's arguments.
 */
struct selector {
	struct id_list ids;
	struct addr_list addrs;
};

/*
 * What the kernel command line selects: vfio-pci.ids= (as vfio-pci will
 * get it) and vfio-bind.addrs=. Warns about the entries that are skipped.
 * *present tells whether either parameter is there. Returns -E2BIG or
 * -EINVAL, logged, when vfio-pci would refuse its ids= and fail to load.
 */
int selector_from_cmdline(const char *cmdline, struct selector *sel,
			  bool *present) _must_check_;
/*
 * Reads proc/cmdline (a malloc()ed copy in *cmdline unless NULL) and what
 * it selects, as selector_from_cmdline(); every error logged.
 */
int selector_read_kernel(const struct sysroot *s, struct selector *sel, bool *present,
			 char **cmdline) _must_check_;
/*
 * A command's arguments: PCI addresses and slots and vendor:device pairs
 * (two fields of four hex digits). -EINVAL, with the usage message printed
 * (naming vendor:device only when ids_allowed), for none or one that is
 * neither.
 */
int selector_from_args(char *const *args, int n_args, bool ids_allowed,
		       struct selector *sel) _must_check_;
void selector_free(struct selector *sel);
#define _cleanup_selector_ _cleanup_(selector_free)
bool selector_is_empty(const struct selector *sel);
/* Whether the selector names the function f (whose IDs are read). */
bool selector_matches(const struct selector *selector, const struct pci_function *f);
