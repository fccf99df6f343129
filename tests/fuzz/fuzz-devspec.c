// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Device specs as root=, resume= and --keep take them: devspec.c and the
 * block name lookups under it, on a tree with no block device, so that
 * every spec goes through its parser to the lookup that finds nothing.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "guard/devspec.h"
#include "shared/log.h"
#include "shared/macro.h"

static const char *const dirs[] = {"sys",     "sys/class",     "sys/class/block",
				   "sys/dev", "sys/dev/block", "dev"};
static char tree[] = "/tmp/vfio-bind-fuzz-devspec.XXXXXX";
static struct sysroot root;

static void cleanup(void)
{
	char path[4096];

	for (size_t i = ARRAY_SIZE(dirs); i-- > 0;) {
		snprintf(path, sizeof(path), "%s/%s", tree, dirs[i]);
		rmdir(path);
	}
	rmdir(tree);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[4096];

	if (!mkdtemp(tree))
		abort();
	atexit(cleanup);
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", tree, dirs[i]);
		if (mkdir(path, 0755) < 0)
			abort();
	}
	if (sysroot_open(&root, tree) < 0)
		abort();
	log_set_max_level(LOG_DEBUG);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *spec = fuzz_string(data, size);
	_cleanup_free_ char(*names)[BLOCK_NAME_MAX] = NULL;
	size_t n = 0;

	if (!spec)
		return 0;
	if (spec_kind(spec) == SPEC_DEVICES)
		FUZZ_ASSERT(spec_devices(&root, spec, &names, &n) < 0 || n > 0);
	return 0;
}
