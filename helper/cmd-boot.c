// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The boot-time job: put every function that vfio-pci.ids= selects on
 * vfio-pci, after checking that vfio-pci can take them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bind.h"
#include "cmdline.h"
#include "commands.h"
#include "ids.h"
#include "log.h"
#include "modules.h"
#include "select.h"
#include "vfio.h"

#define IOMMU_OFF_FIX                                                     \
	"add intel_iommu=on (Intel) or amd_iommu=on (AMD) to the kernel " \
	"command line and enable VT-d/AMD-Vi in the firmware"

struct tally {
	size_t bound, unchanged, failed, skipped;
};

static const char *driver_or_none(const char *driver)
{
	return driver[0] ? driver : "no driver";
}

/*
 * Reads vfio-pci.ids= as vfio-pci will get it; *list stays empty when the
 * parameter is absent. -E2BIG and -EINVAL: vfio-pci would fail to load.
 */
static int read_ids(const char *cmdline, struct id_list *list, bool *present)
{
	struct module_param arg;
	int r;

	memset(list, 0, sizeof(*list));
	r = cmdline_module_param(cmdline, "vfio_pci", "ids", &arg);
	if (r < 0)
		return r;
	*present = r > 0;
	if (r == 0)
		INF("no vfio-pci.ids= on the kernel command line: nothing to "
		    "do");
	else if (arg.longest > VFIO_PCI_IDS_MAX) {
		ERR("vfio-pci.ids= is %zu characters long and the kernel "
		    "refuses "
		    "more than %d, so vfio-pci would not load: shorten the "
		    "list "
		    "(class and wildcard entries cover many devices); nothing "
		    "changed",
		    arg.longest, VFIO_PCI_IDS_MAX);
		r = -E2BIG;
	} else if (arg.any_bare) {
		ERR("vfio-pci.ids without '=' makes vfio-pci fail to load: "
		    "write vfio-pci.ids=vendor:device[,...]; nothing changed");
		r = -EINVAL;
	} else {
		r = id_list_parse(arg.value, list);
	}
	module_param_clear(&arg);
	if (r < 0)
		return r;
	for (size_t i = 0; i < list->n_rejected; i++)
		WRN("vfio-pci.ids: entry \"%s\" is not vendor:device[:subvendor"
		    "[:subdevice[:class[:class_mask]]]] in hex; vfio-pci skips "
		    "it "
		    "too",
		    list->rejected[i]);
	for (size_t i = 0; i < list->n_ids; i++) {
		char text[96];

		if (id_format(text, sizeof(text), &list->ids[i]) >= 0)
			DBG("vfio-pci.ids: %s", text);
	}
	return 0;
}

static void log_skipped(const struct selection *sel, struct tally *t)
{
	for (size_t i = 0; i < sel->n; i++) {
		const struct selected *it = &sel->items[i];

		if (!it->skip[0])
			continue;
		if (it->id)
			WRN("%s [%04x:%04x] not taken: %s", it->f.addr,
			    it->f.vendor, it->f.device, it->skip);
		else
			WRN("%s not taken: %s", it->f.addr, it->skip);
		t->skipped++;
	}
}

/*
 * vfio-pci needs an IOMMU group for every function, or vfio's unsafe
 * no-IOMMU mode. Functions without a group are marked skipped; when none of
 * them has one, the IOMMU is off and nothing may change.
 */
static int check_iommu(struct selection *sel, const struct vfio_params *params,
		       struct tally *t)
{
	size_t candidates = 0, grouped = 0;

	if (params->noiommu) {
		WRN("vfio's unsafe no-IOMMU mode is on: the devices get no DMA "
		    "isolation");
		return 0;
	}
	for (size_t i = 0; i < sel->n; i++) {
		if (sel->items[i].skip[0])
			continue;
		candidates++;
		grouped += sel->items[i].f.has_iommu_group;
	}
	if (candidates > 0 && grouped == 0) {
		ERR("IOMMU is off: no IOMMU groups, so vfio-pci can take no "
		    "device: " IOMMU_OFF_FIX "; nothing changed");
		return -ENODEV;
	}
	for (size_t i = 0; i < sel->n; i++) {
		struct selected *it = &sel->items[i];

		if (it->skip[0] || it->f.has_iommu_group)
			continue;
		snprintf(it->skip, sizeof(it->skip),
			 "it has no IOMMU group (the IOMMU does not cover it)");
		WRN("%s [%04x:%04x] not taken: %s", it->f.addr, it->f.vendor,
		    it->f.device, it->skip);
		t->skipped++;
	}
	return 0;
}

