// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>

#include "cmdline.h"
#include "kcmdline.h"
#include "log.h"

static int read_vfio_pci_ids(const char *cmdline, struct id_list *list,
			     bool *present)
{
	struct module_param arg;
	int r;

	r = cmdline_module_param(cmdline, "vfio_pci", "ids", &arg);
	if (r <= 0)
		return r;
	*present = true;
	if (arg.longest > VFIO_PCI_IDS_MAX) {
		ERR("vfio-pci.ids= is %zu characters long and the kernel "
		    "refuses "
		    "more than %d, so vfio-pci would not load: shorten the "
		    "list "
		    "(class and wildcard entries cover many devices); nothing "
		    "changed",
		    arg.longest, VFIO_PCI_IDS_MAX);
		r = -E2BIG;
	} else if (arg.any_bare) {
		ERR("vfio-pci.ids without '=' makes vfio-pci fail to load: "
		    "write vfio-pci.ids=vendor:device[,...]; nothing changed");
		r = -EINVAL;
	} else {
		r = id_list_parse(arg.value, list);
	}
	module_param_clear(&arg);
	if (r < 0)
		return r;
	for (size_t i = 0; i < list->n_rejected; i++)
		WRN("vfio-pci.ids: entry \"%s\" is not vendor:device[:subvendor"
		    "[:subdevice[:class[:class_mask]]]] in hex; vfio-pci skips "
		    "it "
		    "too",
		    list->rejected[i]);
	for (size_t i = 0; i < list->n_ids; i++) {
		char text[96];

		if (id_format(text, sizeof(text), &list->ids[i]) >= 0)
			DBG("vfio-pci.ids: %s", text);
	}
	return 0;
}

/* vfio-bind.addrs= is read with the same rules as a module parameter. */
static int read_addrs(const char *cmdline, struct addr_list *list,
		      bool *present)
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
		WRN(ADDRS_PARAM
		    " without '=' selects nothing: write " ADDRS_PARAM
		    "=0000:0c:00.0[,...]");
	module_param_clear(&arg);
	if (r < 0)
		return r;
	for (size_t i = 0; i < list->n_rejected; i++)
		WRN(ADDRS_PARAM
		    ": entry \"%s\" is not a PCI address "
		    "([domain:]bus:device[.function], in hex); skipped",
		    list->rejected[i]);
	return 0;
}

int kcmdline_selector(const char *cmdline, struct selector *sel, bool *present)
{
	int r;

	memset(sel, 0, sizeof(*sel));
	*present = false;
	r = read_vfio_pci_ids(cmdline, &sel->ids, present);
	if (r >= 0)
		r = read_addrs(cmdline, &sel->addrs, present);
	if (r < 0)
		selector_free(sel);
	return r;
}
