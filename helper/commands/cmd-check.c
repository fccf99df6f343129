// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-bind check: will a VM launch get the selected functions? IOMMU on,
 * each function on vfio-pci, each IOMMU group viable, its /dev/vfio node
 * there; the boot GPU flagged.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "boot/iommu-off.h"
#include "boot/reset.h"
#include "boot/take.h"
#include "boot/variant.h"
#include "commands/boot-record.h"
#include "commands/check-report.h"
#include "commands/commands.h"
#include "commands/framebuffer.h"
#include "commands/numa.h"
#include "commands/vfio-group.h"
#include "config/bootloader.h"
#include "config/driverctl.h"
#include "config/kernel-cmdline.h"
#include "config/modprobe.h"
#include "shared/json.h"
#include "shared/log.h"
#include "shared/util.h"

static void gather_failure(struct report *rep, const char *subject, const char *fix,
			   const char *msg)
{
	struct check_failure *grown;

	grown = realloc(rep->gathered, (rep->n_gathered + 1) * sizeof(*grown));
	if (!grown)
		return; /* still counted in rep->failures */
	rep->gathered = grown;
	grown += rep->n_gathered++;
	str_copy(grown->subject, sizeof(grown->subject), subject ? subject : "");
	str_copy(grown->message, sizeof(grown->message), msg);
	str_copy(grown->fix, sizeof(grown->fix), fix ? fix : "");
}

static void say(struct report *rep, enum verdict v, const char *subject, const char *fix,
		const char *fmt, ...) _printf_format_(5, 6);

static void say(struct report *rep, enum verdict v, const char *subject, const char *fix,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_vsay(rep, v, subject, fix, fmt, ap);
	va_end(ap);
}

void check_vsay(struct report *rep, enum verdict v, const char *subject, const char *fix,
		const char *fmt, va_list ap)
{
	static const char *const names[] = {"ok", "warn", "fail", "skip"};
	static const char *const labels[] = {"ok  ", "WARN", "FAIL", "skip"};
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	rep->failures += v == V_FAIL;
	if (rep->gather) {
		if (v == V_FAIL)
			gather_failure(rep, subject, fix, msg);
		return;
	}
	if (!rep->json) {
		printf("%s  %s%s%s\n", labels[v], subject ? subject : "",
		       subject ? " " : "", msg);
		if (fix)
			printf("      fix: %s\n", fix);
		return;
	}
	printf("%s\n    {\"status\": \"%s\", \"function\": ", rep->n ? "," : "",
	       names[v]);
	json_string(stdout, subject);
	fputs(", \"message\": ", stdout);
	json_string(stdout, msg);
	fputs(", \"fix\": ", stdout);
	json_string(stdout, fix);
	fputc('}', stdout);
	rep->n++;
}

/*
 * The kernel claims a whole group for DMA only when no other device in it
 * has a driver that is not DMA-managed (iommu_group_claim_dma_owner()):
 * vfio drivers, pci-stub and pcieport are; bridges do not count.
 */
static bool driver_allows_vfio(const struct sysroot *s, const char *driver)
{
	return !driver[0] || strncmp(driver, "vfio", 4) == 0 ||
	       pci_driver_is_vfio(s, driver) || strcmp(driver, "pci-stub") == 0 ||
	       strcmp(driver, "pcieport") == 0;
}

/* What every function's checks read of the host, read once. */
struct host_facts {
	const char *cmdline; /* the kernel's, for vfio-bind.driver= */
	const struct reset_requests *resets;
	const struct vfio_params *params;
	bool many_nodes;
	struct iomem_map iomem;
	int iomem_err; /* iomem_read()'s error, or 0 */
	struct pci_function *all; /* every function, read once */
	size_t n_all;
};

static void host_facts_free(struct host_facts *host)
{
	iomem_free(&host->iomem);
	free(host->all);
	host->all = NULL;
	host->n_all = 0;
}

static const struct pci_function *find_function(const struct host_facts *host,
						const char *addr)
{
	for (size_t i = 0; i < host->n_all; i++)
		if (strcmp(host->all[i].addr, addr) == 0)
			return &host->all[i];
	return NULL;
}

