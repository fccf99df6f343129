// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The storage guard: first the block devices the running system needs
 * (root=, resume=, --keep, the mount table, swaps), then everything they
 * are built on (dm and md slaves, every member of a btrfs filesystem or a
 * ZFS pool), then the PCI functions under any of them: those are kept.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/kernel-cmdline.h"
#include "guard/block.h"
#include "guard/claim.h"
#include "guard/devspec.h"
#include "guard/disk-map.h"
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
	struct system_needs *g;
	struct need *devs; /* block devices */
	size_t n_devs;
	bool root_known; /* root=, --keep or a mounted / tell where root is */
	bool network_root;
};

static void storage_doubt(struct loader *l, enum doubt_kind kind,
			  const struct need *about, const char *name)
{
	doubt_note(&l->g->storage_doubt, kind, about, name);
}

/* DEVICE, needed in the role WHAT gives it. */
static int add_needed(struct loader *l, const char *device, const struct need *what)
{
	struct need need = *what;

	str_copy(need.device, sizeof(need.device), device);
	return need_add(&l->devs, &l->n_devs, device, &need);
}

/* root=, resume= or --keep, in any form (devspec.h). */
static int add_spec(struct loader *l, const char *spec, enum need_role role)
{
	_cleanup_free_ char(*names)[BLOCK_NAME_MAX] = NULL;
	struct need what = {.role = role};
	size_t n;
	int r;

	str_copy(what.where, sizeof(what.where), spec);
	switch (spec_kind(spec)) {
	case SPEC_NOTHING:
		return 0;
	case SPEC_NETWORK:
		l->network_root = true;
		return 0;
	case SPEC_UNKNOWN:
		storage_doubt(l, DOUBT_SPEC_UNTOLD, &what, NULL);
		return 0;
	case SPEC_DEVICES:
		break;
	}
	r = spec_devices(l->s, spec, &names, &n);
	if (r == -ENOENT || (r >= 0 && n == 0)) {
		storage_doubt(l, DOUBT_SPEC_NOT_FOUND, &what, NULL);
		return 0;
	}
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = add_needed(l, names[i], &what);
	return r;
}

/* The kernel's own root= and resume=, as it reads them (cmdline.h). */
static int add_kernel_param(struct loader *l, const char *cmdline, enum need_role role)
{
	_cleanup_free_ char *value = NULL;
	int r = kernel_param(cmdline, role == NEED_ROOT ? "root" : "resume", &value);

	if (r <= 0)
		return r;
	if (role == NEED_ROOT)
		l->root_known = true;
	return add_spec(l, value, role);
}

/* A ZFS pool in use (NEED_ZFS_MOUNTED or NEED_ZFS_IMPORTED, the pool as
 * the option): its members carry it. */
static int add_zfs_pool(struct loader *l, const struct need *pool)
{
	_cleanup_free_ char(*names)[BLOCK_NAME_MAX] = NULL;
	size_t n;
	int r = zfs_pool_members(l->s, pool->option, &names, &n);

	if (r == -ENOENT) {
		storage_doubt(l, DOUBT_POOL_NOT_FOUND, pool, NULL);
		return 0;
	}
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = add_needed(l, names[i], pool);
	return r;
}

