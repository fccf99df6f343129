// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the next boot gets: the entry the boot loader will pick, its kernel,
 * command line and initrds, read from the configuration the boot loader
 * itself reads (not from the files its tools generate it from).
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "config/next-boot.h"
#include "shared/util.h"

#define VARS_MAX 64
#define ITEMS_MAX 256
#define EFIVARS "sys/firmware/efi/efivars"
#define LOADER_GUID "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"

struct var {
	char name[64];
	char value[NEXT_BOOT_ARGS_MAX];
	unsigned sets; /* how many set lines grub.cfg has for it */
};

struct vars {
	struct var v[VARS_MAX];
	size_t n;
};

/* A menu entry, a submenu, or a BLS entry blscfg makes into a menu entry. */
struct item {
	bool submenu;
	int parent; /* index of its submenu, -1 at the top */
	char title[NEXT_BOOT_TITLE_MAX];
	char id[NEXT_BOOT_TITLE_MAX];
	char kernel[NEXT_BOOT_PATH_MAX];
	char args[NEXT_BOOT_ARGS_MAX];
	char initrds[NEXT_BOOT_INITRDS][NEXT_BOOT_PATH_MAX];
	size_t n_initrds;
	bool bls;
	unsigned tries_left; /* systemd-boot's boot counting; UINT_MAX without */
};

struct menu {
	struct item *items;
	size_t n;
};

static void menu_free(struct menu *m)
{
	free(m->items);
	m->items = NULL;
	m->n = 0;
}

static struct item *menu_add(struct menu *m, int parent)
{
	struct item it = {.parent = parent, .tries_left = ~0u};

	if (m->n >= ITEMS_MAX || array_push(&m->items, &m->n, sizeof(it), &it) < 0)
		return NULL;
	return &m->items[m->n - 1];
}

const char *next_boot_loader_name(enum next_boot_loader loader)
{
	static const char *const names[] = {
		[NEXT_BOOT_GRUB] = "GRUB entry",
		[NEXT_BOOT_GRUB_BLS] = "GRUB's BLS entry",
		[NEXT_BOOT_SYSTEMD_BOOT] = "systemd-boot entry",
		[NEXT_BOOT_UKI] = "systemd-boot's unified kernel image",
	};
	return names[loader];
}

static struct var *var_find(struct vars *vars, const char *name, size_t len)
{
	for (size_t i = 0; i < vars->n; i++)
		if (strlen(vars->v[i].name) == len &&
		    strncmp(vars->v[i].name, name, len) == 0)
			return &vars->v[i];
	return NULL;
}

static struct var *var_set(struct vars *vars, const char *name, size_t len,
			   const char *value)
{
	struct var *v = var_find(vars, name, len);

	if (!v && vars->n < VARS_MAX && len < sizeof(v->name)) {
		v = &vars->v[vars->n++];
		*v = (struct var){0};
		memcpy(v->name, name, len);
	}
	if (v)
		str_copy(v->value, sizeof(v->value), value);
	return v;
}

static const char *var_value(struct vars *vars, const char *name)
{
	struct var *v = var_find(vars, name, strlen(name));

	return v ? v->value : NULL;
}

/* Splits off the next word of a GRUB script line, its quotes removed. */
static char *next_word(char **p)
{
	char *s = *p, *out, *word;
	char quote = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return NULL;
	word = out = s;
	for (; *s && (quote || !isspace((unsigned char)*s)); s++) {
		if (!quote && (*s == '\'' || *s == '"'))
			quote = *s;
		else if (quote && *s == quote)
			quote = 0;
		else if (*s == '\\' && quote != '\'' && s[1])
			*out++ = *++s;
		else
			*out++ = *s;
	}
	if (*s)
		s++;
	*out = '\0';
	*p = s;
	return word;
}

/*
 * Expands $name and ${name} with the values known, as GRUB does for a
 * linux line's words; the names of the others are added to *unknown.
 */
