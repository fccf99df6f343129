// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pci.ids format: pciids.c. The first four bytes of the input are the
 * vendor and device looked up, the rest is the database.
 */
#include "commands/pciids.h"
#include "fuzz.h"
#include "shared/macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = NULL;
	struct pci_ids_db db;
	uint32_t vendor, device;
	char name[256];

	if (size < 4)
		return 0;
	vendor = (uint32_t)data[0] << 8 | data[1];
	device = (uint32_t)data[2] << 8 | data[3];
	text = fuzz_string(data + 4, size - 4);
	if (!text)
		return 0;
	db = (struct pci_ids_db){.text = text, .size = strlen(text)};
	pci_ids_db_name(&db, vendor, device, name, sizeof(name));
	FUZZ_ASSERT(strlen(name) < sizeof(name));
	pci_ids_db_name(&db, 0x10de, 0x1c30, name, 8);
	FUZZ_ASSERT(strlen(name) < 8);
	return 0;
}
