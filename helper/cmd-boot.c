// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The boot-time job: put every function that the kernel command line
 * selects (vfio-pci.ids=, vfio-bind.addrs=) on vfio-pci.
 */
#include <errno.h>
#include <string.h>

#include "claim.h"
#include "cmdline.h"
#include "commands.h"
#include "kcmdline.h"
#include "log.h"

int read_kernel_selection(const struct sysroot *s, struct selector *selector,
			  struct vfio_params *params, bool *present,
			  char **cmdline_out)
{
	_cleanup_free_ char *cmdline = NULL;
	int r;

	r = cmdline_read(s, &cmdline);
	if (r < 0) {
		ERR("cannot read proc/cmdline under %s: %s", s->root,
		    strerror(-r));
		return EXIT_USAGE;
	}
	r = kcmdline_selector(cmdline, selector, present);
	if (r == -ENOMEM)
		return EXIT_USAGE;
	if (r < 0)
		return EXIT_PRECONDITION;
	r = vfio_read_params(s, cmdline, params);
	if (r < 0) {
		ERR("cannot read vfio's parameters under %s: %s", s->root,
		    strerror(-r));
		selector_free(selector);
		return EXIT_USAGE;
	}
	if (cmdline_out) {
		*cmdline_out = cmdline;
		cmdline = NULL;
	}
	return EXIT_OK;
}

int select_or_report(const struct sysroot *s, const struct selector *selector,
		     const struct vfio_params *params, struct selection *sel)
{
	int r = select_functions(s, selector, params, sel);

	if (r < 0) {
		ERR("cannot list PCI functions under %s: %s", s->root,
		    strerror(-r));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int cmd_boot(struct sysroot *s, const struct options *opts)
{
	_cleanup_free_ char *cmdline = NULL;
	struct selector selector;
	struct vfio_params params;
	struct selection sel = {0};
	bool present;
	int status;

	status = read_kernel_selection(s, &selector, &params, &present,
				       &cmdline);
	if (status != EXIT_OK)
		return status;
	if (!present) {
		INF("no vfio-pci.ids= or " ADDRS_PARAM
		    "= on the kernel command line: nothing to do");
		return EXIT_OK;
	}
	status = select_or_report(s, &selector, &params, &sel);
	selector_free(&selector);
	if (status != EXIT_OK)
		return status;
	if (sel.n == 0) {
		INF("the kernel command line selects no PCI function");
	} else {
		INF("PCI functions the kernel command line selects: %zu",
		    sel.n);
		status = claim_functions(
			s, &sel, &params,
			&(struct claim_opts){.dry_run = opts->dry_run,
					     .defer_storage =
						     opts->defer_storage,
					     .cmdline = cmdline,
					     .keep = opts->keep,
					     .n_keep = opts->n_keep});
	}
	selection_free(&sel);
	return status;
}
