/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "boot/bind.h"
#include "boot/candidate.h"

/* What became of the candidates, for the summary line. */
struct tally {
	size_t bound, unchanged, failed, skipped, deferred;
};

/* One line for each candidate: where its selection is written. */
void report_selected(const struct candidates *c);
/* One line for a candidate that is not taken, with its reason. */
void report_not_taken(const struct candidate *it);
/* A line for each candidate refused or deferred so far, counted. */
void report_refused(const struct candidates *c, struct tally *t);
/* --dry-run: one line per candidate on standard output. */
void report_plan(const struct sysroot *s, const char *cmdline,
		 const struct candidates *c);
/* What a bind waited for (bind.h), when it waited. */
void report_waits(const struct pci_function *f, const struct bind_waits *w);
/* The outcome of bind_to_vfio() for f, which was on old_driver and went to
 * driver, counted. */
void report_bind(const struct pci_function *f, const char *driver, const char *old_driver,
		 int r, const struct bind_waits *w, struct tally *t);
/* The outcome of writing METHODS (vfio-bind.reset=) to f's reset_method. */
void report_reset(const struct pci_function *f, const char *methods, int r);
/* The summary line; the exit status it makes. */
int report_summary(const struct tally *t, size_t n);
/* The outcome of unbind_from_vfio() for f, which was on vfio_driver; false
 * when it is still there. */
bool report_unbind(const struct pci_function *f, const char *vfio_driver, int r);