static void check_group(const struct sysroot *s, struct report *rep,
			const struct host_facts *host, const struct pci_function *f)
{
	_cleanup_closedir_ DIR *dir = NULL;
	char fix[256];
	struct dirent *de;
	size_t blockers = 0;

	if (sysroot_opendirf(s, &dir, "sys/kernel/iommu_groups/%s/devices",
			     f->iommu_group) < 0)
		return;
	while ((de = readdir(dir))) {
		const struct pci_function *other;
		uint8_t type;

		if (de->d_name[0] == '.' || strcmp(de->d_name, f->addr) == 0)
			continue;
		other = find_function(host, de->d_name);
		if (!other ||
		    (pci_read_header_type(s, other->addr, &type) == 0 && type != 0) ||
		    driver_allows_vfio(s, other->driver))
			continue;
		snprintf(
			fix, sizeof(fix),
			"select %s too (vfio-bind ids %s), or move the card to a slot with its own IOMMU group",
			other->addr, other->addr);
		say(rep, V_FAIL, f->addr, fix,
		    "IOMMU group %s is not viable: %s [%04x:%04x] in it is on %s",
		    f->iommu_group, other->addr, other->vendor, other->device,
		    other->driver);
		blockers++;
	}
	if (blockers == 0)
		say(rep, V_OK, f->addr, NULL, "IOMMU group %s is viable", f->iommu_group);
}

/* Nova places a guest near its devices only when it knows their node. */
static void check_numa(const struct sysroot *s, struct report *rep,
		       const struct pci_function *f, bool many_nodes)
{
	int node = numa_node_of(s, f->addr);

	if (node >= 0)
		say(rep, V_OK, f->addr, NULL, "is on NUMA node %d", node);
	else if (!many_nodes)
		say(rep, V_OK, f->addr, NULL,
		    "has no NUMA node, on a host with one node");
	else
		say(rep, V_WARN, f->addr,
		    "nova-config gives its alias \"numa_policy\": \"preferred\"; a firmware update may publish the node (ACPI _PXM)",
		    "has no NUMA node on this multi-node host: the firmware publishes none, so Nova cannot place a guest near it");
}

/*
 * The function's vfio cdev, "dev/vfio/devices/vfioN", named by its
 * vfio-dev/vfioN directory (CONFIG_VFIO_DEVICE_CDEV, for iommufd); -ENOENT
 * without one.
 */
static int cdev_node(const struct sysroot *s, const char *addr, char *node, size_t size)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;
	int r;

	r = sysroot_opendirf(s, &dir, PCI_DEVICES "/%s/vfio-dev", addr);
	if (r < 0)
		return r;
	while ((de = readdir(dir)))
		if (strncmp(de->d_name, "vfio", 4) == 0)
			return path_format(node, size, "dev/vfio/devices/%s", de->d_name);
	return -ENOENT;
}

/* QEMU opens the group node (legacy vfio) or the cdev (iommufd): one will do. */
static void check_nodes(const struct sysroot *s, struct report *rep,
			const struct pci_function *f, bool noiommu)
{
	char group[64], cdev[64];
	bool has_group, has_cdev;

	if (path_format(group, sizeof(group), "dev/vfio/%s%s", noiommu ? "noiommu-" : "",
			f->iommu_group) < 0)
		return;
	has_group = sysroot_exists(s, group);
	has_cdev =
		cdev_node(s, f->addr, cdev, sizeof(cdev)) >= 0 && sysroot_exists(s, cdev);
	if (has_group && has_cdev)
		say(rep, V_OK, f->addr, NULL, "/%s is there, and /%s for iommufd", group,
		    cdev);
	else if (has_group)
		say(rep, V_OK, f->addr, NULL, "/%s is there", group);
	else if (has_cdev)
		say(rep, V_OK, f->addr, NULL, "/%s is there (iommufd; no group node)",
		    cdev);
	else
		say(rep, V_FAIL, f->addr,
		    "mount devtmpfs on /dev, or check udev's vfio rules",
		    "/%s is missing", group);
}

static void check_framebuffer(struct report *rep, const struct host_facts *host,
			      const struct pci_function *f)
{
	struct framebuffer fb;

	if (host->iomem_err < 0)
		say(rep, V_WARN, f->addr, "run vfio-bind check as root",
		    "cannot read /proc/iomem: %s", strerror(-host->iomem_err));
	else if (framebuffer_in_bars(&host->iomem, f->addr, &fb))
		say(rep, V_FAIL, f->addr,
		    "boot with initcall_blacklist=sysfb_init (BOOTFB, simpledrm) or video=efifb:off (efifb), or make another GPU the firmware's boot display",
		    "firmware framebuffer %s holds %llx-%llx inside its BAR: vfio-pci cannot reserve it for a guest",
		    fb.name, (unsigned long long)fb.start, (unsigned long long)fb.end);
}

/*
 * What vfio-pci resets the function with, and what vfio-bind.reset= asks.
 * The kernel shows no reset_method for a function without any reset method
 * (pci_dev_reset_method_attr_is_visible()), as before 5.15.
 */
