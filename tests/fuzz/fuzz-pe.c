// SPDX-License-Identifier: GPL-2.0-or-later
/* A unified kernel image's PE headers: next-boot.c's pe_section(). */
#include "config/next-boot.h"
#include "fuzz.h"

/* The section found lies inside the file, whatever its headers say. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t head = size < 4096 ? size : 4096;
	uint64_t offset, len;

	if (pe_section(data, head, size, ".cmdline", &offset, &len) == 0)
		FUZZ_ASSERT(offset <= size && len <= size - offset);
	if (pe_section(data, head, size + 65536, ".osrel", &offset, &len) == 0)
		FUZZ_ASSERT(offset <= size + 65536 && len <= size + 65536 - offset);
	return 0;
}
