// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guard/disk-map.h"
#include "pci/addrs.h"
#include "shared/util.h"

int disk_map_list(const struct sysroot *s, struct disk_map *m)
{
	_cleanup_free_ char(*names)[BLOCK_NAME_MAX] = NULL;
	size_t n;
	int r;

	if (m->listed)
		return 0;
	r = block_list(s, &names, &n);
	if (r < 0)
		return r;
	m->items = calloc(n ? n : 1, sizeof(*m->items));
	if (!m->items)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		str_copy(m->items[i].name, sizeof(m->items[i].name), names[i]);
	m->n = n;
	m->listed = true;
	return 0;
}

static struct disk *find_disk(struct disk_map *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->items[i].name, name) == 0)
			return &m->items[i];
	return NULL;
}

static int read_functions(const struct sysroot *s, struct disk *d)
{
	if (d->read == 0) {
		int r = block_pci_functions(s, d->name, &d->addrs, &d->n_addrs);

		d->read = r < 0 ? r : 1;
	}
	return d->read < 0 ? d->read : 0;
}

int disk_map_functions(const struct sysroot *s, struct disk_map *m, const char *name,
		       const char (**addrs)[PCI_ADDR_MAX], size_t *n)
{
	struct disk *d;
	int r = disk_map_list(s, m);

	*addrs = NULL;
	*n = 0;
	if (r < 0)
		return r;
	d = find_disk(m, name);
	if (!d)
		return -ENOENT;
	r = read_functions(s, d);
	if (r < 0)
		return r;
	*addrs = (const char(*)[PCI_ADDR_MAX])d->addrs;
	*n = d->n_addrs;
	return 0;
}

bool disk_map_has_function(const struct sysroot *s, struct disk_map *m, const char *addr)
{
	if (disk_map_list(s, m) < 0)
		return false;
	for (size_t i = 0; i < m->n; i++)
		if (read_functions(s, &m->items[i]) >= 0 &&
		    pci_addr_list_has(m->items[i].addrs, m->items[i].n_addrs, addr))
			return true;
	return false;
}

void disk_map_free(struct disk_map *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->items[i].addrs);
	free(m->items);
	*m = (struct disk_map){0};
}
