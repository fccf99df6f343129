// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel arguments of the next boot, as the boot loaders' own tools
 * keep them; read only, never edited.
 */
#include <errno.h>
#include <string.h>

#include "config/bootloader.h"
#include "config/kernel-cmdline.h"
#include "shared/log.h"
#include "shared/util.h"

static bool has_param(const char *args, const char *const *names)
{
	char **values;
	size_t n;
	bool found = false;

	for (size_t i = 0; names[i] && !found; i++) {
		if (kernel_param_values(args, names[i], &values, &n) < 0)
			continue;
		found = n > 0;
		strv_free(values, n);
	}
	return found;
}

/* The two variables grub-mkconfig puts on the kernel command line. */
enum grub_var { GRUB_LINUX, GRUB_LINUX_DEFAULT, GRUB_VARS };

static const char *const grub_var_names[GRUB_VARS] = {"GRUB_CMDLINE_LINUX",
						      "GRUB_CMDLINE_LINUX_DEFAULT"};

struct grub_state {
	char value[GRUB_VARS][BOOTLOADER_TEXT_MAX];
	char set_in[GRUB_VARS][BOOTLOADER_TEXT_MAX]; /* the file that set it last */
	char dropped_in[GRUB_VARS][BOOTLOADER_TEXT_MAX]; /* a file that set it without */
};

static int grub_var_named(const char *name, size_t len)
{
	for (int i = 0; i < GRUB_VARS; i++)
		if (strlen(grub_var_names[i]) == len &&
		    strncmp(name, grub_var_names[i], len) == 0)
			return i;
	return -1;
}

static void append(char *out, size_t size, const char *text, size_t len)
{
	size_t used = strlen(out);

	if (used + len < size) {
		memcpy(out + used, text, len);
		out[used + len] = '\0';
	}
}

/* $NAME or ${NAME} at p: the value of one of the two, else empty as sh
 * has it here; returns the characters read. */
static size_t expand(const char *p, const struct grub_state *g, char *out, size_t size)
{
	bool braced = p[1] == '{';
	const char *name = p + 1 + braced;
	size_t len = strspn(
		name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
	int var = grub_var_named(name, len);

	if (var >= 0)
		append(out, size, g->value[var], strlen(g->value[var]));
	return 1 + braced + len + (braced && name[len] == '}');
}

/* The value of a simple sh assignment: quotes, backslashes, the two
 * variables; it ends at an unquoted blank. */
static void shell_value(const char *p, const struct grub_state *g, char *out, size_t size)
{
	bool dquoted = false;

	out[0] = '\0';
	while (*p && (dquoted || (*p != ' ' && *p != '\t'))) {
		if (*p == '\'' && !dquoted) {
			size_t len = strcspn(p + 1, "'");

			append(out, size, p + 1, len);
			p += 1 + len + (p[1 + len] == '\'');
		} else if (*p == '"') {
			dquoted = !dquoted;
			p++;
		} else if (*p == '$') {
			p += expand(p, g, out, size);
		} else {
			if (*p == '\\' && p[1])
				p++;
			append(out, size, p, 1);
			p++;
		}
	}
}

static void grub_assign(struct grub_state *g, const char *line, const char *file,
			const char *const *names)
{
	const char *name = line + strspn(line, " \t");
	char value[BOOTLOADER_TEXT_MAX];
	size_t len;
	int var;

	if (strncmp(name, "export ", 7) == 0)
		name += 7 + strspn(name + 7, " \t");
	len = strcspn(name, "=");
	var = grub_var_named(name, len);
	if (var < 0 || name[len] != '=')
		return;
	shell_value(name + len + 1, g, value, sizeof(value));
	if (has_param(g->value[var], names) && !has_param(value, names))
		str_copy(g->dropped_in[var], sizeof(g->dropped_in[var]), file);
	str_copy(g->value[var], sizeof(g->value[var]), value);
	str_copy(g->set_in[var], sizeof(g->set_in[var]), file);
}

static void grub_source(const struct sysroot *s, struct grub_state *g, const char *path,
			const char *const *names, bool without_ours)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL;

	if (sysroot_read_file(s, path, &text) < 0)
		return;
	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!(without_ours && strstr(line, BOOTLOADER_GRUB_MARK)))
			grub_assign(g, line, path, names);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* grub-mkconfig sources /etc/default/grub, then /etc/default/grub.d/ *.cfg
 * in the order the shell's glob sorts them. */