/* A ZFS dataset's pool. */
static int add_zfs_mount(struct loader *l, const char *source, const char *mountpoint)
{
	struct need pool = {.role = NEED_ZFS_MOUNTED};

	str_copy(pool.option, sizeof(pool.option), source);
	pool.option[strcspn(pool.option, "/")] = '\0';
	str_copy(pool.where, sizeof(pool.where), mountpoint);
	return add_zfs_pool(l, &pool);
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
		struct need pool = {.role = NEED_ZFS_IMPORTED};

		if (de->d_name[0] == '.' ||
		    sysroot_existsf(l->s, "proc/spl/kstat/zfs/%s/state", de->d_name) <= 0)
			continue;
		str_copy(pool.option, sizeof(pool.option), de->d_name);
		r = add_zfs_pool(l, &pool);
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
static void source_not_found(struct loader *l, const char *source, const struct need *use)
{
	storage_doubt(l, DOUBT_SOURCE_NOT_FOUND, use, source);
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
 * journal_path= and journal_dev=; OWNER is the filesystem's mount
 * (NEED_MOUNT_OPTION) or the root's rootflags= (NEED_ROOTFLAGS). */
static int add_option_device(struct loader *l, const char *key, const char *value,
			     const struct need *owner)
{
	char name[BLOCK_NAME_MAX], majmin[32];
	struct need use = *owner;
	int r;

	str_copy(use.option, sizeof(use.option), key);
	if (strcmp(key, "journal_dev") == 0) {
		new_decode_dev(value, majmin, sizeof(majmin));
		r = block_from_devnum(l->s, majmin, name, sizeof(name));
	} else {
		r = block_resolve_path(l->s, value, name, sizeof(name));
	}
	if (r < 0) {
		source_not_found(l, value, &use);
		return 0;
	}
	return add_needed(l, name, &use);
}

/* OPTIONS as mountinfo shows them (seq_show_option() escapes the value's
 * ",= \t\n\\") or as rootflags= gives them. */
static int add_option_devices(struct loader *l, const char *options,
			      const struct need *owner)
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
	static const struct need root = {.role = NEED_ROOTFLAGS};
	_cleanup_free_ char *value = NULL;
	int r = kernel_param(cmdline, "rootflags", &value);

	if (r <= 0 || !value)
		return r;
	return add_option_devices(l, value, &root);
}

/* bcachefs shows every member in its source: "/dev/a:/dev/b". */
static int add_bcachefs_members(struct loader *l, char *source, const char *mountpoint)
{
	struct need member = {.role = NEED_BCACHEFS};
	char *save = NULL;
	int r = 0;

	str_copy(member.where, sizeof(member.where), mountpoint);
	for (char *dev = strtok_r(source, ":", &save); r >= 0 && dev;
	     dev = strtok_r(NULL, ":", &save)) {
		char name[BLOCK_NAME_MAX];

		if (block_resolve_path(l->s, dev, name, sizeof(name)) < 0) {
			source_not_found(l, dev, &member);
			continue;
		}
		r = add_needed(l, name, &member);
	}
	return r;
}

/* A mount's device, from MAJ:MIN, or from the source when that is an
 * anonymous 0:N (btrfs: the first member's node). */
static int add_mount_source(struct loader *l, const char *majmin, const char *source,
			    const char *mountpoint)
{
	struct need mount = {.role = NEED_MOUNT};
	char name[BLOCK_NAME_MAX];
	bool anonymous = strncmp(majmin, "0:", 2) == 0;
	int found;

	str_copy(mount.where, sizeof(mount.where), mountpoint);
	if (!anonymous)
		found = block_from_devnum(l->s, majmin, name, sizeof(name));
	else if (strncmp(source, "/dev/", 5) == 0)
		found = block_resolve_path(l->s, source, name, sizeof(name));
	else
		return 0;
	if (found < 0 && anonymous)
		source_not_found(l, source, &mount);
	if (found < 0)
		return 0;
	return add_needed(l, name, &mount);
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
	struct need owner = {.role = NEED_MOUNT_OPTION};
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
	str_copy(owner.where, sizeof(owner.where), mountpoint);
	r = add_option_devices(l, options, &owner);
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
	static const struct need swap = {.role = NEED_SWAP};
	char file[256], name[BLOCK_NAME_MAX];
	struct loader *l = data;

	if (sscanf(line, "%255s", file) != 1)
		return 0;
	unescape_path(file);
	if (block_resolve_path(l->s, file, name, sizeof(name)) < 0) {
		/* a swap file: the filesystem it is on is mounted */
		if (strncmp(file, "/dev/", 5) == 0)
			source_not_found(l, file, &swap);
		return 0;
	}
	return add_needed(l, name, &swap);
}

/* NAMES, each needed as WHAT, a device above them, is. */
static int add_names(struct loader *l, char (*names)[BLOCK_NAME_MAX], size_t n,
		     const struct need *what)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < n; i++)
		r = need_add(&l->devs, &l->n_devs, names[i], what);
	return r;
}

/* Every device a needed filesystem spans (btrfs members, an ext4 external
 * journal); all must be there. */
static int add_filesystem_devices(struct loader *l, const char *name,
				  const struct need *what)
{
	_cleanup_free_ char(*members)[BLOCK_NAME_MAX] = NULL;
	struct doubt incomplete = {.kind = DOUBT_FS_INCOMPLETE};
	uint64_t total;
	size_t n;
	int r = filesystem_devices(l->s, name, &members, &n, &total, incomplete.text,
				   sizeof(incomplete.text));

	if (r < 0)
		return r == -ENOENT ? 0 : r;
	if (total > n) {
		str_copy(incomplete.name, sizeof(incomplete.name), name);
		incomplete.total = total;
		incomplete.present = n;
		doubt_set(&l->g->storage_doubt, &incomplete);
	}
	return add_names(l, members, n, what);
}

