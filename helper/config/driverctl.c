// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * driverctl's saved overrides. `driverctl set-override DEV DRIVER` writes
 * DRIVER and a newline to /etc/driverctl.d/BUS-DEV, and its udev rule
 * reads the file back with the shell's $(< FILE), which drops the
 * trailing newlines, to set driver_override at every boot.
 */
#include <errno.h>
#include <string.h>

#include "config/driverctl.h"
#include "shared/log.h"
#include "shared/util.h"

static int read_override(const struct sysroot *s, const char *file,
			 struct driverctl_override *o)
{
	char path[PATH_MAX];
	int r;

	r = path_format(path, sizeof(path), DRIVERCTL_DIR "/%s", file);
	if (r < 0)
		return r;
	r = sysroot_read(s, path, o->driver, sizeof(o->driver));
	if (r < 0) {
		WRN_ERRNO(r, "cannot read %s: %m; skipped", path);
		return 0;
	}
	o->driver[strcspn(o->driver, "\n")] = '\0';
	str_copy(o->name, sizeof(o->name), file + 4);
	if (pci_addr_parse(o->name, &o->addr) < 0 || o->addr.fn < 0) {
		WRN("%s: \"%s\" is not a PCI function's address (0000:0b:00.0), so driverctl cannot apply it; skipped: rename it pci-DOMAIN:BUS:DEVICE.FUNCTION",
		    path, o->name);
		return 0;
	}
	return 1;
}

int driverctl_read(const struct sysroot *s, struct driverctl_override **list, size_t *n)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;
	int r;

	*list = NULL;
	*n = 0;
	r = sysroot_opendir(s, DRIVERCTL_DIR, &dir);
	if (r == -ENOENT || r == -ENOTDIR)
		return 0;
	if (r < 0)
		return ERR_ERRNO(r, "cannot list %s under %s: %m", DRIVERCTL_DIR,
				 s->root);
	while ((de = readdir(dir))) {
		struct driverctl_override o = {0};

		if (strncmp(de->d_name, "pci-", 4) != 0 ||
		    strlen(de->d_name) >= sizeof(o.name) + 4)
			continue;
		r = read_override(s, de->d_name, &o);
		if (r > 0 && array_push(list, n, sizeof(o), &o) < 0)
			r = log_oom();
		if (r < 0) {
			free(*list);
			*list = NULL;
			*n = 0;
			return r;
		}
	}
	return 0;
}

const struct driverctl_override *driverctl_find(const struct driverctl_override *list,
						size_t n, const char *addr)
{
	for (size_t i = 0; i < n; i++)
		if (pci_addr_match(&list[i].addr, addr))
			return &list[i];
	return NULL;
}
