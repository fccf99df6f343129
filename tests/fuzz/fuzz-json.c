// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * JSON strings: json.c. What json_string() writes must read back, as JSON
 * (RFC 8259: no raw control character, only the escapes it defines), to
 * exactly the input.
 */
#include <stdbool.h>
#include <stdio.h>

#include "shared/json.h"
#include "fuzz.h"
#include "shared/macro.h"

static int hex4(const char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;

		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static const char *const short_escapes = "\"\"\\\\//b\bf\fn\nr\rt\t";

/* Decodes a JSON string in place; false when it is no valid one. */
static bool json_decode(char *s, size_t len, char *out)
{
	size_t i = 1, n = 0;

	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return false;
	while (i < len - 1) {
		unsigned char c = (unsigned char)s[i];
		const char *e;
		int v;

		if (c < 0x20 || c == '"')
			return false;
		if (c != '\\') {
			out[n++] = (char)c;
			i++;
			continue;
		}
		if (i + 1 >= len - 1)
			return false;
		if (s[i + 1] == 'u') {
			if (i + 6 > len - 1 || (v = hex4(s + i + 2)) < 0 || v > 0x7f)
				return false;
			out[n++] = (char)v;
			i += 6;
			continue;
		}
		for (e = short_escapes; *e && *e != s[i + 1]; e += 2)
			;
		if (!*e)
			return false;
		out[n++] = e[1];
		i += 2;
	}
	out[n] = '\0';
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = fuzz_string(data, size);
	_cleanup_free_ char *json = NULL;
	_cleanup_free_ char *decoded = NULL;
	size_t len = 0;
	FILE *out;

	if (!text)
		return 0;
	out = open_memstream(&json, &len);
	if (!out)
		return 0;
	json_string(out, text);
	fclose(out);
	if (!text[0]) {
		FUZZ_ASSERT(strcmp(json, "null") == 0);
		return 0;
	}
	decoded = malloc(len + 1);
	if (!decoded)
		return 0;
	FUZZ_ASSERT(json_decode(json, len, decoded));
	FUZZ_ASSERT(strcmp(decoded, text) == 0);
	return 0;
}
