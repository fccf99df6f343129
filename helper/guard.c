// SPDX-License-Identifier: GPL-2.0-or-later
#include <blkid.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmdline.h"
#include "guard.h"
#include "util.h"

#define PCI_BASE_CLASS_STORAGE 0x01
#define PCI_CLASS_SYSTEM_SDHCI 0x0805
#define PCI_CLASS_SERIAL_USB 0x0c03
#define PCI_CLASS_SERIAL_FIBER 0x0c04

bool is_storage_controller(const struct pci_function *f)
{
	switch (f->class >> 8) {
	case PCI_CLASS_SYSTEM_SDHCI:
	case PCI_CLASS_SERIAL_USB:
	case PCI_CLASS_SERIAL_FIBER:
		return true;
	default:
		return f->class >> 16 == PCI_BASE_CLASS_STORAGE;
	}
}

static void blkid_free_probep(blkid_probe *pr)
{
	if (*pr)
		blkid_free_probe(*pr);
}

static blkid_probe probe_device(const struct sysfs *s, const char *name,
				bool partitions)
{
	char rel[128], path[4096 + 128];
	blkid_probe pr;

	if (path_format(rel, sizeof(rel), "dev/%s", name) < 0)
		return NULL;
	pr = blkid_new_probe_from_filename(
		sysfs_describe(s, rel, path, sizeof(path)));
	if (!pr)
		return NULL;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(
		pr, BLKID_SUBLKS_UUID | BLKID_SUBLKS_LABEL | BLKID_SUBLKS_TYPE);
	blkid_probe_enable_partitions(pr, partitions);
	if (blkid_do_safeprobe(pr) < 0) {
		blkid_free_probe(pr);
		return NULL;
	}
	return pr;
}

/* PARTUUID= and PARTLABEL= live in the partition table of the whole disk. */
static int find_partition_tag(const struct sysfs *s, const char *disk,
			      bool by_uuid, const char *value, char *name,
			      size_t size)
{
	_cleanup_(blkid_free_probep) blkid_probe pr =
		probe_device(s, disk, true);
	blkid_partlist parts;
	int n;

	if (!pr || !(parts = blkid_probe_get_partitions(pr)))
		return -ENOENT;
	n = blkid_partlist_numof_partitions(parts);
	for (int i = 0; i < n; i++) {
		blkid_partition par = blkid_partlist_get_partition(parts, i);
		const char *v = by_uuid ? blkid_partition_get_uuid(par)
					: blkid_partition_get_name(par);
		char partno[16];

		if (!v || (by_uuid ? strcasecmp(v, value) : strcmp(v, value)))
			continue;
		snprintf(partno, sizeof(partno), "%d",
			 blkid_partition_get_partno(par));
		return block_find_by_attr(s, disk, "partition", partno, name,
					  size);
	}
	return -ENOENT;
}

static bool superblock_has(const struct sysfs *s, const char *dev,
			   const char *tag, const char *value)
{
	_cleanup_(blkid_free_probep) blkid_probe pr =
		probe_device(s, dev, false);
	const char *v;

	if (!pr || blkid_probe_lookup_value(pr, tag, &v, NULL) < 0)
		return false;
	return strcmp(tag, "UUID") == 0 ? strcasecmp(v, value) == 0
					: strcmp(v, value) == 0;
}

/* UUID=, LABEL=, PARTUUID=, PARTLABEL=, probed with libblkid. */
static int resolve_tag(const struct sysfs *s, const char *tag,
		       const char *value, char *name, size_t size)
{
	_cleanup_free_ char(*names)[BLOCK_NAME_MAX] = NULL;
	bool part_uuid = strcmp(tag, "PARTUUID") == 0;
	bool part_label = strcmp(tag, "PARTLABEL") == 0;
	size_t n;
	int r = block_list(s, &names, &n);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (part_uuid || part_label) {
			if (!block_is_partition(s, names[i]) &&
			    find_partition_tag(s, names[i], part_uuid, value,
					       name, size) >= 0)
				return 0;
		} else if (superblock_has(s, names[i], tag, value)) {
			return path_format(name, size, "%s", names[i]);
		}
	}
	return -ENOENT;
}

