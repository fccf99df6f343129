// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The boot record's reader: commands/boot-record.c. Any bytes give a record
 * or -EBADMSG/-EPROTONOSUPPORT, never a crash or a leak; a record read has
 * only the passes and outcomes boot/record.h names, every function an
 * address, and stops where the text ends.
 */
#include <errno.h>

#include "commands/boot-record.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boot_record rec;
	size_t at = 0;
	int r = boot_record_parse((const char *)data, size, &rec, &at);

	FUZZ_ASSERT(at <= size);
	if (r < 0) {
		FUZZ_ASSERT(r == -EBADMSG || r == -EPROTONOSUPPORT);
		FUZZ_ASSERT(!rec.functions);
		return 0;
	}
	FUZZ_ASSERT(at == size);
	FUZZ_ASSERT(rec.schema == RECORD_SCHEMA);
	FUZZ_ASSERT((int)rec.pass >= 0 && (int)rec.pass < RECORD_PASSES);
	for (size_t i = 0; i < rec.n; i++) {
		const struct record_function *f = &rec.functions[i];

		FUZZ_ASSERT(f->addr[0] && memchr(f->addr, '\0', sizeof(f->addr)));
		FUZZ_ASSERT(memchr(f->reason, '\0', sizeof(f->reason)));
		FUZZ_ASSERT((int)f->outcome >= 0 && (int)f->outcome < RECORD_OUTCOMES);
		FUZZ_ASSERT(f->err >= 0);
	}
	boot_record_free(&rec);
	return 0;
}
