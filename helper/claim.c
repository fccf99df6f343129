// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bind.h"
#include "claim.h"
#include "cmdline.h"
#include "commands.h"
#include "guard.h"
#include "log.h"
#include "modules.h"
#include "netuse.h"

struct tally {
	size_t bound, unchanged, failed, skipped, deferred;
};

static const char *driver_or_none(const char *driver)
{
	return driver[0] ? driver : "no driver";
}

static void log_not_taken(const struct selected *it)
{
	if (it->ids_read)
		WRN("%s [%04x:%04x] not taken: %s", it->f.addr, it->f.vendor,
		    it->f.device, it->skip);
	else
		WRN("%s not taken: %s", it->f.addr, it->skip);
}

static void log_skipped(const struct selection *sel, struct tally *t)
{
	for (size_t i = 0; i < sel->n; i++) {
		const struct selected *it = &sel->items[i];

		if (!it->skip[0])
			continue;
		if (it->deferred) {
			INF("%s [%04x:%04x] deferred: %s", it->f.addr,
			    it->f.vendor, it->f.device, it->skip);
			t->deferred++;
			continue;
		}
		log_not_taken(it);
		t->skipped++;
	}
}

/*
 * Before udev, a storage controller's disks do not exist yet, so whether it
 * carries root cannot be told: it is left to its host driver and a later
 * pass; so is a network controller when the root is on the network, whose
 * interface does not exist yet either. Afterwards, any function that
 * carries a needed disk, or the interface the system needs, stays.
 */
static bool waits_for_late_pass(const struct pci_function *f,
				const struct claim_opts *opts,
				bool network_root)
{
	return opts->defer_storage &&
	       (is_storage_controller(f) ||
		(network_root && is_network_controller(f)));
}

static int apply_storage_guard(const struct sysroot *s, struct selection *sel,
			       const struct claim_opts *opts)
{
	const char *cmdline = opts->cmdline ? opts->cmdline : "";
	bool network_root = cmdline_network_root(cmdline), loaded = false;
	struct storage_guard g;
	int r;

	for (size_t i = 0; i < sel->n; i++) {
		struct selected *it = &sel->items[i];

		if (it->skip[0])
			continue;
		if (waits_for_late_pass(&it->f, opts, network_root)) {
			it->deferred = true;
			snprintf(
				it->skip, sizeof(it->skip),
				is_storage_controller(&it->f)
					? "a storage controller waits for the storage guard's pass once the root device is there"
					: "a network controller waits for the storage guard's pass: the root is on the network");
			continue;
		}
		if (!guard_applies(s, &it->f))
			continue;
		if (!loaded) {
			r = guard_load(s, cmdline, opts->keep, opts->n_keep,
				       &g);
			if (r < 0)
				return r;
			loaded = true;
		}
		guard_check(s, &g, &it->f, it->skip, sizeof(it->skip));
	}
	if (loaded)
		guard_free(&g);
	return 0;
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
		grouped += sel->items[i].f.iommu_group[0] != '\0';
	}
	if (candidates > 0 && grouped == 0) {
		ERR("IOMMU is off: no IOMMU groups, so vfio-pci can take no "
		    "device: " IOMMU_OFF_FIX "; nothing changed");
		return -ENODEV;
	}
	for (size_t i = 0; i < sel->n; i++) {
		struct selected *it = &sel->items[i];

		if (it->skip[0] || it->f.iommu_group[0])
			continue;
		snprintf(it->skip, sizeof(it->skip),
			 "it has no IOMMU group (the IOMMU does not cover it)");
		log_not_taken(it);
		t->skipped++;
	}
	return 0;
}

/*
 * libkmod hands vfio-pci the ids= of modprobe.d's options and then of the
 * command line, and vfio-pci takes every unbound match itself, storage
 * controllers that carry root included. An empty ids= after them (the
 * kernel sets each in turn, and the last wins) leaves vfio-pci only the
 * functions bound to it here.
 */
