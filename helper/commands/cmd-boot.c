// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The boot-time job: put every function that the boot selects (vfio-pci's
 * ids= from modprobe.d and the kernel command line, vfio-bind.addrs=,
 * driverctl's overrides to vfio-pci) on vfio-pci.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot/record.h"
#include "boot/report.h"
#include "boot/take.h"
#include "commands/commands.h"
#include "guard/management.h"
#include "shared/log.h"
#include "shared/util.h"

/*
 * The deferral note: the functions this pass left for the pass once the root
 * device exists, one a line, "ADDRESS [VENDOR:DEVICE] DRIVER". Its presence
 * starts that pass in dracut's images (vfio-bind-late.service, the pre-mount
 * hook), which removes it; still there once the root is mounted, the hooks
 * name what it lists as left on its host driver. Without memory for the
 * lines it is written empty: the later pass must run all the same.
 */
static char *deferral_lines(const struct candidates *c)
{
	char *note = NULL, line[PCI_ADDR_MAX + DRIVER_NAME_MAX + 32];
	size_t len = 0;

	for (size_t i = 0; i < c->n; i++) {
		const struct pci_function *f = &c->items[i].f;
		char *grown;

		if (!reason_is_deferral(&c->items[i].why))
			continue;
		str_format(line, sizeof(line), "%s [%04x:%04x] %s\n", f->addr, f->vendor,
			   f->device, f->driver[0] ? f->driver : "no driver");
		grown = realloc(note, len + strlen(line) + 1);
		if (!grown) {
			free(note);
			return NULL;
		}
		note = grown;
		memcpy(note + len, line, strlen(line) + 1);
		len += strlen(line);
	}
	return note;
}

static bool any_deferred(const struct candidates *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (reason_is_deferral(&c->items[i].why))
			return true;
	return false;
}

static void note_deferral(const struct sysroot *s, const struct candidates *c)
{
	_cleanup_free_ char *lines = NULL;
	int r;

	if (!any_deferred(c))
		return;
	lines = deferral_lines(c);
	r = sysroot_create(s, "run", "vfio-bind-deferred", lines ? lines : "");
	if (r < 0)
		WRN_ERRNO(
			r,
			"cannot write /run/vfio-bind-deferred (%m): dracut's pass once the root device exists will not run, and the deferred functions stay on their host drivers");
}

/* The image's record of the management NICs; one that cannot be read
 * keeps every network controller. */
static void read_management_nics(const struct sysroot *s, struct management_nics *m)
{
	int r = management_nics_read(s, m);

	if (r < 0)
		m->unsure = (struct doubt){.kind = DOUBT_RECORD_UNREADABLE, .err = -r};
}

/*
 * Run by a boot hook (no terminal on stdin), the boot job leads a process
 * group of its own, which the hook's time limit signals whole: what libkmod
 * starts for an install command in modprobe.d (system(), libkmod's
 * command_do()) goes with it.
 */
static void lead_process_group(void)
{
	if (!isatty(STDIN_FILENO) && setpgid(0, 0) < 0)
		DBG("setpgid: %m; the hook's limit signals the helper alone");
}

/* The boot job, the stages in order, with what it decided in c; an exit status. */
static int boot_job(struct sysroot *s, const struct options *opts, bool *selected,
		    struct candidates *c)
{
	_cleanup_boot_config_ struct boot_config cfg = {0};
	_cleanup_selector_ struct selector selector = {0};
	_cleanup_management_nics_ struct management_nics management = {0};
	struct vfio_params params;
	int r;

	r = boot_config_read(s, &cfg);
	if (r >= 0)
		r = selector_from_boot_config(&cfg, &selector, selected);
	if (r < 0)
		return selection_exit_status(r);
	if (!*selected) {
		INF("no vfio-pci.ids= or " ADDRS_PARAM
		    "= on the kernel command line, no options vfio-pci ids= in modprobe.d, no driverctl override to vfio-pci: nothing to do");
		return EXIT_OK;
	}
	r = vfio_read_params(s, &cfg, &params);
	if (r >= 0)
		r = take_match(s, &selector, &params, c);
	if (r < 0)
		return EXIT_USAGE;
	if (c->n == 0) {
		INF("the selection names no PCI function");
		return EXIT_OK;
	}
	INF("PCI functions selected: %zu", c->n);
	report_selected(c);
	read_management_nics(s, &management);
	r = take_candidates(s, c, &params,
			    &(struct guard_opts){.defer_storage = opts->defer_storage,
						 .cmdline = cfg.cmdline,
						 .keep = opts->keep,
						 .n_keep = opts->n_keep,
						 .management = &management,
						 .named = &selector.addrs},
			    opts->dry_run);
	if (!opts->dry_run)
		note_deferral(s, c);
	return r;
}

/* A record that cannot be written changes nothing the job did. */
static void write_record(const struct sysroot *s, const struct boot_job *job)
{
	int r = record_write(s, job);

	if (r < 0)
		WRN_ERRNO(
			r,
			"cannot write /run/vfio-bind/%s (%m): vfio-bind check cannot tell what this pass did; the functions are as the lines above say",
			record_file_name(job->pass));
}

int cmd_boot(struct sysroot *s, const struct options *opts)
{
	_cleanup_candidates_ struct candidates c = {0};
	struct boot_job job = {.pass = opts->defer_storage ? RECORD_EARLY : RECORD_LATE,
			       .boottime = record_boottime(),
			       .c = &c};

	lead_process_group();
	job.status = boot_job(s, opts, &job.selected, &c);
	if (!opts->dry_run)
		write_record(s, &job);
	return job.status;
}