static void grub_read(const struct sysroot *s, struct grub_state *g,
		      const char *const *names, bool without_ours)
{
	_cleanup_closedir_ DIR *dir = NULL;
	char **cfgs = NULL;
	size_t n = 0;
	struct dirent *de;

	grub_source(s, g, "/etc/default/grub", names, without_ours);
	if (sysroot_opendir(s, "etc/default/grub.d", &dir) < 0)
		return;
	while ((de = readdir(dir))) {
		char path[PATH_MAX];
		size_t len = strlen(de->d_name);

		if (len > 4 && strcmp(de->d_name + len - 4, ".cfg") == 0 &&
		    !(without_ours && strcmp(de->d_name, BOOTLOADER_GRUB_DROPIN) == 0) &&
		    path_format(path, sizeof(path), "/etc/default/grub.d/%s",
				de->d_name) >= 0 &&
		    strv_push(&cfgs, &n, path) < 0)
			break;
	}
	if (n > 1)
		qsort(cfgs, n, sizeof(*cfgs), compare_strings);
	for (size_t i = 0; i < n; i++)
		grub_source(s, g, cfgs[i], names, without_ours);
	strv_free(cfgs, n);
}

/* What carries /etc/default/grub into grub.cfg here: proxmox-boot-tool
 * runs update-grub on each ESP it keeps (its zz-proxmox-boot hook), as
 * /boot/grub/grub.cfg is not what those disks boot. */
static const char *grub_command(const struct sysroot *s)
{
	if (sysroot_exists(s, "etc/kernel/proxmox-boot-uuids"))
		return "run proxmox-boot-tool refresh, then reboot";
	if (!sysroot_exists(s, "usr/sbin/update-grub") && bootloader_mkconfig_tool(s))
		return "run grub2-mkconfig -o (or grub-mkconfig -o) on the grub.cfg the firmware's GRUB reads, then reboot";
	return "run update-grub, then reboot";
}

static int find_grub(const struct sysroot *s, const char *const *names, bool bls,
		     struct bootloader_hint *hint)
{
	struct grub_state *g = calloc(1, sizeof(*g));

	if (!g)
		return 0;
	grub_read(s, g, names, false);
	for (int i = 0; i < GRUB_VARS; i++) {
		if (has_param(g->value[i], names)) {
			str_format(hint->file, sizeof(hint->file), "%s (%s)",
				   g->set_in[i], grub_var_names[i]);
			str_copy(
				hint->command, sizeof(hint->command),
				bls ? "BLS entries do not follow /etc/default/grub: run grubby --update-kernel=ALL --args=\"...\" with it, then reboot"
				    : grub_command(s));
			free(g);
			return 1;
		}
	}
	for (int i = 0; i < GRUB_VARS; i++) {
		if (!g->dropped_in[i][0])
			continue;
		str_format(hint->file, sizeof(hint->file),
			   "an earlier %s, but %s sets it again without it",
			   grub_var_names[i], g->dropped_in[i]);
		str_format(hint->command, sizeof(hint->command),
			   "add it in that file (later files win), %s", grub_command(s));
		free(g);
		return 1;
	}
	free(g);
	return 0;
}

/* /etc/kernel/cmdline: what kernel-install and proxmox-boot-tool write into
 * the entries they make. */
static int find_kernel_cmdline(const struct sysroot *s, const char *const *names,
			       struct bootloader_hint *hint)
{
	_cleanup_free_ char *text = NULL;