static void expand(struct vars *vars, const char *in, char *out, size_t size,
		   char *unknown, size_t unknown_size)
{
	size_t o = 0;

	for (const char *p = in; *p && o + 1 < size;) {
		const char *name, *end, *value;
		bool braced = p[1] == '{';
		struct var *v;

		if (*p != '$') {
			out[o++] = *p++;
			continue;
		}
		name = p + 1 + braced;
		end = name;
		while (isalnum((unsigned char)*end) || *end == '_')
			end++;
		if (braced && *end != '}') {
			out[o++] = *p++;
			continue;
		}
		v = var_find(vars, name, (size_t)(end - name));
		value = v && v->sets <= 1 ? v->value : NULL;
		if (!value) {
			size_t u = strlen(unknown);

			str_format(unknown + u, unknown_size - u, "%s$%.*s", u ? " " : "",
				   (int)(end - name), name);
		}
		for (; value && *value && o + 1 < size; value++)
			out[o++] = *value;
		p = end + braced;
	}
	out[o] = '\0';
}

/* grubenv: NAME=VALUE lines, '#' padding. */
static void grubenv_read(const struct sysroot *s, const char *dir, struct vars *vars)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL;

	if (sysroot_read_filef(s, &text, "%s/grubenv", dir) < 0)
		return;
	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (line[0] != '#' && eq)
			var_set(vars, line, (size_t)(eq - line), eq + 1);
	}
}

/* The words after a linux line's kernel, joined as the kernel gets them. */
static void join_words(char **p, char *out, size_t size)
{
	char *w;

	out[0] = '\0';
	while ((w = next_word(p))) {
		size_t o = strlen(out);

		str_format(out + o, size - o, "%s%s", o ? " " : "", w);
	}
}

static void item_initrds(struct item *it, char *rest)
{
	char *w;

	while ((w = next_word(&rest)) && it->n_initrds < NEXT_BOOT_INITRDS)
		str_copy(it->initrds[it->n_initrds++], NEXT_BOOT_PATH_MAX, w);
}

/* menuentry 'TITLE' [--class X]... [--id ID | $menuentry_id_option 'ID'] { */
static void item_header(struct item *it, char *rest)
{
	char *w;
	bool id_next = false;

	while ((w = next_word(&rest)) && strcmp(w, "{") != 0) {
		if (id_next)
			str_copy(it->id, sizeof(it->id), w);
		id_next =
			strcmp(w, "--id") == 0 || strcmp(w, "$menuentry_id_option") == 0;
		if (!it->title[0] && w[0] != '-')
			str_copy(it->title, sizeof(it->title), w);
	}
}

struct grub_parse {
	const struct sysroot *s;
	struct menu *menu;
	struct vars *vars;
	char default_value[NEXT_BOOT_TITLE_MAX];
	bool default_next_entry; /* set default="${next_entry}" */
	bool blscfg;
	char configfile[NEXT_BOOT_PATH_MAX]; /* a stub's configfile argument */
};

static int bls_add(struct grub_parse *g);

/* A GRUB script line inside or outside a block; *block is the item it is in. */
static void grub_line(struct grub_parse *g, char *line, int *block, int *depth,
		      int *stack)
{
	char *rest = line, *cmd = next_word(&rest);
	struct item *it = *block >= 0 ? &g->menu->items[*block] : NULL;
	size_t len = strlen(line);

	if (!cmd)
		return;
	if (strcmp(cmd, "}") == 0) {
		if (*depth > 0)
			*block = stack[--*depth];
		return;
	}
	if (strcmp(cmd, "menuentry") == 0 || strcmp(cmd, "submenu") == 0) {
		int parent = *block;

		/* an item inside a menuentry is no menu item of ours */
		if (parent >= 0 && !g->menu->items[parent].submenu)
			parent = -2;
		it = parent >= -1 ? menu_add(g->menu, parent) : NULL;
		if (it) {
			it->submenu = cmd[0] == 's';
			item_header(it, rest);
		}
		if (*depth < 32)
			stack[(*depth)++] = *block;
		*block = it ? (int)(it - g->menu->items) : -2;
		return;
	}
	if (len > 0 && line[len - 1] == '{') { /* function NAME {, or another block */
		if (*depth < 32)
			stack[(*depth)++] = *block;
		*block = -2;
		return;
	}
	if (it && !it->submenu &&
	    (strcmp(cmd, "linux") == 0 || strcmp(cmd, "linuxefi") == 0 ||
	     strcmp(cmd, "linux16") == 0)) {
		char *kernel = next_word(&rest);

		str_copy(it->kernel, sizeof(it->kernel), kernel ? kernel : "");
		join_words(&rest, it->args, sizeof(it->args));
	} else if (it && !it->submenu &&
		   (strcmp(cmd, "initrd") == 0 || strcmp(cmd, "initrdefi") == 0 ||
		    strcmp(cmd, "initrd16") == 0)) {
		item_initrds(it, rest);
	} else if (*block == -1 && strcmp(cmd, "blscfg") == 0) {
		g->blscfg = true;
		bls_add(g);
	} else if (strcmp(cmd, "configfile") == 0) {
		char *file = next_word(&rest);

		str_copy(g->configfile, sizeof(g->configfile), file ? file : "");
	} else if (strcmp(cmd, "set") == 0) {
		char *assign = next_word(&rest),
		     *eq = assign ? strchr(assign, '=') : NULL;
		struct var *v;

		if (!eq)
			return;
		*eq = '\0';
		if (strcmp(assign, "default") == 0) {
			if (strstr(eq + 1, "next_entry"))
				g->default_next_entry = true;
			else
				str_copy(g->default_value, sizeof(g->default_value),
					 eq + 1);
			return;
		}
		if (var_value(g->vars, assign) &&
		    !var_find(g->vars, assign, strlen(assign))->sets)
			return; /* grubenv's, loaded first (load_env) */
		v = var_set(g->vars, assign, strlen(assign), eq + 1);
		if (v)
			v->sets++;
	}
}

