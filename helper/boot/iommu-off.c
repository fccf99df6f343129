// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Why the IOMMU is off: the firmware, an argument, or the kernel. Read
 * only from what the host shows: /proc/cpuinfo, the ACPI tables' names,
 * the command line, the kernel's config in /boot.
 */
#include <stdbool.h>
#include <string.h>

#include "boot/iommu-off.h"
#include "config/kernel-cmdline.h"
#include "shared/macro.h"
#include "shared/util.h"

#define ACPI_TABLES "sys/firmware/acpi/tables"

enum kernel_default { DEFAULT_UNKNOWN, DEFAULT_OFF, DEFAULT_ON, DEFAULT_NOT_BUILT };

const char *iommu_on_argument(enum cpu_vendor cpu)
{
	return cpu == CPU_VENDOR_INTEL ? "intel_iommu=on" : NULL;
}

enum cpu_vendor cpu_vendor_read(const struct sysroot *s)
{
	_cleanup_free_ char *cpuinfo = NULL;
	const char *line;

	if (sysroot_read_file(s, "proc/cpuinfo", &cpuinfo) < 0)
		return CPU_VENDOR_OTHER;
	line = strstr(cpuinfo, "vendor_id");
	if (!line)
		return CPU_VENDOR_OTHER;
	line += strcspn(line, ":\n");
	if (*line != ':')
		return CPU_VENDOR_OTHER;
	line += 1 + strspn(line + 1, " \t");
	if (strncmp(line, "GenuineIntel", 12) == 0)
		return CPU_VENDOR_INTEL;
	if (strncmp(line, "AuthenticAMD", 12) == 0 ||
	    strncmp(line, "HygonGenuine", 12) == 0)
		return CPU_VENDOR_AMD;
	return CPU_VENDOR_OTHER;
}

/* The last "on" or "off" among the comma-separated items of NAME= (NULL for
 * neither): the kernel's handlers read them in turn (intel_iommu_setup()). */
static const char *last_switch(const char *cmdline, const char *name)
{
	char **values = NULL;
	size_t n = 0;
	const char *last = NULL;

	if (!cmdline || kernel_param_values(cmdline, name, &values, &n) < 0)
		return NULL;
	for (size_t i = 0; i < n; i++)
		for (char *save = NULL, *w = strtok_r(values[i], ",", &save); w;
		     w = strtok_r(NULL, ",", &save))
			if (strcmp(w, "on") == 0 || strcmp(w, "off") == 0)
				last = strcmp(w, "on") == 0 ? "on" : "off";
	strv_free(values, n);
	return last;
}

static bool turned_off(const char *cmdline, enum cpu_vendor cpu, struct iommu_off *out)
{
	const char *own = cpu == CPU_VENDOR_INTEL ? "intel_iommu" : "amd_iommu";
	const char *sw;

	/* x86's iommu_setup() (early_param "iommu"): "off" sets no_iommu */
	sw = last_switch(cmdline, "iommu");
	if (sw && strcmp(sw, "off") == 0) {
		str_copy(out->argument, sizeof(out->argument), "iommu=off");
		return true;
	}
	sw = last_switch(cmdline, own);
	if (sw && strcmp(sw, "off") == 0) {
		str_format(out->argument, sizeof(out->argument), "%s=off", own);
		return true;
	}
	return false;
}

/*
 * intel-iommu starts only when dmar_disabled is clear: the kernel's
 * CONFIG_INTEL_IOMMU_DEFAULT_ON, or Debian's CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF
 * (on, integrated GPUs excepted), else intel_iommu=on.
 */
static enum kernel_default intel_default_of(const struct sysroot *s, const char *release)
{
	_cleanup_free_ char *config = NULL;

	if (sysroot_read_filef(s, &config, "boot/config-%s", release) < 0)
		return DEFAULT_UNKNOWN;
	if (!strstr(config, "\nCONFIG_INTEL_IOMMU=y"))
		return DEFAULT_NOT_BUILT;
	if (strstr(config, "\nCONFIG_INTEL_IOMMU_DEFAULT_ON=y") ||
	    strstr(config, "\nCONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y"))
		return DEFAULT_ON;
	return DEFAULT_OFF;
}

static enum kernel_default intel_default(const struct sysroot *s)
{
	char release[128];

	if (sysroot_read(s, "proc/sys/kernel/osrelease", release, sizeof(release)) < 0)
		return DEFAULT_UNKNOWN;
	return intel_default_of(s, release);
}

