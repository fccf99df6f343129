// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The selection, from its sources: the boot's configuration (vfio-pci's
 * ids= as libkmod hands it to vfio-pci from modprobe.d and the kernel
 * command line, vfio-bind.addrs=, driverctl's overrides to vfio-pci) and a
 * command's arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/driverctl.h"
#include "config/kernel-cmdline.h"
#include "config/modprobe.h"
#include "config/selector.h"
#include "shared/log.h"
#include "shared/util.h"

/* vfio-pci fails to load on an ids= too long for its buffer or without a value. */
static int refused(const struct module_param *p, const char *where)
{
	if (p->longest > VFIO_PCI_IDS_MAX)
		return ERR_ERRNO(
			E2BIG,
			"vfio-pci.ids= (%s) is %zu characters long and the kernel refuses more than %d, so vfio-pci would not load: shorten the list (class and wildcard entries cover many devices); nothing changed",
			where, p->longest, VFIO_PCI_IDS_MAX);
	if (p->any_bare)
		return ERR_ERRNO(
			EINVAL,
			"vfio-pci.ids without '=' makes vfio-pci fail to load (%s): write vfio-pci.ids=vendor:device[,...]; nothing changed",
			where);
	return 0;
}

static int refused_in_modprobe(const struct module_param *line,
			       const struct modprobe_entry *e)
{
	char line_at[SELECTION_ORIGIN_MAX], where[SELECTION_ORIGIN_MAX + 8];

	modprobe_entry_where(e, line_at, sizeof(line_at));
	str_format(where, sizeof(where), "in %s", line_at);
	return refused(line, where);
}

static void warn_bad_lines(const struct modprobe_config *cfg)
{
	for (size_t i = 0; i < cfg->n; i++)
		if (cfg->entries[i].kind == MODPROBE_BAD)
			WRN("%s line %u: \"%s\" is no modprobe.d line that vfio-pci gets; skipped: write options vfio-pci ids=vendor:device[,...]",
			    cfg->entries[i].path, cfg->entries[i].line,
			    cfg->entries[i].rest);
}

static void log_ids(const struct id_list *list, const char *label)
{
	for (size_t i = 0; i < list->n_rejected; i++)
		WRN("%s: entry \"%s\" is not vendor:device[:subvendor[:subdevice[:class[:class_mask]]]] in hex; vfio-pci skips it too",
		    label, list->rejected[i]);
	for (size_t i = 0; i < list->n_ids; i++) {
		char text[96];

		if (id_format(text, sizeof(text), &list->ids[i]) >= 0)
			DBG("vfio-pci.ids: %s", text);
	}
}

/*
 * libkmod passes modprobe.d's options before the command line's
 * (kmod_config_new() parses /proc/cmdline last), and the kernel sets each
 * ids= in turn: the last one is what vfio-pci keeps.
 */
static int read_vfio_pci_ids(const char *cmdline, const struct modprobe_config *cfg,
			     struct selector *sel, bool *present)
{
	struct module_param arg, from_cmdline = {0};
	const struct modprobe_entry *last;
	char where[SELECTION_ORIGIN_MAX];
	const char *label = "vfio-pci.ids";
	int r;

	r = modprobe_module_param(cfg, "vfio_pci", "ids", &arg, &last,
				  refused_in_modprobe);
	if (r < 0)
		return r;
	r = cmdline_module_param(cmdline, "vfio_pci", "ids", &from_cmdline);
	if (r > 0)
		r = refused(&from_cmdline, "on the kernel command line");
	if (r >= 0 && from_cmdline.count > 0) {
		str_copy(sel->ids_origin, sizeof(sel->ids_origin),
			 "vfio-pci.ids= on the kernel command line");
	} else if (r >= 0 && last) {
		modprobe_entry_where(last, where, sizeof(where));
		str_format(sel->ids_origin, sizeof(sel->ids_origin),
			   "options vfio-pci ids= in %s", where);
		label = sel->ids_origin;
	}
	module_param_merge(&arg, &from_cmdline);
	if (r >= 0 && arg.count > 0) {
		*present = true;
		r = id_list_parse(arg.value, &sel->ids);
	}
	module_param_clear(&arg);
	if (r < 0)
		return r;
	log_ids(&sel->ids, label);
	return 0;
}

/* vfio-bind.addrs= is read with the same rules as a module parameter. */
static int read_addrs(const char *cmdline, struct addr_list *list, bool *present)
{
	struct module_param arg;
	int r;

	r = cmdline_module_param(cmdline, "vfio_bind", "addrs", &arg);
	if (r <= 0)
		return r;
	*present = true;
	if (arg.value)
		r = addr_list_parse(arg.value, list);
	else
		WRN(ADDRS_PARAM " without '=' selects nothing: write " ADDRS_PARAM
				"=0000:0c:00.0[,...]");
	module_param_clear(&arg);
	if (r < 0)
		return r;
	for (size_t i = 0; i < list->n_rejected; i++)
		WRN(ADDRS_PARAM
		    ": entry \"%s\" is not a PCI address ([domain:]bus:device[.function], in hex, optionally @vendor:device, four hex digits each); skipped",
		    list->rejected[i]);
	return 0;
}