	if (sysroot_read_file(s, "etc/kernel/cmdline", &text) < 0 ||
	    !has_param(text, names))
		return 0;
	str_copy(hint->file, sizeof(hint->file), "/etc/kernel/cmdline");
	if (sysroot_exists(s, "etc/kernel/proxmox-boot-uuids"))
		str_copy(hint->command, sizeof(hint->command),
			 "run proxmox-boot-tool refresh, then reboot");
	else
		str_copy(
			hint->command, sizeof(hint->command),
			"run kernel-install add $(uname -r) /boot/vmlinuz-$(uname -r), then reboot");
	return 1;
}

/* The "options" line of a BLS entry (the Boot Loader Specification). */
static bool entry_has(const char *text, const char *const *names)
{
	_cleanup_free_ char *copy = strdup(text);
	char *save = NULL;

	if (!copy)
		return false;
	for (char *line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		if (strncmp(line, "options", 7) == 0 &&
		    (line[7] == ' ' || line[7] == '\t') && has_param(line + 8, names))
			return true;
	}
	return false;
}

/* Whether some entry has it (1) or none (0; *any tells whether there are
 * entries at all). */
static int find_bls(const struct sysroot *s, const char *const *names, bool *any,
		    struct bootloader_hint *hint)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;

	*any = false;
	if (sysroot_opendir(s, "boot/loader/entries", &dir) < 0)
		return 0;
	while ((de = readdir(dir))) {
		_cleanup_free_ char *text = NULL;
		char path[PATH_MAX];
		size_t len = strlen(de->d_name);

		if (len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0 ||
		    path_format(path, sizeof(path), "boot/loader/entries/%s",
				de->d_name) < 0 ||
		    sysroot_read_file(s, path, &text) < 0)
			continue;
		*any = true;
		if (!entry_has(text, names))
			continue;
		str_format(hint->file, sizeof(hint->file), "/%s", path);
		str_copy(
			hint->command, sizeof(hint->command),
			"reboot into that entry (bootctl list, grubby --info=ALL show the default)");
		return 1;
	}
	return 0;
}

int bootloader_find(const struct sysroot *s, const char *const *names,
		    struct bootloader_hint *hint)
{
	bool bls;

	memset(hint, 0, sizeof(*hint));
	if (find_kernel_cmdline(s, names, hint) || find_bls(s, names, &bls, hint))
		return 1;
	return find_grub(s, names, bls, hint);
}

void bootloader_grub_cmdline(const struct sysroot *s, bool without_ours, char *out,
			     size_t size)
{
	static const char *const none[] = {NULL};
	struct grub_state *g = calloc(1, sizeof(*g));

	out[0] = '\0';
	if (!g)
		return;
	grub_read(s, g, none, without_ours);
	str_format(out, size, "%s %s", g->value[GRUB_LINUX],
		   g->value[GRUB_LINUX_DEFAULT]);
	free(g);
}

/* GRUB's blscfg expands $kernelopts in an entry from grubenv, where grubby
 * kept the arguments before RHEL 9 wrote them into each entry. */
