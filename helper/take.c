// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "bind.h"
#include "commands.h"
#include "log.h"
#include "report.h"
#include "take.h"

/* Loaded with the command line's ids=, vfio-pci took some itself. */
static void reread_drivers(const struct sysroot *s, struct candidates *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->items[i].why.kind == REASON_NONE &&
		    pci_read_driver(s, &c->items[i].f) < 0)
			DBG("%s: its driver cannot be read", c->items[i].f.addr);
}

static void bind_one(const struct sysroot *s, struct candidate *it, struct tally *t)
{
	_cleanup_signals_ _unused_ sigset_t old_mask = bind_block_signals();
	char old_driver[DRIVER_NAME_MAX];
	struct bind_waits w;
	int r;

	strcpy(old_driver, it->f.driver);
	r = bind_to_vfio(s, &it->f, &w);
	report_waits(&it->f, &w);
	report_bind(&it->f, old_driver, r, &w, t);
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

int take_candidates(const struct sysroot *s, struct candidates *c,
		    const struct vfio_params *params, const struct guard_opts *guard,
		    bool dry_run)
{
	struct tally t = {0};

	if (guard_candidates(s, c, guard) < 0)
		return EXIT_USAGE;
	report_refused(c, &t);
	if (precondition_check_iommu(s, params, c) < 0)
		return EXIT_PRECONDITION;
	report_ungrouped(c, &t);
	if (t.skipped < c->n && !vfio_pci_registered(s)) {
		if (precondition_load_vfio_pci(s, dry_run) < 0)
			return EXIT_PRECONDITION;
		if (!dry_run)
			reread_drivers(s, c);
	}
	if (dry_run) {
		report_plan(c);
		return t.skipped > 0 ? EXIT_PARTIAL : EXIT_OK;
	}
	for (size_t i = 0; i < c->n; i++)
		if (c->items[i].why.kind == REASON_NONE)
			bind_one(s, &c->items[i], &t);
	return report_summary(&t, c->n);
}

static bool give_back_one(const struct sysroot *s, struct pci_function *f)
{
	_cleanup_signals_ _unused_ sigset_t old_mask = bind_block_signals();

	return report_unbind(f, unbind_from_vfio(s, f));
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
		if (strcmp(f->driver, VFIO_PCI) != 0 &&
		    strcmp(f->override, VFIO_PCI) != 0) {
			DBG("%s [%04x:%04x] not on vfio-pci", f->addr, f->vendor,
			    f->device);
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
