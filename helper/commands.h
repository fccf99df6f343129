/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "sysfs.h"

/* Exit statuses, documented in --help, vfio-bind(8) and the README. */
enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1, /* bad arguments, or the system could not be read */
	EXIT_PRECONDITION =
		2, /* vfio-pci can't take the devices; nothing changed */
	EXIT_PARTIAL = 3, /* some functions could not be taken */
};

struct options {
	const char *root;
	bool dry_run;
};

int cmd_boot(struct sysfs *s, const struct options *opts);
