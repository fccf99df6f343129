/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "shared/sysroot.h"

/*
 * The kernel's own answer for an IOMMU group, asked as QEMU's legacy vfio
 * backend first asks it (hw/vfio/container-legacy.c): open dev/vfio/GROUP,
 * VFIO_GROUP_GET_STATUS viable, a new container (dev/vfio/vfio) of the
 * right API version with a type1 IOMMU, each device's fd; then everything
 * is closed again. Opening a device makes vfio-pci enable and reset it, and
 * closing it resets it again, as a QEMU start and stop do; the binding does
 * not change.
 */

/* Where the group's part stopped. */
enum vfio_group_step {
	VG_USABLE, /* every step passed */
	VG_OPEN, /* opening dev/vfio/GROUP failed (err; EBUSY: held) */
	VG_STATUS, /* VFIO_GROUP_GET_STATUS failed (err) */
	VG_NOT_VIABLE, /* a function in it is on a driver not DMA-managed */
	VG_CONTAINER, /* opening dev/vfio/vfio failed (err) */
	VG_API_VERSION, /* the container speaks another API (version) */
	VG_NO_TYPE1, /* no type1 IOMMU backend (vfio_iommu_type1) */
	VG_SET_CONTAINER, /* VG_SET_CONTAINER failed (err) */
	VG_SET_IOMMU, /* VFIO_SET_IOMMU failed (err) */
};

struct vfio_group_result {
	enum vfio_group_step step;
	int err; /* the positive errno of that step */
	int version; /* VFIO_GET_API_VERSION's answer */
	int wanted; /* the version QEMU speaks, VFIO_API_VERSION */
	bool type1v2; /* the IOMMU set was VFIO_TYPE1v2_IOMMU, else VFIO_TYPE1_IOMMU */
};

/* One function to open in the group, and what the kernel said. */
struct vfio_group_device {
	const char *addr;
	int err; /* 0 when its fd was given, else the positive errno */
	bool reset; /* vfio-pci can reset it (VFIO_DEVICE_FLAGS_RESET) */
};

/*
 * Runs the steps on group GROUP ("14"); once the group's part passes,
 * opens each device in turn. Returns 0: the answer is in *res and devs (a
 * group node's path past PATH_MAX fails at VG_OPEN, with ENAMETOOLONG).
 */
int vfio_group_try(const struct sysroot *s, const char *group,
		   struct vfio_group_device *devs, size_t n,
		   struct vfio_group_result *res) _must_check_;

/*
 * The first process that has one of NODES ("/dev/vfio/14") open, as
 * proc/PID/fd shows it: 1 with its pid and name (comm), 0 when /proc shows
 * none to this user.
 */
int vfio_node_holder(const struct sysroot *s, const char *const *nodes, size_t n,
		     pid_t *pid, char *comm, size_t size);