/* What a needed device is built on is needed too, to the bottom. */
static int add_stacks(struct loader *l)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < l->n_devs; i++) {
		_cleanup_free_ char(*slaves)[BLOCK_NAME_MAX] = NULL;
		struct need what = l->devs[i]; /* (add_names may move l->devs) */
		size_t n;

		r = block_links(l->s, what.name, "slaves", &slaves, &n);
		if (r >= 0)
			r = add_names(l, slaves, n, &what);
		if (r >= 0)
			r = add_filesystem_devices(l, what.name, &what);
	}
	return r;
}

static int keep_function(struct system_needs *g, const char *addr, const struct need *why)
{
	return need_add(&g->kept, &g->n_kept, addr, why);
}

/*
 * A disk no PCI function carries: one the network carries (an iSCSI LUN,
 * an NVMe-oF namespace, an NBD or RBD device) puts the root on the
 * network; a namespace of a native-multipath NVMe subsystem, reached
 * through each of the subsystem's controllers, that lists none leaves the
 * guard unsure.
 */
static void check_unplaced(struct loader *l, const char *name, const struct need *why)
{
	char target[4096];

	if (strncmp(name, "nbd", 3) == 0 || strncmp(name, "rbd", 3) == 0) {
		l->network_root = true;
		return;
	}
	if (sysroot_read_linkf(l->s, target, sizeof(target), "sys/class/block/%s", name) <
	    0)
		return;
	if (strstr(target, "/session") || strstr(target, "/nvme-fabrics/"))
		l->network_root = true;
	else if (strstr(target, "/nvme-subsystem/"))
		storage_doubt(l, DOUBT_MULTIPATH_EMPTY, why, name);
}

static int keep_under(struct loader *l, const char *name, const struct need *why)
{
	const char(*addrs)[PCI_ADDR_MAX];
	size_t n;
	int r = disk_map_functions(l->s, &l->g->disks, name, &addrs, &n);

	if (r < 0)
		return r == -ENOENT ? 0 : r;
	if (n == 0)
		check_unplaced(l, name, why);
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = keep_function(l->g, addrs[i], why);
	return r;
}

/* An md array that runs degraded waits for members that may sit on any
 * controller (md/degraded, degraded_show() in drivers/md/md.c). */
static void check_degraded(struct loader *l, const char *name)
{
	struct doubt degraded = {.kind = DOUBT_MD_DEGRADED};

	if (sysroot_readf(l->s, degraded.text, sizeof(degraded.text),
			  "sys/class/block/%s/md/degraded", name) < 0 ||
	    strcmp(degraded.text, "0") == 0)
		return;
	str_copy(degraded.name, sizeof(degraded.name), name);
	doubt_set(&l->g->storage_doubt, &degraded);
}

/* The block device a loop device reads (loop/backing_file,
 * backing_file_show() in drivers/block/loop.c), which the loop driver does
 * not claim: kept whether or not the loop device is in use. A backing file
 * is on a mounted filesystem, which the mount table keeps. */
static int keep_loop_backing(struct loader *l, const char *name)
{
	struct need loop = {.role = NEED_LOOP_BACKING};
	char file[4096];

	str_copy(loop.where, sizeof(loop.where), name);
	if (sysroot_readf(l->s, file, sizeof(file),
			  "sys/class/block/%s/loop/backing_file", name) < 0 ||
	    strncmp(file, "/dev/", 5) != 0)
		return 0;
	if (block_resolve_path(l->s, file, loop.device, sizeof(loop.device)) < 0) {
		source_not_found(l, file, &loop);
		return 0;
	}
	return keep_under(l, loop.device, &loop);
}

/* Disks an active dm or md device or a loop device holds, whatever they
 * carry. */
static int keep_held(struct loader *l)
{
	const struct disk_map *disks = &l->g->disks;
	int r = disk_map_list(l->s, &l->g->disks);

	for (size_t i = 0; r >= 0 && i < disks->n; i++) {
		_cleanup_free_ char(*holders)[BLOCK_NAME_MAX] = NULL;
		struct need held = {.role = NEED_HELD};
		char name[BLOCK_NAME_MAX];
		size_t n_holders;

		str_copy(name, sizeof(name), disks->items[i].name);
		check_degraded(l, name);
		r = keep_loop_backing(l, name);
		if (r >= 0)
			r = block_links(l->s, name, "holders", &holders, &n_holders);
		if (r < 0 || n_holders == 0)
			continue;
		str_copy(held.device, sizeof(held.device), name);
		str_copy(held.where, sizeof(held.where), holders[0]);
		r = keep_under(l, name, &held);
	}
	return r;
}

