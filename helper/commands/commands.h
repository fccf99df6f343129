/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>

#include "boot/exit-status.h"
#include "pci/pci.h"
#include "shared/sysroot.h"

/* nova-config's --format */
enum nova_format {
	NOVA_FORMAT_CONF, /* nova.conf lines */
	NOVA_FORMAT_GENESTACK, /* the nova chart's Helm values */
};

struct options {
	const char *root;
	bool dry_run;
	bool json;
	char **aliases; /* --alias NAME[=ADDRESS|SLOT], repeatable */
	size_t n_aliases;
	enum nova_format format;
	const char *flavor;
	const char *host;
	bool defer_storage;
	bool force; /* nova-config: print even while check fails */
	bool next_boot; /* check --next-boot */
	char **keep; /* --keep DEVICE, repeatable */
	size_t n_keep;
	bool apply, remove, iommu_pt; /* kargs */
	char **args; /* the command's arguments */
	int n_args;
};

/*
 * The exit status for a failure to read the kernel's selection (logged):
 * a vfio-pci.ids= that vfio-pci would refuse (-E2BIG, -EINVAL) fails a
 * precondition; anything else means the system could not be read.
 */
static inline int selection_exit_status(int r)
{
	return r == -E2BIG || r == -EINVAL ? EXIT_PRECONDITION : EXIT_USAGE;
}

/*
 * The vfio-pci.ids= value that selects the functions SELECTOR names by
 * address (vendor:device pairs, each once): -ENOENT when it names none.
 */
struct selector;
int ids_of_selection(struct sysroot *s, const struct selector *selector, char *list,
		     size_t size) _must_check_;

int cmd_boot(struct sysroot *s, const struct options *opts);
int cmd_list(struct sysroot *s, const struct options *opts);
int cmd_ids(struct sysroot *s, const struct options *opts);
int cmd_check(struct sysroot *s, const struct options *opts);

/* A failing check: the function's address, or "" for the host. */
struct check_failure {
	char subject[PCI_ADDR_MAX];
	char message[512];
	char fix[256]; /* "" when check names none */
};

/*
 * check's checks of the boot's selection, printing nothing: the failures,
 * malloc()ed (some may be missing when memory ran out; the status still
 * counts them), and check's exit status.
 */
int check_failures(struct sysroot *s, struct check_failure **failures, size_t *n);
int cmd_bind(struct sysroot *s, const struct options *opts);
int cmd_unbind(struct sysroot *s, const struct options *opts);
int cmd_nova_config(struct sysroot *s, const struct options *opts);
int cmd_management_nics(struct sysroot *s, const struct options *opts);
int cmd_kargs(struct sysroot *s, const struct options *opts);
