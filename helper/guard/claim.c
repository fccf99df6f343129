// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "guard/block.h"
#include "guard/claim.h"
#include "shared/log.h"
#include "shared/util.h"

void disks_release(struct disk_claims *c)
{
	for (size_t i = 0; i < c->n; i++)
		close(c->fds[i]);
	free(c->fds);
	c->fds = NULL;
	c->n = 0;
}

/* A whole disk under f: partitions are claimed through their disk (a
 * claimed partition makes its disk busy, block/bdev.c bd_may_claim()), and
 * the hidden paths of a multipath NVMe subsystem have no node. */
static bool is_disk_under(const struct sysroot *s, const char *name,
			  const struct pci_function *f)
{
	_cleanup_free_ char(*addrs)[PCI_ADDR_MAX] = NULL;
	char hidden[8];
	size_t n;

	if (block_is_partition(s, name) ||
	    (sysroot_readf(s, hidden, sizeof(hidden), "sys/class/block/%s/hidden",
			   name) >= 0 &&
	     strcmp(hidden, "1") == 0))
		return false;
	return block_pci_functions(s, name, &addrs, &n) >= 0 &&
	       pci_addr_list_has(addrs, n, f->addr);
}

/* The node's device is the disk's (sys/class/block/NAME/dev). */
static bool node_is_disk(const struct sysroot *s, const char *name, int fd)
{
	char devnum[32];
	unsigned maj, min;
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISBLK(st.st_mode) &&
	       sysroot_readf(s, devnum, sizeof(devnum), "sys/class/block/%s/dev", name) >=
		       0 &&
	       sscanf(devnum, "%u:%u", &maj, &min) == 2 &&
	       st.st_rdev == makedev(maj, min);
}

/* 0 claimed (fd in c), 1 refused (k), or a negative errno. */
static int claim_one(const struct sysroot *s, const char *name, struct disk_claims *c,
		     struct keep *k)
{
	int r, fd = sysroot_open_atf(s, O_RDONLY | O_EXCL | O_NONBLOCK, "dev/%s", name);

	if (fd == -ENOENT || fd == -ENXIO || fd == -ENOMEDIUM) {
		DBG("%s: no node or no medium to claim (%s)", name, strerror(-fd));
		return 0;
	}
	if (fd < 0) {
		k->kind = fd == -EBUSY ? KEEP_DISK_BUSY : KEEP_DISK_UNCLAIMABLE;
		k->err = -fd;
		str_copy(k->disk, sizeof(k->disk), name);
		return 1;
	}
	if (!node_is_disk(s, name, fd)) {
		DBG("%s: dev/%s is another device; not claimed", name, name);
		close(fd);
		return 0;
	}
	r = array_push(&c->fds, &c->n, sizeof(fd), &fd);
	if (r < 0)
		close(fd);
	return r;
}

int disks_claim(const struct sysroot *s, const struct pci_function *f,
		struct disk_claims *c, struct keep *k)
{
	_cleanup_free_ char(*names)[BLOCK_NAME_MAX] = NULL;
	size_t n;
	int r = block_list(s, &names, &n);

	*c = (struct disk_claims){0};
	*k = (struct keep){.kind = KEEP_NOTHING};
	for (size_t i = 0; r == 0 && i < n; i++)
		if (is_disk_under(s, names[i], f))
			r = claim_one(s, names[i], c, k);
	if (r != 0)
		disks_release(c);
	return r;
}
