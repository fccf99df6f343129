// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "boot/bind.h"
#include "boot/exit-status.h"
#include "boot/report.h"
#include "boot/reset.h"
#include "boot/take.h"
#include "boot/variant.h"
#include "guard/claim.h"
#include "shared/log.h"
#include "shared/util.h"

/* Stage 3 for each function; one that vanished meanwhile is dropped. */
static void check_functions(const struct sysroot *s, const struct selector *selector,
			    const struct vfio_params *params, struct candidates *c)
{
	size_t kept = 0;

	for (size_t i = 0; i < c->n; i++) {
		struct candidate it = c->items[i];

		if (it.why.kind == REASON_NONE) {
			precondition_check_function(s, params, &it.f, &it.why);
			if (match_drop_vanished(s, selector, &it))
				continue;
		}
		c->items[kept++] = it;
	}
	c->n = kept;
}

int take_match(const struct sysroot *s, const struct selector *selector,
	       const struct vfio_params *params, struct candidates *c)
{
	int r = match_functions(s, selector, c);

	if (r >= 0)
		check_functions(s, selector, params, c);
	return r;
}

int take_match_read(const struct sysroot *s, const struct selector *selector,
		    const struct vfio_params *params, const struct pci_function *all,
		    size_t n, struct candidates *c)
{
	int r = match_read_functions(selector, all, n, c);

	if (r >= 0)
		check_functions(s, selector, params, c);
	return r;
}

static enum reason_kind guard_reason(enum guard_verdict v)
{
	switch (v) {
	case GUARD_WAITS_STORAGE:
		return REASON_WAITS_STORAGE;
	case GUARD_WAITS_NETWORK:
		return REASON_WAITS_NETWORK;
	case GUARD_KEEP:
		return REASON_NEEDED;
	case GUARD_TAKE:
		break;
	}
	return REASON_NONE;
}

/* Stage 4 over the candidates nothing else refused; an error is logged. */
static int guard_candidates(const struct sysroot *s, struct candidates *c,
			    const struct guard_opts *opts)
{
	_cleanup_guard_pass_ struct guard_pass p = {0};
	int r;

	guard_pass_start(&p, opts);
	for (size_t i = 0; i < c->n; i++) {
		struct reason *why = &c->items[i].why;
		struct keep k;

		if (why->kind != REASON_NONE)
			continue;
		r = guard_decide(s, &p, &c->items[i].f, &k);
		if (r < 0)
			return r;
		why->kind = guard_reason(r);
		keep_describe(&k, &c->items[i].f, why->detail, sizeof(why->detail));
	}
	return 0;
}

/* Stage 3 over the candidates before anything changes; an error is logged. */
static int check_iommu(const struct sysroot *s, const struct vfio_params *params,
		       const char *cmdline, struct candidates *c)
{
	bool any_left = false;
	int r;

	for (size_t i = 0; i < c->n; i++)
		any_left = any_left || c->items[i].why.kind == REASON_NONE;
	r = precondition_check_iommu(s, params, cmdline, any_left);
	for (size_t i = 0; r >= 0 && i < c->n; i++)
		if (c->items[i].why.kind == REASON_NONE)
			precondition_check_group(params, &c->items[i].f,
						 &c->items[i].why);
	return r;
}

static void report_ungrouped(const struct candidates *c, struct tally *t)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->items[i].why.kind != REASON_NO_IOMMU_GROUP)
			continue;
		report_not_taken(&c->items[i]);
		t->skipped++;
	}
}

/* Loaded with the command line's ids=, vfio-pci took some itself. */
static void reread_drivers(const struct sysroot *s, struct candidates *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->items[i].why.kind == REASON_NONE &&
		    pci_read_driver(s, &c->items[i].f) < 0)
			DBG("%s: its driver cannot be read", c->items[i].f.addr);
}

/* Writes METHODS to f's reset_method unless it holds them already. */
static void set_reset_method(const struct sysroot *s, const struct pci_function *f,
			     const char *methods)
{
	char current[256];

	if (reset_method_read(s, f->addr, current, sizeof(current)) >= 0 &&
	    strcmp(current, methods) == 0) {
		DBG("%s reset_method is %s already", f->addr, methods);
		return;
	}
	report_reset(f, methods, reset_method_write(s, f->addr, methods));
}

