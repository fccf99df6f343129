// SPDX-License-Identifier: GPL-2.0-or-later
/* Every line the boot job, bind and unbind print or log about a function. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot/exit-status.h"
#include "boot/report.h"
#include "boot/variant.h"
#include "shared/log.h"

static const char *driver_or_none(const char *driver)
{
	return driver[0] ? driver : "no driver";
}

void report_selected(const struct candidates *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct candidate *it = &c->items[i];

		if (it->ids_read)
			INF("%s [%04x:%04x] selected by %s", it->f.addr, it->f.vendor,
			    it->f.device, it->selected_by);
		else
			INF("%s selected by %s", it->f.addr, it->selected_by);
	}
}

void report_not_taken(const struct candidate *it)
{
	char why[REASON_DETAIL_MAX + 64];

	reason_format(&it->why, why, sizeof(why));
	if (it->ids_read)
		WRN("%s [%04x:%04x] not taken: %s", it->f.addr, it->f.vendor,
		    it->f.device, why);
	else
		WRN("%s not taken: %s", it->f.addr, why);
}

void report_refused(const struct candidates *c, struct tally *t)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct candidate *it = &c->items[i];
		char why[REASON_DETAIL_MAX + 64];

		if (it->why.kind == REASON_NONE)
			continue;
		if (reason_is_deferral(&it->why)) {
			reason_format(&it->why, why, sizeof(why));
			INF("%s [%04x:%04x] deferred: %s", it->f.addr, it->f.vendor,
			    it->f.device, why);
			t->deferred++;
			continue;
		}
		report_not_taken(it);
		t->skipped++;
	}
}

/* Where the bind would put f, and what it would leave. */
static void report_plan_bind(const struct sysroot *s, const char *cmdline,
			     const struct pci_function *f)
{
	char driver[DRIVER_NAME_MAX + 16];

	variant_driver_choose(s, cmdline, f, true, driver, sizeof(driver));
	if (f->driver[0] && strcmp(f->driver, driver) != 0 &&
	    strcmp(f->driver, VFIO_PCI) != 0 && pci_driver_is_vfio(s, f->driver))
		printf("%s %04x:%04x %s (no change: a VFIO variant driver)\n", f->addr,
		       f->vendor, f->device, f->driver);
	else if (strcmp(f->driver, driver) == 0 && strcmp(f->override, driver) == 0)
		printf("%s %04x:%04x %s (no change)\n", f->addr, f->vendor, f->device,
		       driver);
	else
		printf("%s %04x:%04x %s -> %s\n", f->addr, f->vendor, f->device,
		       f->driver[0] ? f->driver : "none", driver);
}

void report_plan(const struct sysroot *s, const char *cmdline, const struct candidates *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct candidate *it = &c->items[i];
		const struct pci_function *f = &it->f;
		char why[REASON_DETAIL_MAX + 64];

		reason_format(&it->why, why, sizeof(why));
		if (it->why.kind != REASON_NONE)
			printf("%s %04x:%04x %s: %s\n", f->addr, f->vendor, f->device,
			       reason_is_deferral(&it->why) ? "defer" : "skip", why);
		else
			report_plan_bind(s, cmdline, f);
	}
}

void report_waits(const struct pci_function *f, const struct bind_waits *w)
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

/* The bind failed and so did the rollback: say where that left f. */
static void report_rollback_failed(const struct pci_function *f, int r,
				   int rollback_error)
{
	if (f->driver[0]) {
		ERR_ERRNO(
			rollback_error,
			"%s [%04x:%04x] not taken: vfio-pci did not attach (%s), and the rollback failed (%m); it is on %s",
			f->addr, f->vendor, f->device, strerror(-r), f->driver);
		return;
	}
	ERR_ERRNO(
		rollback_error,
		"%s [%04x:%04x] left without a driver: vfio-pci did not attach (%s), and the rollback failed (%m); give it back: echo > /sys/bus/pci/devices/%s/driver_override; echo %s > /sys/bus/pci/drivers_probe",
		f->addr, f->vendor, f->device, strerror(-r), f->addr, f->addr);
}

