// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "match.h"
#include "util.h"

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

static int match_one(const struct sysroot *s, const struct selector *selector,
		     const struct vfio_params *params, const char *addr,
		     struct candidates *c)
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
		precondition_check_function(s, params, &item.f, &item.why);
	}
	return array_push(&c->items, &c->n, sizeof(item), &item);
}

static int compare_candidates(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	return strcmp(x->f.addr, y->f.addr);
}

/*
 * One pass over the directory, keeping only the matches: the boot path
 * holds no list of every function.
 */
int match_functions(const struct sysroot *s, const struct selector *selector,
		    const struct vfio_params *params, struct candidates *c)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;
	int r = 0;

	memset(c, 0, sizeof(*c));
	if (selector_is_empty(selector))
		return 0;
	r = pci_open_devices(s, &dir);
	while (r >= 0 && (de = readdir(dir))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= PCI_ADDR_MAX)
			continue;
		r = match_one(s, selector, params, de->d_name, c);
	}
	if (r < 0) {
		candidates_free(c);
		return listing_failed(s, r);
	}
	if (c->n > 1)
		qsort(c->items, c->n, sizeof(*c->items), compare_candidates);
	return 0;
}

void candidates_free(struct candidates *c)
{
	free(c->items);
	memset(c, 0, sizeof(*c));
}

int match_every_function(const struct sysroot *s, struct pci_function **all, size_t *n)
{
	int r = pci_read_all(s, all, n);

	return r < 0 ? listing_failed(s, r) : 0;
}
