// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "boot/match.h"
#include "pci/pci-proc.h"
#include "shared/log.h"
#include "shared/util.h"

static int listing_failed(const struct sysroot *s, int r)
{
	if (r == -ENOMEM)
		return log_oom();
	return ERR_ERRNO(r, "cannot list PCI functions under %s: %m", s->root);
}

/*
 * pci_match_one_device() over every entry, reading one field at a time and
 * only while some entry can still match: a function whose vendor no entry
 * names costs one read. A function selected by address is read in full.
 */
static int match_lazily(const struct sysroot *s, const struct selector *selector,
			struct pci_function *f, bool *matched)
{
	const struct id_list *ids = &selector->ids;
	bool by_addr = addr_list_match(&selector->addrs, f->addr);
	_cleanup_free_ bool *out = calloc(ids->n_ids + 1, sizeof(bool));
	size_t n_in = ids->n_ids;
	int r;

	*matched = false;
	if (!out)
		return -ENOMEM;
	for (enum pci_id_field field = 0;
	     field < PCI_FIELD_COUNT && (n_in > 0 || by_addr); field++) {
		r = pci_read_id_field(s, f, field);
		if (r < 0)
			return r;
		for (size_t i = 0; i < ids->n_ids; i++) {
			if (!out[i] && !pci_id_field_match(&ids->ids[i], field, f)) {
				out[i] = true;
				n_in--;
			}
		}
	}
	*matched = by_addr || n_in > 0;
	return 0;
}

/* Gone since the directory was listed: hot-unplugged, or a VF removed. */
static bool vanished(const struct sysroot *s, const char *addr, int err)
{
	return err == ENOENT && !pci_has_attr(s, addr, NULL);
}

bool match_drop_vanished(const struct sysroot *s, const struct selector *selector,
			 const struct candidate *it)
{
	if (!vanished(s, it->f.addr, it->why.err) ||
	    addr_list_match(&selector->addrs, it->f.addr))
		return false;
	DBG("%s vanished while it was read: dropped", it->f.addr);
	return true;
}

/* An address pinned to IDs takes only a function with those IDs. */
static void check_pin(const struct selector *selector, struct candidate *it)
{
	const struct pci_addr *a = addr_list_find(&selector->addrs, it->f.addr);

	if (!a || !a->pinned ||
	    (a->pin_vendor == it->f.vendor && a->pin_device == it->f.device))
		return;
	it->why.kind = REASON_PIN_MISMATCH;
	str_format(it->why.detail, sizeof(it->why.detail), "%04x:%04x", a->pin_vendor,
		   a->pin_device);
}

static int match_one(const struct sysroot *s, const struct selector *selector,
		     const char *addr, struct candidates *c)
{
	struct candidate item = {0};
	bool matched;
	int r;

	str_copy(item.f.addr, sizeof(item.f.addr), addr);
	selector_origin(selector, addr, item.selected_by, sizeof(item.selected_by));
	r = match_lazily(s, selector, &item.f, &matched);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		item.why = (struct reason){.kind = REASON_IDS_UNREADABLE, .err = -r};
	} else if (!matched) {
		return 0;
	} else if ((r = pci_read_state(s, &item.f)) < 0) {
		item.ids_read = true;
		item.why = (struct reason){.kind = REASON_DRIVER_UNREADABLE, .err = -r};
	} else {
		item.ids_read = true;
		check_pin(selector, &item);
	}
	if (match_drop_vanished(s, selector, &item))
		return 0;
	return array_push(&c->items, &c->n, sizeof(item), &item);
}

static int compare_candidates(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	return strcmp(x->f.addr, y->f.addr);
}

/* The next function the directory lists, or NULL at its end. */
static const char *next_function(DIR *dir)
{
	struct dirent *de;

	while ((de = readdir(dir)))
		if (de->d_name[0] != '.' && strlen(de->d_name) < PCI_ADDR_MAX)
			return de->d_name;
	return NULL;
}

/*
 * Lists up to PCI_PROC_MAX_FUNCTIONS functions into addrs; *more is the
 * next one's name, "" when the directory had no more.
 */