static int grub_parse(struct grub_parse *g, const char *path)
{
	_cleanup_free_ char *text = NULL;
	int stack[32], depth = 0, block = -1, r;
	char *save = NULL;

	r = sysroot_read_file(g->s, path, &text);
	if (r < 0)
		return r;
	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		while (isspace((unsigned char)*line))
			line++;
		if (*line && *line != '#')
			grub_line(g, line, &block, &depth, stack);
	}
	return 0;
}

/* BLS entry fields, as blscfg and systemd-boot read them: KEY VALUE lines. */
static int bls_entry_read(const struct sysroot *s, const char *dir, const char *name,
			  struct item *it)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL, options[NEXT_BOOT_ARGS_MAX] = "";
	int r;

	r = sysroot_read_filef(s, &text, "%s/%s", dir, name);
	if (r < 0)
		return r;
	str_copy(it->id, sizeof(it->id), name);
	it->id[strlen(it->id) - strlen(".conf")] = '\0';
	it->bls = true;
	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *rest = line, *key = next_word(&rest);

		while (isspace((unsigned char)*rest))
			rest++;
		if (!key || key[0] == '#')
			continue;
		if (strcmp(key, "title") == 0)
			str_copy(it->title, sizeof(it->title), rest);
		else if (strcmp(key, "linux") == 0)
			str_copy(it->kernel, sizeof(it->kernel), rest);
		else if (strcmp(key, "initrd") == 0)
			item_initrds(it, rest);
		else if (strcmp(key, "options") == 0) {
			size_t o = strlen(options);

			str_format(options + o, sizeof(options) - o, "%s%s", o ? " " : "",
				   rest);
		}
	}
	if (!it->title[0])
		str_copy(it->title, sizeof(it->title), it->id);
	str_copy(it->args, sizeof(it->args), options);
	return 0;
}

static int ends_with_conf(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".conf") == 0;
}

/* The *.conf files of DIR/loader/entries, as items at the top of the menu. */
static int entries_read(const struct sysroot *s, const char *dir, struct menu *m)
{
	_cleanup_closedir_ DIR *d = NULL;
	char entries[NEXT_BOOT_PATH_MAX];
	struct dirent *de;
	int r;

	r = path_format(entries, sizeof(entries), "%s/loader/entries", dir);
	if (r >= 0)
		r = sysroot_opendir(s, entries, &d);
	if (r < 0)
		return r;
	while ((de = readdir(d))) {
		struct item *it;

		if (de->d_name[0] == '.' || !ends_with_conf(de->d_name))
			continue;
		it = menu_add(m, -1);
		if (!it)
			return -ENOMEM;
		if (bls_entry_read(s, entries, de->d_name, it) < 0)
			m->n--;
	}
	return 0;
}

/* Fedora's blscfg.c puts the newest version first (bls_cmp(), rpmvercmp). */
static int bls_newest_first(const void *a, const void *b)
{
	return strverscmp(((const struct item *)b)->id, ((const struct item *)a)->id);
}

