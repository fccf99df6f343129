/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "shared/sysroot.h"

/* /proc/cpuinfo's vendor_id; Hygon's CPUs carry AMD's IOMMU. */
enum cpu_vendor {
	CPU_VENDOR_OTHER,
	CPU_VENDOR_INTEL,
	CPU_VENDOR_AMD,
};

/* Why the kernel has no IOMMU group, as far as the host shows it. */
enum iommu_off_cause {
	IOMMU_OFF_UNKNOWN, /* neither Intel nor AMD, or no ACPI tables to read */
	IOMMU_OFF_IN_FIRMWARE, /* no ACPI DMAR (Intel) or IVRS (AMD) table */
	IOMMU_OFF_BY_ARGUMENT, /* intel_iommu=off, amd_iommu=off, iommu=off */
	IOMMU_OFF_NOT_ASKED, /* Intel, a kernel that needs intel_iommu=on */
	IOMMU_OFF_NOT_BUILT, /* the kernel's config has no driver for it */
	IOMMU_OFF_BY_KERNEL, /* described, asked for, and still not started */
};

#define IOMMU_ARGUMENT_MAX 64

struct iommu_off {
	enum cpu_vendor cpu;
	enum iommu_off_cause cause;
	char argument[IOMMU_ARGUMENT_MAX]; /* the one that turns it off */
};

/* The argument that turns the IOMMU on for this CPU's vendor, or NULL when
 * the kernel needs none (AMD: amd_iommu= has no "on", drivers/iommu/amd/init.c). */
const char *iommu_on_argument(enum cpu_vendor cpu);

/* Whether the kernel RELEASE (its /boot/config-RELEASE) starts Intel's
 * IOMMU without intel_iommu=on; false when its config is not there. */
bool intel_iommu_on_by_default(const struct sysroot *s, const char *release);

enum cpu_vendor cpu_vendor_read(const struct sysroot *s);

/* Why the IOMMU is off on this host with this command line (may be NULL). */
void iommu_off_diagnose(const struct sysroot *s, const char *cmdline,
			struct iommu_off *out);

/* The one formatter: why it is off, and the fix, each a phrase. */
void iommu_off_describe(const struct iommu_off *d, char *why, size_t why_size, char *fix,
			size_t fix_size);
