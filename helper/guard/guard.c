// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The storage guard: first the block devices the running system needs
 * (root=, resume=, --keep, the mount table, swaps), then everything they
 * are built on (dm and md slaves, every member of a btrfs filesystem or a
 * ZFS pool), then the PCI functions under any of them: those are kept.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/kernel-cmdline.h"
#include "guard/block.h"
#include "guard/claim.h"
#include "guard/devspec.h"
#include "guard/guard.h"
#include "guard/netuse.h"
#include "shared/log.h"
#include "shared/util.h"

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

/* What guard_load() gathers before it turns it into kept functions. */
struct loader {
	const struct sysroot *s;
	struct storage_guard *g;
	struct need *devs; /* block devices */
	size_t n_devs;
	bool root_known; /* root=, --keep or a mounted / tell where root is */
	bool network_root;
};

static void set_unsure(char *unsure, const char *why)
{
	if (!unsure[0])
		str_copy(unsure, NEED_WHY_MAX, why);
}

static int add_needed(struct loader *l, const char *name, const char *why)
{
	return need_add(&l->devs, &l->n_devs, name, why);
}

/* root=, resume= or --keep, in any form (devspec.h). */
static int add_spec(struct loader *l, const char *spec, const char *role)
{
	_cleanup_free_ char(*names)[BLOCK_NAME_MAX] = NULL;
	char why[NEED_WHY_MAX];
	size_t n;
	int r;

	switch (spec_kind(spec)) {
	case SPEC_NOTHING:
		return 0;
	case SPEC_NETWORK:
		l->network_root = true;
		return 0;
	case SPEC_UNKNOWN:
		str_format(why, sizeof(why), "%s %s is no block device that can be told",
			   role, spec);
		set_unsure(l->g->storage_unsure, why);
		return 0;
	case SPEC_DEVICES:
		break;
	}
	r = spec_devices(l->s, spec, &names, &n);
	if (r == -ENOENT || (r >= 0 && n == 0)) {
		str_format(why, sizeof(why), "%s %s is not found among the block devices",
			   role, spec);
		set_unsure(l->g->storage_unsure, why);
		return 0;
	}
	for (size_t i = 0; r >= 0 && i < n; i++) {
		str_format(why, sizeof(why), "carries %s (%s, %s)", role, names[i], spec);
		r = add_needed(l, names[i], why);
	}
	return r;
}

/* The kernel's own root= and resume=, as it reads them (cmdline.h). */
static int add_kernel_param(struct loader *l, const char *cmdline, const char *param)
{
	_cleanup_free_ char *value = NULL;
	int r = kernel_param(cmdline, param, &value);

	if (r <= 0)
		return r;
	if (strcmp(param, "root") == 0)
		l->root_known = true;
	return add_spec(l, value, param);
}

/* A ZFS pool in use (USE: "mounted on /srv", "imported"): its members
 * carry it. */
static int add_zfs_pool(struct loader *l, const char *pool, const char *use)
{
	_cleanup_free_ char(*names)[BLOCK_NAME_MAX] = NULL;
	char why[NEED_WHY_MAX];
	size_t n;
	int r = zfs_pool_members(l->s, pool, &names, &n);

	if (r == -ENOENT) {
		str_format(why, sizeof(why),
			   "ZFS pool %s is %s and none of its members is found", pool,
			   use);
		set_unsure(l->g->storage_unsure, why);
		return 0;
	}
	for (size_t i = 0; r >= 0 && i < n; i++) {
		str_format(why, sizeof(why), "carries %s, in ZFS pool %s, %s", names[i],
			   pool, use);
		r = add_needed(l, names[i], why);
	}
	return r;
}

/* A ZFS dataset's pool. */
static int add_zfs_mount(struct loader *l, const char *source, const char *mountpoint)
{
	char pool[256], use[NEED_WHY_MAX];

	str_copy(pool, sizeof(pool), source);
	pool[strcspn(pool, "/")] = '\0';
	str_format(use, sizeof(use), "mounted on %s", mountpoint);
	return add_zfs_pool(l, pool, use);
}

/* Every imported pool, whether or not a dataset is mounted (a zvol under
 * swap or a VM): OpenZFS keeps a kstat directory for each, with its state
 * in proc/spl/kstat/zfs/POOL/state. */