static void expand_kernelopts(const struct sysroot *s, const char *options, char *out,
			      size_t size)
{
	_cleanup_free_ char *env = NULL;
	const char *var = strstr(options, "$kernelopts");
	const char *value = "";
	char *line, *save = NULL;

	if (var && sysroot_read_file(s, "boot/grub2/grubenv", &env) >= 0)
		for (line = strtok_r(env, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			if (strncmp(line, "kernelopts=", 11) == 0)
				value = line + 11;
	if (!var) {
		str_copy(out, size, options);
		return;
	}
	str_format(out, size, "%.*s%s%s", (int)(var - options), options, value,
		   var + strlen("$kernelopts"));
}

static int entry_options(const struct sysroot *s, const char *text, char ***options,
			 size_t *n)
{
	_cleanup_free_ char *copy = strdup(text);
	char *save = NULL, expanded[BOOTLOADER_TEXT_MAX * 4];

	if (!copy)
		return -ENOMEM;
	for (char *line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		if (strncmp(line, "options", 7) != 0 ||
		    (line[7] != ' ' && line[7] != '\t'))
			continue;
		expand_kernelopts(s, line + 8, expanded, sizeof(expanded));
		return strv_push(options, n, expanded);
	}
	return strv_push(options, n, "");
}

int bootloader_bls_options(const struct sysroot *s, char ***options, size_t *n)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;
	int r = 0;

	*options = NULL;
	*n = 0;
	if (sysroot_opendir(s, "boot/loader/entries", &dir) < 0)
		return 0;
	while (r >= 0 && (de = readdir(dir))) {
		_cleanup_free_ char *text = NULL;
		size_t len = strlen(de->d_name);

		if (len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0 ||
		    sysroot_read_filef(s, &text, "boot/loader/entries/%s", de->d_name) <
			    0)
			continue;
		r = entry_options(s, text, options, n);
	}
	return r;
}

static enum boot_booted_by booted_by(const char *cmdline)
{
	_cleanup_free_ char *initrd = NULL;
	char **values;
	size_t n;

	if (!cmdline)
		return BOOTED_BY_UNSEEN;
	if (kernel_param_values(cmdline, "BOOT_IMAGE", &values, &n) >= 0) {
		strv_free(values, n);
		if (n > 0)
			return BOOTED_BY_GRUB;
	}
	/* systemd-boot and the EFI stub pass the initrd's EFI path, GRUB
	 * never passes initrd= */
	if (kernel_param(cmdline, "initrd", &initrd) > 0 && strchr(initrd, '\\'))
		return BOOTED_BY_STUB;
	return BOOTED_BY_UNSEEN;
}

static bool has_bls_entries(const struct sysroot *s)
{
	char **options;
	size_t n;

	if (bootloader_bls_options(s, &options, &n) < 0)
		return false;
	strv_free(options, n);
	return n > 0;
}

/* grub-mkconfig under the name the distribution gives it: grub2- on
 * Fedora's, RHEL's and SUSE's, grub- on Arch's. */
const char *bootloader_mkconfig_tool(const struct sysroot *s)
{
	static const char *const tools[] = {
		"/usr/sbin/grub2-mkconfig", "/usr/bin/grub2-mkconfig",
		"/usr/sbin/grub-mkconfig", "/usr/bin/grub-mkconfig"};

	for (size_t i = 0; i < ARRAY_SIZE(tools); i++)
		if (sysroot_exists(s, tools[i]))
			return tools[i];
	return NULL;
}

static enum boot_layout grub_layout(const struct sysroot *s, bool grub_file,
				    const char **evidence)
{
	bool bls = has_bls_entries(s);

	if (bls && sysroot_exists(s, *evidence = "/usr/sbin/grubby"))
		return BOOT_LAYOUT_GRUB_BLS;
	if (grub_file && sysroot_exists(s, *evidence = "/usr/sbin/update-grub"))
		return BOOT_LAYOUT_GRUB;
	/* with BLS entries, grub-mkconfig's arguments reach no entry */
	if (grub_file && !bls && (*evidence = bootloader_mkconfig_tool(s)))
		return BOOT_LAYOUT_GRUB_MKCONFIG;
	*evidence = NULL;
	return BOOT_LAYOUT_UNKNOWN;
}

/* The layouts in the order their evidence is trusted: ostree and Proxmox
 * say so in a file of their own; then the loader that booted, when the
 * command line tells. proxmox-boot-tool keeps GRUB's ESPs too (legacy
 * BIOS, or Secure Boot): there the arguments come from /etc/default/grub
 * and /etc/kernel/cmdline is left unread (zz-proxmox-boot). */
static enum boot_layout layout_of(const struct sysroot *s, enum boot_booted_by by,
				  const char **evidence)
{
	bool cmdline_file = sysroot_exists(s, "etc/kernel/cmdline");
	bool grub_file = sysroot_exists(s, "etc/default/grub");
	bool proxmox = sysroot_exists(s, "etc/kernel/proxmox-boot-uuids");

	if (sysroot_exists(s, *evidence = "/run/ostree-booted"))
		return BOOT_LAYOUT_OSTREE;
	*evidence = "/etc/kernel/proxmox-boot-uuids";
	if (proxmox && by != BOOTED_BY_GRUB && cmdline_file)
		return BOOT_LAYOUT_PROXMOX;
	if (proxmox && by != BOOTED_BY_STUB && grub_file)
		return BOOT_LAYOUT_PROXMOX_GRUB;
	if (by != BOOTED_BY_GRUB && cmdline_file) {
		*evidence = "/etc/kernel/cmdline";
		return BOOT_LAYOUT_KERNEL_INSTALL;
	}
	if (by == BOOTED_BY_STUB) {
		*evidence = NULL;
		return BOOT_LAYOUT_UNKNOWN;
	}
	return grub_layout(s, grub_file, evidence);
}

void bootloader_detect(const struct sysroot *s, const char *cmdline,
		       struct boot_loader *out)
{
	out->booted_by = booted_by(cmdline);
	out->layout = layout_of(s, out->booted_by, &out->evidence);
}

struct layout_words {
	const char *name, *file, *command;
};

static const struct layout_words layout_words[] = {
	[BOOT_LAYOUT_UNKNOWN] = {"a boot loader vfio-bind does not know", NULL, NULL},
	[BOOT_LAYOUT_GRUB] = {"GRUB with update-grub",
			      "/etc/default/grub.d/vfio-bind.cfg", "update-grub"},
	[BOOT_LAYOUT_GRUB_MKCONFIG] =
		{"GRUB with grub-mkconfig (no grub.d drop-ins)", "/etc/default/grub",
		 "grub2-mkconfig -o GRUB.CFG (the one the firmware's GRUB reads)"},
	[BOOT_LAYOUT_GRUB_BLS] = {"GRUB with BLS entries (grubby)",
				  "/boot/loader/entries/*.conf",
				  "grubby --update-kernel=ALL --args=\"...\""},
	[BOOT_LAYOUT_KERNEL_INSTALL] =
		{"kernel-install", "/etc/kernel/cmdline",
		 "kernel-install add VERSION /boot/vmlinuz-VERSION"},
	[BOOT_LAYOUT_PROXMOX] = {"proxmox-boot-tool", "/etc/kernel/cmdline",
				 "proxmox-boot-tool refresh"},
	[BOOT_LAYOUT_PROXMOX_GRUB] = {"GRUB on proxmox-boot-tool's ESPs",
				      "/etc/default/grub.d/vfio-bind.cfg",
				      "proxmox-boot-tool refresh"},
	[BOOT_LAYOUT_OSTREE] = {"ostree (rpm-ostree)",
				"the deployment's kernel arguments",
				"rpm-ostree kargs --append-if-missing=..."},
};

const char *boot_layout_name(enum boot_layout layout)
{
	return layout_words[layout].name;
}

const char *boot_layout_file(enum boot_layout layout)
{
	return layout_words[layout].file;
}

const char *boot_layout_command(enum boot_layout layout)
{
	return layout_words[layout].command;
}

const char *boot_booted_by_name(enum boot_booted_by by)
{
	switch (by) {
	case BOOTED_BY_GRUB:
		return "BOOT_IMAGE= on the running command line: GRUB";
	case BOOTED_BY_STUB:
		return "initrd=\\EFI\\... on the running command line: systemd-boot or the EFI stub";
	case BOOTED_BY_UNSEEN:
		break;
	}
	return "no boot loader's mark on the running command line";
}