void report_bind(const struct pci_function *f, const char *driver, const char *old_driver,
		 int r, const struct bind_waits *w, struct tally *t)
{
	if (r < 0 && w->rollback_error) {
		report_rollback_failed(f, r, w->rollback_error);
		t->failed++;
		return;
	}
	switch (r) {
	case BIND_UNCHANGED:
		DBG("%s [%04x:%04x] already on %s", f->addr, f->vendor, f->device,
		    f->driver);
		t->unchanged++;
		return;
	case BIND_ON_VARIANT:
		INF("%s [%04x:%04x] on %s, a VFIO driver built on vfio-pci-core: left there",
		    f->addr, f->vendor, f->device, f->driver);
		t->unchanged++;
		return;
	case BIND_OVERRIDE_SET:
		INF("%s [%04x:%04x] on %s; driver_override set", f->addr, f->vendor,
		    f->device, f->driver);
		t->bound++;
		return;
	case BIND_BOUND:
		INF("%s [%04x:%04x] %s -> %s", f->addr, f->vendor, f->device,
		    driver_or_none(old_driver), f->driver);
		t->bound++;
		return;
	default:
		ERR_ERRNO(r,
			  "%s [%04x:%04x] not taken: %s did not attach (%m); it is on %s",
			  f->addr, f->vendor, f->device, driver,
			  driver_or_none(f->driver));
		t->failed++;
	}
}

void report_reset(const struct pci_function *f, const char *methods, int r)
{
	if (r >= 0)
		INF("%s [%04x:%04x] reset_method: %s", f->addr, f->vendor, f->device,
		    methods);
	else if (r == -ENOENT)
		ERR("%s [%04x:%04x] has no reset_method (no reset method, or a kernel before 5.15), so vfio-bind.reset= cannot be applied",
		    f->addr, f->vendor, f->device);
	else
		ERR_ERRNO(
			r,
			"%s [%04x:%04x]: the kernel refused reset_method \"%s\" (%m): name only methods the function has, as its reset_method lists them, or default",
			f->addr, f->vendor, f->device, methods);
}

int report_summary(const struct tally *t, size_t n)
{
	if (t->failed + t->skipped > 0) {
		/* A function kept on purpose (the guard) is no error. */
		log_printf(t->failed ? LOG_ERR : LOG_WARNING,
			   "%zu of %zu selected functions not on vfio-pci (see above)",
			   t->failed + t->skipped, n);
		return EXIT_PARTIAL;
	}
	if (t->deferred > 0)
		INF("put on vfio-pci: %zu; already there: %zu; storage controllers deferred: %zu",
		    t->bound, t->unchanged, t->deferred);
	else if (t->bound == 0)
		INF("every selected function already on vfio-pci (%zu): nothing changed",
		    t->unchanged);
	else
		INF("put on vfio-pci: %zu; already there: %zu", t->bound, t->unchanged);
	return EXIT_OK;
}

bool report_unbind(const struct pci_function *f, const char *vfio_driver, int r)
{
	if (r < 0 && !f->driver[0]) {
		ERR_ERRNO(
			r,
			"%s [%04x:%04x] left without a driver: giving it back failed (%m); give it back: echo > /sys/bus/pci/devices/%s/driver_override; echo %s > /sys/bus/pci/drivers_probe",
			f->addr, f->vendor, f->device, f->addr, f->addr);
		return false;
	}
	if (r < 0 || strcmp(f->driver, vfio_driver) == 0) {
		ERR("%s [%04x:%04x] still on %s: %s", f->addr, f->vendor, f->device,
		    vfio_driver, r < 0 ? strerror(-r) : "the reprobe kept it");
		return false;
	}
	INF("%s [%04x:%04x] %s -> %s", f->addr, f->vendor, f->device, vfio_driver,
	    driver_or_none(f->driver));
	return true;
}
