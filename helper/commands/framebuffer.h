/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>

#include "shared/sysroot.h"

#define FRAMEBUFFER_NAME_MAX 32

/* A firmware framebuffer's memory inside a PCI function's BAR. */
struct framebuffer {
	char name[FRAMEBUFFER_NAME_MAX]; /* "BOOTFB", "efifb", "simpledrm"... */
	uint64_t start;
	uint64_t end;
};

/*
 * Reads proc/iomem: 1 with *fb set when a firmware framebuffer holds
 * memory inside a BAR of the function addr, 0 when none does or when
 * proc/iomem hides the addresses (it shows zeros to a reader without
 * CAP_SYS_ADMIN), a negative errno when it cannot be read.
 */
int framebuffer_in_bars(const struct sysroot *s, const char *addr,
			struct framebuffer *fb) _must_check_;
