/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "pci/pci.h"
#include "shared/sysroot.h"

/*
 * The module of the VFIO variant driver for f: the one vfio-bind.driver=
 * on CMDLINE (the kernel command line, NULL: none) names for it, or, unless
 * that names vfio-pci, the one the kernel and libvirt pick (boot/modules.c,
 * module_vfio_variant()) among the modules of the root's running kernel.
 * 1 with *module set, 0 when there is none, -errno when it cannot tell.
 */
int variant_module_find(const struct sysroot *s, const char *cmdline,
			const struct pci_function *f, char *module,
			size_t size) _must_check_;

/*
 * The driver that takes f: its variant driver's when there is one and its
 * module loads (DRY_RUN: is not loaded, and only named), else vfio-pci.
 * Every way it falls back to vfio-pci is logged in one line.
 */
void variant_driver_choose(const struct sysroot *s, const char *cmdline,
			   const struct pci_function *f, bool dry_run, char *driver,
			   size_t size);
