// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

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