static int ensure_vfio_pci(const struct sysroot *s, bool dry_run)
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
	r = module_load(VFIO_PCI, "ids=");
	if (r == -ENOENT) {
		ERR("vfio-pci is not in this initramfs: install vfio-bind's "
		    "dracut or initramfs-tools integration and rebuild it "
		    "(dracut -f, update-initramfs -u); nothing changed");
		return r;
	}
	if (r == -ELIBACC || r == -ELIBBAD) {
		ERR("cannot open libkmod.so.2 to load vfio-pci (%s): install "
		    "vfio-bind's initramfs integration and rebuild the "
		    "initramfs; nothing changed",
		    r == -ELIBACC ? "not found" : "too old");
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
			printf("%s %04x:%04x %s: %s\n", f->addr, f->vendor,
			       f->device, it->deferred ? "defer" : "skip",
			       it->skip);
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

static void log_waits(const struct pci_function *f, const struct bind_waits *w)
{
	if (w->loading_timed_out)
		WRN("%s [%04x:%04x] modules still loading after %u ms (%s first): binding anyway",
		    f->addr, f->vendor, f->device, w->loading_ms, w->loading);
	else if (w->loading[0])
		INF("%s [%04x:%04x] waited %u ms for module %s to finish loading (its probes may be in flight)",
		    f->addr, f->vendor, f->device, w->loading_ms, w->loading);
	if (w->busy)
		INF("%s [%04x:%04x] bind busy %u of %u tries: a probe was in flight; it was then on %s",
		    f->addr, f->vendor, f->device, w->busy, BIND_ATTEMPTS,
		    driver_or_none(w->busy_driver));
}

static void bind_one(const struct sysroot *s, struct selected *it,
		     struct tally *t)
{
	struct pci_function *f = &it->f;
	char old_driver[DRIVER_NAME_MAX];
	struct bind_waits w;
	int r;

	strcpy(old_driver, f->driver);
	r = bind_to_vfio(s, f, &w);
	log_waits(f, &w);
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
		/* A function kept on purpose (the guard) is no error. */
		log_printf(t->failed ? LOG_ERR : LOG_WARNING,
			   "%zu of %zu selected functions not on vfio-pci (see "
			   "above)",
			   t->failed + t->skipped, n);
		return EXIT_PARTIAL;
	}
	if (t->deferred > 0)
		INF("put on vfio-pci: %zu; already there: %zu; storage "
		    "controllers deferred: %zu",
		    t->bound, t->unchanged, t->deferred);
	else if (t->bound == 0)
		INF("every selected function already on vfio-pci (%zu): "
		    "nothing "
		    "changed",
		    t->unchanged);
	else
		INF("put on vfio-pci: %zu; already there: %zu", t->bound,
		    t->unchanged);
	return EXIT_OK;
}

int claim_functions(const struct sysroot *s, struct selection *sel,
		    const struct vfio_params *params,
		    const struct claim_opts *opts)
{
	struct tally t = {0};
	int r;

	r = apply_storage_guard(s, sel, opts);
	if (r < 0) {
		ERR("cannot tell which disks the system needs: %s; nothing "
		    "changed",
		    strerror(-r));
		return EXIT_USAGE;
	}
	log_skipped(sel, &t);
	if (check_iommu(sel, params, &t) < 0)
		return EXIT_PRECONDITION;
	if (t.skipped < sel->n && !vfio_pci_registered(s)) {
		if (ensure_vfio_pci(s, opts->dry_run) < 0)
			return EXIT_PRECONDITION;
		/* Loaded with the command line's ids=, it took some itself. */
		for (size_t i = 0; i < sel->n && !opts->dry_run; i++)
			if (!sel->items[i].skip[0] &&
			    pci_read_driver(s, &sel->items[i].f) < 0)
				DBG("%s: its driver cannot be read",
				    sel->items[i].f.addr);
	}
	if (opts->dry_run) {
		print_plan(sel);
		return t.skipped > 0 ? EXIT_PARTIAL : EXIT_OK;
	}
	for (size_t i = 0; i < sel->n; i++)
		if (!sel->items[i].skip[0])
			bind_one(s, &sel->items[i], &t);
	return report(&t, sel->n);
}

int release_functions(const struct sysroot *s, struct selection *sel,
		      bool dry_run)
{
	size_t failed = 0;

	for (size_t i = 0; i < sel->n; i++) {
		struct pci_function *f = &sel->items[i].f;
		int r;

		if (!sel->items[i].ids_read) {
			log_not_taken(&sel->items[i]);
			failed++;
			continue;
		}
		if (strcmp(f->driver, VFIO_PCI) != 0 &&
		    strcmp(f->override, VFIO_PCI) != 0) {
			DBG("%s [%04x:%04x] not on vfio-pci", f->addr,
			    f->vendor, f->device);
			continue;
		}
		if (dry_run) {
			printf("%s %04x:%04x %s -> host driver\n", f->addr,
			       f->vendor, f->device,
			       f->driver[0] ? f->driver : "none");
			continue;
		}
		r = unbind_from_vfio(s, f);
		if (r < 0 || strcmp(f->driver, VFIO_PCI) == 0) {
			ERR("%s [%04x:%04x] still on vfio-pci: %s", f->addr,
			    f->vendor, f->device,
			    r < 0 ? strerror(-r) : "the reprobe kept it");
			failed++;
			continue;
		}
		INF("%s [%04x:%04x] vfio-pci -> %s", f->addr, f->vendor,
		    f->device, driver_or_none(f->driver));
	}
	return failed ? EXIT_PARTIAL : EXIT_OK;
}