static void check_reset(const struct sysroot *s, struct report *rep,
			const struct pci_function *f, const char *asked)
{
	char methods[256], fix[256];
	int r = reset_method_read(s, f->addr, methods, sizeof(methods));

	if (r == -ENOENT && asked)
		say(rep, V_WARN, f->addr, "leave vfio-bind.reset= out for this function",
		    "has no reset_method (no reset method, or a kernel before 5.15), so vfio-bind.reset= is not applied");
	if (r < 0)
		return;
	snprintf(fix, sizeof(fix),
		 "run vfio-bind bind %s to apply it, and see the error it logs", f->addr);
	if (asked && strcmp(asked, "default") != 0 && strcmp(asked, methods) != 0)
		say(rep, V_FAIL, f->addr, fix,
		    "reset_method is \"%s\", but vfio-bind.reset= asks for \"%s\"",
		    methods, asked);
	else if (!methods[0])
		say(rep, V_WARN, f->addr,
		    "write default to its reset_method, or name a method it has with vfio-bind.reset=",
		    "reset_method is empty, every reset method turned off: vfio-pci cannot reset it between guests");
	else
		say(rep, V_OK, f->addr, NULL, "reset_method: %s%s", methods,
		    asked ? " (vfio-bind.reset=)" : "");
}

/* On vfio-pci, while a variant driver is there for it. */
static void check_variant(const struct sysroot *s, struct report *rep,
			  const struct host_facts *host, const struct pci_function *f)
{
	char module[DRIVER_NAME_MAX], fix[128];

	if (variant_module_find(s, host->cmdline, f, module, sizeof(module)) <= 0)
		return;
	snprintf(fix, sizeof(fix), "vfio-bind bind %s", f->addr);
	say(rep, V_WARN, f->addr, fix,
	    "has a VFIO variant driver, %s, which gives a guest what vfio-pci does not; the next boot job gives it that one",
	    module);
}

static void check_function(const struct sysroot *s, struct report *rep,
			   const struct candidate *it, const struct host_facts *host)
{
	const struct pci_function *f = &it->f;
	char fix[256], why[REASON_DETAIL_MAX + 64];
	long boot_vga = 0;

	if (it->ids_read)
		say(rep, V_OK, f->addr, NULL, "[%04x:%04x] is selected by %s", f->vendor,
		    f->device, it->selected_by);
	if (it->why.kind != REASON_NONE) {
		reason_format(&it->why, why, sizeof(why));
		say(rep, V_FAIL, f->addr, NULL, "is not taken: %s", why);
		return;
	}
	if (strcmp(f->driver, VFIO_PCI) != 0 && pci_driver_is_vfio(s, f->driver)) {
		say(rep, V_OK, f->addr, NULL,
		    "[%04x:%04x] is on %s, a VFIO driver built on vfio-pci-core",
		    f->vendor, f->device, f->driver);
	} else if (strcmp(f->driver, VFIO_PCI) != 0) {
		snprintf(
			fix, sizeof(fix),
			"run vfio-bind bind %s now; for boot, install the initramfs integration and rebuild (update-initramfs -u, dracut -f)",
			f->addr);
		say(rep, V_FAIL, f->addr, fix, "[%04x:%04x] is on %s, not vfio-pci",
		    f->vendor, f->device, f->driver[0] ? f->driver : "no driver");
	} else {
		say(rep, V_OK, f->addr, NULL, "[%04x:%04x] is on vfio-pci", f->vendor,
		    f->device);
		check_variant(s, rep, host, f);
	}
	if (f->iommu_group[0]) {
		check_group(s, rep, host, f);
		if (pci_driver_is_vfio(s, f->driver))
			check_nodes(s, rep, f, host->params->noiommu);
	}
	check_numa(s, rep, f, host->many_nodes);
	check_reset(s, rep, f, reset_request_for(host->resets, f->addr));
	check_framebuffer(rep, host, f);
	if (pci_read_number(s, f->addr, "boot_vga", &boot_vga) == 0 && boot_vga > 0)
		say(rep, V_WARN, f->addr,
		    "give the host another display, or boot with video=efifb:off video=simplefb:off so no framebuffer keeps its memory",
		    "is the boot GPU (boot_vga=1): the firmware framebuffer holds it until vfio-pci takes it");
}

/* The kernel check opens only what vfio-pci holds for this selection. */
static bool kernel_checkable(const struct sysroot *s, const struct candidate *it)
{
	return it->why.kind == REASON_NONE && it->f.iommu_group[0] &&
	       pci_driver_is_vfio(s, it->f.driver);
}

/* The functions of the group of c->items[first] that the check opens. */
static size_t group_devices(const struct sysroot *s, const struct candidates *c,
			    size_t first, struct vfio_group_device *devs)
{
	size_t n = 0;

	for (size_t i = first; i < c->n; i++)
		if (kernel_checkable(s, &c->items[i]) &&
		    strcmp(c->items[i].f.iommu_group, c->items[first].f.iommu_group) == 0)
			devs[n++] =
				(struct vfio_group_device){.addr = c->items[i].f.addr};
	return n;
}

