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

#include "config/kernel-cmdline.h"
#include "shared/log.h"
#include "shared/util.h"

int cmdline_read(const struct sysroot *s, char **cmdline)
{
	int r = sysroot_read_file(s, "proc/cmdline", cmdline);

	if (r < 0)
		return ERR_ERRNO(r, "cannot read proc/cmdline under %s: %m", s->root);
	/* bootconfig's parameters can make it longer than a boot loader's
	 * (init/main.c, setup_boot_config()): the kernel reads it all, so
	 * does vfio-bind */
	if (r >= CMDLINE_MAX)
		WRN("the kernel command line is %d bytes: libkmod reads only its first %u, so a vfio-pci option after them does not reach vfio-pci",
		    r, CMDLINE_MAX - 1);
	return 0;
}

static bool is_kcmdline_space(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

int modname_underscores(char *s)
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

char *kernel_next_arg(char *args, char **param, char **value)
{
	size_t i, equals = 0;
	bool in_quote = false, quoted = false;

	if (*args == '"') {
		args++;
		in_quote = quoted = true;
	}
	for (i = 0; args[i]; i++) {
		if (is_kcmdline_space(args[i]) && !in_quote)
			break;
		/* an '=' in the first place does not count: next_arg's i > 0 */
		if (equals == 0 && args[i] == '=')
			equals = i;
		if (args[i] == '"')
			in_quote = !in_quote;
	}
	*param = args;
	*value = NULL;
	if (equals) {
		args[equals] = '\0';
		*value = args + equals + 1;
		if (**value == '"') {
			(*value)++;
			if (args[i - 1] == '"')
				args[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && args[i - 1] == '"')
		args[i - 1] = '\0';
	if (args[i])
		args[i++] = '\0';
	args += i;
	while (is_kcmdline_space(*args))
		args++;
	return args;
}

/* The next word parse_args() sets; false at the end and at "--", after
 * which the words are init's. */
static bool next_kernel_param(char **args, char **param, char **value)
{
	while (is_kcmdline_space(**args))
		(*args)++;
	if (!**args)
		return false;
	*args = kernel_next_arg(*args, param, value);
	return *value || strcmp(*param, "--") != 0;
}

int kernel_param_values(const char *cmdline, const char *name, char ***values, size_t *n)
{
	_cleanup_free_ char *buf = strdup(cmdline);
	char *args = buf, *param, *val;
	int r = 0;

	*values = NULL;
	*n = 0;
	if (!buf)
		return -ENOMEM;
	while (r >= 0 && next_kernel_param(&args, &param, &val))
		if (param_name_equal(param, strlen(param), name))
			r = strv_push(values, n, val ? val : "");
	if (r < 0) {
		strv_free(*values, *n);
		*values = NULL;
		*n = 0;
	}
	return r;
}

bool kernel_param_prefixed(const char *cmdline, const char *prefix)
{
	_cleanup_free_ char *buf = strdup(cmdline);
	char *args = buf, *param, *val;

	if (!buf)
		return false;
	while (next_kernel_param(&args, &param, &val))
		if (strncmp(param, prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

int kernel_param(const char *cmdline, const char *name, char **value)
{
	char **values;
	size_t n;
	int r = kernel_param_values(cmdline, name, &values, &n);

	*value = NULL;
	if (r < 0)
		return r;
	if (n > 0) {
		*value = values[n - 1];
		values[n - 1] = NULL;
	}
	strv_free(values, n);
	return (int)n;
}

static int record_one(struct module_param *out, const char *name, const char *value,
		      const char *param)
{
	if (!param_name_equal(name, strlen(name), param))
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

/*
 * Every word of OPTIONS, as the kernel's parse_args() splits them. It stops
 * at a bare "--" (kernel/params.c), so the options after it are never set:
 * returns 1 then.
 */
static int record(struct module_param *out, char *options, const char *param)
{
	char *name, *value;
	int r = 0;

	/* libkmod stores every options string with its tabs turned into spaces
	 * (kmod_config_add_options()), and the kernel gets that. */
	for (char *p = options; *p; p++)
		if (*p == '\t')
			*p = ' ';
	while (r >= 0 && *options) {
		options = kernel_next_arg(options, &name, &value);
		if (!value && strcmp(name, "--") == 0) {
			out->ended = true;
			return 1;
		}
		r = record_one(out, name, value, param);
	}
	return r;
}

int module_options_scan(const char *options, const char *param, struct module_param *out)
{
	_cleanup_free_ char *buf = strdup(options);
	unsigned before = out->count;
	char *start;
	int r;

	if (!buf)
		return -ENOMEM;
	/* parse_args() skips the spaces before the first word (skip_spaces()). */
	for (start = buf; is_kcmdline_space(*start); start++)
		;
	r = record(out, start, param);
	return r < 0 ? r : (int)(out->count - before);
}

void module_param_merge(struct module_param *into, struct module_param *later)
{
	into->ended = into->ended || later->ended;
	into->count += later->count;
	if (later->longest > into->longest)
		into->longest = later->longest;
	into->any_bare = into->any_bare || later->any_bare;
	if (later->count > 0) {
		free(into->value);
		into->value = later->value;
		later->value = NULL;
	}
	module_param_clear(later);
}

enum scan_state { SCAN_IGNORE, SCAN_MODULE, SCAN_PARAM, SCAN_VALUE };

/*
 * kmod_config_parse_kcmdline()'s word scanner. A word is "module.option",
 * where the option is "param" or "param=value"; spaces count only outside
 * double quotes, and a quote may open the word or sit in the value, but
 * anywhere else spoils the word. A word that opens with a quote is passed
 * on re-quoted after the '=' as libkmod does ("m.p=a b" -> p="a b").
 */
int cmdline_module_param(const char *cmdline, const char *module, const char *param,
			 struct module_param *out)
{
	_cleanup_free_ char *buf = strdup(cmdline);
	char *p, *word, *option = NULL, *value = NULL, *quote_start = NULL;
	enum scan_state state = SCAN_MODULE;
	bool quoted = false, more = true, ended = false;
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
		if (!ended && modname_underscores(word) == 0 &&
		    strcmp(word, module) == 0) {
			r = record(out, option, param);
			if (r < 0) {
				module_param_clear(out);
				return r;
			}
			ended = r > 0;
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
