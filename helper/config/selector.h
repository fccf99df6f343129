/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "config/boot-config.h"
#include "pci/addrs.h"
#include "pci/ids.h"
#include "pci/pci.h"
#include "shared/sysroot.h"

/* vfio-bind's own parameter: functions by address, beside vfio-pci.ids=. */
#define ADDRS_PARAM "vfio-bind.addrs"

/* Where a selection is written, for the log and check. */
#define SELECTION_ORIGIN_MAX 320

/*
 * What selects functions: vfio-pci's IDs and addresses, from the boot's
 * configuration or from a command's arguments, and where each is written.
 */
struct selector {
	struct id_list ids;
	struct addr_list addrs; /* the first n_listed from a list, then driverctl's */
	size_t n_listed;
	char ids_origin[SELECTION_ORIGIN_MAX];
	char listed_origin[SELECTION_ORIGIN_MAX];
};

/*
 * What the boot selects: vfio-pci's ids= as libkmod hands it to vfio-pci
 * (the options vfio-pci lines of modprobe.d, then vfio-pci.ids= of the
 * command line; the kernel keeps the last), vfio-bind.addrs=, and the
 * driverctl overrides to vfio-pci, all read in CFG. Warns about the
 * entries and lines that are skipped. *present tells whether any source selects.
 * Returns -E2BIG or -EINVAL, logged, when vfio-pci would refuse its ids=
 * and fail to load; every error logged.
 */
int selector_from_boot_config(const struct boot_config *cfg, struct selector *sel,
			      bool *present) _must_check_;
/* What the command line alone selects (vfio-pci.ids=, vfio-bind.addrs=), read
 * as selector_from_boot_config() reads it, with no modprobe.d and no driverctl. */
int selector_from_cmdline(const char *cmdline, struct selector *sel,
			  bool *present) _must_check_;
/* Where the selection of the function at ADDR is written ("vfio-pci.ids=
 * on the kernel command line"). */
void selector_origin(const struct selector *sel, const char *addr, char *buf,
		     size_t size);
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
