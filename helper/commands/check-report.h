/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "commands/commands.h"
#include "shared/macro.h"

/* V_SKIP: a check that did not run, and why; never a failure. */
enum verdict { V_OK, V_WARN, V_FAIL, V_SKIP };

/* check's report: its lines, or its JSON, or its failures gathered. */
struct report {
	bool json;
	bool gather; /* keep the failures instead of printing anything */
	size_t n;
	size_t failures;
	struct check_failure *gathered;
	size_t n_gathered;
};

/* One line of the report: a verdict, its subject (NULL: the host), its fix. */
void check_vsay(struct report *rep, enum verdict v, const char *subject, const char *fix,
		const char *fmt, va_list ap) _printf_format_(5, 0);

/* The fix for a kernel argument to add (WHAT, "intel_iommu=on"): vfio-bind
 * kargs --apply ARGS with the file and tool of this host's boot loader
 * (CMDLINE: the running kernel's), or where to add it on one kargs does
 * not know. */
void check_kargs_fix(const struct sysroot *s, const char *cmdline, const char *args,
		     const char *what, char *fix, size_t size);

/* check --next-boot: what the next boot gets; check's exit status. */
int next_boot_checks(struct sysroot *s, struct report *rep);