static const struct {
	const char *prefix, *tag;
} tag_forms[] = {
	{"UUID=", "UUID"},
	{"LABEL=", "LABEL"},
	{"PARTUUID=", "PARTUUID"},
	{"PARTLABEL=", "PARTLABEL"},
	{"/dev/disk/by-uuid/", "UUID"},
	{"/dev/disk/by-label/", "LABEL"},
	{"/dev/disk/by-partuuid/", "PARTUUID"},
	{"/dev/disk/by-partlabel/", "PARTLABEL"},
};

/* Any form of root=; -ENOENT when no block device answers to it. */
int guard_resolve(const struct sysfs *s, const char *spec, char *name,
		  size_t size);
int guard_resolve(const struct sysfs *s, const char *spec, char *name,
		  size_t size)
{
	for (size_t i = 0; i < ARRAY_SIZE(tag_forms); i++) {
		size_t len = strlen(tag_forms[i].prefix);

		if (strncmp(spec, tag_forms[i].prefix, len) == 0)
			return resolve_tag(s, tag_forms[i].tag, spec + len,
					   name, size);
	}
	return block_resolve_path(s, spec, name, size);
}

/* root= values that name no local block device. */
static bool is_remote_root(const char *spec)
{
	static const char *const prefixes[] = {
		"/dev/nfs", "nfs",  "cifs",  "iscsi",	 "nbd", "live:",
		"ZFS=",	    "zfs:", "tmpfs", "virtiofs", "9p"};

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (strncmp(spec, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

static int add_needed(struct storage_guard *g, const char *name,
		      const char *why)
{
	struct needed_dev dev;

	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->devs[i].name, name) == 0)
			return 0;
	str_copy(dev.name, sizeof(dev.name), name);
	str_copy(dev.why, sizeof(dev.why), why);
	return array_push(&g->devs, &g->n, sizeof(dev), &dev);
}

static int add_spec(const struct sysfs *s, struct storage_guard *g,
		    const char *spec, const char *role)
{
	char name[BLOCK_NAME_MAX], why[192];
	int r;

	if (!spec || !spec[0])
		return 0;
	g->root_known = true;
	if (is_remote_root(spec))
		return 0;
	r = guard_resolve(s, spec, name, sizeof(name));
	if (r < 0) {
		if (!g->unresolved[0])
			snprintf(g->unresolved, sizeof(g->unresolved),
				 "%s %s is not found among the block devices",
				 role, spec);
		return r == -ENOMEM ? r : 0;
	}
	snprintf(why, sizeof(why), "carries %s (%s, %s)", role, name, spec);
	return add_needed(g, name, why);
}

/* The kernel's own parameters: the last occurrence wins. */
static int add_kernel_param(const struct sysfs *s, struct storage_guard *g,
			    const char *cmdline, const char *param)
{
	_cleanup_free_ char *copy = strdup(cmdline);
	char *word, *save = NULL, *last = NULL;
	size_t len = strlen(param);

	if (!copy)
		return -ENOMEM;
	for (word = strtok_r(copy, " \t\n", &save); word;
	     word = strtok_r(NULL, " \t\n", &save))
		if (strncmp(word, param, len) == 0 && word[len] == '=')
			last = word + len + 1;
	return add_spec(s, g, last, param);
}

static int add_mounts(const struct sysfs *s, struct storage_guard *g)
{
	_cleanup_free_ char *buf = malloc(1 << 16);
	char *line, *save = NULL;
	int r;

	if (!buf)
		return -ENOMEM;
	r = sysfs_read(s, "proc/self/mountinfo", buf, 1 << 16);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char majmin[32], mountpoint[256], name[BLOCK_NAME_MAX],
			why[512];

		if (sscanf(line, "%*s %*s %31s %*s %255s", majmin,
			   mountpoint) != 2 ||
		    strncmp(majmin, "0:", 2) == 0 ||
		    block_from_devnum(s, majmin, name, sizeof(name)) < 0)
			continue;
		if (strcmp(mountpoint, "/") == 0)
			g->root_known = true;
		snprintf(why, sizeof(why), "carries %s, mounted on %s", name,
			 mountpoint);
		r = add_needed(g, name, why);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_swaps(const struct sysfs *s, struct storage_guard *g)
{
	char buf[4096], *line, *save = NULL;
	int r = sysfs_read(s, "proc/swaps", buf, sizeof(buf));

	if (r < 0)
		return r == -ENOENT ? 0 : r;
	line = strtok_r(buf, "\n", &save); /* the header */
	while ((line = strtok_r(NULL, "\n", &save))) {
		char file[256], name[BLOCK_NAME_MAX], why[512];

		if (sscanf(line, "%255s", file) != 1 ||
		    block_resolve_path(s, file, name, sizeof(name)) < 0)
			continue;
		snprintf(why, sizeof(why), "carries %s, used as swap", name);
		r = add_needed(g, name, why);
		if (r < 0)
			return r;
	}
	return 0;
}

/* What a needed dm or md device is built on is needed too. */
static int add_slaves(const struct sysfs *s, struct storage_guard *g)
{
	for (size_t i = 0; i < g->n; i++) {
		_cleanup_free_ char(*slaves)[BLOCK_NAME_MAX] = NULL;
		char why[sizeof(g->devs[i].why)];
		size_t n;
		int r = block_links(s, g->devs[i].name, "slaves", &slaves, &n);

		if (r < 0)
			return r;
		str_copy(why, sizeof(why), g->devs[i].why);
		for (size_t j = 0; j < n; j++) {
			r = add_needed(g, slaves[j], why);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int guard_load(const struct sysfs *s, const char *cmdline, char *const *keep,
	       size_t n_keep, struct storage_guard *g)
{
	int r;

	memset(g, 0, sizeof(*g));
	r = add_kernel_param(s, g, cmdline, "root");
	if (r >= 0)
		r = add_kernel_param(s, g, cmdline, "resume");
	for (size_t i = 0; r >= 0 && i < n_keep; i++)
		r = add_spec(s, g, keep[i], "a kept device");
	if (r >= 0)
		r = add_mounts(s, g);
	if (r >= 0)
		r = add_swaps(s, g);
	if (r >= 0)
		r = add_slaves(s, g);
	if (r < 0)
		guard_free(g);
	else if (!g->root_known)
		snprintf(g->unresolved, sizeof(g->unresolved),
			 "the root device is unknown (no root=, no --keep, "
			 "/ not mounted from a disk)");
	return r;
}

void guard_free(struct storage_guard *g)
{
	free(g->devs);
	memset(g, 0, sizeof(*g));
}

static bool on_function(const struct sysfs *s, const char *dev,
			const struct pci_function *f)
{
	char addr[PCI_ADDR_MAX];

	return block_pci_function(s, dev, addr, sizeof(addr)) >= 0 &&
	       strcmp(addr, f->addr) == 0;
}

bool function_has_disks(const struct sysfs *s, const struct pci_function *f)
{
	_cleanup_free_ char(*names)[BLOCK_NAME_MAX] = NULL;
	size_t n;

	if (block_list(s, &names, &n) < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (on_function(s, names[i], f))
			return true;
	return false;
}

/* A disk under f that an active dm or md device holds. */
static void check_holders(const struct sysfs *s, const struct pci_function *f,
			  char *why, size_t size)
{
	_cleanup_free_ char(*names)[BLOCK_NAME_MAX] = NULL;
	size_t n;

	if (block_list(s, &names, &n) < 0)
		return;
	for (size_t i = 0; i < n && !why[0]; i++) {
		_cleanup_free_ char(*holders)[BLOCK_NAME_MAX] = NULL;
		size_t n_holders = 0;

		if (!on_function(s, names[i], f) ||
		    block_links(s, names[i], "holders", &holders, &n_holders) <
			    0 ||
		    n_holders == 0)
			continue;
		snprintf(why, size,
			 "carries %s, held by %s (an active dm or md device)",
			 names[i], holders[0]);
	}
}

void guard_check(const struct sysfs *s, const struct storage_guard *g,
		 const struct pci_function *f, char *why, size_t size)
{
	why[0] = '\0';
	for (size_t i = 0; i < g->n; i++) {
		if (on_function(s, g->devs[i].name, f)) {
			str_copy(why, size, g->devs[i].why);
			return;
		}
	}
	check_holders(s, f, why, size);
	if (!why[0] && g->unresolved[0] && is_storage_controller(f))
		snprintf(why, size, "%s, so no storage controller is taken",
			 g->unresolved);
}