static int add_zfs_pools(struct loader *l)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;
	int r = sysroot_opendir(l->s, "proc/spl/kstat/zfs", &dir);

	if (r < 0)
		return r == -ENOENT ? 0 : r;
	while (r >= 0 && (de = readdir(dir))) {
		char state[512];

		if (de->d_name[0] == '.' ||
		    path_format(state, sizeof(state), "proc/spl/kstat/zfs/%s/state",
				de->d_name) < 0 ||
		    !sysroot_exists(l->s, state))
			continue;
		r = add_zfs_pool(l, de->d_name, "imported");
	}
	return r;
}

static bool is_network_fs(const char *fstype)
{
	static const char *const types[] = {"nfs",  "nfs4",	 "cifs", "smb3",
					    "ceph", "glusterfs", "9p",	 "virtiofs"};

	return str_in_list(fstype, types, ARRAY_SIZE(types));
}

/* The kernel writes a space, tab, newline and backslash in a path of
 * mountinfo and /proc/swaps as an octal escape (seq_escape(), " \t\n\\"):
 * back to the path. */
static void unescape_path(char *path)
{
	char *out = path;

	for (const char *in = path; *in; in++) {
		if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' &&
		    in[2] <= '7' && in[3] >= '0' && in[3] <= '7') {
			*out++ = (char)((in[1] - '0') << 6 | (in[2] - '0') << 3 |
					(in[3] - '0'));
			in += 3;
		} else {
			*out++ = *in;
		}
	}
	*out = '\0';
}

/* A source in /dev/ that names no block device here: the guard cannot tell
 * what it holds. */
static void source_not_found(struct loader *l, const char *source, const char *use)
{
	char why[NEED_WHY_MAX];

	str_format(why, sizeof(why), "%s is %s and not found among the block devices",
		   source, use);
	set_unsure(l->g->storage_unsure, why);
}

/* ext4's journal_dev= is a dev_t as new_encode_dev() packs it (include/linux/kdev_t.h).
 */
static void new_decode_dev(const char *value, char *majmin, size_t size)
{
	unsigned long dev = strtoul(value, NULL, 10);

	str_format(majmin, size, "%lu:%lu", (dev & 0xfff00) >> 8,
		   (dev & 0xff) | ((dev >> 12) & 0xfff00));
}

/* A device a mount option names: XFS's logdev= and rtdev=, ext4's
 * journal_path= and journal_dev=; OWNER is the filesystem's description. */
static int add_option_device(struct loader *l, const char *key, const char *value,
			     const char *owner)
{
	char name[BLOCK_NAME_MAX], use[NEED_WHY_MAX], majmin[32];
	int r;

	str_format(use, sizeof(use), "%s= of %s", key, owner);
	if (strcmp(key, "journal_dev") == 0) {
		new_decode_dev(value, majmin, sizeof(majmin));
		r = block_from_devnum(l->s, majmin, name, sizeof(name));
	} else {
		r = block_resolve_path(l->s, value, name, sizeof(name));
	}
	if (r < 0) {
		source_not_found(l, value, use);
		return 0;
	}
	str_format(use, sizeof(use), "carries %s, %s= of %s", name, key, owner);
	return add_needed(l, name, use);
}

/* OPTIONS as mountinfo shows them (seq_show_option() escapes the value's
 * ",= \t\n\\") or as rootflags= gives them. */
static int add_option_devices(struct loader *l, const char *options, const char *owner)
{
	static const char *const keys[] = {"logdev", "rtdev", "journal_path",
					   "journal_dev"};
	_cleanup_free_ char *copy = strdup(options);
	char *save = NULL;
	int r = copy ? 0 : -ENOMEM;

	for (char *opt = copy ? strtok_r(copy, ",", &save) : NULL; r >= 0 && opt;
	     opt = strtok_r(NULL, ",", &save)) {
		char *value = strchr(opt, '=');

		if (!value)
			continue;
		*value++ = '\0';
		if (!str_in_list(opt, keys, ARRAY_SIZE(keys)) || !value[0])
			continue;
		unescape_path(value);
		r = add_option_device(l, opt, value, owner);
	}
	return r;
}

/* rootflags=: at boot the root is not mounted yet, and its external log
 * is named only there. */
static int add_rootflags(struct loader *l, const char *cmdline)
{
	_cleanup_free_ char *value = NULL;
	int r = kernel_param(cmdline, "rootflags", &value);

	if (r <= 0 || !value)
		return r;
	return add_option_devices(l, value, "the root (rootflags=)");
}

