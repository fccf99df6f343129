// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pci/ids.h"
#include "shared/sysroot.h"
#include "shared/util.h"

/* The kernel's isspace() (lib/ctype.c) also counts 0xa0. */
static bool kernel_isspace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

/*
 * One "%x" of the kernel's vsscanf(): skip white space, require a hex digit,
 * let simple_strntoull() skip a "0x" prefix, and keep the low 32 bits as the
 * store into an unsigned int does.
 */
static bool scan_hex(const char **str, uint32_t *value)
{
	const char *p = *str;

	while (kernel_isspace((unsigned char)*p))
		p++;
	if (hex_digit((unsigned char)*p) < 0)
		return false;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	*str = p + hex_scan(p, SIZE_MAX, value);
	return true;
}

/* sscanf(entry, "%x:%x:%x:%x:%x:%x", ...) as the kernel counts fields. */
static int scan_entry(const char *entry, uint32_t fields[6])
{
	const char *p = entry;
	int n;

	for (n = 0; n < 6; n++) {
		if (n > 0) {
			if (*p != ':')
				break;
			p++;
		}
		if (!scan_hex(&p, &fields[n]))
			break;
	}
	return n;
}

static int add_entry(struct id_list *list, const char *entry)
{
	uint32_t f[6] = {0, 0, PCI_ANY_ID, PCI_ANY_ID, 0, 0};
	struct pci_id id;

	if (scan_entry(entry, f) < 2)
		return strv_push(&list->rejected, &list->n_rejected, entry);
	id = (struct pci_id){f[0], f[1], f[2], f[3], f[4], f[5]};
	return array_push(&list->ids, &list->n_ids, sizeof(id), &id);
}

int id_list_parse(const char *value, struct id_list *list)
{
	_cleanup_free_ char *copy = strdup(value);
	char *p = copy, *entry;
	int r;

	memset(list, 0, sizeof(*list));
	if (!copy)
		return -ENOMEM;
	while ((entry = strsep(&p, ","))) {
		if (entry[0] == '\0')
			continue;
		r = add_entry(list, entry);
		if (r < 0) {
			id_list_free(list);
			return r;
		}
	}
	return 0;
}

void id_list_free(struct id_list *list)
{
	strv_free(list->rejected, list->n_rejected);
	free(list->ids);
	memset(list, 0, sizeof(*list));
}

/* As vfio-pci's own "add [%04x:%04x[%04x:%04x]] class %#08x/%08x". */
int id_format(char *buf, size_t size, const struct pci_id *id)
{
	return path_format(buf, size, "[%04x:%04x[%04x:%04x]] class %#08x/%08x",
			   id->vendor, id->device, id->subvendor, id->subdevice,
			   id->class, id->class_mask);
}
