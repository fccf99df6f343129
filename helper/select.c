// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "select.h"
#include "util.h"

void selector_free(struct selector *sel)
{
	id_list_free(&sel->ids);
	addr_list_free(&sel->addrs);
}

static bool is_id_pair(const char *arg)
{
	return strlen(arg) == 9 && arg[4] == ':' &&
	       strspn(arg, "0123456789abcdefABCDEF") == 4 &&
	       strspn(arg + 5, "0123456789abcdefABCDEF") == 4;
}

int selector_add_arg(struct selector *sel, const char *arg)
{
	struct pci_addr addr;

	if (is_id_pair(arg)) {
		struct pci_id id = {(uint32_t)strtoul(arg, NULL, 16),
				    (uint32_t)strtoul(arg + 5, NULL, 16),
				    PCI_ANY_ID,
				    PCI_ANY_ID,
				    0,
				    0};

		return array_push(&sel->ids.ids, &sel->ids.n_ids, sizeof(id),
				  &id);
	}
	if (pci_addr_parse(arg, &addr) < 0)
		return -EINVAL;
	return array_push(&sel->addrs.addrs, &sel->addrs.n_addrs, sizeof(addr),
			  &addr);
}

bool selector_is_empty(const struct selector *sel)
{
	return sel->ids.n_ids == 0 && sel->addrs.n_addrs == 0;
}

bool selector_matches(const struct selector *selector,
		      const struct pci_function *f)
{
	if (addr_list_match(&selector->addrs, f->addr))
		return true;
	for (size_t i = 0; i < selector->ids.n_ids; i++)
		if (pci_id_match(&selector->ids.ids[i], f))
			return true;
	return false;
}

static int read_id(const struct sysroot *s, const char *addr, const char *attr,
		   uint32_t *value)
{
	char path[256];
	int r = pci_device_path(path, sizeof(path), addr, attr);

	return r < 0 ? r : sysroot_read_hex(s, path, value);
}

static bool id_accepts(const struct pci_id *id, size_t attr,
		       const struct pci_function *f)
{
	switch (attr) {
	case 0:
		return id->vendor == PCI_ANY_ID || id->vendor == f->vendor;
	case 1:
		return id->device == PCI_ANY_ID || id->device == f->device;
	case 2:
		return id->subvendor == PCI_ANY_ID ||
		       id->subvendor == f->subvendor;
	case 3:
		return id->subdevice == PCI_ANY_ID ||
		       id->subdevice == f->subdevice;
	default:
		return !((id->class ^ f->class) & id->class_mask);
	}
}

/*
 * pci_match_one_device() over every entry, reading one attribute at a time
 * and only while some entry can still match: a function whose vendor no
 * entry names costs one read. A function selected by address is read in
 * full.
 */
static int match_lazily(const struct sysroot *s,
			const struct selector *selector, struct pci_function *f,
			bool *matched)
{
	static const char *const attrs[] = {"vendor", "device",
					    "subsystem_vendor",
					    "subsystem_device", "class"};
	uint32_t *fields[] = {&f->vendor, &f->device, &f->subvendor,
			      &f->subdevice, &f->class};
	const struct id_list *ids = &selector->ids;
	bool by_addr = addr_list_match(&selector->addrs, f->addr);
	_cleanup_free_ bool *out = calloc(ids->n_ids + 1, sizeof(bool));
	size_t n_in = ids->n_ids;
	int r;

	*matched = false;
	if (!out)
		return -ENOMEM;
	for (size_t a = 0; a < ARRAY_SIZE(attrs) && (n_in > 0 || by_addr);
	     a++) {
		r = read_id(s, f->addr, attrs[a], fields[a]);
		if (r < 0)
			return r;
		for (size_t i = 0; i < ids->n_ids; i++) {
			if (!out[i] && !id_accepts(&ids->ids[i], a, f)) {
				out[i] = true;
				n_in--;
			}
		}
	}
	*matched = by_addr || n_in > 0;
	return 0;
}

static int select_one(const struct sysroot *s, const struct selector *selector,
		      const struct vfio_params *params, const char *addr,
		      struct selection *sel)
{
	struct selected item = {0};
	bool matched;
	int r;

	str_copy(item.f.addr, sizeof(item.f.addr), addr);
	r = match_lazily(s, selector, &item.f, &matched);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		snprintf(item.skip, sizeof(item.skip),
			 "its IDs cannot be read (%s)", strerror(-r));
	} else if (!matched) {
		return 0;
	} else if ((r = pci_read_state(s, &item.f)) < 0) {
		item.ids_read = true;
		snprintf(item.skip, sizeof(item.skip),
			 "its driver cannot be read (%s)", strerror(-r));
	} else {
		item.ids_read = true;
		vfio_refusal(s, params, &item.f, item.skip, sizeof(item.skip));
	}
	return array_push(&sel->items, &sel->n, sizeof(item), &item);
}

static int compare_selected(const void *a, const void *b)
{
	const struct selected *x = a, *y = b;

	return strcmp(x->f.addr, y->f.addr);
}

/*
 * One pass over the directory, keeping only the matches: the boot path
 * holds no list of every function.
 */
int select_functions(const struct sysroot *s, const struct selector *selector,
		     const struct vfio_params *params, struct selection *sel)
{
	struct dirent *de;
	DIR *dir;
	int r = 0;

	memset(sel, 0, sizeof(*sel));
	if (selector_is_empty(selector))
		return 0;
	r = pci_open_devices(s, &dir);
	if (r < 0)
		return r;
	while (r >= 0 && (de = readdir(dir))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= PCI_ADDR_MAX)
			continue;
		r = select_one(s, selector, params, de->d_name, sel);
	}
	closedir(dir);
	if (r < 0) {
		selection_free(sel);
		return r;
	}
	if (sel->n > 1)
		qsort(sel->items, sel->n, sizeof(*sel->items),
		      compare_selected);
	return 0;
}

void selection_free(struct selection *sel)
{
	free(sel->items);
	memset(sel, 0, sizeof(*sel));
}