static int bls_add(struct grub_parse *g)
{
	size_t first = g->menu->n;
	int r = entries_read(g->s, "boot", g->menu);

	if (r < 0)
		return r;
	qsort(g->menu->items + first, g->menu->n - first, sizeof(struct item),
	      bls_newest_first);
	return 0;
}

/* The item NAME names among PARENT's children: its index, title or id. */
static int grub_find(const struct menu *m, int parent, const char *name)
{
	char *end;
	long index = strtol(name, &end, 10);
	long k = 0;

	for (size_t i = 0; i < m->n; i++) {
		if (m->items[i].parent != parent)
			continue;
		if (*name && !*end ? k++ == index
				   : strcmp(m->items[i].title, name) == 0 ||
					     strcmp(m->items[i].id, name) == 0)
			return (int)i;
	}
	return -1;
}

/* A default as GRUB reads it: "N>M" or "TITLE>TITLE" for an entry in a submenu. */
static int grub_default(const struct menu *m, const char *value)
{
	char path[NEXT_BOOT_TITLE_MAX], *save = NULL;
	int at = -1;

	str_copy(path, sizeof(path), value[0] ? value : "0");
	for (char *part = strtok_r(path, ">", &save); part;
	     part = strtok_r(NULL, ">", &save)) {
		at = grub_find(m, at, part);
		if (at < 0)
			return -1;
	}
	/* a submenu as the default boots its first entry */
	while (at >= 0 && m->items[at].submenu)
		at = grub_find(m, at, "0");
	return at;
}

/*
 * The path under the root of a file the boot loader names relative to its
 * partition: the ESP, or /boot, which may be a partition of its own or not.
 */
static void loader_path(const struct sysroot *s, const char *dir, const char *path,
			char *out, size_t size)
{
	size_t n = strlen(dir);

	while (*path == '/')
		path++;
	if (sysroot_existsf(s, "%s/%s", dir, path) > 0 ||
	    (!sysroot_exists(s, path) && !(strncmp(path, dir, n) == 0 && path[n] == '/')))
		str_format(out, size, "%s/%s", dir, path);
	else
		str_copy(out, size, path);
}

/* "vmlinuz-6.1.0-13-amd64" → "6.1.0-13-amd64" */
static void release_of(const char *kernel, char *release, size_t size)
{
	const char *base = strrchr(kernel, '/');
	const char *dash;

	base = base ? base + 1 : kernel;
	dash = strchr(base, '-');
	str_copy(release, size, dash ? dash + 1 : "");
}

static void fill_from_item(const struct sysroot *s, const char *dir,
			   const struct item *it, struct vars *vars, struct next_boot *nb)
{
	str_copy(nb->title, sizeof(nb->title), it->title);
	loader_path(s, dir, it->kernel, nb->kernel, sizeof(nb->kernel));
	release_of(it->kernel, nb->release, sizeof(nb->release));
	if (vars)
		expand(vars, it->args, nb->cmdline, sizeof(nb->cmdline), nb->unexpanded,
		       sizeof(nb->unexpanded));
	else
		str_copy(nb->cmdline, sizeof(nb->cmdline), it->args);
	nb->n_initrds = it->n_initrds;
	for (size_t i = 0; i < it->n_initrds; i++)
		loader_path(s, dir, it->initrds[i], nb->initrds[i],
			    sizeof(nb->initrds[i]));
}

/*
 * The grub.cfg the firmware's GRUB reads: on EFI, the one beside its image
 * (EFI/ID/grub.cfg), which Fedora's and Debian's make a stub whose
 * configfile names the real one; else /boot/grub/grub.cfg, /boot/grub2/grub.cfg.
 */
static int grub_config(const struct sysroot *s, char *path, size_t size)
{
	static const char *const bios[] = {"boot/grub/grub.cfg", "boot/grub2/grub.cfg"};
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (sysroot_exists(s, "sys/firmware/efi") &&
	    sysroot_opendir(s, "boot/efi/EFI", &d) >= 0)
		while ((de = readdir(d)))
			if (de->d_name[0] != '.' && strcasecmp(de->d_name, "BOOT") != 0 &&
			    sysroot_existsf(s, "boot/efi/EFI/%s/grub.cfg", de->d_name) >
				    0)
				return path_format(path, size, "boot/efi/EFI/%s/grub.cfg",
						   de->d_name);
	for (size_t i = 0; i < 2; i++)
		if (sysroot_exists(s, bios[i]))
			return path_format(path, size, "%s", bios[i]);
	return -ENOENT;
}

