/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/sysroot.h"

#define FRAMEBUFFER_NAME_MAX 32

/* A firmware framebuffer's memory inside a PCI function's BAR. */
struct framebuffer {
	char name[FRAMEBUFFER_NAME_MAX]; /* "BOOTFB", "efifb", "simpledrm"... */
	uint64_t start;
	uint64_t end;
};

/* A named range of proc/iomem: a PCI function's BAR (named by its
 * address) or a firmware framebuffer's memory. */
struct iomem_range {
	uint64_t start;
	uint64_t end;
	char name[FRAMEBUFFER_NAME_MAX];
};

/* proc/iomem's BARs and framebuffers, read once for every function. */
struct iomem_map {
	struct iomem_range *ranges;
	size_t n;
};

/* A negative errno when proc/iomem cannot be read. */
int iomem_read(const struct sysroot *s, struct iomem_map *m) _must_check_;
void iomem_free(struct iomem_map *m);
#define _cleanup_iomem_ _cleanup_(iomem_free)
/*
 * Whether a firmware framebuffer holds memory inside a BAR of the function
 * ADDR, with *fb set; not when proc/iomem hides the addresses (it shows
 * zeros to a reader without CAP_SYS_ADMIN).
 */
bool framebuffer_in_bars(const struct iomem_map *m, const char *addr,
			 struct framebuffer *fb);
