// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-pci.ids= entries as vfio_pci_fill_ids() reads them: ids.c. */
#include "fuzz.h"
#include "pci/ids.h"
#include "shared/macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *value = fuzz_string(data, size);
	struct id_list list;
	size_t entries = 1;
	char buf[128];

	if (!value || id_list_parse(value, &list) < 0)
		return 0;
	for (const char *p = value; *p; p++)
		entries += *p == ',';
	FUZZ_ASSERT(list.n_ids + list.n_rejected <= entries);
	for (size_t i = 0; i < list.n_ids; i++)
		FUZZ_ASSERT(id_format(buf, sizeof(buf), &list.ids[i]) > 0);
	for (size_t i = 0; i < list.n_rejected; i++)
		FUZZ_ASSERT(list.rejected[i][0] && !strchr(list.rejected[i], ','));
	id_list_free(&list);
	return 0;
}
