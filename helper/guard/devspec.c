// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Device specs as the kernel, dracut and initramfs-tools take them for
 * root= and resume=, resolved to block devices with libblkid.
 */
#include <blkid.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "guard/devspec.h"
#include "shared/util.h"

int block_names_add(char (**names)[BLOCK_NAME_MAX], size_t *n, const char *name)
{
	char copy[BLOCK_NAME_MAX] = "";

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*names)[i], name) == 0)
			return 0;
	str_copy(copy, sizeof(copy), name);
	return array_push(names, n, sizeof(copy), copy);
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool has_suffix_nocase(const char *s, const char *suffix)
{
	size_t len = strlen(s), n = strlen(suffix);

	return len >= n && strcasecmp(s + len - n, suffix) == 0;
}

/*
 * dracut's dmsquash-live (parse-dmsquash-live.sh): live:LABEL=, UUID=,
 * PARTUUID=, PARTLABEL=, CDLABEL= (a filesystem label) and /dev/... name a
 * local device; live:/x.iso and live:/x.img name an image file; any other
 * live: form (http://, nfs://, ...) is fetched by livenet.
 */
static enum spec_kind live_kind(const char *rest)
{
	static const char *const local[] = {
		"LABEL=", "UUID=", "PARTUUID=", "PARTLABEL=", "CDLABEL=", "/dev/"};

	for (size_t i = 0; i < ARRAY_SIZE(local); i++)
		if (has_prefix(rest, local[i]))
			return SPEC_DEVICES;
	if (rest[0] == '/' &&
	    (has_suffix_nocase(rest, ".iso") || has_suffix_nocase(rest, ".img")))
		return SPEC_UNKNOWN;
	return SPEC_NETWORK;
}

enum spec_kind spec_kind(const char *spec)
{
	/* root= forms of the kernel, dracut and initramfs-tools that name
	 * no local disk. */
	static const char *const network[] = {"/dev/nfs", "nfs",  "cifs",
					      "iscsi",	  "nbd:", "dhcp"};

	if (!spec[0] || strcmp(spec, "none") == 0 || strcmp(spec, "tmpfs") == 0)
		return SPEC_NOTHING;
	if (has_prefix(spec, "live:"))
		return live_kind(spec + strlen("live:"));
	if (has_prefix(spec, "virtiofs:"))
		return SPEC_UNKNOWN;
	for (size_t i = 0; i < ARRAY_SIZE(network); i++)
		if (has_prefix(spec, network[i]))
			return SPEC_NETWORK;
	return SPEC_DEVICES;
}

/* A libblkid probe on a device that sysroot opened, so that it stays under
 * the root; libblkid leaves closing the fd to its owner. */
struct device_probe {
	blkid_probe pr;
	int fd;
};

static void device_probe_free(struct device_probe *p)
{
	if (p->pr)
		blkid_free_probe(p->pr);
	if (p->fd >= 0)
		close(p->fd);
}
#define _cleanup_device_probe_ _cleanup_(device_probe_free)

static int probe_device(const struct sysroot *s, const char *name, bool partitions,
			struct device_probe *p)
{
	*p = (struct device_probe){.fd = -1};
	p->fd = sysroot_open_atf(s, O_RDONLY | O_NONBLOCK, "dev/%s", name);
	if (p->fd < 0)
		return p->fd;
	p->pr = blkid_new_probe();
	if (!p->pr || blkid_probe_set_device(p->pr, p->fd, 0, 0) < 0)
		return -ENOMEM;
	blkid_probe_enable_superblocks(p->pr, 1);
	blkid_probe_set_superblocks_flags(p->pr, BLKID_SUBLKS_UUID | BLKID_SUBLKS_LABEL |
							 BLKID_SUBLKS_TYPE);
	blkid_probe_enable_partitions(p->pr, partitions);
	return blkid_do_safeprobe(p->pr) < 0 ? -EIO : 0;
}

/* The superblock's TYPE, UUID and LABEL, as blkid -p reports them, and
 * EXT_JOURNAL: the UUID of an ext3/ext4 filesystem's external journal. */
struct superblock {
	char type[32];
	char uuid[64];
	char label[256];
	char ext_journal[64];
};

static int probe_superblock(const struct sysroot *s, const char *name,
			    struct superblock *sb)
{
	_cleanup_device_probe_ struct device_probe p;
	const char *v;

	memset(sb, 0, sizeof(*sb));
	if (probe_device(s, name, false, &p) < 0 ||
	    blkid_probe_lookup_value(p.pr, "TYPE", &v, NULL) < 0)
		return -ENOENT;
	str_copy(sb->type, sizeof(sb->type), v);
	if (blkid_probe_lookup_value(p.pr, "UUID", &v, NULL) == 0)
		str_copy(sb->uuid, sizeof(sb->uuid), v);
	if (blkid_probe_lookup_value(p.pr, "LABEL", &v, NULL) == 0)
		str_copy(sb->label, sizeof(sb->label), v);
	if (blkid_probe_lookup_value(p.pr, "EXT_JOURNAL", &v, NULL) == 0)
		str_copy(sb->ext_journal, sizeof(sb->ext_journal), v);
	return 0;
}

