// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel command line as a module sees it. When libkmod loads a module
 * it scans /proc/cmdline for "module.option" words
 * (kmod_config_parse_kcmdline() in libkmod/libkmod-config.c) and passes the
 * options found, in order, to init_module(); the kernel then splits them with
 * next_arg() (lib/cmdline.c) and sets each parameter in turn, so the last
 * occurrence wins. Both steps are reproduced here, quotes included.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

int cmdline_read(const struct sysfs *s, char **cmdline)
{
	char *buf = malloc(CMDLINE_MAX);
	int r;

	if (!buf)
		return -ENOMEM;
	r = sysfs_read(s, "proc/cmdline", buf, CMDLINE_MAX);
	if (r < 0) {
		free(buf);
		return r;
	}
	*cmdline = buf;
	return 0;
}

static bool is_kcmdline_space(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\v' || c == '\f' ||
	       c == '\r';
}

/* libkmod's underscores(): '-' becomes '_' outside "[...]". */
static int underscores(char *s)
{
	for (size_t i = 0; s[i]; i++) {
		switch (s[i]) {
		case '-':
			s[i] = '_';
			break;
		case ']':
			return -EINVAL;
		case '[':
			i += strcspn(&s[i], "]");
			if (!s[i])
				return -EINVAL;
			break;
		}
	}
	return 0;
}

/* The kernel's parameq(): names compare with '-' and '_' alike. */
static bool param_name_equal(const char *a, size_t a_len, const char *b)
{
	size_t i;

	for (i = 0; i < a_len && b[i]; i++) {
		char x = a[i] == '-' ? '_' : a[i];
		char y = b[i] == '-' ? '_' : b[i];

		if (x != y)
			return false;
	}
	return i == a_len && b[i] == '\0';
}

/*
 * next_arg() on one option as libkmod passes it: the name ends at the first
 * '='; a value that starts with a quote loses it and a final quote; a
 * wholly quoted option loses its final quote.
 */
static void split_option(char *option, char **name, size_t *name_len,
			 char **value)
{
	size_t len, equals = 0;
	bool quoted = false;

	if (*option == '"') {
		option++;
		quoted = true;
	}
	len = strlen(option);
	for (size_t i = 0; i < len; i++) {
		if (option[i] == '=') {
			equals = i;
			break;
		}
	}
	*name = option;
	*value = NULL;
	*name_len = equals ? equals : len;
	if (equals) {
		*value = option + equals + 1;
		if (**value == '"') {
			(*value)++;
			if (option[len - 1] == '"')
				option[len - 1] = '\0';
		}
	}
	if (quoted && len > 0 && option[len - 1] == '"')
		option[len - 1] = '\0';
}

static int record(struct module_param *out, char *option, const char *param)
{
	char *name, *value;
	size_t name_len;

	split_option(option, &name, &name_len, &value);
	if (!param_name_equal(name, name_len, param))
		return 0;
	out->count++;
	free(out->value);
	out->value = NULL;
	if (!value) {
		out->any_bare = true;
		return 0;
	}
	if (strlen(value) > out->longest)
		out->longest = strlen(value);
	out->value = strdup(value);
	return out->value ? 0 : -ENOMEM;
}

enum scan_state { SCAN_IGNORE, SCAN_MODULE, SCAN_PARAM, SCAN_VALUE };

/*
 * kmod_config_parse_kcmdline()'s word scanner. A word is "module.option",
 * where the option is "param" or "param=value"; spaces count only outside
 * double quotes, and a quote may open the word or sit in the value, but
 * anywhere else spoils the word. A word that opens with a quote is passed
 * on re-quoted after the '=' as libkmod does ("m.p=a b" -> p="a b").
 */
int cmdline_module_param(const char *cmdline, const char *module,
			 const char *param, struct module_param *out)
{
	_cleanup_free_ char *buf = strdup(cmdline);
	char *p, *word, *option = NULL, *value = NULL, *quote_start = NULL;
	enum scan_state state = SCAN_MODULE;
	bool quoted = false, more = true;
	int r;

	memset(out, 0, sizeof(*out));
	if (!buf)
		return -ENOMEM;
	for (p = word = buf; more; p++) {
		bool complete = false;

		if (*p == '"') {
			quoted = !quoted;
			if (quoted && state == SCAN_MODULE && p == word) {
				quote_start = p;
				word = p + 1;
			} else if (state != SCAN_VALUE) {
				state = SCAN_IGNORE;
			}
		} else if (*p == '\0' || is_kcmdline_space(*p)) {
			more = *p != '\0';
			if (quoted && state == SCAN_VALUE) {
				continue;
			} else if (quoted) {
				state = SCAN_IGNORE;
			} else if (state == SCAN_VALUE || state == SCAN_PARAM) {
				*p = '\0';
				complete = true;
			} else {
				word = p + 1;
				state = SCAN_MODULE;
				quote_start = NULL;
			}
		} else if (*p == '.') {
			if (state == SCAN_MODULE) {
				*p = '\0';
				option = p + 1;
				state = SCAN_PARAM;
			} else if (state == SCAN_PARAM) {
				state = SCAN_IGNORE;
			}
		} else if (*p == '=') {
			if (state == SCAN_PARAM) {
				value = p + 1;
				state = SCAN_VALUE;
			} else if (state == SCAN_MODULE) {
				state = SCAN_IGNORE;
			}
		}
		if (!complete)
			continue;

		if (quote_start && quote_start < word && value) {
			/* Move "module\0param=" onto the quote, quote the
			 * value. */
			memmove(quote_start, word, (size_t)(value - word));
			word--;
			option--;
			value--;
			*value = '"';
		}
		if (underscores(word) == 0 && strcmp(word, module) == 0) {
			r = record(out, option, param);
			if (r < 0) {
				module_param_clear(out);
				return r;
			}
		}
		word = p + 1;
		state = SCAN_MODULE;
		quote_start = NULL;
	}
	return (int)out->count;
}

void module_param_clear(struct module_param *p)
{
	free(p->value);
	memset(p, 0, sizeof(*p));
}

int parse_kernel_bool(const char *value, bool *result)
{
	if (!value) {
		*result = true;
		return 0;
	}
	switch (value[0]) {
	case 'y':
	case 'Y':
	case '1':
		*result = true;
		return 0;
	case 'n':
	case 'N':
	case '0':
		*result = false;
		return 0;
	case 'o':
	case 'O':
		if (value[1] == 'n' || value[1] == 'N') {
			*result = true;
			return 0;
		}
		if (value[1] == 'f' || value[1] == 'F') {
			*result = false;
			return 0;
		}
	}
	return -EINVAL;
}
