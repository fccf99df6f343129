// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * modprobe.d as libkmod reads it: kmod_config_new(), conf_files_list(),
 * conf_files_insert_sorted() and kmod_config_parse() in
 * libkmod/libkmod-config.c, freadline_wrapped() in shared/util.c. libkmod
 * then hands a module its options lines' text in that order, joined by
 * spaces, with the command line's after them (kmod_module_get_options()).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "config/modprobe.h"
#include "shared/log.h"
#include "shared/util.h"

/*
 * libkmod's default_config_paths[], in order: SYSCONFDIR, then DISTCONFDIR
 * (/usr/lib as distributions build kmod) before /lib.
 */
static const char *const config_dirs[] = {
	"etc/modprobe.d",     "run/modprobe.d", "usr/local/lib/modprobe.d",
	"usr/lib/modprobe.d", "lib/modprobe.d",
};

struct conf_file {
	char name[256];
	size_t dir;
};

/* conf_files_filter_out(): "*.conf", not hidden, not a directory. */
static bool is_config_file(const struct sysroot *s, size_t dir_index, const char *name)
{
	size_t len = strlen(name);
	struct stat st;

	if (name[0] == '.' || len < 6 || strcmp(name + len - 5, ".conf") != 0)
		return false;
	/* libkmod follows symbolic links: one to /dev/null masks a name. Under
	 * --root, a link leads within the root. */
	if (sysroot_statf(s, &st, "%s/%s", config_dirs[dir_index], name) < 0)
		return false;
	return !S_ISDIR(st.st_mode);
}

static bool has_name(const struct conf_file *files, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(files[i].name, name) == 0)
			return true;
	return false;
}

/* The first directory to hold a name wins (conf_files_insert_sorted()). */
static int list_dir(const struct sysroot *s, size_t dir_index, struct conf_file **files,
		    size_t *n)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;
	int r;

	r = sysroot_opendir(s, config_dirs[dir_index], &dir);
	if (r < 0)
		return r == -ENOENT || r == -ENOTDIR ? 0 : r;
	while ((de = readdir(dir))) {
		struct conf_file f = {.dir = dir_index};

		if (strlen(de->d_name) >= sizeof(f.name) ||
		    !is_config_file(s, dir_index, de->d_name) ||
		    has_name(*files, *n, de->d_name))
			continue;
		str_copy(f.name, sizeof(f.name), de->d_name);
		r = array_push(files, n, sizeof(f), &f);
		if (r < 0)
			return r;
	}
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	const struct conf_file *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/*
 * freadline_wrapped(): a backslash joins the next line, or else stands for
 * the character after it. Joins in place; *physical counts newlines.
 */
static char *next_line(char **cursor, unsigned *physical)
{
	char *r = *cursor, *w = *cursor, *start = *cursor;

	if (!*r)
		return NULL;
	for (; *r && *r != '\n'; r++) {
		if (*r == '\\') {
			r++;
			if (*r == '\n') {
				(*physical)++;
				continue;
			}
			if (!*r)
				break;
		}
		*w++ = *r;
	}
	(*physical)++;
	*cursor = *r ? r + 1 : r;
	*w = '\0';
	return start;
}

static bool mentions_vfio_pci(const char *text)
{
	return strstr(text, "vfio-pci") || strstr(text, "vfio_pci");
}

static int add_entry(struct modprobe_config *cfg, enum modprobe_kind kind,
		     const char *module, const char *rest, const char *path,
		     unsigned line)
{
	struct modprobe_entry e = {.kind = kind, .line = line};

	e.module = module ? strdup(module) : NULL;
	e.rest = rest ? strdup(rest) : NULL;
	e.path = strdup(path);
	if ((module && !e.module) || (rest && !e.rest) || !e.path ||
	    array_push(&cfg->entries, &cfg->n, sizeof(e), &e) < 0) {
		free(e.module);
		free(e.rest);
		free(e.path);
		return -ENOMEM;
	}
	return 0;
}

/* The commands libkmod knows that vfio-bind has no use for. */
static bool is_other_command(const char *cmd)
{
	static const char *const others[] = {"alias",	"install", "remove",
					     "weakdep", "include", "config"};

	for (size_t i = 0; i < ARRAY_SIZE(others); i++)
		if (strcmp(cmd, others[i]) == 0)
			return true;
	return false;
}

static enum modprobe_kind command_kind(const char *cmd)
{
	if (strcmp(cmd, "options") == 0)
		return MODPROBE_OPTIONS;
	if (strcmp(cmd, "blacklist") == 0)
		return MODPROBE_BLACKLIST;
	if (strcmp(cmd, "softdep") == 0)
		return MODPROBE_SOFTDEP;
	return MODPROBE_BAD;
}

/*
 * kmod_config_parse() on one line: a command, a module name, and for
 * options and softdep the rest after the one space or tab that ends the
 * name. A line libkmod skips, or an options line for "vfio-pci.ids=..." as
 * a module, is kept as MODPROBE_BAD when it mentions vfio-pci.
 */