/* PARTUUID= and PARTLABEL= live in the partition table of the whole disk. */
static int find_partition_tag(const struct sysroot *s, const char *disk, bool by_uuid,
			      const char *value, char *name, size_t size)
{
	_cleanup_device_probe_ struct device_probe p;
	blkid_partlist parts;
	int n;

	if (probe_device(s, disk, true, &p) < 0 ||
	    !(parts = blkid_probe_get_partitions(p.pr)))
		return -ENOENT;
	n = blkid_partlist_numof_partitions(parts);
	for (int i = 0; i < n; i++) {
		blkid_partition par = blkid_partlist_get_partition(parts, i);
		const char *v = by_uuid ? blkid_partition_get_uuid(par)
					: blkid_partition_get_name(par);
		char partno[16];

		if (!v || (by_uuid ? strcasecmp(v, value) : strcmp(v, value)))
			continue;
		snprintf(partno, sizeof(partno), "%d", blkid_partition_get_partno(par));
		return block_find_by_attr(s, disk, "partition", partno, name, size);
	}
	return -ENOENT;
}

enum tag { TAG_UUID, TAG_LABEL, TAG_PARTUUID, TAG_PARTLABEL, TAG_ZFS_POOL };

static bool superblock_matches(const struct superblock *sb, enum tag tag,
			       const char *value)
{
	switch (tag) {
	case TAG_UUID:
		return strcasecmp(sb->uuid, value) == 0;
	case TAG_LABEL:
		return strcmp(sb->label, value) == 0;
	case TAG_ZFS_POOL:
		return strcmp(sb->type, "zfs_member") == 0 &&
		       (!value || strcmp(sb->label, value) == 0);
	default:
		return false;
	}
}

static int device_matches(const struct sysroot *s, const char *dev, enum tag tag,
			  const char *value, char *name, size_t size)
{
	struct superblock sb;

	if (tag == TAG_PARTUUID || tag == TAG_PARTLABEL)
		return block_is_partition(s, dev)
			       ? -ENOENT
			       : find_partition_tag(s, dev, tag == TAG_PARTUUID, value,
						    name, size);
	if (probe_superblock(s, dev, &sb) < 0 || !superblock_matches(&sb, tag, value))
		return -ENOENT;
	return path_format(name, size, "%s", dev);
}

/* Every block device that answers to the tag. */
static int find_tagged(const struct sysroot *s, enum tag tag, const char *value,
		       char (**names)[BLOCK_NAME_MAX], size_t *n)
{
	_cleanup_free_ char(*all)[BLOCK_NAME_MAX] = NULL;
	size_t n_all;
	int r = block_list(s, &all, &n_all);

	for (size_t i = 0; r >= 0 && i < n_all; i++) {
		char name[BLOCK_NAME_MAX];

		if (device_matches(s, all[i], tag, value, name, sizeof(name)) >= 0)
			r = block_names_add(names, n, name);
	}
	if (r >= 0 && *n == 0)
		r = -ENOENT;
	return r;
}

int zfs_pool_members(const struct sysroot *s, const char *pool,
		     char (**names)[BLOCK_NAME_MAX], size_t *n)
{
	*names = NULL;
	*n = 0;
	return find_tagged(s, TAG_ZFS_POOL, pool, names, n);
}

/*
 * OpenZFS's initramfs scripts take root=ZFS=POOL/DATASET, root=zfs:POOL/...
 * and root=zfs:AUTO (or a bare ZFS=), which imports whatever pool has a
 * bootfs: then any pool's members may carry root.
 */
static int zfs_root_members(const struct sysroot *s, const char *dataset,
			    char (**names)[BLOCK_NAME_MAX], size_t *n)
{
	char pool[256];

	str_copy(pool, sizeof(pool), dataset);
	pool[strcspn(pool, "/")] = '\0';
	if (!pool[0] || strcmp(pool, "AUTO") == 0)
		return zfs_pool_members(s, NULL, names, n);
	return zfs_pool_members(s, pool, names, n);
}

static const struct {
	const char *prefix;
	enum tag tag;
} tag_forms[] = {
	{"UUID=", TAG_UUID},
	{"LABEL=", TAG_LABEL},
	{"CDLABEL=", TAG_LABEL},
	{"PARTUUID=", TAG_PARTUUID},
	{"PARTLABEL=", TAG_PARTLABEL},
	{"/dev/disk/by-uuid/", TAG_UUID},
	{"/dev/disk/by-label/", TAG_LABEL},
	{"/dev/disk/by-partuuid/", TAG_PARTUUID},
	{"/dev/disk/by-partlabel/", TAG_PARTLABEL},
};