/* Whether an earlier candidate already took the group of c->items[i]. */
static bool group_seen(const struct sysroot *s, const struct candidates *c, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (kernel_checkable(s, &c->items[j]) &&
		    strcmp(c->items[j].f.iommu_group, c->items[i].f.iommu_group) == 0)
			return true;
	return false;
}

/* 1 with who holds the group node or a device's cdev, as /proc shows it. */
static int group_holder(const struct sysroot *s, const char *group,
			const struct vfio_group_device *devs, size_t n, pid_t *pid,
			char *comm, size_t size)
{
	_cleanup_free_ char(*nodes)[64] = calloc(n + 1, sizeof(*nodes));
	_cleanup_free_ const char **list = calloc(n + 1, sizeof(*list));
	size_t k = 0;

	if (!nodes || !list)
		return -ENOMEM;
	if (path_format(nodes[k], sizeof(nodes[k]), "/dev/vfio/%s", group) >= 0)
		list[k] = nodes[k], k++;
	for (size_t i = 0; i < n; i++) {
		nodes[k][0] = '/';
		if (cdev_node(s, devs[i].addr, nodes[k] + 1, sizeof(nodes[k]) - 1) >= 0)
			list[k] = nodes[k], k++;
	}
	return vfio_node_holder(s, list, k, pid, comm, size);
}

/* A group QEMU would find in use: skipped, naming who has it. */
static bool report_in_use(const struct sysroot *s, struct report *rep, const char *group,
			  const struct vfio_group_device *devs, size_t n)
{
	char comm[64];
	pid_t pid;

	if (group_holder(s, group, devs, n, &pid, comm, sizeof(comm)) > 0) {
		say(rep, V_SKIP, devs[0].addr, NULL,
		    "IOMMU group %s is in use by %s (pid %d): the kernel check is skipped",
		    group, comm, (int)pid);
		return true;
	}
	return false;
}

static void report_devices(struct report *rep, const char *group,
			   const struct vfio_group_result *res,
			   const struct vfio_group_device *devs, size_t n)
{
	const char *type = res->type1v2 ? "type1v2" : "type1";

	for (size_t i = 0; i < n; i++) {
		if (devs[i].err)
			say(rep, V_FAIL, devs[i].addr, NULL,
			    "the kernel would not give QEMU its device (VFIO_GROUP_GET_DEVICE_FD on group %s): %s",
			    group, strerror(devs[i].err));
		else if (devs[i].reset)
			say(rep, V_OK, devs[i].addr, NULL,
			    "the kernel gives QEMU its device: group %s viable, %s IOMMU set, device opened and closed; vfio-pci can reset it",
			    group, type);
		else
			say(rep, V_WARN, devs[i].addr,
			    "choose a reset method the device has (reset_method, vfio-bind.reset=ADDRESS:METHOD), or boot the guest only once per host boot",
			    "the kernel gives QEMU its device (group %s, %s IOMMU), but vfio-pci cannot reset it: a guest may find it as the last one left it",
			    group, type);
	}
}

static void report_open_failure(struct report *rep, const char *group,
				const struct vfio_group_result *res, const char *addr)
{
	if (res->err == EACCES || res->err == EPERM)
		say(rep, V_WARN, addr, "run vfio-bind check as root",
		    "cannot open /dev/vfio/%s for the kernel check: %s", group,
		    strerror(res->err));
	else if (res->err == EBUSY)
		say(rep, V_SKIP, addr, NULL,
		    "IOMMU group %s is in use (/dev/vfio/%s is open in a process /proc does not show): the kernel check is skipped",
		    group, group);
	else
		say(rep, V_FAIL, addr, NULL, "cannot open /dev/vfio/%s: %s", group,
		    strerror(res->err));
}

