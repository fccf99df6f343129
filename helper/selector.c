// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The selection, from its two sources: the kernel command line
 * (vfio-pci.ids= as libkmod hands it to vfio-pci, vfio-bind.addrs=) and a
 * command's arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kernel-cmdline.h"
#include "log.h"
#include "selector.h"
#include "util.h"

static int read_vfio_pci_ids(const char *cmdline, struct id_list *list, bool *present)
{
	struct module_param arg;
	int r;

	r = cmdline_module_param(cmdline, "vfio_pci", "ids", &arg);
	if (r <= 0)
		return r;
	*present = true;
	if (arg.longest > VFIO_PCI_IDS_MAX)
		r = ERR_ERRNO(
			E2BIG,
			"vfio-pci.ids= is %zu characters long and the kernel refuses more than %d, so vfio-pci would not load: shorten the list (class and wildcard entries cover many devices); nothing changed",
			arg.longest, VFIO_PCI_IDS_MAX);
	else if (arg.any_bare)
		r = ERR_ERRNO(
			EINVAL,
			"vfio-pci.ids without '=' makes vfio-pci fail to load: write vfio-pci.ids=vendor:device[,...]; nothing changed");
	else
		r = id_list_parse(arg.value, list);
	module_param_clear(&arg);
	if (r < 0)
		return r;
	for (size_t i = 0; i < list->n_rejected; i++)
		WRN("vfio-pci.ids: entry \"%s\" is not vendor:device[:subvendor[:subdevice[:class[:class_mask]]]] in hex; vfio-pci skips it too",
		    list->rejected[i]);
	for (size_t i = 0; i < list->n_ids; i++) {
		char text[96];

		if (id_format(text, sizeof(text), &list->ids[i]) >= 0)
			DBG("vfio-pci.ids: %s", text);
	}
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
		    ": entry \"%s\" is not a PCI address ([domain:]bus:device[.function], in hex); skipped",
		    list->rejected[i]);
	return 0;
}

int selector_from_cmdline(const char *cmdline, struct selector *sel, bool *present)
{
	int r;

	memset(sel, 0, sizeof(*sel));
	*present = false;
	r = read_vfio_pci_ids(cmdline, &sel->ids, present);
	if (r >= 0)
		r = read_addrs(cmdline, &sel->addrs, present);
	if (r < 0)
		selector_free(sel);
	return r == -ENOMEM ? log_oom() : r;
}

int selector_read_kernel(const struct sysroot *s, struct selector *sel, bool *present,
			 char **cmdline_out)
{
	_cleanup_free_ char *cmdline = NULL;
	int r;

	memset(sel, 0, sizeof(*sel));
	*present = false;
	r = cmdline_read(s, &cmdline);
	if (r < 0)
		return r;
	r = selector_from_cmdline(cmdline, sel, present);
	if (r < 0)
		return r;
	if (cmdline_out) {
		*cmdline_out = cmdline;
		cmdline = NULL;
	}
	return 0;
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
	if (pci_addr_parse(arg, &addr) == 0)
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