/*
 * reset_method is written once vfio-pci holds the function, so that a bind
 * that fails leaves it to its host driver as it was: it is vfio-pci that
 * resets with it (the first method that works, __pci_reset_function_locked())
 * when a VM opens or closes the device.
 */
static void bind_one(const struct sysroot *s, const char *cmdline, struct candidate *it,
		     const struct reset_requests *resets, struct tally *t)
{
	_cleanup_signals_ _unused_ sigset_t old_mask = bind_block_signals();
	_cleanup_disk_claims_ struct disk_claims claims = {0};
	char old_driver[DRIVER_NAME_MAX], driver[DRIVER_NAME_MAX];
	const char *methods;
	struct bind_waits w;
	struct keep k;
	int r;

	/* the guard's last word, held until vfio-pci has the function */
	r = disks_claim(s, &it->f, &claims, &k);
	if (r != 0) {
		if (r < 0)
			k = (struct keep){.kind = KEEP_CLAIMS_FAILED, .err = -r};
		keep_describe(&k, &it->f, it->why.detail, sizeof(it->why.detail));
		it->why.kind = REASON_NEEDED;
		report_not_taken(it);
		t->skipped++;
		return;
	}
	strcpy(old_driver, it->f.driver);
	variant_driver_choose(s, cmdline, &it->f, false, driver, sizeof(driver));
	r = bind_to_vfio(s, &it->f, driver, &w);
	it->bind_tried = true;
	it->bind_result = r;
	report_waits(&it->f, &w);
	report_bind(&it->f, driver, old_driver, r, &w, t);
	methods = reset_request_for(resets, it->f.addr);
	if (r >= 0 && methods)
		set_reset_method(s, &it->f, methods);
}

int take_candidates(const struct sysroot *s, struct candidates *c,
		    const struct vfio_params *params, const struct guard_opts *guard,
		    bool dry_run)
{
	_cleanup_reset_requests_ struct reset_requests resets = {0};
	struct tally t = {0};

	if (guard->cmdline && reset_requests_read(guard->cmdline, &resets) < 0)
		return EXIT_USAGE;
	if (guard_candidates(s, c, guard) < 0)
		return EXIT_USAGE;
	report_refused(c, &t);
	if (check_iommu(s, params, guard->cmdline, c) < 0)
		return EXIT_PRECONDITION;
	report_ungrouped(c, &t);
	if (t.skipped < c->n && !vfio_pci_registered(s)) {
		if (precondition_load_vfio_pci(s, params, dry_run) < 0)
			return EXIT_PRECONDITION;
		if (!dry_run)
			reread_drivers(s, c);
	}
	if (dry_run) {
		report_plan(s, guard->cmdline, c);
		return t.skipped > 0 ? EXIT_PARTIAL : EXIT_OK;
	}
	for (size_t i = 0; i < c->n; i++)
		if (c->items[i].why.kind == REASON_NONE)
			bind_one(s, guard->cmdline, &c->items[i], &resets, &t);
	return report_summary(&t, c->n);
}

static bool give_back_one(const struct sysroot *s, struct pci_function *f)
{
	_cleanup_signals_ _unused_ sigset_t old_mask = bind_block_signals();
	char vfio_driver[DRIVER_NAME_MAX];

	str_copy(vfio_driver, sizeof(vfio_driver), f->driver[0] ? f->driver : VFIO_PCI);
	return report_unbind(f, vfio_driver, unbind_from_vfio(s, f, vfio_driver));
}

int give_back_candidates(const struct sysroot *s, struct candidates *c, bool dry_run)
{
	size_t failed = 0;

	for (size_t i = 0; i < c->n; i++) {
		struct pci_function *f = &c->items[i].f;

		if (!c->items[i].ids_read) {
			report_not_taken(&c->items[i]);
			failed++;
			continue;
		}
		if (!pci_driver_is_vfio(s, f->driver) &&
		    !pci_driver_is_vfio(s, f->override)) {
			DBG("%s [%04x:%04x] not on vfio-pci or a VFIO variant driver",
			    f->addr, f->vendor, f->device);
			continue;
		}
		if (dry_run) {
			printf("%s %04x:%04x %s -> host driver\n", f->addr, f->vendor,
			       f->device, f->driver[0] ? f->driver : "none");
			continue;
		}
		if (!give_back_one(s, f))
			failed++;
	}
	return failed ? EXIT_PARTIAL : EXIT_OK;
}