static int parse_line(struct modprobe_config *cfg, char *line, const char *path,
		      unsigned number)
{
	_cleanup_free_ char *copy = NULL;
	char *save = NULL, *cmd, *module, *rest = NULL;
	enum modprobe_kind kind;
	bool bad;

	if (line[0] == '\0' || line[0] == '#')
		return 0;
	if (mentions_vfio_pci(line) && !(copy = strdup(line)))
		return -ENOMEM;
	cmd = strtok_r(line, "\t ", &save);
	if (!cmd)
		return 0;
	if (is_other_command(cmd))
		return 0;
	kind = command_kind(cmd);
	module = kind != MODPROBE_BAD ? strtok_r(NULL, "\t ", &save) : NULL;
	if (kind == MODPROBE_OPTIONS || kind == MODPROBE_SOFTDEP)
		rest = strtok_r(NULL, "", &save);
	bad = kind == MODPROBE_BAD || !module || modname_underscores(module) < 0 ||
	      (kind != MODPROBE_BLACKLIST && !rest) ||
	      (kind == MODPROBE_OPTIONS && strncmp(module, "vfio_pci.", 9) == 0);
	if (bad)
		return copy ? add_entry(cfg, MODPROBE_BAD, NULL, copy, path, number) : 0;
	/* kmod_config_add_options(): tabs become spaces */
	for (char *p = rest; p && *p; p++)
		if (*p == '\t')
			*p = ' ';
	return add_entry(cfg, kind, module, rest, path, number);
}

/* libkmod reads a line up to its newline and then as a C string
 * (getline_wrapped()): a NUL byte ends its line, not the file. */
static void cut_lines_at_nul(char *text, size_t len)
{
	size_t out = 0;

	for (size_t in = 0; in < len; in++) {
		if (text[in] == '\0') {
			while (in + 1 < len && text[in + 1] != '\n')
				in++;
			continue;
		}
		text[out++] = text[in];
	}
	text[out] = '\0';
}

static int parse_file(const struct sysroot *s, struct modprobe_config *cfg,
		      const struct conf_file *f)
{
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX], *cursor, *line;
	unsigned physical = 0;
	int r;

	r = path_format(path, sizeof(path), "/%s/%s", config_dirs[f->dir], f->name);
	if (r < 0)
		return r;
	r = sysroot_read_file(s, path, &text);
	if (r < 0)
		return ERR_ERRNO(r, "cannot read %s: %m", path);
	cut_lines_at_nul(text, (size_t)r);
	cursor = text;
	for (unsigned first = 1; (line = next_line(&cursor, &physical));
	     first = physical + 1) {
		r = parse_line(cfg, line, path, first);
		if (r < 0)
			return r;
	}
	return 0;
}

int modprobe_config_read(const struct sysroot *s, struct modprobe_config *cfg)
{
	_cleanup_free_ struct conf_file *files = NULL;
	size_t n = 0;
	int r = 0;

	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(config_dirs); i++)
		r = list_dir(s, i, &files, &n);
	if (r < 0)
		return r == -ENOMEM ? log_oom()
				    : ERR_ERRNO(r, "cannot list modprobe.d under %s: %m",
						s->root);
	if (n > 1)
		qsort(files, n, sizeof(*files), compare_names);
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = parse_file(s, cfg, &files[i]);
	if (r < 0)
		modprobe_config_free(cfg);
	return r == -ENOMEM ? log_oom() : r;
}

void modprobe_config_free(struct modprobe_config *cfg)
{
	for (size_t i = 0; i < cfg->n; i++) {
		free(cfg->entries[i].module);
		free(cfg->entries[i].rest);
		free(cfg->entries[i].path);
	}
	free(cfg->entries);
	memset(cfg, 0, sizeof(*cfg));
}

int modprobe_module_param(const struct modprobe_config *cfg, const char *module,
			  const char *param, struct module_param *out,
			  const struct modprobe_entry **last,
			  int (*check)(const struct module_param *line,
				       const struct modprobe_entry *e))
{
	int n, r;

	memset(out, 0, sizeof(*out));
	*last = NULL;
	for (size_t i = 0; i < cfg->n; i++) {
		const struct modprobe_entry *e = &cfg->entries[i];
		struct module_param line = {0};

		if (e->kind != MODPROBE_OPTIONS || strcmp(e->module, module) != 0)
			continue;
		n = module_options_scan(e->rest, param, &line);
		r = n > 0 && check ? check(&line, e) : n;
		if (r < 0) {
			module_param_clear(&line);
			module_param_clear(out);
			return r;
		}
		if (n > 0)
			*last = e;
		module_param_merge(out, &line);
	}
	return 0;
}

void modprobe_entry_where(const struct modprobe_entry *e, char *buf, size_t size)
{
	str_format(buf, size, "%s line %u", e->path, e->line);
}