/* configfile ($root)/boot/grub2/grub.cfg or $prefix/grub.cfg: the file under /boot. */
static int stub_target(struct grub_parse *g, char *path, size_t size)
{
	const char *file = g->configfile, *prefix = var_value(g->vars, "prefix");
	char *grub;
	char full[NEXT_BOOT_PATH_MAX];

	if (strncmp(file, "$prefix", 7) == 0 || strncmp(file, "${prefix}", 9) == 0)
		str_format(full, sizeof(full), "%s%s", prefix ? prefix : "",
			   strchr(file, '/') ? strchr(file, '/') : "");
	else
		str_copy(full, sizeof(full), file);
	grub = strstr(full, "/grub");
	if (!grub)
		return -ENOENT;
	return path_format(path, size, "boot%s", grub);
}

/* grubenv beside grub.cfg, then grub.cfg: grubenv is loaded (load_env) before its set
 * lines. */
static int grub_parse_with_env(struct grub_parse *g, const char *config)
{
	char dir[NEXT_BOOT_PATH_MAX], *slash;

	menu_free(g->menu);
	memset(g->vars, 0, sizeof(*g->vars));
	g->configfile[0] = '\0';
	str_copy(dir, sizeof(dir), config);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	grubenv_read(g->s, dir, g->vars);
	return grub_parse(g, config);
}

static int grub_pick(struct grub_parse *g, struct next_boot *nb)
{
	const char *dflt = g->default_value, *next = var_value(g->vars, "next_entry");
	const struct item *it;
	int at;

	if (g->default_next_entry && next && next[0]) {
		dflt = next;
		str_copy(nb->uncertain, sizeof(nb->uncertain),
			 "grubenv's next_entry names it for one boot only");
	} else if (strcmp(dflt, "saved") == 0 || strstr(dflt, "saved_entry")) {
		dflt = var_value(g->vars, "saved_entry");
		dflt = dflt ? dflt : "";
	}
	at = grub_default(g->menu, dflt);
	if (at < 0)
		return -ENOMSG;
	it = &g->menu->items[at];
	nb->loader = it->bls ? NEXT_BOOT_GRUB_BLS : NEXT_BOOT_GRUB;
	fill_from_item(g->s, "boot", it, g->vars, nb);
	return 0;
}

/* The grub.cfg with the menu, past an ESP's stub, parsed into G. */
static int grub_load(struct grub_parse *g, char *config, size_t size)
{
	int r = grub_config(g->s, config, size);

	if (r >= 0)
		r = grub_parse_with_env(g, config);
	if (r >= 0 && g->menu->n == 0 && g->configfile[0]) {
		r = stub_target(g, config, size);
		if (r >= 0)
			r = grub_parse_with_env(g, config);
	}
	return r;
}

static int grub_read(const struct sysroot *s, struct next_boot *nb)
{
	_cleanup_(menu_free) struct menu menu = {0};
	_cleanup_free_ struct vars *vars = calloc(1, sizeof(*vars));
	struct grub_parse g = {.s = s, .menu = &menu, .vars = vars};
	int r;

	if (!vars)
		return -ENOMEM;
	r = grub_load(&g, nb->config, sizeof(nb->config));
	return r < 0 ? r : grub_pick(&g, nb);
}

int next_boot_grub_config(const struct sysroot *s, char *path, size_t size)
{
	_cleanup_(menu_free) struct menu menu = {0};
	_cleanup_free_ struct vars *vars = calloc(1, sizeof(*vars));
	struct grub_parse g = {.s = s, .menu = &menu, .vars = vars};

	return vars ? grub_load(&g, path, size) : -ENOMEM;
}

/* systemd-boot's ESP: where bootctl looks (/efi, /boot, /boot/efi). */
static const char *esp_find(const struct sysroot *s)
{
	static const char *const esps[] = {"efi", "boot", "boot/efi"};

	for (size_t i = 0; i < 3; i++)
		if (sysroot_existsf(s, "%s/loader/loader.conf", esps[i]) > 0)
			return esps[i];
	return NULL;
}