/* Every answer but the devices' and the group node's own. */
static void report_group_failure(struct report *rep, const char *group,
				 const struct vfio_group_result *res, const char *addr)
{
	switch (res->step) {
	case VG_NOT_VIABLE:
		say(rep, V_FAIL, addr,
		    "bind every function of the group to vfio-pci (the lines above name the one on a host driver)",
		    "the kernel says IOMMU group %s is not viable (VFIO_GROUP_GET_STATUS): QEMU would refuse it",
		    group);
		break;
	case VG_STATUS:
		say(rep, V_FAIL, addr, NULL,
		    "VFIO_GROUP_GET_STATUS on /dev/vfio/%s failed: %s", group,
		    strerror(res->err));
		break;
	case VG_CONTAINER:
		say(rep, V_FAIL, addr, "load the vfio module (modprobe vfio)",
		    "cannot open /dev/vfio/vfio, the container QEMU needs: %s",
		    strerror(res->err));
		break;
	case VG_API_VERSION:
		say(rep, V_FAIL, addr, NULL,
		    "/dev/vfio/vfio speaks vfio API version %d, QEMU speaks %d",
		    res->version, res->wanted);
		break;
	case VG_NO_TYPE1:
		say(rep, V_FAIL, addr,
		    "load vfio_iommu_type1 (modprobe vfio_iommu_type1)",
		    "/dev/vfio/vfio offers no type1 IOMMU, which QEMU needs");
		break;
	case VG_SET_CONTAINER:
		say(rep, V_FAIL, addr, NULL,
		    "the kernel would not put IOMMU group %s in a container (VG_SET_CONTAINER): %s",
		    group, strerror(res->err));
		break;
	case VG_SET_IOMMU:
		/* vfio_iommu_type1_attach_group(): no MSI remapping, EPERM. */
		if (res->err == EPERM)
			say(rep, V_FAIL, addr,
			    "turn on interrupt remapping (VT-d or AMD-Vi in the firmware, no intremap=off), or accept the risk with vfio_iommu_type1.allow_unsafe_interrupts=1",
			    "the kernel would not set a type1 IOMMU for IOMMU group %s (VFIO_SET_IOMMU): the IOMMU does no interrupt remapping",
			    group);
		else
			say(rep, V_FAIL, addr, NULL,
			    "the kernel would not set a type1 IOMMU for IOMMU group %s (VFIO_SET_IOMMU): %s",
			    group, strerror(res->err));
		break;
	default:
		break;
	}
}

/* A group QEMU may find held: by a VM's group fd (EBUSY) or its cdev. */
static bool maybe_held(const struct vfio_group_result *res)
{
	return (res->step == VG_OPEN && res->err == EBUSY) || res->step == VG_NOT_VIABLE;
}

/* Opens the group of c->items[first] as QEMU does, and says what the kernel said. */
static void check_kernel_group(const struct sysroot *s, struct report *rep,
			       const struct candidates *c, size_t first)
{
	_cleanup_free_ struct vfio_group_device *devs = calloc(c->n, sizeof(*devs));
	const char *group = c->items[first].f.iommu_group;
	struct vfio_group_result res;
	char cdev[64];
	size_t n;
	int r;

	if (!devs) {
		say(rep, V_FAIL, NULL, NULL, "out of memory");
		return;
	}
	n = group_devices(s, c, first, devs);
	r = sysroot_existsf(s, "dev/vfio/%s", group);
	if (r < 0)
		return;
	if (r == 0) {
		if (cdev_node(s, devs[0].addr, cdev, sizeof(cdev)) >= 0 &&
		    sysroot_exists(s, cdev))
			say(rep, V_SKIP, devs[0].addr, NULL,
			    "only the iommufd cdev is there: the kernel check opens /dev/vfio/%s, as QEMU does without iommufd=, and is skipped",
			    group);
		return;
	}
	if (vfio_group_try(s, group, devs, n, &res) < 0)
		return;
	if (res.step == VG_USABLE)
		report_devices(rep, group, &res, devs, n);
	else if (maybe_held(&res) && report_in_use(s, rep, group, devs, n))
		return;
	else if (res.step == VG_OPEN)
		report_open_failure(rep, group, &res, devs[0].addr);
	else
		report_group_failure(rep, group, &res, devs[0].addr);
}

/* Only on the running system, and with an IOMMU: QEMU has no use for the rest. */
static void check_kernel(const struct sysroot *s, struct report *rep,
			 const struct candidates *c, enum iommu_state iommu)
{
	if (!s->is_live) {
		say(rep, V_SKIP, NULL, NULL,
		    "the kernel check (each group opened as QEMU opens it) runs on the running system only, not under --root");
		return;
	}
	if (iommu == IOMMU_OFF_NOIOMMU)
		say(rep, V_SKIP, NULL, NULL,
		    "the kernel check: QEMU assigns no device without an IOMMU, so vfio's no-IOMMU mode is not checked");
	if (iommu != IOMMU_ON)
		return;
	for (size_t i = 0; i < c->n; i++)
		if (kernel_checkable(s, &c->items[i]) && !group_seen(s, c, i))
			check_kernel_group(s, rep, c, i);
}

void check_kargs_fix(const struct sysroot *s, const char *cmdline, const char *args,
		     const char *what, char *fix, size_t size)
{
	struct boot_loader bl;

	bootloader_detect(s, cmdline, &bl);
	if (bl.layout == BOOT_LAYOUT_UNKNOWN)
		str_format(
			fix, size,
			"add %s to the kernel command line where your boot loader reads it (vfio-bind kargs%s prints it)",
			what, args);
	else
		str_format(
			fix, size,
			"vfio-bind kargs --apply%s: it adds %s to %s and runs %s (%s), then reboot",
			args, what, boot_layout_file(bl.layout),
			boot_layout_command(bl.layout), boot_layout_name(bl.layout));
}

