/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "pci/addrs.h"
#include "shared/sysroot.h"

/*
 * vfio-bind.reset=ADDRESS:METHOD[,METHOD...] (repeatable): the reset
 * methods to write to the reset_method of the functions ADDRESS names (a
 * slot names each of its functions) when they are put on vfio-pci, in the
 * order vfio-pci is to try them. The kernel takes the names of its
 * pci_reset_fn_methods[] (device_specific, acpi, flr, af_flr, pm, bus, ...),
 * only those the function has, or "default" for its own list.
 */
#define RESET_PARAM "vfio-bind.reset"

struct reset_request {
	struct pci_addr addr;
	char methods[128]; /* as reset_method takes them: names between spaces */
};

struct reset_requests {
	struct reset_request *items;
	size_t n;
};

/* Every entry of the command line; one that is not ADDRESS:METHOD is
 * logged and left out. */
int reset_requests_read(const char *cmdline, struct reset_requests *reqs) _must_check_;
void reset_requests_free(struct reset_requests *reqs);
#define _cleanup_reset_requests_ _cleanup_(reset_requests_free)

/* The methods asked for the function ADDR (the last entry that names it
 * wins), or NULL. */
const char *reset_request_for(const struct reset_requests *reqs, const char *addr);

/*
 * ADDR's reset_method as the kernel lists it ("flr bus"; "" when every
 * method was turned off); -ENOENT for a function without any reset method,
 * or on a kernel before 5.15.
 */
int reset_method_read(const struct sysroot *s, const char *addr, char *buf,
		      size_t size) _must_check_;
/* Writes METHODS; the kernel refuses (-EINVAL) a method the function lacks. */
int reset_method_write(const struct sysroot *s, const char *addr,
		       const char *methods) _must_check_;
