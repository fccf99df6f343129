// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "guard/block.h"
#include "pci/addrs.h"
#include "shared/util.h"

#define CLASS_BLOCK "sys/class/block"
#define NVME_SUBSYSTEMS "sys/class/nvme-subsystem"

static int compare_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

int block_list_dir(const struct sysroot *s, const char *path,
		   char (**names)[BLOCK_NAME_MAX], size_t *n)
{
	_cleanup_closedir_ DIR *dir = NULL;
	int r;

	*names = NULL;
	*n = 0;
	r = sysroot_opendir(s, path, &dir);
	return r < 0 ? r : block_dir_names(dir, names, n);
}

int block_dir_names(DIR *dir, char (**names)[BLOCK_NAME_MAX], size_t *n)
{
	struct dirent *de;
	int r = 0;

	*names = NULL;
	*n = 0;
	while ((de = readdir(dir))) {
		char name[BLOCK_NAME_MAX];

		if (de->d_name[0] == '.' ||
		    path_format(name, sizeof(name), "%s", de->d_name) < 0)
			continue;
		r = array_push(names, n, sizeof(name), name);
		if (r < 0) {
			free(*names);
			*names = NULL;
			*n = 0;
			break;
		}
	}
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), compare_names);
	return r < 0 ? r : 0;
}

int block_list(const struct sysroot *s, char (**names)[BLOCK_NAME_MAX], size_t *n)
{
	int r = block_list_dir(s, CLASS_BLOCK, names, n);

	return r == -ENOENT ? 0 : r;
}

int block_links(const struct sysroot *s, const char *name, const char *which,
		char (**names)[BLOCK_NAME_MAX], size_t *n)
{
	_cleanup_closedir_ DIR *dir = NULL;
	int r;

	*names = NULL;
	*n = 0;
	r = sysroot_opendirf(s, &dir, CLASS_BLOCK "/%s/%s", name, which);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	return block_dir_names(dir, names, n);
}

/*
 * A namespace of an NVMe subsystem with native multipath sits under
 * virtual/nvme-subsystem/nvme-subsysN, on no PCI function: every
 * controller of the subsystem (nvme_init_subsystem() links each in that
 * directory by its name, "nvmeN") reaches it.
 */
static int add_subsystem_controllers(const struct sysroot *s, const char *subsys,
				     char (**addrs)[PCI_ADDR_MAX], size_t *n)
{
	_cleanup_free_ char(*entries)[BLOCK_NAME_MAX] = NULL;
	_cleanup_closedir_ DIR *dir = NULL;
	size_t n_entries = 0;
	int r;

	r = sysroot_opendirf(s, &dir, NVME_SUBSYSTEMS "/%s", subsys);
	if (r >= 0)
		r = block_dir_names(dir, &entries, &n_entries);
	for (size_t i = 0; r >= 0 && i < n_entries; i++) {
		char target[PATH_MAX];
		unsigned ctrl;
		int end = 0;

		if (sscanf(entries[i], "nvme%u%n", &ctrl, &end) != 1 ||
		    entries[i][end] != '\0')
			continue;
		r = sysroot_read_linkf(s, target, sizeof(target),
				       NVME_SUBSYSTEMS "/%s/%s", subsys, entries[i]);
		if (r >= 0)
			r = pci_functions_on_path(target, addrs, n);
	}
	return r == -ENOENT ? 0 : r;
}

int block_pci_functions(const struct sysroot *s, const char *name,
			char (**addrs)[PCI_ADDR_MAX], size_t *n)
{
	char target[PATH_MAX];
	const char *subsys;
	int r;

	*addrs = NULL;
	*n = 0;
	r = sysroot_read_linkf(s, target, sizeof(target), CLASS_BLOCK "/%s", name);
	if (r >= 0)
		r = pci_functions_on_path(target, addrs, n);
	if (r < 0)
		return r;
	subsys = strstr(target, "/nvme-subsystem/");
	if (!subsys)
		return 0;
	subsys += strlen("/nvme-subsystem/");
	target[subsys - target + strcspn(subsys, "/")] = '\0';
	return add_subsystem_controllers(s, subsys, addrs, n);
}

bool block_is_partition(const struct sysroot *s, const char *name)
{
	return sysroot_existsf(s, CLASS_BLOCK "/%s/partition", name) > 0;
}

int block_from_devnum(const struct sysroot *s, const char *majmin, char *name,
		      size_t size)
{
	return sysroot_read_link_namef(s, name, size, "sys/dev/block/%s", majmin);
}

int block_find_by_attr(const struct sysroot *s, const char *parent, const char *attr,
		       const char *value, char *name, size_t size)
{
	_cleanup_free_ char(*names)[BLOCK_NAME_MAX] = NULL;
	size_t n;
	int r = block_list(s, &names, &n);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		char buf[128];

		r = parent ? sysroot_readf(s, buf, sizeof(buf), CLASS_BLOCK "/%s/%s/%s",
					   parent, names[i], attr)
			   : sysroot_readf(s, buf, sizeof(buf), CLASS_BLOCK "/%s/%s",
					   names[i], attr);
		if (r < 0)
			continue;
		if (strcmp(buf, value) == 0)
			return path_format(name, size, "%s", names[i]);
	}
	return -ENOENT;
}

static int resolve_kernel_name(const struct sysroot *s, const char *kname, char *name,
			       size_t size)
{
	int r;

	/* no kernel name: ".", ".." or a path would name the directory */
	if (!kname[0] || strcmp(kname, ".") == 0 || strcmp(kname, "..") == 0 ||
	    strchr(kname, '/'))
		return -ENOENT;
	r = sysroot_existsf(s, CLASS_BLOCK "/%s", kname);
	if (r <= 0)
		return r < 0 ? r : -ENOENT;
	return path_format(name, size, "%s", kname);
}

int block_resolve_path(const struct sysroot *s, const char *spec, char *name, size_t size)
{
	unsigned maj, min;
	char majmin[32], target[PATH_MAX];
	struct stat st;
	int r;

	if (sscanf(spec, "%u:%u", &maj, &min) == 2) {
		snprintf(majmin, sizeof(majmin), "%u:%u", maj, min);
		return block_from_devnum(s, majmin, name, size);
	}
	if (strncmp(spec, "/dev/mapper/", 12) == 0)
		return block_find_by_attr(s, NULL, "dm/name", spec + 12, name, size);
	if (strncmp(spec, "/dev/", 5) != 0)
		return resolve_kernel_name(s, spec, name, size);
	/* A device node: its number names it, even behind a udev link. */
	if (sysroot_stat(s, spec + 1, &st) == 0 && S_ISBLK(st.st_mode)) {
		snprintf(majmin, sizeof(majmin), "%u:%u", major(st.st_rdev),
			 minor(st.st_rdev));
		return block_from_devnum(s, majmin, name, size);
	}
	r = sysroot_read_link_name(s, spec + 1, target, sizeof(target));
	if (r >= 0)
		return resolve_kernel_name(s, target, name, size);
	return resolve_kernel_name(s, strrchr(spec, '/') + 1, name, size);
}
