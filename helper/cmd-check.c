// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-bind check: will a VM launch get the selected functions? IOMMU on,
 * each function on vfio-pci, each IOMMU group viable, its /dev/vfio node
 * there; the boot GPU flagged.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "bootloader.h"
#include "commands.h"
#include "driverctl.h"
#include "framebuffer.h"
#include "json.h"
#include "kernel-cmdline.h"
#include "log.h"
#include "match.h"
#include "modprobe.h"
#include "numa.h"
#include "util.h"

enum verdict { V_OK, V_WARN, V_FAIL };

struct report {
	bool json;
	size_t n;
	size_t failures;
};

static void say(struct report *rep, enum verdict v, const char *subject, const char *fix,
		const char *fmt, ...) _printf_format_(5, 6);

static void say(struct report *rep, enum verdict v, const char *subject, const char *fix,
		const char *fmt, ...)
{
	static const char *const names[] = {"ok", "warn", "fail"};
	static const char *const labels[] = {"ok  ", "WARN", "FAIL"};
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rep->failures += v == V_FAIL;
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
static bool driver_allows_vfio(const char *driver)
{
	return !driver[0] || strncmp(driver, "vfio", 4) == 0 ||
	       strcmp(driver, "pci-stub") == 0 || strcmp(driver, "pcieport") == 0;
}

static void check_group(const struct sysroot *s, struct report *rep,
			const struct pci_function *f)
{
	_cleanup_closedir_ DIR *dir = NULL;
	char path[128], fix[256];
	struct dirent *de;
	size_t blockers = 0;

	if (path_format(path, sizeof(path), "sys/kernel/iommu_groups/%s/devices",
			f->iommu_group) < 0 ||
	    sysroot_opendir(s, path, &dir) < 0)
		return;
	while ((de = readdir(dir))) {
		struct pci_function other;
		uint8_t type;

		if (de->d_name[0] == '.' || strcmp(de->d_name, f->addr) == 0)
			continue;
		if (pci_read_function(s, de->d_name, &other) < 0 ||
		    (pci_read_header_type(s, other.addr, &type) == 0 && type != 0) ||
		    driver_allows_vfio(other.driver))
			continue;
		snprintf(
			fix, sizeof(fix),
			"select %s too (vfio-bind ids %s), or move the card to a slot with its own IOMMU group",
			other.addr, other.addr);
		say(rep, V_FAIL, f->addr, fix,
		    "IOMMU group %s is not viable: %s [%04x:%04x] in it is on %s",
		    f->iommu_group, other.addr, other.vendor, other.device, other.driver);
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
	char path[128];
	struct dirent *de;
	int r;

	r = pci_device_path(path, sizeof(path), addr, "vfio-dev");
	if (r >= 0)
		r = sysroot_opendir(s, path, &dir);
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

static void check_framebuffer(const struct sysroot *s, struct report *rep,
			      const struct pci_function *f)
{
	struct framebuffer fb;
	int r = framebuffer_in_bars(s, f->addr, &fb);

	if (r < 0)
		say(rep, V_WARN, f->addr, "run vfio-bind check as root",
		    "cannot read /proc/iomem: %s", strerror(-r));
	else if (r > 0)
		say(rep, V_FAIL, f->addr,
		    "boot with initcall_blacklist=sysfb_init (BOOTFB, simpledrm) or video=efifb:off (efifb), or make another GPU the firmware's boot display",
		    "firmware framebuffer %s holds %llx-%llx inside its BAR: vfio-pci cannot reserve it for a guest",
		    fb.name, (unsigned long long)fb.start, (unsigned long long)fb.end);
}

static void check_function(const struct sysroot *s, struct report *rep,
			   const struct candidate *it, bool noiommu, bool many_nodes)
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
	if (strcmp(f->driver, VFIO_PCI) != 0) {
		snprintf(
			fix, sizeof(fix),
			"run vfio-bind bind %s now; for boot, install the initramfs integration and rebuild (update-initramfs -u, dracut -f)",
			f->addr);
		say(rep, V_FAIL, f->addr, fix, "[%04x:%04x] is on %s, not vfio-pci",
		    f->vendor, f->device, f->driver[0] ? f->driver : "no driver");
	} else {
		say(rep, V_OK, f->addr, NULL, "[%04x:%04x] is on vfio-pci", f->vendor,
		    f->device);
	}
	if (f->iommu_group[0]) {
		check_group(s, rep, f);
		if (strcmp(f->driver, VFIO_PCI) == 0)
			check_nodes(s, rep, f, noiommu);
	}
	check_numa(s, rep, f, many_nodes);
	check_framebuffer(s, rep, f);
	if (pci_read_number(s, f->addr, "boot_vga", &boot_vga) == 0 && boot_vga > 0)
		say(rep, V_WARN, f->addr,
		    "give the host another display, or boot with video=efifb:off video=simplefb:off so no framebuffer keeps its memory",
		    "is the boot GPU (boot_vga=1): the firmware framebuffer holds it until vfio-pci takes it");
}

static void check_iommu(struct report *rep, enum iommu_state state)
{
	if (state == IOMMU_ON)
		say(rep, V_OK, NULL, NULL, "IOMMU is on");
	else if (state == IOMMU_OFF_NOIOMMU)
		say(rep, V_WARN, NULL, "enable the IOMMU (" IOMMU_OFF_FIX ")",
		    "IOMMU is off; vfio's unsafe no-IOMMU mode is on: no DMA isolation");
	else
		say(rep, V_FAIL, NULL, IOMMU_OFF_FIX, "IOMMU is off");
}

/*
 * A kernel argument that the running kernel did not get but the boot
 * loader's configuration has: name the file and what applies it.
 */
static void check_boot_loader(const struct sysroot *s, struct report *rep,
			      const char *const *names, const char *what)
{
	_cleanup_free_ char *cmdline = NULL;
	struct bootloader_hint hint;
	char **values;
	size_t n = 0;

	if (cmdline_read(s, &cmdline) < 0)
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
			    const struct candidates *c)
{
	_cleanup_free_ struct driverctl_override *overrides = NULL;
	const struct driverctl_override *o;
	char fix[128];
	size_t n = 0;

	if (driverctl_read(s, &overrides, &n) < 0)
		return;
	for (size_t i = 0; i < c->n; i++) {
		const struct pci_function *f = &c->items[i].f;

		o = driverctl_find(overrides, n, f->addr);
		if (!o || strcmp(o->driver, VFIO_PCI) == 0)
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
	char path[128];

	if (path_format(path, sizeof(path), "sys/bus/pci/devices/%s/driver/module",
			f->addr) < 0 ||
	    sysroot_read_link_name(s, path, module, size) < 0)
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
			    const struct candidates *c, const char *module,
			    const char *where)
{
	_cleanup_free_ struct pci_function *all = NULL;
	char name[DRIVER_NAME_MAX];
	size_t n = 0;

	if (pci_read_all(s, &all, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
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
				    const struct candidates *c, const char *cmdline,
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
				check_blacklist(s, rep, c, module, where);
		}
	strv_free(values, n);
}

/* What modprobe.d and the command line do around vfio-pci. */
static void check_module_config(const struct sysroot *s, struct report *rep,
				const struct candidates *c)
{
	_cleanup_modprobe_config_ struct modprobe_config cfg = {0};
	_cleanup_free_ char *cmdline = NULL;
	char where[SELECTION_ORIGIN_MAX];
	char **values = NULL;
	size_t n = 0;

	if (modprobe_config_read(s, &cfg) < 0 || cmdline_read(s, &cmdline) < 0)
		return;
	for (size_t i = 0; i < cfg.n; i++) {
		const struct modprobe_entry *e = &cfg.entries[i];

		modprobe_entry_where(e, where, sizeof(where));
		if (e->kind == MODPROBE_BLACKLIST && strcmp(e->module, "vfio_pci") == 0)
			say(rep, V_FAIL, NULL, "remove that line",
			    "blacklist vfio_pci (%s) keeps vfio-bind from loading vfio-pci",
			    where);
		else if (e->kind == MODPROBE_BLACKLIST)
			check_blacklist(s, rep, c, e->module, where);
		else if (e->kind == MODPROBE_SOFTDEP &&
			 (strstr(e->rest, "vfio-pci") || strstr(e->rest, "vfio_pci")))
			say(rep, V_OK, NULL, NULL,
			    "softdep %s %s (%s) is not needed: vfio-bind puts the functions on vfio-pci before udev loads %s",
			    e->module, e->rest, where, e->module);
	}
	check_cmdline_blacklist(s, rep, c, cmdline, "modprobe.blacklist");
	/* dracut turns it into blacklist lines in /run/modprobe.d (parse-kernel.sh) */
	check_cmdline_blacklist(s, rep, c, cmdline, "rd.driver.blacklist");
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
	char release[128], path[256];
	_cleanup_free_ char *builtin = NULL;

	if (sysroot_read(s, "proc/sys/kernel/osrelease", release, sizeof(release)) < 0 ||
	    path_format(path, sizeof(path), "lib/modules/%s/modules.builtin", release) <
		    0 ||
	    sysroot_read_file(s, path, &builtin) < 0 || !strstr(builtin, "/vfio-pci.ko"))
		return;
	say(rep, V_WARN, NULL,
	    "select with options vfio-pci ids= in modprobe.d or vfio-bind.addrs= (vfio-bind binds them, the storage guard holds), not vfio-pci.ids=",
	    "vfio-pci is built into the kernel (modules.builtin): modprobe.d's options never reach it, and it takes what vfio-pci.ids= on the kernel command line names at boot, before vfio-bind runs");
}

/* The arguments' selection, else the kernel command line's; an exit status. */
static int check_selection(struct sysroot *s, const struct options *opts,
			   struct vfio_params *params, struct candidates *c)
{
	_cleanup_free_ char *cmdline = NULL;
	_cleanup_selector_ struct selector selector = {0};
	bool present = false;
	int r;

	r = selector_read_kernel(s, &selector, &present, &cmdline);
	if (r < 0 && selection_exit_status(r) == EXIT_USAGE)
		return EXIT_USAGE;
	if (r >= 0 && vfio_read_params(s, cmdline, params) < 0)
		return EXIT_USAGE;
	if (opts->n_args > 0) {
		selector_free(&selector);
		if (selector_from_args(opts->args, opts->n_args, true, &selector) < 0)
			return EXIT_USAGE;
	}
	r = match_functions(s, &selector, params, c);
	return r < 0 ? EXIT_USAGE : EXIT_OK;
}

int cmd_check(struct sysroot *s, const struct options *opts)
{
	static const char *const iommu_params[] = {"intel_iommu", "amd_iommu", NULL};
	static const char *const selection_params[] = {"vfio_pci.ids", ADDRS_PARAM, NULL};
	_cleanup_candidates_ struct candidates c = {0};
	struct report rep = {.json = opts->json};
	struct vfio_params params = {0};
	enum iommu_state iommu;
	bool many_nodes = numa_many_nodes(s);
	int status;

	status = check_selection(s, opts, &params, &c);
	if (status != EXIT_OK)
		return status;
	iommu = iommu_state(s, &params);
	if (opts->json)
		fputs("{\n  \"checks\": [", stdout);
	check_iommu(&rep, iommu);
	if (iommu != IOMMU_ON)
		check_boot_loader(s, &rep, iommu_params, "the IOMMU's argument");
	if (c.n == 0)
		say(&rep, V_FAIL, NULL,
		    "add vfio-pci.ids= (vfio-bind ids ADDRESS prints it) to the kernel command line, or options vfio-pci ids= to /etc/modprobe.d",
		    "no PCI function is selected");
	if (c.n == 0 && opts->n_args == 0)
		check_boot_loader(s, &rep, selection_params, "the selection");
	for (size_t i = 0; i < c.n; i++)
		check_function(s, &rep, &c.items[i], params.noiommu, many_nodes);
	check_driverctl(s, &rep, &c);
	check_module_config(s, &rep, &c);
	check_builtin(s, &rep);
	if (opts->json)
		printf("\n  ],\n  \"ok\": %s\n}\n", rep.failures ? "false" : "true");
	if (iommu == IOMMU_OFF)
		return EXIT_PRECONDITION;
	return rep.failures ? EXIT_PARTIAL : EXIT_OK;
}