static void check_iommu(const struct sysroot *s, struct report *rep,
			enum iommu_state state, const char *cmdline)
{
	struct iommu_off off;
	char why[256], fix[256];

	if (state == IOMMU_ON) {
		say(rep, V_OK, NULL, NULL, "IOMMU is on");
		return;
	}
	iommu_off_diagnose(s, cmdline, &off);
	iommu_off_describe(&off, why, sizeof(why), fix, sizeof(fix));
	if (off.cause == IOMMU_OFF_NOT_ASKED)
		check_kargs_fix(s, cmdline, "", "intel_iommu=on", fix, sizeof(fix));
	if (state == IOMMU_OFF_NOIOMMU)
		say(rep, V_WARN, NULL, fix,
		    "IOMMU is off: %s; vfio's unsafe no-IOMMU mode is on: no DMA isolation",
		    why);
	else
		say(rep, V_FAIL, NULL, fix, "IOMMU is off: %s", why);
}

/*
 * A kernel argument that the running kernel did not get but the boot
 * loader's configuration has: name the file and what applies it.
 */
static void check_boot_loader(const struct sysroot *s, struct report *rep,
			      const char *cmdline, const char *const *names,
			      const char *what)
{
	struct bootloader_hint hint;
	char **values;
	size_t n = 0;

	if (!cmdline)
		return;
	for (size_t i = 0; names[i]; i++) {
		if (kernel_param_values(cmdline, names[i], &values, &n) < 0)
			return;
		strv_free(values, n);
		if (n > 0)
			return;
	}
	if (bootloader_find(s, names, &hint) > 0)
		say(rep, V_FAIL, NULL, hint.command,
		    "%s is in %s, not on the running kernel's command line", what,
		    hint.file);
}

/* driverctl's udev rule sets its override after boot, and takes the function back. */
static void check_driverctl(const struct sysroot *s, struct report *rep,
			    const struct boot_config *cfg, const struct candidates *c)
{
	const struct driverctl_override *o;
	char fix[128];

	for (size_t i = 0; i < c->n; i++) {
		const struct pci_function *f = &c->items[i].f;

		o = driverctl_find(cfg->driverctl, cfg->n_driverctl, f->addr);
		if (!o || pci_driver_is_vfio(s, o->driver))
			continue;
		snprintf(fix, sizeof(fix), "driverctl unset-override %s", f->addr);
		say(rep, V_FAIL, f->addr, fix,
		    "conflicts with driverctl's /etc/driverctl.d/pci-%s, which gives it to %s at every boot",
		    o->name, o->driver);
	}
}

/* The module of the function's driver, with underscores, as blacklist lines name it. */
static void driver_module(const struct sysroot *s, const struct pci_function *f,
			  char *module, size_t size)
{
	if (sysroot_read_link_namef(s, module, size, PCI_DEVICES "/%s/driver/module",
				    f->addr) < 0)
		str_copy(module, size, f->driver);
	for (char *p = module; *p; p++)
		if (*p == '-')
			*p = '_';
}

static bool is_candidate(const struct candidates *c, const char *addr)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->items[i].f.addr, addr) == 0)
			return true;
	return false;
}

/* A blacklisted module that drives a function left to the host. */
static void check_blacklist(const struct sysroot *s, struct report *rep,
			    const struct candidates *c, const struct host_facts *host,
			    const char *module, const char *where)
{
	const struct pci_function *all = host->all;
	char name[DRIVER_NAME_MAX];

	for (size_t i = 0; i < host->n_all; i++) {
		if (!all[i].driver[0] || is_candidate(c, all[i].addr))
			continue;
		driver_module(s, &all[i], name, sizeof(name));
		if (strcmp(name, module) == 0)
			say(rep, V_WARN, all[i].addr,
			    "remove the blacklist: vfio-bind puts the selected functions on vfio-pci before udev loads host drivers",
			    "[%04x:%04x] is not selected and needs %s, which %s blacklists: udev will not load it",
			    all[i].vendor, all[i].device, module, where);
	}
}

