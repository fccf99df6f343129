// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pci/addrs.h"
#include "shared/util.h"

/* A field of up to max_digits hex digits, and no more digits after it. */
static const char *parse_hex(const char *p, size_t max_digits, uint32_t *value)
{
	size_t n = hex_scan(p, max_digits, value);

	if (n == 0 || hex_digit((unsigned char)p[n]) >= 0)
		return NULL;
	return p + n;
}

int pci_addr_parse(const char *text, struct pci_addr *addr)
{
	uint32_t a, b, c, fn;
	const char *p;

	/* Three fields with a domain, else two. */
	p = parse_hex(text, 8, &a);
	if (!p || *p != ':')
		return -EINVAL;
	p = parse_hex(p + 1, 2, &b);
	if (!p)
		return -EINVAL;
	if (*p == ':') {
		p = parse_hex(p + 1, 2, &c);
		if (!p)
			return -EINVAL;
		*addr = (struct pci_addr){.domain = a, .bus = b, .dev = c, .fn = -1};
	} else {
		if (a > 0xff)
			return -EINVAL;
		*addr = (struct pci_addr){.bus = a, .dev = b, .fn = -1};
	}
	if (*p == '.') {
		p = parse_hex(p + 1, 1, &fn);
		if (!p || fn > 7)
			return -EINVAL;
		addr->fn = (int)fn;
	}
	if (*p != '\0' || addr->dev > 0x1f)
		return -EINVAL;
	return 0;
}

bool pci_addr_match(const struct pci_addr *pattern, const char *sysfs_addr)
{
	struct pci_addr a;

	if (pci_addr_parse(sysfs_addr, &a) < 0 || a.fn < 0)
		return false;
	return a.domain == pattern->domain && a.bus == pattern->bus &&
	       a.dev == pattern->dev && (pattern->fn < 0 || pattern->fn == a.fn);
}

int addr_entry_parse(const char *text, struct pci_addr *addr)
{
	char entry[64], *pin;
	const char *p;

	if (strlen(text) >= sizeof(entry))
		return -EINVAL;
	str_copy(entry, sizeof(entry), text);
	pin = strchr(entry, '@');
	if (pin)
		*pin++ = '\0';
	if (pci_addr_parse(entry, addr) < 0)
		return -EINVAL;
	if (!pin)
		return 0;
	p = parse_hex(pin, 4, &addr->pin_vendor);
	if (!p || p - pin != 4 || *p != ':')
		return -EINVAL;
	pin = (char *)p + 1;
	p = parse_hex(pin, 4, &addr->pin_device);
	if (!p || p - pin != 4 || *p != '\0')
		return -EINVAL;
	addr->pinned = true;
	return 0;
}

int addr_list_parse(const char *value, struct addr_list *list)
{
	_cleanup_free_ char *copy = strdup(value);
	char *p = copy, *entry;
	int r = 0;

	memset(list, 0, sizeof(*list));
	if (!copy)
		return -ENOMEM;
	while (r == 0 && (entry = strsep(&p, ","))) {
		struct pci_addr addr;

		if (entry[0] == '\0')
			continue;
		if (addr_entry_parse(entry, &addr) == 0)
			r = array_push(&list->addrs, &list->n_addrs, sizeof(addr), &addr);
		else
			r = strv_push(&list->rejected, &list->n_rejected, entry);
	}
	if (r < 0)
		addr_list_free(list);
	return r;
}

void addr_list_free(struct addr_list *list)
{
	strv_free(list->rejected, list->n_rejected);
	free(list->addrs);
	memset(list, 0, sizeof(*list));
}

const struct pci_addr *addr_list_find(const struct addr_list *list,
				      const char *sysfs_addr)
{
	for (size_t i = 0; i < list->n_addrs; i++)
		if (pci_addr_match(&list->addrs[i], sysfs_addr))
			return &list->addrs[i];
	return NULL;
}

bool addr_list_match(const struct addr_list *list, const char *sysfs_addr)
{
	return addr_list_find(list, sysfs_addr) != NULL;
}