static int ensure_vfio_pci(const struct sysfs *s, bool dry_run)
{
	int r;

	if (vfio_pci_registered(s))
		return 0;
	if (dry_run) {
		INF("vfio-pci is not loaded; a real run loads it");
		return 0;
	}
	if (!s->is_live) {
		ERR("vfio-pci is not loaded in %s, and modules are loaded only "
		    "on the running system (--root /); nothing changed",
		    s->root);
		return -ENOENT;
	}
	r = module_load(VFIO_PCI);
	if (r == -ENOENT) {
		ERR("vfio-pci is not in this initramfs: install vfio-bind's "
		    "dracut or initramfs-tools integration and rebuild it "
		    "(dracut -f, update-initramfs -u); nothing changed");
		return r;
	}
	if (r == -EPERM) {
		ERR("vfio-pci is blacklisted (modprobe.blacklist= or a "
		    "modprobe.d blacklist line): remove that entry; nothing "
		    "changed");
		return r;
	}
	if (r < 0) {
		ERR("cannot load vfio-pci: %s (see the kernel log above); "
		    "nothing changed",
		    strerror(-r));
		return r;
	}
	if (!vfio_pci_registered(s)) {
		ERR("vfio-pci loaded but registered no PCI driver; nothing "
		    "changed");
		return -ENODEV;
	}
	DBG("vfio-pci is loaded");
	return 0;
}

static void print_plan(const struct selection *sel)
{
	for (size_t i = 0; i < sel->n; i++) {
		const struct selected *it = &sel->items[i];
		const struct pci_function *f = &it->f;

		if (it->skip[0])
			printf("%s %04x:%04x skip: %s\n", f->addr, f->vendor,
			       f->device, it->skip);
		else if (strcmp(f->driver, VFIO_PCI) == 0 &&
			 strcmp(f->override, VFIO_PCI) == 0)
			printf("%s %04x:%04x vfio-pci (no change)\n", f->addr,
			       f->vendor, f->device);
		else
			printf("%s %04x:%04x %s -> vfio-pci\n", f->addr,
			       f->vendor, f->device,
			       f->driver[0] ? f->driver : "none");
	}
}

static void bind_one(const struct sysfs *s, struct selected *it,
		     struct tally *t)
{
	struct pci_function *f = &it->f;
	char old_driver[DRIVER_NAME_MAX];
	int r;

	strcpy(old_driver, f->driver);
	r = bind_to_vfio(s, f);
	switch (r) {
	case BIND_UNCHANGED:
		DBG("%s [%04x:%04x] already on vfio-pci", f->addr, f->vendor,
		    f->device);
		t->unchanged++;
		return;
	case BIND_OVERRIDE_SET:
		INF("%s [%04x:%04x] on vfio-pci; driver_override set", f->addr,
		    f->vendor, f->device);
		t->bound++;
		return;
	case BIND_BOUND:
		INF("%s [%04x:%04x] %s -> vfio-pci", f->addr, f->vendor,
		    f->device, driver_or_none(old_driver));
		t->bound++;
		return;
	default:
		ERR("%s [%04x:%04x] not taken: vfio-pci did not attach (%s); "
		    "it is on %s",
		    f->addr, f->vendor, f->device, strerror(-r),
		    driver_or_none(f->driver));
		t->failed++;
	}
}

static int report(const struct tally *t, size_t n)
{
	if (t->failed + t->skipped > 0) {
		ERR("%zu of %zu selected functions are not on vfio-pci (see "
		    "above)",
		    t->failed + t->skipped, n);
		return EXIT_PARTIAL;
	}
	if (t->bound == 0)
		INF("all %zu selected functions already on vfio-pci: nothing "
		    "changed",
		    t->unchanged);
	else
		INF("%zu functions put on vfio-pci, %zu already there",
		    t->bound, t->unchanged);
	return EXIT_OK;
}

static int run(struct sysfs *s, const struct options *opts,
	       struct selection *sel, struct tally *t)
{
	_cleanup_free_ char *cmdline = NULL;
	struct id_list ids;
	struct vfio_params params;
	bool present = false;
	int r;

	r = cmdline_read(s, &cmdline);
	if (r < 0) {
		ERR("cannot read proc/cmdline under %s: %s", s->root,
		    strerror(-r));
		return EXIT_USAGE;
	}
	r = read_ids(cmdline, &ids, &present);
	if (r < 0)
		return r == -ENOMEM ? EXIT_USAGE : EXIT_PRECONDITION;
	r = vfio_read_params(s, cmdline, &params);
	if (r >= 0)
		r = select_by_ids(s, &ids, &params, sel);
	id_list_free(&ids);
	if (r < 0) {
		ERR("cannot list PCI functions under %s: %s", s->root,
		    strerror(-r));
		return EXIT_USAGE;
	}
	if (sel->n == 0) {
		if (present)
			INF("vfio-pci.ids= matches no PCI function");
		return EXIT_OK;
	}
	log_skipped(sel, t);
	if (check_iommu(sel, &params, t) < 0)
		return EXIT_PRECONDITION;
	if (t->skipped < sel->n && ensure_vfio_pci(s, opts->dry_run) < 0)
		return EXIT_PRECONDITION;
	if (opts->dry_run) {
		print_plan(sel);
		return t->skipped > 0 ? EXIT_PARTIAL : EXIT_OK;
	}
	for (size_t i = 0; i < sel->n; i++)
		if (!sel->items[i].skip[0])
			bind_one(s, &sel->items[i], t);
	return report(t, sel->n);
}

int cmd_boot(struct sysfs *s, const struct options *opts)
{
	struct selection sel = {0};
	struct tally t = {0};
	int status = run(s, opts, &sel, &t);

	selection_free(&sel);
	return status;
}
