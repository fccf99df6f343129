// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-bind check: will a VM launch get the selected functions? IOMMU on,
 * each function on vfio-pci, each IOMMU group viable, its /dev/vfio node
 * there; the boot GPU flagged.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "json.h"
#include "kcmdline.h"
#include "log.h"
#include "select.h"

enum verdict { V_OK, V_WARN, V_FAIL };

struct report {
	bool json;
	size_t n;
	size_t failures;
};

static void say(struct report *rep, enum verdict v, const char *subject,
		const char *fix, const char *fmt, ...) _printf_format_(5, 6);

static void say(struct report *rep, enum verdict v, const char *subject,
		const char *fix, const char *fmt, ...)
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

static bool iommu_groups_exist(const struct sysroot *s)
{
	struct dirent *de;
	bool any = false;
	DIR *dir;

	if (sysroot_opendir(s, "sys/kernel/iommu_groups", &dir) < 0)
		return false;
	while (!any && (de = readdir(dir)))
		any = de->d_name[0] != '.';
	closedir(dir);
	return any;
}

/*
 * The kernel claims a whole group for DMA only when no other device in it
 * has a driver that is not DMA-managed (iommu_group_claim_dma_owner()):
 * vfio drivers, pci-stub and pcieport are; bridges do not count.
 */
static bool driver_allows_vfio(const char *driver)
{
	return !driver[0] || strncmp(driver, "vfio", 4) == 0 ||
	       strcmp(driver, "pci-stub") == 0 ||
	       strcmp(driver, "pcieport") == 0;
}

static void check_group(const struct sysroot *s, struct report *rep,
			const struct pci_function *f)
{
	char path[128], fix[256];
	struct dirent *de;
	size_t blockers = 0;
	DIR *dir;

	if (path_format(path, sizeof(path),
			"sys/kernel/iommu_groups/%s/devices",
			f->iommu_group) < 0 ||
	    sysroot_opendir(s, path, &dir) < 0)
		return;
	while ((de = readdir(dir))) {
		struct pci_function other;
		uint8_t type;

		if (de->d_name[0] == '.' || strcmp(de->d_name, f->addr) == 0)
			continue;
		if (pci_read_function(s, de->d_name, &other) < 0 ||
		    (pci_read_header_type(s, other.addr, &type) == 0 &&
		     type != 0) ||
		    driver_allows_vfio(other.driver))
			continue;
		snprintf(
			fix, sizeof(fix),
			"select %s too (vfio-bind ids %s), or move the card to "
			"a slot with its own IOMMU group",
			other.addr, other.addr);
		say(rep, V_FAIL, f->addr, fix,
		    "IOMMU group %s is not viable: %s [%04x:%04x] in it is on "
		    "%s",
		    f->iommu_group, other.addr, other.vendor, other.device,
		    other.driver);
		blockers++;
	}
	closedir(dir);
	if (blockers == 0)
		say(rep, V_OK, f->addr, NULL, "IOMMU group %s is viable",
		    f->iommu_group);
}

static void check_function(const struct sysroot *s, struct report *rep,
			   const struct selected *it, bool noiommu)
{
	const struct pci_function *f = &it->f;
	char node[64], fix[256];
	long boot_vga = 0;

	if (it->skip[0]) {
		say(rep, V_FAIL, f->addr, NULL, "is not taken: %s", it->skip);
		return;
	}
	if (strcmp(f->driver, VFIO_PCI) != 0) {
		snprintf(fix, sizeof(fix),
			 "run vfio-bind bind %s now; for boot, install the "
			 "initramfs integration and rebuild (update-initramfs "
			 "-u, dracut -f)",
			 f->addr);
		say(rep, V_FAIL, f->addr, fix,
		    "[%04x:%04x] is on %s, not vfio-pci", f->vendor, f->device,
		    f->driver[0] ? f->driver : "no driver");
	} else {
		say(rep, V_OK, f->addr, NULL, "[%04x:%04x] is on vfio-pci",
		    f->vendor, f->device);
	}
	if (f->iommu_group[0]) {
		check_group(s, rep, f);
		if (path_format(node, sizeof(node), "dev/vfio/%s%s",
				noiommu ? "noiommu-" : "",
				f->iommu_group) >= 0 &&
		    strcmp(f->driver, VFIO_PCI) == 0) {
			if (sysroot_exists(s, node))
				say(rep, V_OK, f->addr, NULL, "/%s is there",
				    node);
			else
				say(rep, V_FAIL, f->addr,
				    "mount devtmpfs on /dev, or check udev's "
				    "vfio rules",
				    "/%s is missing", node);
		}
	}
	if (pci_read_number(s, f->addr, "boot_vga", &boot_vga) == 0 &&
	    boot_vga > 0)
		say(rep, V_WARN, f->addr,
		    "give the host another display, or boot with "
		    "video=efifb:off video=simplefb:off so no framebuffer "
		    "keeps its memory",
		    "is the boot GPU (boot_vga=1): the firmware framebuffer "
		    "holds it until vfio-pci takes it");
}

static void check_iommu(const struct sysroot *s, struct report *rep,
			const struct vfio_params *params)
{
	if (iommu_groups_exist(s))
		say(rep, V_OK, NULL, NULL, "IOMMU is on");
	else if (params->noiommu)
		say(rep, V_WARN, NULL, "enable the IOMMU (" IOMMU_OFF_FIX ")",
		    "IOMMU is off; vfio's unsafe no-IOMMU mode is on: no DMA "
		    "isolation");
	else
		say(rep, V_FAIL, NULL, IOMMU_OFF_FIX, "IOMMU is off");
}

int cmd_check(struct sysroot *s, const struct options *opts)
{
	struct report rep = {.json = opts->json};
	struct selector selector = {0};
	struct vfio_params params = {0};
	struct selection sel = {0};
	bool present = false;
	int status;

	status = read_kernel_selection(s, &selector, &params, &present, NULL);
	if (status == EXIT_USAGE)
		return status;
	if (opts->n_args > 0) {
		selector_free(&selector);
		status = selector_from_args(opts, &selector, true);
		if (status != EXIT_OK)
			return status;
	}
	status = select_or_report(s, &selector, &params, &sel);
	selector_free(&selector);
	if (status != EXIT_OK)
		return status;

	if (opts->json)
		fputs("{\n  \"checks\": [", stdout);
	check_iommu(s, &rep, &params);
	if (sel.n == 0)
		say(&rep, V_FAIL, NULL,
		    "add vfio-pci.ids= (vfio-bind ids ADDRESS prints it) to "
		    "the "
		    "kernel command line",
		    "no PCI function is selected");
	for (size_t i = 0; i < sel.n; i++)
		check_function(s, &rep, &sel.items[i], params.noiommu);
	if (opts->json)
		printf("\n  ],\n  \"ok\": %s\n}\n",
		       rep.failures ? "false" : "true");
	selection_free(&sel);
	if (!iommu_groups_exist(s) && !params.noiommu)
		return EXIT_PRECONDITION;
	return rep.failures ? EXIT_PARTIAL : EXIT_OK;
}