/* systemd 250's boot.c, config_entry_compare(): by id, as versions compare. */
static int sdboot_order(const void *a, const void *b)
{
	return strverscmp(((const struct item *)a)->id, ((const struct item *)b)->id);
}

/* The .cmdline section of a unified kernel image: the command line it boots with. */
static int uki_read(const struct sysroot *s, const char *path, struct item *it)
{
	unsigned char head[4096];
	uint64_t offset, size;
	struct stat st;
	int n, r;

	r = sysroot_stat(s, path, &st);
	if (r < 0)
		return r;
	n = sysroot_read_bytes(s, path, head, sizeof(head), 0);
	if (n < 0)
		return n;
	r = pe_section(head, (size_t)n, (uint64_t)st.st_size, ".cmdline", &offset, &size);
	if (r < 0)
		return r;
	if (size >= sizeof(it->args))
		return -EFBIG;
	n = sysroot_read_bytes(s, path, it->args, (size_t)size, (off_t)offset);
	if (n < 0)
		return n;
	it->args[n] = '\0';
	it->args[strcspn(it->args, "\n")] = '\0';
	return 0;
}

/* Type #2 entries: ESP/EFI/Linux/ *.efi, the command line built in. */
static int ukis_read(const struct sysroot *s, const char *esp, struct menu *m)
{
	_cleanup_closedir_ DIR *d = NULL;
	char path[NEXT_BOOT_PATH_MAX];
	struct dirent *de;
	struct item *it;

	if (sysroot_opendirf(s, &d, "%s/EFI/Linux", esp) < 0)
		return 0;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 5 || strcasecmp(de->d_name + n - 4, ".efi") != 0 ||
		    path_format(path, sizeof(path), "%s/EFI/Linux/%s", esp, de->d_name) <
			    0)
			continue;
		it = menu_add(m, -1);
		if (!it)
			return -ENOMEM;
		str_copy(it->id, sizeof(it->id), de->d_name);
		str_copy(it->title, sizeof(it->title), de->d_name);
		str_copy(it->kernel, sizeof(it->kernel), path);
		if (uki_read(s, path, it) < 0)
			m->n--;
	}
	return 0;
}

/* config_entry_find(): the last entry whose id the glob matches, or -1. */
static int sdboot_find(const struct menu *m, const char *pattern)
{
	for (size_t i = m->n; pattern[0] && i-- > 0;) {
		char id[NEXT_BOOT_TITLE_MAX + 8];

		str_format(id, sizeof(id), "%s%s", m->items[i].id,
			   m->items[i].bls ? ".conf" : "");
		if (fnmatch(pattern, id, FNM_CASEFOLD) == 0 ||
		    fnmatch(pattern, m->items[i].id, FNM_CASEFOLD) == 0)
			return (int)i;
	}
	return -1;
}

/*
 * A systemd-boot EFI variable (docs/BOOT_LOADER_INTERFACE.md): four bytes
 * of attributes, then a NUL-terminated UTF-16 string, kept here when ASCII.
 * 0 with "" when it is not set; -ENOENT without efivarfs.
 */
static int loader_efivar(const struct sysroot *s, const char *name, char *value,
			 size_t size)
{
	unsigned char raw[2 * NEXT_BOOT_TITLE_MAX + 4];
	size_t o = 0;
	int n;

	value[0] = '\0';
	if (!sysroot_exists(s, EFIVARS))
		return -ENOENT;
	n = sysroot_read_bytesf(s, raw, sizeof(raw), 0, EFIVARS "/%s-" LOADER_GUID, name);
	for (int i = 4; n > 0 && i + 1 < n && o + 1 < size; i += 2) {
		if (raw[i + 1] || !raw[i])
			break;
		value[o++] = (char)raw[i];
	}
	value[o] = '\0';
	return 0;
}

/* config_default_entry_select(): the one-shot variable, the default one, loader.conf's
 * glob, the last. */
