/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "select.h"

/* vfio-bind's own parameter: functions by address, beside vfio-pci.ids=. */
#define ADDRS_PARAM "vfio-bind.addrs"

/*
 * What the kernel command line selects: vfio-pci.ids= (as vfio-pci will
 * get it) and vfio-bind.addrs=. Warns about the entries that are skipped.
 * *present tells whether either parameter is there. Returns -E2BIG or
 * -EINVAL, logged, when vfio-pci would refuse its ids= and fail to load.
 */
int kcmdline_selector(const char *cmdline, struct selector *sel,
		      bool *present) _must_check_;