/* bcachefs shows every member in its source: "/dev/a:/dev/b". */
static int add_bcachefs_members(struct loader *l, char *source, const char *mountpoint)
{
	char *save = NULL;
	int r = 0;

	for (char *dev = strtok_r(source, ":", &save); r >= 0 && dev;
	     dev = strtok_r(NULL, ":", &save)) {
		char name[BLOCK_NAME_MAX], why[NEED_WHY_MAX];

		str_format(why, sizeof(why), "a member of bcachefs mounted on %s",
			   mountpoint);
		if (block_resolve_path(l->s, dev, name, sizeof(name)) < 0) {
			source_not_found(l, dev, why);
			continue;
		}
		str_format(why, sizeof(why),
			   "carries %s, a member of bcachefs mounted on %s", name,
			   mountpoint);
		r = add_needed(l, name, why);
	}
	return r;
}

/* A mount's device, from MAJ:MIN, or from the source when that is an
 * anonymous 0:N (btrfs: the first member's node). */
static int add_mount_source(struct loader *l, const char *majmin, const char *source,
			    const char *mountpoint)
{
	char name[BLOCK_NAME_MAX], why[NEED_WHY_MAX];
	bool anonymous = strncmp(majmin, "0:", 2) == 0;
	int found;

	if (!anonymous)
		found = block_from_devnum(l->s, majmin, name, sizeof(name));
	else if (strncmp(source, "/dev/", 5) == 0)
		found = block_resolve_path(l->s, source, name, sizeof(name));
	else
		return 0;
	if (found < 0 && anonymous) {
		str_format(why, sizeof(why), "mounted on %s", mountpoint);
		source_not_found(l, source, why);
	}
	if (found < 0)
		return 0;
	str_format(why, sizeof(why), "carries %s, mounted on %s", name, mountpoint);
	return add_needed(l, name, why);
}

/*
 * One line of /proc/self/mountinfo (show_mountinfo() in fs/proc_namespace.c):
 * "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - TYPE SOURCE
 * SUPER_OPTIONS". btrfs, bcachefs and ZFS report an anonymous 0:N there,
 * so their devices come from the source: the first member's node for
 * btrfs, every member's for bcachefs, the dataset for ZFS.
 */
static int add_mount(const char *line, void *data)
{
	struct loader *l = data;
	char majmin[32], mountpoint[256], fstype[64], source[1024], options[1024] = "";
	char owner[NEED_WHY_MAX];
	const char *tail = strstr(line, " - ");
	int r;

	if (!tail || sscanf(line, "%*s %*s %31s %*s %255s", majmin, mountpoint) != 2 ||
	    sscanf(tail, " - %63s %1023s %1023s", fstype, source, options) < 2)
		return 0;
	unescape_path(mountpoint);
	unescape_path(source);
	if (strcmp(mountpoint, "/") == 0) {
		l->root_known = true;
		if (is_network_fs(fstype))
			l->network_root = true;
	}
	str_format(owner, sizeof(owner), "the filesystem mounted on %s", mountpoint);
	r = add_option_devices(l, options, owner);
	if (r < 0)
		return r;
	if (strcmp(fstype, "zfs") == 0)
		return add_zfs_mount(l, source, mountpoint);
	if (strcmp(fstype, "bcachefs") == 0)
		return add_bcachefs_members(l, source, mountpoint);
	return add_mount_source(l, majmin, source, mountpoint);
}

static int add_swap(const char *line, void *data)
{
	char file[256], name[BLOCK_NAME_MAX], why[NEED_WHY_MAX];
	struct loader *l = data;

	if (sscanf(line, "%255s", file) != 1)
		return 0;
	unescape_path(file);
	if (block_resolve_path(l->s, file, name, sizeof(name)) < 0) {
		/* a swap file: the filesystem it is on is mounted */
		if (strncmp(file, "/dev/", 5) == 0)
			source_not_found(l, file, "used as swap");
		return 0;
	}
	str_format(why, sizeof(why), "carries %s, used as swap", name);
	return add_needed(l, name, why);
}

static int add_names(struct loader *l, char (*names)[BLOCK_NAME_MAX], size_t n,
		     const char *why)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < n; i++)
		r = add_needed(l, names[i], why);
	return r;
}

/* Every device a needed filesystem spans (btrfs members, an ext4 external
 * journal); all must be there. */
