// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The boot-time job: put every function that the boot selects (vfio-pci's
 * ids= from modprobe.d and the kernel command line, vfio-bind.addrs=,
 * driverctl's overrides to vfio-pci) on vfio-pci.
 */
#include "boot/report.h"
#include "boot/take.h"
#include "commands/commands.h"
#include "shared/log.h"

static bool any_deferred(const struct candidates *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (reason_is_deferral(&c->items[i].why))
			return true;
	return false;
}

/*
 * The later pass needs the root device. dracut's systemd /init waits for it
 * only in dracut-initqueue.service, which runs when /lib/dracut/need-initqueue
 * exists as it starts (after udev's coldplug): dracut's pass before udev
 * creates that file, and makes the later pass a pre-mount hook, only when
 * this one says the later pass has work.
 */
static void note_deferral(const struct sysroot *s)
{
	int r = sysroot_create(s, "run", "vfio-bind-deferred");

	if (r < 0)
		WRN_ERRNO(r,
			  "cannot create /run/vfio-bind-deferred for the later pass: %m");
}

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
		r = take_match(s, &selector, &params, &c);
	if (r < 0)
		return EXIT_USAGE;
	if (c.n == 0) {
		INF("the selection names no PCI function");
		return EXIT_OK;
	}
	INF("PCI functions selected: %zu", c.n);
	report_selected(&c);
	r = take_candidates(s, &c, &params,
			    &(struct guard_opts){.defer_storage = opts->defer_storage,
						 .cmdline = cmdline,
						 .keep = opts->keep,
						 .n_keep = opts->n_keep},
			    opts->dry_run);
	if (!opts->dry_run && any_deferred(&c))
		note_deferral(s);
	return r;
}
