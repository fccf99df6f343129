// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/util.h"

int array_push(void *array_ptr, size_t *n, size_t elem_size, const void *elem)
{
	void **array = array_ptr;
	void *p = realloc(*array, (*n + 1) * elem_size);

	if (!p)
		return -ENOMEM;
	memcpy((char *)p + *n * elem_size, elem, elem_size);
	*array = p;
	(*n)++;
	return 0;
}

int strv_push(char ***strv, size_t *n, const char *s)
{
	char *copy = strdup(s);
	int r;

	if (!copy)
		return -ENOMEM;
	r = array_push(strv, n, sizeof(copy), &copy);
	if (r < 0)
		free(copy);
	return r;
}

void strv_free(char **strv, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(strv[i]);
	free(strv);
}

bool str_in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

void str_copy(char *dst, size_t size, const char *src)
{
	size_t len = strnlen(src, size - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

void str_format(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, size, fmt, ap);
	va_end(ap);
}

int hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t hex_scan(const char *p, size_t max_digits, uint32_t *value)
{
	uint32_t v = 0;
	size_t n;

	for (n = 0; n < max_digits && hex_digit((unsigned char)p[n]) >= 0; n++)
		v = (v << 4) | (uint32_t)hex_digit((unsigned char)p[n]);
	*value = v;
	return n;
}