static int add_filesystem_devices(struct loader *l, const char *name, const char *why)
{
	_cleanup_free_ char(*members)[BLOCK_NAME_MAX] = NULL;
	char unsure[NEED_WHY_MAX], type[32];
	uint64_t total;
	size_t n;
	int r = filesystem_devices(l->s, name, &members, &n, &total, type, sizeof(type));

	if (r < 0)
		return r == -ENOENT ? 0 : r;
	if (total > n) {
		str_format(unsure, sizeof(unsure),
			   "the %s filesystem on %s has %" PRIu64
			   " devices and only %zu are present",
			   type, name, total, n);
		set_unsure(l->g->storage_unsure, unsure);
	}
	return add_names(l, members, n, why);
}

/* What a needed device is built on is needed too, to the bottom. */
static int add_stacks(struct loader *l)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < l->n_devs; i++) {
		_cleanup_free_ char(*slaves)[BLOCK_NAME_MAX] = NULL;
		char name[BLOCK_NAME_MAX], why[NEED_WHY_MAX];
		size_t n;

		/* (add_needed may move l->devs) */
		str_copy(name, sizeof(name), l->devs[i].name);
		str_copy(why, sizeof(why), l->devs[i].why);
		r = block_links(l->s, name, "slaves", &slaves, &n);
		if (r >= 0)
			r = add_names(l, slaves, n, why);
		if (r >= 0)
			r = add_filesystem_devices(l, name, why);
	}
	return r;
}

static int keep_function(struct storage_guard *g, const char *addr, const char *why)
{
	return need_add(&g->kept, &g->n_kept, addr, why);
}

/* A disk that no PCI function carries but the network does: an iSCSI LUN,
 * an NVMe-oF namespace, an NBD or RBD device. */
static bool is_network_disk(const struct sysroot *s, const char *name)
{
	char link[256], target[4096];

	if (strncmp(name, "nbd", 3) == 0 || strncmp(name, "rbd", 3) == 0)
		return true;
	if (path_format(link, sizeof(link), "sys/class/block/%s", name) < 0 ||
	    sysroot_read_link(s, link, target, sizeof(target)) < 0)
		return false;
	return strstr(target, "/session") || strstr(target, "/nvme-fabrics/");
}

/* A namespace of a native-multipath NVMe subsystem, reached through each
 * of the subsystem's controllers. */
static bool is_multipath_head(const struct sysroot *s, const char *name)
{
	char link[256], target[4096];

	return path_format(link, sizeof(link), "sys/class/block/%s", name) >= 0 &&
	       sysroot_read_link(s, link, target, sizeof(target)) >= 0 &&
	       strstr(target, "/nvme-subsystem/");
}

static int keep_under(struct loader *l, const char *name, const char *why)
{
	_cleanup_free_ char(*addrs)[PCI_ADDR_MAX] = NULL;
	size_t n;
	int r = block_pci_functions(l->s, name, &addrs, &n);

	if (r < 0)
		return r == -ENOENT ? 0 : r;
	if (n == 0 && is_network_disk(l->s, name))
		l->network_root = true;
	if (n == 0 && is_multipath_head(l->s, name)) {
		char unsure[NEED_WHY_MAX];

		str_format(unsure, sizeof(unsure),
			   "the NVMe multipath device %s (%s) lists no controller", name,
			   why);
		set_unsure(l->g->storage_unsure, unsure);
	}
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = keep_function(l->g, addrs[i], why);
	return r;
}

/* An md array that runs degraded waits for members that may sit on any
 * controller (md/degraded, degraded_show() in drivers/md/md.c). */
static void check_degraded(struct loader *l, const char *name)
{
	char path[256], value[32], unsure[NEED_WHY_MAX];

	if (path_format(path, sizeof(path), "sys/class/block/%s/md/degraded", name) < 0 ||
	    sysroot_read(l->s, path, value, sizeof(value)) < 0 || strcmp(value, "0") == 0)
		return;
	str_format(unsure, sizeof(unsure),
		   "the md array %s runs degraded, missing %s of its members", name,
		   value);
	set_unsure(l->g->storage_unsure, unsure);
}

/* The block device a loop device reads (loop/backing_file,
 * backing_file_show() in drivers/block/loop.c), which the loop driver does
 * not claim: kept whether or not the loop device is in use. A backing file
 * is on a mounted filesystem, which the mount table keeps. */