static int sdboot_default(const struct sysroot *s, const struct menu *m,
			  const char *pattern, struct next_boot *nb)
{
	char oneshot[NEXT_BOOT_TITLE_MAX], chosen[NEXT_BOOT_TITLE_MAX];
	int at;

	if (loader_efivar(s, "LoaderEntryOneShot", oneshot, sizeof(oneshot)) < 0) {
		str_copy(
			nb->uncertain, sizeof(nb->uncertain),
			"the EFI variables LoaderEntryOneShot and LoaderEntryDefault, which choose first, were not read (no efivarfs)");
	} else {
		at = sdboot_find(m, oneshot);
		if (at >= 0) {
			str_copy(
				nb->uncertain, sizeof(nb->uncertain),
				"the EFI variable LoaderEntryOneShot names it for one boot only");
			return at;
		}
		if (loader_efivar(s, "LoaderEntryDefault", chosen, sizeof(chosen)) >= 0) {
			at = sdboot_find(m, chosen);
			if (at >= 0) {
				str_copy(
					nb->uncertain, sizeof(nb->uncertain),
					"the EFI variable LoaderEntryDefault names it (bootctl set-default)");
				return at;
			}
		}
	}
	at = sdboot_find(m, pattern);
	return at >= 0 ? at : (int)m->n - 1;
}

static int sdboot_read(const struct sysroot *s, const char *esp, struct next_boot *nb)
{
	_cleanup_(menu_free) struct menu menu = {0};
	_cleanup_free_ char *conf = NULL;
	char pattern[NEXT_BOOT_TITLE_MAX] = "", *save = NULL;
	int r, at = -1;

	r = sysroot_read_filef(s, &conf, "%s/loader/loader.conf", esp);
	if (r < 0)
		return r;
	r = path_format(nb->config, sizeof(nb->config), "%s/loader/loader.conf", esp);
	if (r < 0)
		return r;
	for (char *line = strtok_r(conf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *rest = line, *key = next_word(&rest), *value = next_word(&rest);

		if (key && value && strcmp(key, "default") == 0)
			str_copy(pattern, sizeof(pattern), value);
	}
	r = entries_read(s, esp, &menu);
	if (r < 0 && r != -ENOENT)
		return r;
	r = ukis_read(s, esp, &menu);
	if (r < 0)
		return r;
	qsort(menu.items, menu.n, sizeof(struct item), sdboot_order);
	at = sdboot_default(s, &menu, pattern, nb);
	if (at < 0)
		return -ENOMSG;
	nb->loader = menu.items[at].bls ? NEXT_BOOT_SYSTEMD_BOOT : NEXT_BOOT_UKI;
	fill_from_item(s, esp, &menu.items[at], NULL, nb);
	if (nb->loader == NEXT_BOOT_UKI)
		str_copy(nb->kernel, sizeof(nb->kernel), menu.items[at].kernel);
	return 0;
}

int next_boot_read(const struct sysroot *s, struct next_boot *nb)
{
	const char *esp = esp_find(s);

	*nb = (struct next_boot){0};
	/* proxmox-boot-tool mounts the ESPs it keeps only while it writes them
	 * (zz-proxmox-boot): /boot's grub.cfg is not what those disks boot */
	if (sysroot_exists(s, "etc/kernel/proxmox-boot-uuids"))
		return -EXDEV;
	if (esp)
		return sdboot_read(s, esp, nb);
	return grub_read(s, nb);
}

/* PE/COFF as the Microsoft PE format specification lays it out. */
static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

int pe_section(const unsigned char *head, size_t head_size, uint64_t file_size,
	       const char *name, uint64_t *offset, uint64_t *size)
{
	size_t pe, sections, n_sections, opt_size;

	if (head_size < 0x40 || head[0] != 'M' || head[1] != 'Z')
		return -EBADMSG;
	pe = le32(head + 0x3c);
	if (pe > head_size || head_size - pe < 24 || memcmp(head + pe, "PE\0\0", 4) != 0)
		return -EBADMSG;
	n_sections = le16(head + pe + 6);
	opt_size = le16(head + pe + 20);
	sections = pe + 24 + opt_size;
	if (sections > head_size || (head_size - sections) / 40 < n_sections)
		return -EBADMSG;
	for (size_t i = 0; i < n_sections; i++) {
		const unsigned char *sh = head + sections + i * 40;
		uint64_t len = le32(sh + 8), raw_size = le32(sh + 16), at = le32(sh + 20);

		if (strncmp((const char *)sh, name, 8) != 0)
			continue;
		/* VirtualSize is the data's own length; SizeOfRawData is padded */
		if (len == 0 || len > raw_size)
			len = raw_size;
		if (at > file_size || len > file_size - at)
			return -EBADMSG;
		*offset = at;
		*size = len;
		return 0;
	}
	return -ENOENT;
}
