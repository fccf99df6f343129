// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>

#include "bind.h"
#include "util.h"

#define PCI_DRIVERS "sys/bus/pci/drivers"
#define PCI_DRIVERS_PROBE "sys/bus/pci/drivers_probe"

static int write_attr(const struct sysfs *s, const char *addr, const char *attr,
		      const char *value)
{
	char path[256];
	int r = pci_device_path(path, sizeof(path), addr, attr);

	return r < 0 ? r : sysfs_write(s, path, value);
}

static int write_driver_file(const struct sysfs *s, const char *driver,
			     const char *file, const char *addr)
{
	char path[256];
	int r = path_format(path, sizeof(path), PCI_DRIVERS "/%s/%s", driver,
			    file);

	return r < 0 ? r : sysfs_write(s, path, addr);
}

/* A lone newline clears driver_override (drivers/base/driver.c). */
static int set_override(const struct sysfs *s, const char *addr,
			const char *driver)
{
	return write_attr(s, addr, "driver_override",
			  driver[0] ? driver : "\n");
}

static int restore_host_driver(const struct sysfs *s, struct pci_function *f,
			       const char *old_override)
{
	int r;

	r = set_override(s, f->addr, old_override);
	if (r < 0)
		return r;
	if (strcmp(f->driver, VFIO_PCI) == 0) {
		r = write_driver_file(s, VFIO_PCI, "unbind", f->addr);
		if (r < 0)
			return r;
	}
	r = sysfs_write(s, PCI_DRIVERS_PROBE, f->addr);
	if (r < 0)
		return r;
	str_copy(f->override, sizeof(f->override), old_override);
	return pci_read_driver(s, f);
}

int bind_to_vfio(const struct sysfs *s, struct pci_function *f)
{
	char old_override[DRIVER_NAME_MAX];
	bool override_was_set = strcmp(f->override, VFIO_PCI) == 0;
	int r, bind_error;

	strcpy(old_override, f->override);
	if (!override_was_set) {
		r = set_override(s, f->addr, VFIO_PCI);
		if (r < 0)
			return r;
	}
	if (strcmp(f->driver, VFIO_PCI) == 0) {
		strcpy(f->override, VFIO_PCI);
		return override_was_set ? BIND_UNCHANGED : BIND_OVERRIDE_SET;
	}

	if (f->driver[0]) {
		r = write_driver_file(s, f->driver, "unbind", f->addr);
		if (r < 0) {
			(void)set_override(s, f->addr, old_override);
			return r;
		}
	}
	/*
	 * bind reports vfio-pci's probe error, but only the driver link proves
	 * the function is attached, so read it back either way.
	 */
	bind_error = write_driver_file(s, VFIO_PCI, "bind", f->addr);
	r = pci_read_driver(s, f);
	if (r == 0 && strcmp(f->driver, VFIO_PCI) == 0) {
		strcpy(f->override, VFIO_PCI);
		return BIND_BOUND;
	}

	r = restore_host_driver(s, f, old_override);
	if (r < 0)
		return r;
	return bind_error < 0 ? bind_error : -ENODEV;
}

int unbind_from_vfio(const struct sysfs *s, struct pci_function *f)
{
	return restore_host_driver(s, f, "");
}
