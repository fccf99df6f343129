// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * make bench's floor: only the work no helper can leave out, to put beside
 * the helper's figures. It lists sys/bus/pci/devices and reads each
 * function's vendor (open, read, close), resolving every path from the root
 * as the helper's helper/shared/sysroot.c does, and nothing else: no
 * command line, no configuration, no matching.
 *
 *   floor             the running system's root: openat() on an fd of "/"
 *                     (the boot's path; bench/run gives it a fake tree as
 *                     /sys in a private mount namespace)
 *   floor --root DIR  openat2(RESOLVE_IN_ROOT) on an fd of DIR, as
 *                     vfio-bind --root DIR opens every path
 *
 * It prints "N functions, M with vendor 0x10de" (what the tree holds, so
 * that bench/run can tell which tree it read) and exits 1 when a listing
 * or a read fails.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DEVICES "sys/bus/pci/devices"

static int root_fd = -1;
static int in_root;

/* As sysroot_open_at(): RESOLVE_IN_ROOT under --root, openat() on "/". */
static int open_path(const char *path, int flags)
{
	struct open_how how = {.flags = (uint64_t)flags, .resolve = RESOLVE_IN_ROOT};
	long fd;

	if (!in_root)
		return openat(root_fd, path, flags);
	do
		fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return (int)fd;
}

int main(int argc, char **argv)
{
	static char entries[65536];
	char path[sizeof(DEVICES) + 300], vendor[16];
	unsigned long functions = 0, nvidia = 0;
	const char *root = "/";
	int dir;

	if (argc == 3 && strcmp(argv[1], "--root") == 0) {
		root = argv[2];
		in_root = 1;
	} else if (argc != 1) {
		fprintf(stderr, "usage: floor [--root DIR]\n");
		return 2;
	}
	root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	dir = root_fd < 0 ? -1 : open_path(DEVICES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		perror("floor: " DEVICES);
		return 1;
	}
	for (;;) {
		ssize_t n = getdents64(dir, entries, sizeof(entries));

		if (n < 0) {
			perror("floor: " DEVICES);
			return 1;
		}
		if (n == 0)
			break;
		for (ssize_t at = 0; at < n;) {
			struct dirent64 *e = (struct dirent64 *)(entries + at);
			ssize_t got;
			int fd;

			at += e->d_reclen;
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), DEVICES "/%s/vendor", e->d_name);
			fd = open_path(path, O_RDONLY | O_CLOEXEC);
			got = fd < 0 ? -1 : read(fd, vendor, sizeof(vendor) - 1);
			if (got < 0) {
				perror(path);
				return 1;
			}
			close(fd);
			functions++;
			nvidia += got >= 6 && memcmp(vendor, "0x10de", 6) == 0;
		}
	}
	printf("%lu functions, %lu with vendor 0x10de\n", functions, nvidia);
	return 0;
}
