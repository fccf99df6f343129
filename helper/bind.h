/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "pci.h"
#include "sysfs.h"

enum bind_outcome {
	BIND_UNCHANGED, /* already on vfio-pci with the override set */
	BIND_OVERRIDE_SET, /* already on vfio-pci; the override was missing */
	BIND_BOUND, /* moved from no driver or a host driver to vfio-pci */
};

/*
 * Puts one function on vfio-pci: driver_override, unbind the host driver,
 * bind, and confirm through the driver link. On failure the override is
 * restored and the function reprobed, so that it does not stay without a
 * driver; f then describes where it went. Returns an outcome or -errno
 * (-ENODEV: the bind was accepted but vfio-pci did not attach).
 */
int bind_to_vfio(const struct sysfs *s, struct pci_function *f) _must_check_;

/*
 * Hands a function back to the host: clears the override, unbinds it from
 * vfio-pci and reprobes, so that its own driver (if any) takes it.
 */
int unbind_from_vfio(const struct sysfs *s,
		     struct pci_function *f) _must_check_;