static int keep_nic(struct loader *l, const struct need *use)
{
	_cleanup_free_ struct need *fns = NULL;
	struct doubt unsure = {0};
	size_t n;
	int r = nic_functions(l->s, use, &fns, &n, &unsure);

	for (size_t i = 0; r >= 0 && i < n; i++)
		r = keep_function(l->g, fns[i].name, &fns[i]);
	if (r >= 0)
		doubt_set(&l->g->network_doubt, &unsure);
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
		doubt_note(&l->g->network_doubt, DOUBT_NETWORK_ROOT_UNFOUND, NULL, NULL);
	return r;
}

static int gather(struct loader *l, const char *cmdline, char *const *keep, size_t n_keep)
{
	int r = add_kernel_param(l, cmdline, NEED_ROOT);

	if (r >= 0)
		r = add_kernel_param(l, cmdline, NEED_RESUME);
	for (size_t i = 0; r >= 0 && i < n_keep; i++) {
		l->root_known = true;
		r = add_spec(l, keep[i], NEED_KEEP);
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
		r = keep_under(l, l->devs[i].name, &l->devs[i]);
	if (r >= 0)
		r = keep_held(l);
	if (r >= 0)
		r = keep_nics(l, cmdline);
	return r;
}

static int load(const struct sysroot *s, const char *cmdline, bool network_root,
		char *const *keep, size_t n_keep, struct system_needs *g)
{
	struct loader l = {.s = s, .g = g, .network_root = network_root};
	int r = gather(&l, cmdline, keep, n_keep);

	free(l.devs);
	if (r < 0) {
		guard_free(g);
		return r;
	}
	if (!l.root_known && !l.network_root)
		storage_doubt(&l, DOUBT_ROOT_UNKNOWN, NULL, NULL);
	return 0;
}

int guard_load(const struct sysroot *s, const char *cmdline, char *const *keep,
	       size_t n_keep, struct system_needs *g)
{
	*g = (struct system_needs){0};
	return load(s, cmdline, cmdline_network_root(cmdline), keep, n_keep, g);
}

void guard_free(struct system_needs *g)
{
	free(g->kept);
	disk_map_free(&g->disks);
	memset(g, 0, sizeof(*g));
}

bool function_has_disks(const struct sysroot *s, struct system_needs *g,
			const struct pci_function *f)
{
	return disk_map_has_function(s, &g->disks, f->addr);
}

/* The guard has a say about f: a storage or network controller, or a
 * function some block device sits on. */
static bool guard_applies(const struct sysroot *s, struct system_needs *g,
			  const struct pci_function *f)
{
	return is_storage_controller(f) || is_network_function(s, f) ||
	       function_has_disks(s, g, f);
}

void guard_check(const struct sysroot *s, const struct system_needs *g,
		 const struct pci_function *f, struct keep *k)
{
	*k = (struct keep){.kind = KEEP_NOTHING};
	for (size_t i = 0; i < g->n_kept; i++) {
		if (strcmp(g->kept[i].name, f->addr) == 0) {
			k->kind = KEEP_NEEDED;
			k->need = g->kept[i];
			return;
		}
	}
	if (g->storage_doubt.kind != DOUBT_NONE && is_storage_controller(f)) {
		k->kind = KEEP_STORAGE_UNSURE;
		k->doubt = g->storage_doubt;
	} else if (g->network_doubt.kind != DOUBT_NONE && is_network_function(s, f)) {
		k->kind = KEEP_NETWORK_UNSURE;
		k->doubt = g->network_doubt;
	}
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
		 const struct pci_function *f, struct keep *k)
{
	enum guard_verdict wait = late_pass_wait(p, f);
	int r;

	*k = (struct keep){.kind = KEEP_NOTHING};
	if (p->opts->management) {
		management_nic_check(s, p->opts->management, p->opts->named, f, k);
		if (k->kind != KEEP_NOTHING)
			return GUARD_KEEP;
	}
	if (wait != GUARD_TAKE || !guard_applies(s, &p->g, f))
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
	guard_check(s, &p->g, f, k);
	if (k->kind == KEEP_NOTHING && !p->opts->defer_storage) {
		_cleanup_disk_claims_ struct disk_claims claims = {0};

		r = disks_claim(s, f, &claims, k);
		if (r < 0)
			return ERR_ERRNO(
				r, "cannot claim the disks of %s: %m; nothing changed",
				f->addr);
	}
	return k->kind != KEEP_NOTHING ? GUARD_KEEP : GUARD_TAKE;
}
