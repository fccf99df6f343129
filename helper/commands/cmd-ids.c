// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-bind ids ADDRESS|SLOT...: the vfio-pci.ids= argument for them. */
#include <stdio.h>
#include <string.h>

#include "boot/take.h"
#include "commands/commands.h"
#include "config/kernel-cmdline.h"
#include "guard/guard.h"
#include "shared/log.h"
#include "shared/util.h"

struct id_pair {
	uint32_t vendor, device;
};

static bool has_pair(const struct id_pair *pairs, size_t n, uint32_t vendor,
		     uint32_t device)
{
	for (size_t i = 0; i < n; i++)
		if (pairs[i].vendor == vendor && pairs[i].device == device)
			return true;
	return false;
}

/* Other functions with the same IDs would be taken too: say how not to. */
static void warn_identical(const struct pci_function *all, size_t n,
			   const struct selector *chosen, const struct id_pair *pairs,
			   size_t n_pairs, const struct candidates *c)
{
	size_t twins = 0;

	for (size_t i = 0; i < n; i++) {
		if (addr_list_match(&chosen->addrs, all[i].addr) ||
		    !has_pair(pairs, n_pairs, all[i].vendor, all[i].device))
			continue;
		WRN("%s [%04x:%04x] has the same IDs, so vfio-pci.ids= takes it too",
		    all[i].addr, all[i].vendor, all[i].device);
		twins++;
	}
	if (twins == 0)
		return;
	fprintf(stderr,
		"vfio-bind: to take only the functions given, use " ADDRS_PARAM "=");
	/* pinned to their IDs: a function that moves is not taken in its place */
	for (size_t i = 0; i < c->n; i++)
		fprintf(stderr, "%s%s@%04x:%04x", i ? "," : "", c->items[i].f.addr,
			c->items[i].f.vendor, c->items[i].f.device);
	fputc('\n', stderr);
}

static bool has_twin(const struct pci_function *all, size_t n,
		     const struct pci_function *f)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i].addr, f->addr) != 0 && all[i].vendor == f->vendor &&
		    all[i].device == f->device)
			return true;
	return false;
}

/*
 * A function printed that carries a disk the system needs stays on its host
 * driver whatever the argument says: the storage guard keeps it.
 */
static void warn_guarded(const struct sysroot *s, const struct pci_function *all,
			 size_t n, const struct candidates *c)
{
	_cleanup_free_ char *cmdline = NULL;
	_cleanup_guard_ struct system_needs g = {0};
	char why[REASON_DETAIL_MAX];
	struct keep k;

	if (cmdline_read(s, &cmdline) < 0 || guard_load(s, cmdline, NULL, 0, &g) < 0)
		return;
	for (size_t i = 0; i < c->n; i++) {
		const struct pci_function *f = &c->items[i].f;

		if (!c->items[i].ids_read ||
		    (!is_storage_controller(f) && !function_has_disks(s, &g, f)))
			continue;
		guard_check(s, &g, f, &k);
		if (k.kind == KEEP_NOTHING)
			continue;
		keep_describe(&k, f, why, sizeof(why));
		if (has_twin(all, n, f))
			WRN("%s [%04x:%04x] %s: the storage guard will keep it; to take the other identical ones, use " ADDRS_PARAM
			    "=",
			    f->addr, f->vendor, f->device, why);
		else
			WRN("%s [%04x:%04x] %s: the storage guard will keep it", f->addr,
			    f->vendor, f->device, why);
	}
}

/* The distinct vendor:device pairs of the candidates vfio-pci can take. */
static int collect_pairs(const struct candidates *c, struct id_pair **pairs,
			 size_t *n_pairs)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct pci_function *f = &c->items[i].f;
		struct id_pair pair = {f->vendor, f->device};

		if (!c->items[i].ids_read || c->items[i].why.kind == REASON_BRIDGE ||
		    has_pair(*pairs, *n_pairs, f->vendor, f->device))
			continue;
		if (array_push(pairs, n_pairs, sizeof(pair), &pair) < 0)
			return log_oom();
	}
	return 0;
}

static void format_pairs(const struct id_pair *pairs, size_t n, char *list, size_t size)
{
	list[0] = '\0';
	for (size_t i = 0; i < n; i++)
		str_format(list + strlen(list), size - strlen(list), "%s%04x:%04x",
			   i ? "," : "", pairs[i].vendor, pairs[i].device);
}

int ids_of_selection(struct sysroot *s, const struct selector *selector, char *list,
		     size_t size)
{
	_cleanup_candidates_ struct candidates c = {0};
	_cleanup_free_ struct id_pair *pairs = NULL;
	_cleanup_free_ struct pci_function *all = NULL;
	struct vfio_params params = {0};
	size_t n_pairs = 0, n = 0;

	if (match_every_function(s, &all, &n) < 0 ||
	    take_match_read(s, selector, &params, all, n, &c) < 0)
		return -EIO;
	if (c.n == 0)
		return -ENOENT;
	if (collect_pairs(&c, &pairs, &n_pairs) < 0)
		return -ENOMEM;
	format_pairs(pairs, n_pairs, list, size);
	return 0;
}

static int print_ids(struct sysroot *s, const struct selector *selector,
		     struct candidates *c)
{
	_cleanup_free_ struct id_pair *pairs = NULL;
	_cleanup_free_ struct pci_function *all = NULL;
	struct vfio_params params = {0};
	char list[VFIO_PCI_IDS_MAX + 16] = "";
	size_t n_pairs = 0, n = 0;

	if (selector->ids.n_ids > 0) {
		/* It parsed, but is no address: say what ids takes. */
		ERR("ids takes PCI addresses or slots (0b:00, 0000:0b:00.1), not vendor:device: vfio-pci.ids= of a vendor:device is that pair");
		return EXIT_USAGE;
	}
	/* every function, read once: the selection and the warnings */
	if (match_every_function(s, &all, &n) < 0 ||
	    take_match_read(s, selector, &params, all, n, c) < 0)
		return EXIT_USAGE;
	if (c->n == 0) {
		ERR("no PCI function at the addresses given: see vfio-bind list");
		return EXIT_USAGE;
	}
	if (collect_pairs(c, &pairs, &n_pairs) < 0)
		return EXIT_USAGE;
	format_pairs(pairs, n_pairs, list, sizeof(list));
	printf("vfio-pci.ids=%s\n", list);
	/* libkmod passes modprobe.d's options first, the command line's after. */
	fprintf(stderr,
		"vfio-bind: or, in /etc/modprobe.d/vfio.conf: options vfio-pci ids=%s (when both are there, the kernel command line's vfio-pci.ids= wins)\n",
		list);
	warn_identical(all, n, selector, pairs, n_pairs, c);
	warn_guarded(s, all, n, c);
	return EXIT_OK;
}

int cmd_ids(struct sysroot *s, const struct options *opts)
{
	_cleanup_selector_ struct selector selector = {0};
	_cleanup_candidates_ struct candidates c = {0};

	if (selector_from_args(opts->args, opts->n_args, false, &selector) < 0)
		return EXIT_USAGE;
	return print_ids(s, &selector, &c);
}
