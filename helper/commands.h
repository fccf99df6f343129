/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "sysroot.h"

/*
 * Exit statuses, documented in --help, vfio-bind(8) and the README, in the
 * same words (tests/unit/docs.bats compares them). check follows the same
 * rule: EXIT_PRECONDITION when the IOMMU is off, EXIT_PARTIAL for any other
 * problem it finds.
 */
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
	bool json;
	const char *alias;
	bool defer_storage;
	char **keep; /* --keep DEVICE, repeatable */
	size_t n_keep;
	char **args; /* the command's arguments */
	int n_args;
};

#define IOMMU_OFF_FIX                                                     \
	"add intel_iommu=on (Intel) or amd_iommu=on (AMD) to the kernel " \
	"command line and enable VT-d/AMD-Vi in the firmware"

struct selector;
struct selection;
struct vfio_params;

/* The selection of the kernel command line; an exit status, logged. */
int read_kernel_selection(const struct sysroot *s, struct selector *selector,
			  struct vfio_params *params, bool *present,
			  char **cmdline);
int select_or_report(const struct sysroot *s, const struct selector *selector,
		     const struct vfio_params *params, struct selection *sel);

/*
 * Builds a selector from the command's arguments: addresses, slots and,
 * when ids_allowed, vendor:device pairs (the usage message names what the
 * command takes); an exit status, logged.
 */
int selector_from_args(const struct options *opts, struct selector *selector,
		       bool ids_allowed);

int cmd_boot(struct sysroot *s, const struct options *opts);
int cmd_list(struct sysroot *s, const struct options *opts);
int cmd_ids(struct sysroot *s, const struct options *opts);
int cmd_check(struct sysroot *s, const struct options *opts);
int cmd_bind(struct sysroot *s, const struct options *opts);
int cmd_unbind(struct sysroot *s, const struct options *opts);
int cmd_nova_config(struct sysroot *s, const struct options *opts);
