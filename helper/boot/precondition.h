/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "boot/reason.h"
#include "config/boot-config.h"
#include "pci/pci.h"
#include "shared/sysroot.h"

/*
 * What vfio-pci needs before it can take a function, in one place for the
 * boot job, bind and check: an IOMMU (or vfio's no-IOMMU mode), a group
 * for the function, an endpoint that no other driver_override claims and
 * that vfio-pci's denylist spares, and vfio-pci itself.
 */

/* The vfio parameters that change what vfio-pci takes. */
struct vfio_params {
	bool noiommu; /* vfio.enable_unsafe_noiommu_mode */
	bool disable_denylist; /* vfio-pci.disable_denylist */
	bool disable_idle_d3; /* vfio-pci.disable_idle_d3, loaded or to be */
	bool disable_idle_d3_asked; /* what the command line gives it at load */
	bool options_ended; /* a bare "--" in what libkmod will give vfio-pci */
	bool vfio_pci_loaded; /* /sys/module/vfio_pci is there */
};

/*
 * From /sys/module when the module is loaded, else from what libkmod will
 * pass it (modprobe.d's options, then the command line's); an error is
 * logged.
 */
int vfio_read_params(const struct sysroot *s, const struct boot_config *cfg,
		     struct vfio_params *params) _must_check_;

/* Why vfio_pci_probe() would refuse the function; REASON_NONE if it would
 * take it. */
void precondition_check_function(const struct sysroot *s,
				 const struct vfio_params *params,
				 const struct pci_function *f, struct reason *why);

enum iommu_state {
	IOMMU_ON,
	IOMMU_OFF_NOIOMMU, /* off, but vfio's unsafe no-IOMMU mode is on */
	IOMMU_OFF,
};

/* The one rule: the IOMMU is off when the kernel has no IOMMU group. */
enum iommu_state iommu_state(const struct sysroot *s, const struct vfio_params *params);

/*
 * Before anything changes: when functions remain to be taken (any_left)
 * and the IOMMU is off, logs why (iommu-off.h, CMDLINE may be NULL) and the
 * fix, and returns -ENODEV; in no-IOMMU mode, warns.
 */
int precondition_check_iommu(const struct sysroot *s, const struct vfio_params *params,
			     const char *cmdline, bool any_left) _must_check_;
/* REASON_NO_IOMMU_GROUP for f without an IOMMU group, outside vfio's
 * no-IOMMU mode; why is left as it is otherwise. */
void precondition_check_group(const struct vfio_params *params,
			      const struct pci_function *f, struct reason *why);

/* vfio-pci is loaded or built in: its driver is registered on the bus. */
bool vfio_pci_registered(const struct sysroot *s);
/*
 * Loads vfio-pci when it is not registered (with an empty ids=, so that it
 * takes only what is bound to it here); under --dry-run or --root, says
 * what a real run would do instead. A failure is logged with its fix.
 */
int precondition_load_vfio_pci(const struct sysroot *s, const struct vfio_params *params,
			       bool dry_run) _must_check_;
