// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What selects functions: vfio-pci.ids= and vfio-bind.addrs= from a
 * command line, and a command's arguments (the input split at spaces):
 * selector.c.
 */
#include "config/selector.h"
#include "fuzz.h"
#include "shared/log.h"
#include "shared/macro.h"

#define MAX_ARGS 64

static void from_args(char *text)
{
	_cleanup_selector_ struct selector sel = {0};
	char *args[MAX_ARGS], *save = NULL;
	int n = 0;

	for (char *a = strtok_r(text, " ", &save); a && n < MAX_ARGS;
	     a = strtok_r(NULL, " ", &save))
		args[n++] = a;
	if (selector_from_args(args, n, n % 2 == 0, &sel) == 0)
		FUZZ_ASSERT(!selector_is_empty(&sel));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_set_max_level(LOG_DEBUG);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = fuzz_string(data, size);
	_cleanup_selector_ struct selector sel = {0};
	bool present;

	if (!text)
		return 0;
	if (selector_from_cmdline(text, &sel, &present) == 0)
		FUZZ_ASSERT(present || selector_is_empty(&sel));
	from_args(text);
	return 0;
}
