/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "pci.h"
#include "sysroot.h"

#define SKIP_REASON_MAX 320

/* The vfio parameters that change what vfio-pci takes. */
struct vfio_params {
	bool noiommu; /* vfio.enable_unsafe_noiommu_mode */
	bool disable_denylist; /* vfio-pci.disable_denylist */
};

/*
 * From /sys/module when the module is loaded, else from the command line
 * that libkmod will pass it.
 */
int vfio_read_params(const struct sysroot *s, const char *cmdline,
		     struct vfio_params *params) _must_check_;

/*
 * Why vfio_pci_probe() would refuse the function, as a phrase for the log
 * ("it is a bridge"); the empty string when it would take it.
 */
void vfio_refusal(const struct sysroot *s, const struct vfio_params *params,
		  const struct pci_function *f, char *why, size_t size);

/* vfio-pci is loaded or built in: its driver is registered on the bus. */
bool vfio_pci_registered(const struct sysroot *s);
