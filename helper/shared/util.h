/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/macro.h"

/* Appends one element to a realloc()ed array. */
int array_push(void *array_ptr, size_t *n, size_t elem_size,
	       const void *elem) _must_check_;
/* Appends a copy of a string to a realloc()ed array of strings. */
int strv_push(char ***strv, size_t *n, const char *s) _must_check_;
void strv_free(char **strv, size_t n);
/* Whether s is one of the n strings of list. */
bool str_in_list(const char *s, const char *const *list, size_t n);
/* Copies src into dst, cut to fit; dst is always NUL-terminated. */
void str_copy(char *dst, size_t size, const char *src);
/* snprintf() for phrases that may be cut to fit, like str_copy(). */
void str_format(char *dst, size_t size, const char *fmt, ...) _printf_format_(3, 4);

/* The value of a hex digit, or -1. */
int hex_digit(unsigned char c);
/*
 * Reads up to max_digits hex digits at p into *value, keeping its low 32
 * bits; returns how many it read (0: p is no hex digit).
 */
size_t hex_scan(const char *p, size_t max_digits, uint32_t *value);
