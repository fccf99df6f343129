// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-bind bind|unbind ARG...: the boot job at run time, and its undo. */
#include "boot/take.h"
#include "commands/commands.h"
#include "config/boot-config.h"
#include "shared/log.h"

/* The candidates the arguments name; an exit status, logged. */
static int match_args(struct sysroot *s, const struct options *opts,
		      struct boot_config *cfg, struct vfio_params *params,
		      struct candidates *c)
{
	_cleanup_selector_ struct selector selector = {0};
	int r;

	r = selector_from_args(opts->args, opts->n_args, true, &selector);
	if (r < 0)
		return EXIT_USAGE;
	r = boot_config_read(s, cfg);
	if (r >= 0)
		r = vfio_read_params(s, cfg, params);
	if (r >= 0)
		r = take_match(s, &selector, params, c);
	if (r < 0)
		return EXIT_USAGE;
	if (c->n == 0) {
		ERR("no PCI function matches the arguments: see vfio-bind list");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* bind puts the candidates on vfio-pci; unbind gives them back. */
static int run(struct sysroot *s, const struct options *opts, bool give_back)
{
	_cleanup_boot_config_ struct boot_config cfg = {0};
	_cleanup_candidates_ struct candidates c = {0};
	struct vfio_params params;
	int status = match_args(s, opts, &cfg, &params, &c);

	if (status != EXIT_OK)
		return status;
	if (give_back)
		return give_back_candidates(s, &c, opts->dry_run);
	return take_candidates(s, &c, &params,
			       &(struct guard_opts){.cmdline = cfg.cmdline,
						    .keep = opts->keep,
						    .n_keep = opts->n_keep},
			       opts->dry_run);
}

int cmd_bind(struct sysroot *s, const struct options *opts)
{
	return run(s, opts, false);
}

int cmd_unbind(struct sysroot *s, const struct options *opts)
{
	return run(s, opts, true);
}
