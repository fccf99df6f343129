// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VFIO variant drivers: drivers built on vfio-pci-core for some devices
 * (nvgrace_gpu_vfio_pci, mlx5_vfio_pci), which declare them with vfio_pci:
 * aliases and give the guest what vfio-pci does not.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "boot/modules.h"
#include "boot/variant.h"
#include "config/kernel-cmdline.h"
#include "pci/addrs.h"
#include "shared/log.h"
#include "shared/util.h"

#define DRIVER_PARAM "vfio-bind.driver"

/* Where the aliases are looked up: the modules directory (dir NULL: the
 * running kernel's; under a test tree, its own), and whether it has the
 * index libkmod reads them from; without it no variant driver is known. */
struct alias_source {
	const struct sysroot *s;
	bool has_index;
	char buf[PATH_MAX];
	const char *dir;
};

/* Found once per run: the bind reads again only what changes under it. */
static const struct alias_source *alias_source(const struct sysroot *s)
{
	static struct alias_source src;
	char release[128], index[PATH_MAX];
	struct utsname u;

	if (src.s == s)
		return &src;
	src = (struct alias_source){.s = s};
	if (s->is_live) {
		src.has_index = uname(&u) == 0 &&
				sysroot_existsf(s, "lib/modules/%s/modules.alias.bin",
						u.release) > 0;
		return &src;
	}
	if (sysroot_read(s, "proc/sys/kernel/osrelease", release, sizeof(release)) < 0)
		release[0] = '\0';
	str_format(src.buf, sizeof(src.buf), "%s/lib/modules/%s", s->root, release);
	src.dir = src.buf;
	str_format(index, sizeof(index), "%s/modules.alias.bin", src.dir);
	src.has_index = access(index, F_OK) == 0;
	return &src;
}

/* A selector of vfio-bind.driver=: VENDOR:DEVICE (four hex digits each),
 * or an address or slot as vfio-bind.addrs= takes them. */
static bool selector_names(const char *selector, const struct pci_function *f)
{
	unsigned int vendor, device;
	struct pci_addr addr;
	int end = 0;

	if (strlen(selector) == 9 &&
	    sscanf(selector, "%4x:%4x%n", &vendor, &device, &end) == 2 && end == 9)
		return f->vendor == vendor && f->device == device;
	return pci_addr_parse(selector, &addr) >= 0 && pci_addr_match(&addr, f->addr);
}

/* The driver vfio-bind.driver= names for f, the last entry that names it
 * winning: 1 with *forced set (vfio-pci, or a module's name with '_'), 0
 * when none does. A malformed entry is said and left out. */
static int forced_driver(const char *cmdline, const struct pci_function *f, char *forced,
			 size_t size)
{
	char **values = NULL, *save = NULL;
	size_t n = 0;
	int found = 0;

	if (!cmdline || kernel_param_values(cmdline, DRIVER_PARAM, &values, &n) < 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		for (char *e = strtok_r(values[i], ",", &save); e;
		     e = strtok_r(NULL, ",", &save)) {
			char *eq = strrchr(e, '=');

			if (!eq || eq == e || !eq[1]) {
				WRN("vfio-bind.driver=%s: not SELECTOR=DRIVER (an address, a slot or VENDOR:DEVICE, then vfio-pci or a VFIO variant driver's module): left out",
				    e);
				continue;
			}
			*eq = '\0';
			if (!selector_names(e, f))
				continue;
			str_copy(forced, size, eq + 1);
			for (char *p = forced; *p; p++)
				*p = *p == '-' ? '_' : *p;
			found = 1;
		}
	strv_free(values, n);
	return found;
}

int variant_module_find(const struct sysroot *s, const char *cmdline,
			const struct pci_function *f, char *module, size_t size)
{
	const struct alias_source *src;
	char modalias[128];
	int r;

	module[0] = '\0';
	if (forced_driver(cmdline, f, module, size) > 0) {
		if (strcmp(module, "vfio_pci") != 0)
			return 1;
		module[0] = '\0';
		return 0;
	}
	src = alias_source(s);
	if (!src->has_index)
		return 0;
	r = sysroot_readf(s, modalias, sizeof(modalias), PCI_DEVICES "/%s/modalias",
			  f->addr);
	if (r < 0)
		return r;
	return module_vfio_variant(src->dir, modalias, module, size);
}

/* The PCI driver MODULE registered: /sys/module/MODULE/drivers/pci:NAME. */
static int module_pci_driver(const struct sysroot *s, const char *module, char *driver,
			     size_t size)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;
	int r = sysroot_opendirf(s, &dir, "sys/module/%s/drivers", module);

	if (r < 0)
		return r;
	while ((de = readdir(dir)))
		if (strncmp(de->d_name, "pci:", 4) == 0) {
			str_copy(driver, size, de->d_name + 4);
			return 0;
		}
	return -ENOENT;
}

void variant_driver_choose(const struct sysroot *s, const char *cmdline,
			   const struct pci_function *f, bool dry_run, char *driver,
			   size_t size)
{
	char module[DRIVER_NAME_MAX];
	int r = variant_module_find(s, cmdline, f, module, sizeof(module));

	str_copy(driver, size, VFIO_PCI);
	if (r == 0)
		return;
	if (r == -ENOTUNIQ) {
		WRN("%s [%04x:%04x]: the vfio_pci: aliases of two VFIO variant drivers match it as closely, and vfio-bind cannot choose between them: vfio-pci",
		    f->addr, f->vendor, f->device);
		return;
	}
	if (r < 0) {
		(void)log_printf_errno(
			LOG_INFO, r,
			"%s [%04x:%04x]: cannot tell whether a VFIO variant driver is for it (%m): vfio-pci",
			f->addr, f->vendor, f->device);
		return;
	}
	/* loaded already (udev, an earlier pass): no libkmod */
	if (module_pci_driver(s, module, driver, size) == 0)
		return;
	if (dry_run) {
		str_format(driver, size, "%s's driver", module);
		return;
	}
	r = module_load(module, NULL);
	if (r == MODULE_BLACKLISTED) {
		WRN("%s [%04x:%04x]: %s, its VFIO variant driver, is blacklisted (modprobe.d or modprobe.blacklist=): vfio-pci instead",
		    f->addr, f->vendor, f->device, module);
		return;
	}
	if (r == 0)
		r = module_pci_driver(s, module, driver, size);
	if (r < 0) {
		str_copy(driver, size, VFIO_PCI);
		WRN_ERRNO(
			r,
			"%s [%04x:%04x]: %s, its VFIO variant driver, did not load or register a PCI driver (%m): vfio-pci instead",
			f->addr, f->vendor, f->device, module);
	}
}
