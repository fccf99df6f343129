/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "guard/block.h"
#include "shared/sysroot.h"

/* What a device spec (root=, resume=, --keep) names. */
enum spec_kind {
	SPEC_DEVICES, /* local block devices */
	SPEC_NOTHING, /* no device: resume=none, root=tmpfs */
	SPEC_NETWORK, /* reached over the network: NFS, iSCSI, NBD, a URL */
	SPEC_UNKNOWN, /* local, but no block device tells which: an image
			 file (live:/x.iso), virtiofs */
};

enum spec_kind spec_kind(const char *spec);

/*
 * The block devices a SPEC_DEVICES spec names, every one that answers:
 * UUID=, LABEL=, PARTUUID=, PARTLABEL= (and their /dev/disk/by-* links)
 * probed with libblkid, so every member of a multi-device filesystem;
 * ZFS=POOL/..., zfs:POOL/... and zfs:AUTO, every member of the pool (of
 * any pool for AUTO); dracut's live:... and block:... forms; /dev/...,
 * /dev/mapper/..., MAJ:MIN and kernel names. -ENOENT when none answers.
 */
int spec_devices(const struct sysroot *s, const char *spec,
		 char (**names)[BLOCK_NAME_MAX], size_t *n) _must_check_;

/* The devices libblkid reports as TYPE=zfs_member with LABEL=POOL (any
 * pool when POOL is NULL); -ENOENT when there is none. */
int zfs_pool_members(const struct sysroot *s, const char *pool,
		     char (**names)[BLOCK_NAME_MAX], size_t *n) _must_check_;

/*
 * When the filesystem on NAME spans other devices: every one of them that
 * is present, NAME included, and how many it has. A btrfs filesystem's
 * members (the same filesystem UUID, and /sys/fs/btrfs/UUID/devices once
 * it is mounted; num_devices in its superblock); an ext3/ext4
 * filesystem's external journal (EXT_JOURNAL). TYPE is libblkid's name
 * for it. -ENOENT when it spans no other device.
 */
int filesystem_devices(const struct sysroot *s, const char *name,
		       char (**names)[BLOCK_NAME_MAX], size_t *n, uint64_t *total,
		       char *type, size_t type_size) _must_check_;

/* Appends NAME to a list of block device names unless it is there. */
int block_names_add(char (**names)[BLOCK_NAME_MAX], size_t *n,
		    const char *name) _must_check_;