int spec_devices(const struct sysroot *s, const char *spec,
		 char (**names)[BLOCK_NAME_MAX], size_t *n)
{
	char name[BLOCK_NAME_MAX];
	int r;

	*names = NULL;
	*n = 0;
	if (has_prefix(spec, "block:"))
		spec += strlen("block:");
	if (has_prefix(spec, "live:"))
		spec += strlen("live:");
	if (has_prefix(spec, "ZFS="))
		return zfs_root_members(s, spec + strlen("ZFS="), names, n);
	if (has_prefix(spec, "zfs:"))
		return zfs_root_members(s, spec + strlen("zfs:"), names, n);
	for (size_t i = 0; i < ARRAY_SIZE(tag_forms); i++)
		if (has_prefix(spec, tag_forms[i].prefix))
			return find_tagged(s, tag_forms[i].tag,
					   spec + strlen(tag_forms[i].prefix), names, n);
	r = block_resolve_path(s, spec, name, sizeof(name));
	return r < 0 ? r : block_names_add(names, n, name);
}

#define BTRFS_SUPER_OFFSET 0x10000
#define BTRFS_MAGIC_OFFSET 0x40
#define BTRFS_NUM_DEVICES_OFFSET 0x88

/* struct btrfs_super_block's num_devices (fs/btrfs/ctree.h). */
static int btrfs_num_devices(const struct sysroot *s, const char *name, uint64_t *total)
{
	char magic[8];
	uint64_t le;
	int r;

	r = sysroot_read_bytesf(s, magic, sizeof(magic),
				BTRFS_SUPER_OFFSET + BTRFS_MAGIC_OFFSET, "dev/%s", name);
	if (r < 0)
		return r;
	if (r != sizeof(magic) || memcmp(magic, "_BHRfS_M", sizeof(magic)))
		return -EINVAL;
	r = sysroot_read_bytesf(s, &le, sizeof(le),
				BTRFS_SUPER_OFFSET + BTRFS_NUM_DEVICES_OFFSET, "dev/%s",
				name);
	if (r < 0)
		return r;
	if (r != sizeof(le))
		return -EIO;
	*total = le64toh(le);
	return 0;
}

/* Every member of a btrfs filesystem that is present (the same filesystem
 * UUID, and /sys/fs/btrfs/UUID/devices once it is mounted). */
static int btrfs_members(const struct sysroot *s, const char *name,
			 const struct superblock *sb, char (**names)[BLOCK_NAME_MAX],
			 size_t *n, uint64_t *total)
{
	_cleanup_free_ char(*mounted)[BLOCK_NAME_MAX] = NULL;
	_cleanup_closedir_ DIR *dir = NULL;
	size_t n_mounted = 0;
	int r = find_tagged(s, TAG_UUID, sb->uuid, names, n);

	if (r == -ENOENT)
		r = block_names_add(names, n, name);
	if (r < 0)
		return r;
	/* A mounted filesystem lists its members (btrfs_sysfs_add_device). */
	if (sysroot_opendirf(s, &dir, "sys/fs/btrfs/%s/devices", sb->uuid) >= 0 &&
	    block_dir_names(dir, &mounted, &n_mounted) >= 0)
		for (size_t i = 0; r >= 0 && i < n_mounted; i++)
			r = block_names_add(names, n, mounted[i]);
	if (r < 0)
		return r;
	if (btrfs_num_devices(s, name, total) < 0)
		*total = *n;
	return 0;
}

/* An ext3/ext4 filesystem and its external journal: the device libblkid
 * reports as TYPE=jbd with the UUID the filesystem names (EXT_JOURNAL). */
static int ext_journal(const struct sysroot *s, const char *name,
		       const struct superblock *sb, char (**names)[BLOCK_NAME_MAX],
		       size_t *n, uint64_t *total)
{
	_cleanup_free_ char(*journals)[BLOCK_NAME_MAX] = NULL;
	size_t n_journals = 0;
	int r = block_names_add(names, n, name);

	*total = 2;
	if (r < 0)
		return r;
	r = find_tagged(s, TAG_UUID, sb->ext_journal, &journals, &n_journals);
	if (r == -ENOENT)
		return 0;
	for (size_t i = 0; r >= 0 && i < n_journals; i++)
		r = block_names_add(names, n, journals[i]);
	return r;
}

int filesystem_devices(const struct sysroot *s, const char *name,
		       char (**names)[BLOCK_NAME_MAX], size_t *n, uint64_t *total,
		       char *type, size_t type_size)
{
	struct superblock sb;

	*names = NULL;
	*n = 0;
	if (probe_superblock(s, name, &sb) < 0)
		return -ENOENT;
	str_copy(type, type_size, sb.type);
	if (strcmp(sb.type, "btrfs") == 0)
		return btrfs_members(s, name, &sb, names, n, total);
	if (sb.ext_journal[0])
		return ext_journal(s, name, &sb, names, n, total);
	return -ENOENT;
}
