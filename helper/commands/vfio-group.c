// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel's answer for an IOMMU group, asked as QEMU asks it; who holds it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "commands/vfio-group.h"
#include "shared/util.h"

/* Records where the steps stopped; -1, for the callers to return. */
static int fail(struct vfio_group_result *res, enum vfio_group_step step, int err)
{
	res->step = step;
	res->err = err;
	return -1;
}

/* The group's fd, viable, or -1 with *res saying why not. */
static int open_group(const struct sysroot *s, const char *group,
		      struct vfio_group_result *res)
{
	struct vfio_group_status status = {.argsz = sizeof(status)};
	_cleanup_close_ int fd = sysroot_open_atf(s, O_RDWR, "dev/vfio/%s", group);
	int ret;

	if (fd < 0)
		return fail(res, VG_OPEN, -fd);
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &status) < 0)
		return fail(res, VG_STATUS, errno);
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return fail(res, VG_NOT_VIABLE, 0);
	ret = fd;
	fd = -1;
	return ret;
}

/* QEMU's choice: the richest type1 the container offers, v2 first. */
static int pick_type1(int container, struct vfio_group_result *res)
{
	int version = ioctl(container, VFIO_GET_API_VERSION);

	if (version != VFIO_API_VERSION) {
		res->version = version;
		res->wanted = VFIO_API_VERSION;
		return fail(res, VG_API_VERSION, version < 0 ? errno : 0);
	}
	if (ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0) {
		res->type1v2 = true;
		return VFIO_TYPE1v2_IOMMU;
	}
	if (ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) > 0)
		return VFIO_TYPE1_IOMMU;
	return fail(res, VG_NO_TYPE1, 0);
}

/* The group in a new container with a type1 IOMMU; the container's fd. */
static int attach(const struct sysroot *s, int group, struct vfio_group_result *res)
{
	_cleanup_close_ int container = sysroot_open_at(s, "dev/vfio/vfio", O_RDWR);
	int type, fd;

	if (container < 0)
		return fail(res, VG_CONTAINER, -container);
	type = pick_type1(container, res);
	if (type < 0)
		return -1;
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) < 0)
		return fail(res, VG_SET_CONTAINER, errno);
	if (ioctl(container, VFIO_SET_IOMMU, type) < 0) {
		fail(res, VG_SET_IOMMU, errno);
		ioctl(group, VFIO_GROUP_UNSET_CONTAINER);
		return -1;
	}
	fd = container;
	container = -1;
	return fd;
}

static void open_device(int group, struct vfio_group_device *dev)
{
	struct vfio_device_info info = {.argsz = sizeof(info)};
	_cleanup_close_ int fd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, dev->addr);

	dev->err = 0;
	dev->reset = false;
	if (fd < 0)
		dev->err = errno;
	else if (ioctl(fd, VFIO_DEVICE_GET_INFO, &info) < 0)
		dev->err = errno;
	else
		dev->reset = info.flags & VFIO_DEVICE_FLAGS_RESET;
}

int vfio_group_try(const struct sysroot *s, const char *group,
		   struct vfio_group_device *devs, size_t n,
		   struct vfio_group_result *res)
{
	_cleanup_close_ int group_fd = -1;
	_cleanup_close_ int container = -1;

	*res = (struct vfio_group_result){.step = VG_USABLE};
	group_fd = open_group(s, group, res);
	if (group_fd < 0)
		return 0;
	container = attach(s, group_fd, res);
	if (container < 0)
		return 0;
	/*
	 * Each device is closed before the next opens: a device fd holds the
	 * group's file (vfio_group_use_container()), so the group is released
	 * only after its devices. Unsetting the container then gives the
	 * group's DMA ownership back (vfio_group_detach_container()) and frees
	 * the type1 IOMMU of its last group, as QEMU's teardown does, before
	 * the container and the group are closed.
	 */
	for (size_t i = 0; i < n; i++)
		open_device(group_fd, &devs[i]);
	ioctl(group_fd, VFIO_GROUP_UNSET_CONTAINER);
	return 0;
}

static bool fd_points_to(const struct sysroot *s, const char *pid, const char *fd,
			 const char *const *nodes, size_t n)
{
	char target[256];

	if (sysroot_read_linkf(s, target, sizeof(target), "proc/%s/fd/%s", pid, fd) < 0)
		return false;
	return str_in_list(target, nodes, n);
}

static bool holds(const struct sysroot *s, const char *pid, const char *const *nodes,
		  size_t n)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;

	if (sysroot_opendirf(s, &dir, "proc/%s/fd", pid) < 0)
		return false;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.' && fd_points_to(s, pid, de->d_name, nodes, n))
			return true;
	return false;
}

static void read_comm(const struct sysroot *s, const char *pid, char *comm, size_t size)
{
	if (sysroot_readf(s, comm, size, "proc/%s/comm", pid) < 0)
		str_copy(comm, size, "?");
}

int vfio_node_holder(const struct sysroot *s, const char *const *nodes, size_t n,
		     pid_t *pid, char *comm, size_t size)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;

	if (sysroot_opendir(s, "proc", &dir) < 0)
		return 0;
	while ((de = readdir(dir))) {
		if (strspn(de->d_name, "0123456789") != strlen(de->d_name) ||
		    !holds(s, de->d_name, nodes, n))
			continue;
		*pid = (pid_t)strtol(de->d_name, NULL, 10);
		read_comm(s, de->d_name, comm, size);
		return 1;
	}
	return 0;
}