static size_t list_functions(DIR *dir, char (*addrs)[PCI_ADDR_MAX],
			     char more[PCI_ADDR_MAX])
{
	const char *name;
	size_t n = 0;

	more[0] = '\0';
	while ((name = next_function(dir))) {
		if (n == PCI_PROC_MAX_FUNCTIONS) {
			str_copy(more, PCI_ADDR_MAX, name);
			break;
		}
		str_copy(addrs[n++], PCI_ADDR_MAX, name);
	}
	return n;
}

/* The file is optional: without it, every function's IDs are read. */
static int read_proc(const struct sysroot *s, const struct selector *selector,
		     char (*addrs)[PCI_ADDR_MAX], size_t n, struct pci_proc *p)
{
	int r = pci_proc_read(s, &selector->ids, addrs, n, p);

	if (r < 0 && r != -ENOMEM) {
		DBG_ERRNO(r, "proc/bus/pci/devices not used, IDs read from sysfs: %m");
		r = 0;
	}
	return r;
}

/*
 * The functions sys/bus/pci/devices lists, then proc/bus/pci/devices read
 * once to rule out those no entry can match by vendor and device; only the
 * others have their attributes read. Beyond PCI_PROC_MAX_FUNCTIONS, or
 * without the file, every function is read, and the rest of the directory
 * as it comes: the boot path holds no list of every function.
 */
int match_functions(const struct sysroot *s, const struct selector *selector,
		    struct candidates *c)
{
	_cleanup_closedir_ DIR *dir = NULL;
	_cleanup_free_ char(*addrs)[PCI_ADDR_MAX] = NULL;
	_cleanup_pci_proc_ struct pci_proc proc = {0};
	char more[PCI_ADDR_MAX] = "";
	const char *name = more;
	size_t n = 0, n_read = 0;
	int r;

	memset(c, 0, sizeof(*c));
	if (selector_is_empty(selector))
		return 0;
	addrs = malloc(PCI_PROC_MAX_FUNCTIONS * sizeof(*addrs));
	r = addrs ? pci_open_devices(s, &dir) : -ENOMEM;
	if (r >= 0)
		n = list_functions(dir, addrs, more);
	if (r >= 0 && more[0] != '\0')
		DBG("over %d PCI functions: proc/bus/pci/devices not used, IDs read from sysfs",
		    PCI_PROC_MAX_FUNCTIONS);
	else if (r >= 0)
		r = read_proc(s, selector, addrs, n, &proc);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		if (pci_proc_rules_out(&proc, addrs[i]) &&
		    !addr_list_match(&selector->addrs, addrs[i]))
			continue;
		n_read++;
		r = match_one(s, selector, addrs[i], c);
	}
	while (r >= 0 && name && name[0] != '\0') {
		n++;
		n_read++;
		r = match_one(s, selector, name, c);
		name = next_function(dir);
	}
	if (r < 0) {
		candidates_free(c);
		return listing_failed(s, r);
	}
	DBG("IDs read for %zu of %zu PCI functions", n_read, n);
	if (c->n > 1)
		qsort(c->items, c->n, sizeof(*c->items), compare_candidates);
	return 0;
}

/* Every field of some entry matches f, as pci_match_one_device(). */
static bool ids_match(const struct id_list *ids, const struct pci_function *f)
{
	for (size_t i = 0; i < ids->n_ids; i++) {
		bool all = true;

		for (enum pci_id_field field = 0; all && field < PCI_FIELD_COUNT; field++)
			all = pci_id_field_match(&ids->ids[i], field, f);
		if (all)
			return true;
	}
	return false;
}

int match_read_functions(const struct selector *selector, const struct pci_function *all,
			 size_t n, struct candidates *c)
{
	int r = 0;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; r >= 0 && i < n; i++) {
		struct candidate item = {.f = all[i], .ids_read = true};

		if (!addr_list_match(&selector->addrs, all[i].addr) &&
		    !ids_match(&selector->ids, &all[i]))
			continue;
		selector_origin(selector, all[i].addr, item.selected_by,
				sizeof(item.selected_by));
		check_pin(selector, &item);
		r = array_push(&c->items, &c->n, sizeof(item), &item);
	}
	if (r < 0)
		candidates_free(c);
	return r < 0 ? log_oom() : 0;
}

int match_every_function(const struct sysroot *s, struct pci_function **all, size_t *n)
{
	int r = pci_read_all(s, all, n);

	return r < 0 ? listing_failed(s, r) : 0;
}