static void check_cmdline_blacklist(const struct sysroot *s, struct report *rep,
				    const struct candidates *c,
				    const struct host_facts *host, const char *cmdline,
				    const char *param)
{
	char module[DRIVER_NAME_MAX], where[64];
	char **values = NULL;
	size_t n = 0;

	if (kernel_param_values(cmdline, param, &values, &n) < 0)
		return;
	str_format(where, sizeof(where), "%s=", param);
	for (size_t i = 0; i < n; i++)
		for (char *save = NULL, *m = strtok_r(values[i], ",", &save); m;
		     m = strtok_r(NULL, ",", &save)) {
			str_copy(module, sizeof(module), m);
			if (modname_underscores(module) == 0)
				check_blacklist(s, rep, c, host, module, where);
		}
	strv_free(values, n);
}

/* What modprobe.d and the command line do around vfio-pci. */
static void check_module_config(const struct sysroot *s, struct report *rep,
				const struct boot_config *cfg, const struct candidates *c,
				const struct host_facts *host)
{
	const char *cmdline = cfg->cmdline;
	char where[SELECTION_ORIGIN_MAX];
	char **values = NULL;
	size_t n = 0;

	if (!cmdline)
		return;
	for (size_t i = 0; i < cfg->modprobe.n; i++) {
		const struct modprobe_entry *e = &cfg->modprobe.entries[i];

		modprobe_entry_where(e, where, sizeof(where));
		if (e->kind == MODPROBE_BLACKLIST && strcmp(e->module, "vfio_pci") == 0)
			say(rep, V_FAIL, NULL, "remove that line",
			    "blacklist vfio_pci (%s) keeps vfio-bind from loading vfio-pci",
			    where);
		else if (e->kind == MODPROBE_BLACKLIST)
			check_blacklist(s, rep, c, host, e->module, where);
		else if (e->kind == MODPROBE_SOFTDEP &&
			 (strstr(e->rest, "vfio-pci") || strstr(e->rest, "vfio_pci")))
			say(rep, V_OK, NULL, NULL,
			    "softdep %s %s (%s) is not needed: vfio-bind puts the functions on vfio-pci before udev loads %s",
			    e->module, e->rest, where, e->module);
	}
	check_cmdline_blacklist(s, rep, c, host, cmdline, "modprobe.blacklist");
	/* dracut turns it into blacklist lines in /run/modprobe.d (parse-kernel.sh) */
	check_cmdline_blacklist(s, rep, c, host, cmdline, "rd.driver.blacklist");
	if (kernel_param_values(cmdline, "rd.driver.pre", &values, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (strstr(values[i], "vfio-pci") || strstr(values[i], "vfio_pci"))
			say(rep, V_OK, NULL, NULL,
			    "rd.driver.pre=%s is not needed: vfio-bind loads vfio-pci itself, and without it vfio-pci takes no function the storage guard keeps",
			    values[i]);
	strv_free(values, n);
}

/* Built in, vfio-pci gets the command line's ids= at boot, and never modprobe.d's. */
static void check_builtin(const struct sysroot *s, struct report *rep)
{
	char release[128];
	_cleanup_free_ char *builtin = NULL;

	if (sysroot_read(s, "proc/sys/kernel/osrelease", release, sizeof(release)) < 0 ||
	    sysroot_read_filef(s, &builtin, "lib/modules/%s/modules.builtin", release) <
		    0 ||
	    !strstr(builtin, "/vfio-pci.ko"))
		return;
	say(rep, V_WARN, NULL,
	    "select with options vfio-pci ids= in modprobe.d or vfio-bind.addrs= (vfio-bind binds them, the storage guard holds), not vfio-pci.ids=",
	    "vfio-pci is built into the kernel (modules.builtin): modprobe.d's options never reach it, and it takes what vfio-pci.ids= on the kernel command line names at boot, before vfio-bind runs");
}

/*
 * vfio-pci hands disable_idle_d3 to vfio-pci-core once, when it loads
 * (vfio_pci_init()): a value written later to the parameter changes nothing.
 */
static void check_idle_d3(struct report *rep, const struct vfio_params *params)
{
	if (params->vfio_pci_loaded &&
	    params->disable_idle_d3 != params->disable_idle_d3_asked)
		say(rep, V_WARN, NULL,
		    "reboot, or unload and load vfio-pci, for the command line's value to apply",
		    "vfio-pci.disable_idle_d3 is %s, but the kernel command line sets it %s: vfio-pci was loaded without it",
		    params->disable_idle_d3 ? "on" : "off",
		    params->disable_idle_d3_asked ? "on" : "off");
	else if (params->disable_idle_d3)
		say(rep, V_OK, NULL, NULL,
		    "vfio-pci.disable_idle_d3 is on: vfio-pci keeps idle functions in D0");
	else
		say(rep, V_OK, NULL, NULL,
		    "vfio-pci.disable_idle_d3 is off: vfio-pci puts idle functions in D3hot (=1 keeps them in D0, for devices that do not come back from D3)");
}

static void say_record(void *rep, enum record_verdict v, const char *subject,
		       const char *fix, const char *msg)
{
	say(rep, v == RECORD_SAYS_OK ? V_OK : V_WARN, subject, fix, "%s", msg);
}

/* The arguments' selection, else the kernel command line's; an exit status. */
static int check_selection(struct sysroot *s, const struct options *opts,
			   struct boot_config *cfg, struct vfio_params *params,
			   struct reset_requests *resets, struct host_facts *host,
			   struct candidates *c)
{
	_cleanup_selector_ struct selector selector = {0};
	bool present = false;
	int r;

	r = boot_config_read(s, cfg);
	if (r >= 0)
		r = selector_from_boot_config(cfg, &selector, &present);
	if (r < 0 && selection_exit_status(r) == EXIT_USAGE)
		return EXIT_USAGE;
	if (r >= 0 && (vfio_read_params(s, cfg, params) < 0 ||
		       reset_requests_read(cfg->cmdline, resets) < 0))
		return EXIT_USAGE;
	if (opts->n_args > 0) {
		selector_free(&selector);
		if (selector_from_args(opts->args, opts->n_args, true, &selector) < 0)
			return EXIT_USAGE;
	}
	/* every function, read once: the selection, its groups, blacklists */
	r = match_every_function(s, &host->all, &host->n_all);
	if (r >= 0)
		r = take_match_read(s, &selector, params, host->all, host->n_all, c);
	return r < 0 ? EXIT_USAGE : EXIT_OK;
}

static int run_checks(struct sysroot *s, const struct options *opts, struct report *rep,
		      struct boot_records *records)
{
	static const char *const iommu_params[] = {"intel_iommu", "amd_iommu", NULL};
	static const char *const selection_params[] = {"vfio_pci.ids", ADDRS_PARAM, NULL};
	_cleanup_boot_config_ struct boot_config cfg = {0};
	_cleanup_candidates_ struct candidates c = {0};
	_cleanup_reset_requests_ struct reset_requests resets = {0};
	struct vfio_params params = {0};
	_cleanup_(host_facts_free) struct host_facts host = {
		.resets = &resets, .params = &params, .many_nodes = numa_many_nodes(s)};
	enum iommu_state iommu;
	int status;

	status = check_selection(s, opts, &cfg, &params, &resets, &host, &c);
	if (status != EXIT_OK)
		return status;
	iommu = iommu_state(s, &params);
	if (rep->json)
		fputs("{\n  \"checks\": [", stdout);
	check_iommu(s, rep, iommu, cfg.cmdline);
	if (iommu != IOMMU_ON)
		check_boot_loader(s, rep, cfg.cmdline, iommu_params,
				  "the IOMMU's argument");
	check_idle_d3(rep, &params);
	if (c.n == 0) {
		char fix[512];

		check_kargs_fix(s, cfg.cmdline, " ADDRESS...", "vfio-pci.ids=", fix,
				sizeof(fix));
		say(rep, V_FAIL, NULL, fix, "no PCI function is selected");
	}
	if (c.n == 0 && opts->n_args == 0)
		check_boot_loader(s, rep, cfg.cmdline, selection_params, "the selection");
	if (c.n > 0)
		host.iomem_err = iomem_read(s, &host.iomem);
	host.cmdline = cfg.cmdline;
	for (size_t i = 0; i < c.n; i++)
		check_function(s, rep, &c.items[i], &host);
	check_driverctl(s, rep, &cfg, &c);
	check_module_config(s, rep, &cfg, &c, &host);
	check_builtin(s, rep);
	boot_records_check(s, records, say_record, rep);
	if (c.n > 0)
		check_kernel(s, rep, &c, iommu);
	if (iommu == IOMMU_OFF)
		return EXIT_PRECONDITION;
	return rep->failures ? EXIT_PARTIAL : EXIT_OK;
}

int cmd_check(struct sysroot *s, const struct options *opts)
{
	_cleanup_boot_records_ struct boot_records records = {0};
	struct report rep = {.json = opts->json};
	int status = opts->next_boot ? next_boot_checks(s, &rep)
				     : run_checks(s, opts, &rep, &records);

	if (rep.json && status != EXIT_USAGE) {
		fputs("\n  ],\n", stdout);
		if (!opts->next_boot)
			boot_records_json(stdout, &records);
		printf("  \"ok\": %s\n}\n", rep.failures ? "false" : "true");
	}
	return status;
}

int check_failures(struct sysroot *s, struct check_failure **failures, size_t *n)
{
	_cleanup_boot_records_ struct boot_records records = {0};
	const struct options everything = {0};
	struct report rep = {.gather = true};
	int status = run_checks(s, &everything, &rep, &records);

	*failures = rep.gathered;
	*n = rep.n_gathered;
	return status;
}
