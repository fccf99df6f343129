// SPDX-License-Identifier: GPL-2.0-or-later
/* PCI addresses and slots, and vfio-bind.addrs= lists of them: addrs.c. */
#include <stdio.h>

#include "fuzz.h"
#include "pci/addrs.h"
#include "shared/macro.h"

/* An address parsed, written as sysfs writes it, parses to itself, and a
 * pattern matches the functions it names. */
static void round_trip(const char *text)
{
	struct pci_addr a, b;
	char sysfs[32];

	if (pci_addr_parse(text, &a) < 0)
		return;
	FUZZ_ASSERT(a.bus <= 0xff && a.dev <= 0x1f && a.fn <= 7 && a.fn >= -1);
	snprintf(sysfs, sizeof(sysfs), "%04x:%02x:%02x.%d", a.domain, a.bus, a.dev,
		 a.fn < 0 ? 0 : a.fn);
	FUZZ_ASSERT(pci_addr_parse(sysfs, &b) == 0);
	FUZZ_ASSERT(b.domain == a.domain && b.bus == a.bus && b.dev == a.dev);
	FUZZ_ASSERT(pci_addr_match(&a, sysfs));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = fuzz_string(data, size);
	struct addr_list list;

	if (!text)
		return 0;
	round_trip(text);
	if (addr_list_parse(text, &list) < 0)
		return 0;
	(void)addr_list_match(&list, "0000:0b:00.0");
	(void)addr_list_match(&list, text);
	addr_list_free(&list);
	return 0;
}