static int keep_loop_backing(struct loader *l, const char *name)
{
	char path[256], file[4096], backing[BLOCK_NAME_MAX], why[NEED_WHY_MAX];

	if (path_format(path, sizeof(path), "sys/class/block/%s/loop/backing_file",
			name) < 0 ||
	    sysroot_read(l->s, path, file, sizeof(file)) < 0 ||
	    strncmp(file, "/dev/", 5) != 0)
		return 0;
	if (block_resolve_path(l->s, file, backing, sizeof(backing)) < 0) {
		str_format(why, sizeof(why), "the backing device of %s", name);
		source_not_found(l, file, why);
		return 0;
	}
	str_format(why, sizeof(why), "carries %s, the backing device of %s", backing,
		   name);
	return keep_under(l, backing, why);
}

/* Disks an active dm or md device or a loop device holds, whatever they
 * carry. */
static int keep_held(struct loader *l)
{
	_cleanup_free_ char(*names)[BLOCK_NAME_MAX] = NULL;
	size_t n;
	int r = block_list(l->s, &names, &n);

	for (size_t i = 0; r >= 0 && i < n; i++) {
		_cleanup_free_ char(*holders)[BLOCK_NAME_MAX] = NULL;
		char why[NEED_WHY_MAX];
		size_t n_holders;

		check_degraded(l, names[i]);
		r = keep_loop_backing(l, names[i]);
		if (r >= 0)
			r = block_links(l->s, names[i], "holders", &holders, &n_holders);
		if (r < 0 || n_holders == 0)
			continue;
		str_format(why, sizeof(why),
			   "carries %s, held by %s (an active dm or md device)", names[i],
			   holders[0]);
		r = keep_under(l, names[i], why);
	}
	return r;
}

static int keep_nic(struct loader *l, const struct need *use)
{
	_cleanup_free_ struct need *fns = NULL;
	char unsure[NEED_WHY_MAX];
	size_t n;
	int r = nic_functions(l->s, use, &fns, &n, unsure, sizeof(unsure));

	for (size_t i = 0; r >= 0 && i < n; i++) {
		char why[NEED_WHY_MAX];

		if (fns[i].why[0])
			str_format(why, sizeof(why), "%s, through %s", use->why,
				   fns[i].why);
		else
			str_copy(why, sizeof(why), use->why);
		r = keep_function(l->g, fns[i].name, why);
	}
	if (r >= 0 && unsure[0])
		set_unsure(l->g->network_unsure, unsure);
	return r;
}

static int keep_nics(struct loader *l, const char *cmdline)
{
	_cleanup_free_ struct need *uses = NULL;
	size_t n, kept = l->g->n_kept;
	int r = nics_in_use(l->s, cmdline, l->network_root, &uses, &n);

	for (size_t i = 0; r >= 0 && i < n; i++)
		r = keep_nic(l, &uses[i]);
	if (r >= 0 && l->network_root && l->g->n_kept == kept)
		set_unsure(
			l->g->network_unsure,
			"the root is on the network and the interface that reaches it is not found");
	return r;
}

static int gather(struct loader *l, const char *cmdline, char *const *keep, size_t n_keep)
{
	int r = add_kernel_param(l, cmdline, "root");

	if (r >= 0)
		r = add_kernel_param(l, cmdline, "resume");
	for (size_t i = 0; r >= 0 && i < n_keep; i++) {
		l->root_known = true;
		r = add_spec(l, keep[i], "a kept device");
	}
	if (r >= 0)
		r = sysroot_for_each_line(l->s, "proc/self/mountinfo", false, add_mount,
					  l);
	if (r >= 0)
		r = add_rootflags(l, cmdline);
	if (r >= 0)
		r = sysroot_for_each_line(l->s, "proc/swaps", true, add_swap, l);
	if (r >= 0)
		r = add_zfs_pools(l);
	if (r >= 0)
		r = add_stacks(l);
	for (size_t i = 0; r >= 0 && i < l->n_devs; i++)
		r = keep_under(l, l->devs[i].name, l->devs[i].why);
	if (r >= 0)
		r = keep_held(l);
	if (r >= 0)
		r = keep_nics(l, cmdline);
	return r;
}

static int load(const struct sysroot *s, const char *cmdline, bool network_root,
		char *const *keep, size_t n_keep, struct storage_guard *g)
{
	struct loader l = {.s = s, .g = g, .network_root = network_root};
	int r;

	memset(g, 0, sizeof(*g));
	r = gather(&l, cmdline, keep, n_keep);
	free(l.devs);
	if (r < 0) {
		guard_free(g);
		return r;
	}
	if (!l.root_known && !l.network_root)
		set_unsure(
			g->storage_unsure,
			"the root device is unknown (no root=, no --keep, / not mounted from a disk)");
	return 0;
}

