// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-bind bind|unbind ARG...: the boot job at run time, and its undo. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "claim.h"
#include "cmdline.h"
#include "commands.h"
#include "log.h"
#include "select.h"

int selector_from_args(const struct options *opts, struct selector *selector,
		       bool ids_allowed)
{
	memset(selector, 0, sizeof(*selector));
	if (opts->n_args == 0) {
		if (ids_allowed)
			fprintf(stderr,
				"vfio-bind: no ADDRESS, SLOT or VENDOR:DEVICE given\nTry 'vfio-bind --help' for more information.\n");
		else
			fprintf(stderr,
				"vfio-bind: no ADDRESS or SLOT given\nTry 'vfio-bind --help' for more information.\n");
		return EXIT_USAGE;
	}
	for (int i = 0; i < opts->n_args; i++) {
		int r = selector_add_arg(selector, opts->args[i]);

		if (r == -EINVAL && ids_allowed)
			fprintf(stderr,
				"vfio-bind: '%s' is neither a PCI address or slot ([domain:]bus:device[.function]) nor vendor:device (four hex digits each)\nTry 'vfio-bind --help' for more information.\n",
				opts->args[i]);
		else if (r == -EINVAL)
			fprintf(stderr,
				"vfio-bind: '%s' is not a PCI address or slot ([domain:]bus:device[.function])\nTry 'vfio-bind --help' for more information.\n",
				opts->args[i]);
		if (r < 0) {
			selector_free(selector);
			return EXIT_USAGE;
		}
	}
	return EXIT_OK;
}

static int select_args(struct sysroot *s, const struct options *opts,
		       struct vfio_params *params, struct selection *sel,
		       char **cmdline_out)
{
	_cleanup_free_ char *cmdline = NULL;
	struct selector selector;
	int status, r;

	status = selector_from_args(opts, &selector, true);
	if (status != EXIT_OK)
		return status;
	r = cmdline_read(s, &cmdline);
	if (r >= 0)
		r = vfio_read_params(s, cmdline, params);
	if (r < 0) {
		ERR("cannot read the kernel command line and vfio's "
		    "parameters under %s: %s",
		    s->root, strerror(-r));
		selector_free(&selector);
		return EXIT_USAGE;
	}
	status = select_or_report(s, &selector, params, sel);
	selector_free(&selector);
	if (status == EXIT_OK && sel->n == 0) {
		ERR("no PCI function matches the arguments: see vfio-bind "
		    "list");
		return EXIT_USAGE;
	}
	if (cmdline_out) {
		*cmdline_out = cmdline;
		cmdline = NULL;
	}
	return status;
}

int cmd_bind(struct sysroot *s, const struct options *opts)
{
	_cleanup_free_ char *cmdline = NULL;
	struct vfio_params params;
	struct selection sel = {0};
	int status = select_args(s, opts, &params, &sel, &cmdline);

	if (status == EXIT_OK)
		status = claim_functions(
			s, &sel, &params,
			&(struct claim_opts){.dry_run = opts->dry_run,
					     .cmdline = cmdline,
					     .keep = opts->keep,
					     .n_keep = opts->n_keep});
	selection_free(&sel);
	return status;
}

int cmd_unbind(struct sysroot *s, const struct options *opts)
{
	struct vfio_params params;
	struct selection sel = {0};
	int status = select_args(s, opts, &params, &sel, NULL);

	if (status == EXIT_OK)
		status = release_functions(s, &sel, opts->dry_run);
	selection_free(&sel);
	return status;
}
