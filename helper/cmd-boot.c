// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The boot-time job: put every function that the boot selects (vfio-pci's
 * ids= from modprobe.d and the kernel command line, vfio-bind.addrs=,
 * driverctl's overrides to vfio-pci) on vfio-pci.
 */
#include "commands.h"
#include "log.h"
#include "match.h"
#include "report.h"
#include "take.h"

int cmd_boot(struct sysroot *s, const struct options *opts)
{
	_cleanup_free_ char *cmdline = NULL;
	_cleanup_selector_ struct selector selector = {0};
	_cleanup_candidates_ struct candidates c = {0};
	struct vfio_params params;
	bool present;
	int r;

	r = selector_read_kernel(s, &selector, &present, &cmdline);
	if (r < 0)
		return selection_exit_status(r);
	if (!present) {
		INF("no vfio-pci.ids= or " ADDRS_PARAM
		    "= on the kernel command line, no options vfio-pci ids= in modprobe.d, no driverctl override to vfio-pci: nothing to do");
		return EXIT_OK;
	}
	r = vfio_read_params(s, cmdline, &params);
	if (r >= 0)
		r = match_functions(s, &selector, &params, &c);
	if (r < 0)
		return EXIT_USAGE;
	if (c.n == 0) {
		INF("the selection names no PCI function");
		return EXIT_OK;
	}
	INF("PCI functions selected: %zu", c.n);
	report_selected(&c);
	return take_candidates(s, &c, &params,
			       &(struct guard_opts){.defer_storage = opts->defer_storage,
						    .cmdline = cmdline,
						    .keep = opts->keep,
						    .n_keep = opts->n_keep},
			       opts->dry_run);
}