int guard_load(const struct sysroot *s, const char *cmdline, char *const *keep,
	       size_t n_keep, struct storage_guard *g)
{
	return load(s, cmdline, cmdline_network_root(cmdline), keep, n_keep, g);
}

void guard_free(struct storage_guard *g)
{
	free(g->kept);
	memset(g, 0, sizeof(*g));
}

bool function_has_disks(const struct sysroot *s, const struct pci_function *f)
{
	_cleanup_free_ char(*names)[BLOCK_NAME_MAX] = NULL;
	size_t n;

	if (block_list(s, &names, &n) < 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char(*addrs)[PCI_ADDR_MAX] = NULL;
		size_t n_addrs;

		if (block_pci_functions(s, names[i], &addrs, &n_addrs) >= 0 &&
		    pci_addr_list_has(addrs, n_addrs, f->addr))
			return true;
	}
	return false;
}

bool guard_applies(const struct sysroot *s, const struct pci_function *f)
{
	return is_storage_controller(f) || is_network_controller(f) ||
	       function_has_interfaces(s, f) || function_has_disks(s, f);
}

void guard_check(const struct sysroot *s, const struct storage_guard *g,
		 const struct pci_function *f, char *why, size_t size)
{
	why[0] = '\0';
	for (size_t i = 0; i < g->n_kept; i++) {
		if (strcmp(g->kept[i].name, f->addr) == 0) {
			str_copy(why, size, g->kept[i].why);
			return;
		}
	}
	if (g->storage_unsure[0] && is_storage_controller(f))
		str_format(why, size, "%s, so no storage controller is taken",
			   g->storage_unsure);
	else if (g->network_unsure[0] &&
		 (is_network_controller(f) || function_has_interfaces(s, f)))
		str_format(why, size, "%s, so no network controller is taken",
			   g->network_unsure);
}

/*
 * Before udev, a storage controller's disks do not exist yet, so whether it
 * carries root cannot be told: it is left to its host driver and a later
 * pass; so is a network controller when the root is on the network, whose
 * interface does not exist yet either.
 */
static enum guard_verdict late_pass_wait(const struct guard_pass *p,
					 const struct pci_function *f)
{
	if (!p->opts->defer_storage)
		return GUARD_TAKE;
	if (is_storage_controller(f))
		return GUARD_WAITS_STORAGE;
	if (p->network_root && is_network_controller(f))
		return GUARD_WAITS_NETWORK;
	return GUARD_TAKE;
}

void guard_pass_start(struct guard_pass *p, const struct guard_opts *opts)
{
	const char *cmdline = opts->cmdline ? opts->cmdline : "";

	*p = (struct guard_pass){.opts = opts,
				 .cmdline = cmdline,
				 .network_root = cmdline_network_root(cmdline)};
}

void guard_pass_end(struct guard_pass *p)
{
	guard_free(&p->g);
	p->loaded = false;
}

int guard_decide(const struct sysroot *s, struct guard_pass *p,
		 const struct pci_function *f, char *why, size_t size)
{
	enum guard_verdict wait = late_pass_wait(p, f);
	int r;

	if (p->opts->management) {
		management_nic_check(s, p->opts->management, p->opts->named, f, why,
				     size);
		if (why[0])
			return GUARD_KEEP;
	}
	if (wait != GUARD_TAKE || !guard_applies(s, f))
		return wait;
	if (!p->loaded) {
		r = load(s, p->cmdline, p->network_root, p->opts->keep, p->opts->n_keep,
			 &p->g);
		if (r < 0)
			return ERR_ERRNO(
				r,
				"cannot tell which disks the system needs: %m; nothing changed");
		p->loaded = true;
	}
	guard_check(s, &p->g, f, why, size);
	if (!why[0] && !p->opts->defer_storage) {
		_cleanup_disk_claims_ struct disk_claims claims = {0};

		r = disks_claim(s, f, &claims, why, size);
		if (r < 0)
			return ERR_ERRNO(
				r, "cannot claim the disks of %s: %m; nothing changed",
				f->addr);
	}
	return why[0] ? GUARD_KEEP : GUARD_TAKE;
}
