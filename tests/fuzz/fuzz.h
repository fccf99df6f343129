/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* libFuzzer's entry points: each target defines the second, and some the
 * first. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * libFuzzer's input as the C string a parser gets: every parser here reads
 * text that ends at its first NUL (proc/cmdline, an argument, a sysfs
 * value), so the input is cut there too. NULL when out of memory.
 */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

/* A property the target checks does not hold: a crash libFuzzer keeps. */
#define FUZZ_ASSERT(cond)                 \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)