bool intel_iommu_on_by_default(const struct sysroot *s, const char *release)
{
	return intel_default_of(s, release) == DEFAULT_ON;
}

void iommu_off_diagnose(const struct sysroot *s, const char *cmdline,
			struct iommu_off *out)
{
	const char *table, *asked = last_switch(cmdline, "intel_iommu");
	enum kernel_default dflt;

	*out = (struct iommu_off){.cpu = cpu_vendor_read(s)};
	if (out->cpu == CPU_VENDOR_OTHER)
		return;
	if (turned_off(cmdline, out->cpu, out)) {
		out->cause = IOMMU_OFF_BY_ARGUMENT;
		return;
	}
	table = out->cpu == CPU_VENDOR_INTEL ? "DMAR" : "IVRS";
	if (!sysroot_exists(s, ACPI_TABLES))
		return;
	if (sysroot_existsf(s, ACPI_TABLES "/%s", table) == 0) {
		out->cause = IOMMU_OFF_IN_FIRMWARE;
		return;
	}
	dflt = out->cpu == CPU_VENDOR_INTEL ? intel_default(s) : DEFAULT_ON;
	if (dflt == DEFAULT_NOT_BUILT)
		out->cause = IOMMU_OFF_NOT_BUILT;
	else if (dflt != DEFAULT_ON && !(asked && strcmp(asked, "on") == 0))
		out->cause = IOMMU_OFF_NOT_ASKED;
	else
		out->cause = IOMMU_OFF_BY_KERNEL;
}

void iommu_off_describe(const struct iommu_off *d, char *why, size_t why_size, char *fix,
			size_t fix_size)
{
	bool intel = d->cpu == CPU_VENDOR_INTEL;
	const char *name = intel ? "VT-d" : "AMD-Vi";

	switch (d->cause) {
	case IOMMU_OFF_IN_FIRMWARE:
		str_format(
			why, why_size,
			"%s is off in the firmware: it describes no IOMMU to the kernel (no ACPI %s table in /sys/firmware/acpi/tables)",
			name, intel ? "DMAR" : "IVRS");
		str_format(fix, fix_size,
			   "enable %s (%s) in the firmware setup, then boot again", name,
			   intel ? "Intel Virtualization Technology for Directed I/O"
				 : "the IOMMU option, apart from SVM");
		return;
	case IOMMU_OFF_BY_ARGUMENT:
		str_format(why, why_size, "the kernel command line turns it off (%s)",
			   d->argument);
		str_format(fix, fix_size, "remove %s from the kernel command line",
			   d->argument);
		return;
	case IOMMU_OFF_NOT_ASKED:
		str_format(
			why, why_size,
			"the firmware describes VT-d (ACPI DMAR), but this kernel starts Intel's IOMMU only with intel_iommu=on, which its command line lacks");
		str_format(fix, fix_size,
			   "add intel_iommu=on to the kernel command line");
		return;
	case IOMMU_OFF_NOT_BUILT:
		str_format(
			why, why_size,
			"this kernel is built without CONFIG_INTEL_IOMMU (its config in /boot)");
		str_format(fix, fix_size,
			   "boot a kernel built with CONFIG_INTEL_IOMMU=y");
		return;
	case IOMMU_OFF_BY_KERNEL:
		str_format(
			why, why_size,
			"the firmware describes %s (ACPI %s) and nothing turns it off, but the kernel did not start it",
			name, intel ? "DMAR" : "IVRS");
		str_format(fix, fix_size,
			   "read why in the kernel's log: dmesg | grep -e %s",
			   intel ? "DMAR" : "AMD-Vi");
		return;
	case IOMMU_OFF_UNKNOWN:
		break;
	}
	switch (d->cpu) {
	case CPU_VENDOR_INTEL:
		str_format(why, why_size, "no IOMMU group (Intel CPU)");
		str_format(
			fix, fix_size,
			"enable VT-d in the firmware and add intel_iommu=on to the kernel command line");
		return;
	case CPU_VENDOR_AMD:
		str_format(why, why_size, "no IOMMU group (AMD CPU)");
		str_format(
			fix, fix_size,
			"enable AMD-Vi (the IOMMU option) in the firmware; the kernel needs no argument for it");
		return;
	case CPU_VENDOR_OTHER:
		break;
	}
	str_format(why, why_size, "no IOMMU group");
	str_format(
		fix, fix_size,
		"enable the IOMMU in the firmware, and its driver on the kernel command line");
}
