// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel command line as the kernel (next_arg(), parse_args()) and
 * libkmod (module parameters) read it: kernel-cmdline.c.
 */
#include <stdbool.h>

#include "config/kernel-cmdline.h"
#include "fuzz.h"
#include "shared/log.h"
#include "shared/macro.h"
#include "shared/util.h"

/* kernel_next_arg() over the whole line: each word moves forward, inside
 * the buffer. */
static void split_all(const char *cmdline)
{
	_cleanup_free_ char *buf = strdup(cmdline);
	char *args = buf, *end, *param, *value;

	if (!buf)
		return;
	end = buf + strlen(buf);
	while (*args == ' ')
		args++;
	while (*args) {
		char *next = kernel_next_arg(args, &param, &value);
		bool b;

		FUZZ_ASSERT(next > args && next <= end);
		FUZZ_ASSERT(param >= buf && param <= end);
		FUZZ_ASSERT(!value || (value > param && value <= end));
		(void)parse_kernel_bool(value, &b);
		args = next;
	}
}

static void module_param(const char *cmdline, const char *module, const char *param)
{
	struct module_param p;
	int n = cmdline_module_param(cmdline, module, param, &p);

	if (n < 0)
		return;
	FUZZ_ASSERT((unsigned)n == p.count);
	FUZZ_ASSERT(!p.value || (n > 0 && strlen(p.value) <= p.longest));
	FUZZ_ASSERT(n > 0 || (!p.value && !p.any_bare));
	module_param_clear(&p);
}

static void kernel_params(const char *cmdline, const char *name)
{
	char **values, *last;
	size_t n;
	int count;

	if (kernel_param_values(cmdline, name, &values, &n) == 0)
		strv_free(values, n);
	count = kernel_param(cmdline, name, &last);
	FUZZ_ASSERT(count < 0 || (count == 0) == (last == NULL));
	free(last);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_set_max_level(LOG_DEBUG);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *cmdline = fuzz_string(data, size);

	if (!cmdline)
		return 0;
	split_all(cmdline);
	module_param(cmdline, "vfio_pci", "ids");
	module_param(cmdline, "vfio_bind", "addrs");
	module_param(cmdline, "vfio", "enable_unsafe_noiommu_mode");
	kernel_params(cmdline, "root");
	kernel_params(cmdline, "resume");
	(void)kernel_param_prefixed(cmdline, "rd.iscsi.");
	return 0;
}