/* driverctl's udev rule puts these on vfio-pci after boot; vfio-bind, before. */
static int read_driverctl(const struct boot_config *cfg, struct addr_list *list,
			  bool *present)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < cfg->n_driverctl; i++) {
		if (strcmp(cfg->driverctl[i].driver, VFIO_PCI) != 0)
			continue;
		*present = true;
		r = array_push(&list->addrs, &list->n_addrs,
			       sizeof(cfg->driverctl[i].addr), &cfg->driverctl[i].addr);
	}
	return r;
}

int selector_from_cmdline(const char *cmdline, struct selector *sel, bool *present)
{
	struct modprobe_config none = {0};
	int r;

	memset(sel, 0, sizeof(*sel));
	*present = false;
	r = read_vfio_pci_ids(cmdline, &none, sel, present);
	if (r >= 0)
		r = read_addrs(cmdline, &sel->addrs, present);
	if (r < 0)
		selector_free(sel);
	return r == -ENOMEM ? log_oom() : r;
}

static int read_sources(const struct boot_config *cfg, struct selector *sel,
			bool *present)
{
	int r;

	warn_bad_lines(&cfg->modprobe);
	r = read_vfio_pci_ids(cfg->cmdline, &cfg->modprobe, sel, present);
	if (r >= 0)
		r = read_addrs(cfg->cmdline, &sel->addrs, present);
	sel->n_listed = sel->addrs.n_addrs;
	str_copy(sel->listed_origin, sizeof(sel->listed_origin),
		 ADDRS_PARAM "= on the kernel command line");
	if (r >= 0)
		r = read_driverctl(cfg, &sel->addrs, present);
	return r;
}

int selector_from_boot_config(const struct boot_config *cfg, struct selector *sel,
			      bool *present)
{
	int r;

	memset(sel, 0, sizeof(*sel));
	*present = false;
	r = read_sources(cfg, sel, present);
	if (r < 0) {
		selector_free(sel);
		return r == -ENOMEM ? log_oom() : r;
	}
	return 0;
}

void selector_origin(const struct selector *sel, const char *addr, char *buf, size_t size)
{
	for (size_t i = 0; i < sel->addrs.n_addrs; i++) {
		if (!pci_addr_match(&sel->addrs.addrs[i], addr))
			continue;
		if (i < sel->n_listed)
			str_copy(buf, size, sel->listed_origin);
		else
			str_format(buf, size, "driverctl's /etc/driverctl.d/pci-%s",
				   addr);
		return;
	}
	str_copy(buf, size, sel->ids_origin);
}

/* "10de:1c30": two fields of four hex digits. */
static bool parse_id_pair(const char *arg, struct pci_id *id)
{
	uint32_t vendor, device;

	if (hex_scan(arg, 4, &vendor) != 4 || arg[4] != ':' ||
	    hex_scan(arg + 5, 4, &device) != 4 || arg[9] != '\0')
		return false;
	*id = (struct pci_id){vendor, device, PCI_ANY_ID, PCI_ANY_ID, 0, 0};
	return true;
}

static int add_arg(struct selector *sel, const char *arg, bool ids_allowed)
{
	struct pci_addr addr;
	struct pci_id id;

	if (parse_id_pair(arg, &id))
		return array_push(&sel->ids.ids, &sel->ids.n_ids, sizeof(id), &id);
	if (addr_entry_parse(arg, &addr) == 0)
		return array_push(&sel->addrs.addrs, &sel->addrs.n_addrs, sizeof(addr),
				  &addr);
	if (ids_allowed)
		fprintf(stderr,
			"vfio-bind: '%s' is neither a PCI address or slot ([domain:]bus:device[.function]) nor vendor:device (four hex digits each)\nTry 'vfio-bind --help' for more information.\n",
			arg);
	else
		fprintf(stderr,
			"vfio-bind: '%s' is not a PCI address or slot ([domain:]bus:device[.function])\nTry 'vfio-bind --help' for more information.\n",
			arg);
	return -EINVAL;
}

int selector_from_args(char *const *args, int n_args, bool ids_allowed,
		       struct selector *sel)
{
	memset(sel, 0, sizeof(*sel));
	if (n_args == 0) {
		if (ids_allowed)
			fprintf(stderr,
				"vfio-bind: no ADDRESS, SLOT or VENDOR:DEVICE given\nTry 'vfio-bind --help' for more information.\n");
		else
			fprintf(stderr,
				"vfio-bind: no ADDRESS or SLOT given\nTry 'vfio-bind --help' for more information.\n");
		return -EINVAL;
	}
	for (int i = 0; i < n_args; i++) {
		int r = add_arg(sel, args[i], ids_allowed);

		if (r < 0) {
			selector_free(sel);
			return r == -ENOMEM ? log_oom() : r;
		}
	}
	sel->n_listed = sel->addrs.n_addrs;
	str_copy(sel->ids_origin, sizeof(sel->ids_origin), "the command's arguments");
	str_copy(sel->listed_origin, sizeof(sel->listed_origin),
		 "the command's arguments");
	return 0;
}

void selector_free(struct selector *sel)
{
	id_list_free(&sel->ids);
	addr_list_free(&sel->addrs);
}

bool selector_is_empty(const struct selector *sel)
{
	return sel->ids.n_ids == 0 && sel->addrs.n_addrs == 0;
}

bool selector_matches(const struct selector *selector, const struct pci_function *f)
{
	if (addr_list_match(&selector->addrs, f->addr))
		return true;
	for (size_t i = 0; i < selector->ids.n_ids; i++)
		if (pci_id_match(&selector->ids.ids[i], f))
			return true;
	return false;
}
