// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-bind kargs [--apply|--remove] [ADDRESS|SLOT...]: the kernel
 * arguments this host needs, where its boot loader keeps them, and, with
 * --apply, written there the loader's own way.
 */
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "boot/iommu-off.h"
#include "commands/commands.h"
#include "config/bootloader.h"
#include "config/kernel-cmdline.h"
#include "config/next-boot.h"
#include "config/selector.h"
#include "shared/log.h"
#include "shared/util.h"

#define KARG_MAX (VFIO_PCI_IDS_MAX + 64)
#define KARGS_MAX 4
#define TOOL_ARGS_MAX 8
#define TOOL_RUNS_MAX 16
/* What vfio-bind added where the loader's file keeps no comment of ours:
 * the words --remove takes away again. */
#define RECORD_DIR "etc/vfio-bind"
#define RECORD_NAME "kargs"
#define GRUB_DROPIN_DIR "etc/default/grub.d"
/* In the drop-in when --apply made grub.d, so that --remove takes it away. */
#define MADE_DIR_NOTE \
	"# It made /etc/default/grub.d, which --remove removes when empty.\n"

struct karg {
	char name[32]; /* "intel_iommu" */
	char word[KARG_MAX]; /* "intel_iommu=on" */
};

/* Whether the loader's configuration already gives an argument. */
enum karg_state { KARG_MISSING, KARG_PRESENT, KARG_CONFLICT };

struct kargs {
	struct karg items[KARGS_MAX];
	enum karg_state state[KARGS_MAX];
	size_t n;
};

struct file_change {
	const char *dir, *name;
	char *old, *new; /* NULL: not there before, or removed */
	bool remove_dir; /* removed: its directory too, when left empty */
};

struct tool_run {
	char arg[TOOL_ARGS_MAX][KARG_MAX * 2];
	size_t n;
};

struct kargs_plan {
	struct file_change files[2];
	size_t n_files;
	struct tool_run runs[TOOL_RUNS_MAX];
	size_t n_runs;
};

static void plan_free(struct kargs_plan *p)
{
	for (size_t i = 0; i < p->n_files; i++) {
		free(p->files[i].old);
		free(p->files[i].new);
	}
	free(p);
}

static void karg_add(struct kargs *k, const char *name, const char *word)
{
	if (k->n == KARGS_MAX)
		return;
	str_copy(k->items[k->n].name, sizeof(k->items[k->n].name), name);
	str_copy(k->items[k->n].word, sizeof(k->items[k->n].word), word);
	k->n++;
}

/* The words of K in STATE, space-separated. */
static void kargs_words(const struct kargs *k, int state, char *out, size_t size)
{
	out[0] = '\0';
	for (size_t i = 0; i < k->n; i++)
		if (state < 0 || k->state[i] == (enum karg_state)state)
			str_format(out + strlen(out), size - strlen(out), "%s%s",
				   out[0] ? " " : "", k->items[i].word);
}

/* The whole file, its last newline kept, so that it is written back byte
 * for byte; NULL when it is not there. */
static int read_exact(const struct sysroot *s, const char *path, char **text)
{
	struct stat st;
	int r;

	*text = NULL;
	r = sysroot_stat(s, path, &st);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	if (st.st_size > SYSROOT_FILE_MAX)
		return -EFBIG;
	*text = calloc(1, (size_t)st.st_size + 1);
	if (!*text)
		return -ENOMEM;
	r = sysroot_read_bytes(s, path, *text, (size_t)st.st_size, 0);
	return r < 0 ? r : 0;
}

/*
 * The CPU's vendor's switch (iommu_on_argument(): intel_iommu=on, nothing on
 * AMD), whether or not the running kernel turns it on by default: the
 * arguments serve every kernel the loader starts, a later one too.
 */
static void iommu_kargs(const struct sysroot *s, bool pt, struct kargs *k)
{
	const char *on = iommu_on_argument(cpu_vendor_read(s));

	if (on)
		karg_add(k, "intel_iommu", on);
	if (pt)
		karg_add(k, "iommu", "iommu=pt");
}

/* One entry of vfio-pci's ids=, as vfio_pci_fill_ids() reads it: the fields
 * up to the last that is not a wildcard. */
static int ids_entry_format(char *buf, size_t size, const struct pci_id *id)
{
	if (id->class_mask)
		return path_format(buf, size, "%04x:%04x:%x:%x:%x:%x", id->vendor,
				   id->device, id->subvendor, id->subdevice, id->class,
				   id->class_mask);
	if (id->subdevice != PCI_ANY_ID)
		return path_format(buf, size, "%04x:%04x:%x:%x", id->vendor, id->device,
				   id->subvendor, id->subdevice);
	if (id->subvendor != PCI_ANY_ID)
		return path_format(buf, size, "%04x:%04x:%x", id->vendor, id->device,
				   id->subvendor);
	return path_format(buf, size, "%04x:%04x", id->vendor, id->device);
}

/*
 * VENDOR:DEVICE given, as they are: a fleet names its cards' IDs, which need
 * no function of this host's (an image or a chroot made for other
 * machines). -E2BIG past what vfio-pci's ids= holds.
 */
static int given_ids(const struct id_list *ids, char *list, size_t size)
{
	char id[64];

	list[0] = '\0';
	for (size_t i = 0; i < ids->n_ids; i++) {
		if (ids_entry_format(id, sizeof(id), &ids->ids[i]) < 0 ||
		    strlen(list) + strlen(id) + 1 >= size)
			return ERR_ERRNO(
				E2BIG,
				"the IDs given do not fit in vfio-pci's ids= (%d characters)",
				VFIO_PCI_IDS_MAX);
		str_format(list + strlen(list), size - strlen(list), "%s%s", i ? "," : "",
			   id);
	}
	return 0;
}

/* The selection: of the arguments given, else what the running command
 * line selects, which the loader's configuration must carry on. */
static int selection_kargs(struct sysroot *s, const struct options *opts,
			   const char *cmdline, struct kargs *k)
{
	static const char *const params[] = {"vfio-pci.ids", ADDRS_PARAM};
	_cleanup_selector_ struct selector selector = {0};
	char list[VFIO_PCI_IDS_MAX + 1], word[KARG_MAX];
	int r;

	if (opts->n_args == 0) {
		for (size_t i = 0; i < ARRAY_SIZE(params) && cmdline; i++) {
			_cleanup_free_ char *value = NULL;

			if (kernel_param(cmdline, params[i], &value) <= 0 || !value)
				continue;
			str_format(word, sizeof(word), "%s=%s", params[i], value);
			karg_add(k, params[i], word);
		}
		return 0;
	}
	if (selector_from_args(opts->args, opts->n_args, false, &selector) < 0)
		return -EINVAL;
	if (selector.addrs.n_addrs > 0 && selector.ids.n_ids > 0)
		return ERR_ERRNO(
			EINVAL,
			"kargs takes addresses (their IDs read on this host) or VENDOR:DEVICE pairs (as they are), not both: give one kind");
	r = selector.addrs.n_addrs > 0
		    ? ids_of_selection(s, &selector, list, sizeof(list))
		    : given_ids(&selector.ids, list, sizeof(list));
	if (r == -ENOENT)
		ERR("no PCI function at the addresses given: see vfio-bind list");
	if (r < 0)
		return r;
	str_format(word, sizeof(word), "vfio-pci.ids=%s", list);
	karg_add(k, "vfio-pci.ids", word);
	return 0;
}

/* An argument in ARGS: there with our value, with another, or not. */
static enum karg_state karg_in(const char *args, const struct karg *a)
{
	const char *ours = strchr(a->word, '=') + 1;
	enum karg_state state = KARG_MISSING;
	char **values;
	size_t n;

	if (kernel_param_values(args, a->name, &values, &n) < 0)
		return KARG_MISSING;
	for (size_t i = 0; i < n; i++)
		state = strcmp(values[i], ours) == 0 && state != KARG_CONFLICT
				? KARG_PRESENT
				: KARG_CONFLICT;
	strv_free(values, n);
	return state;
}

/* BLS entries (grubby, ostree): present when every entry has it. */
static int kargs_state_bls(const struct sysroot *s, struct kargs *k)
{
	char **options;
	size_t n;
	int r = bootloader_bls_options(s, &options, &n);

	if (r < 0)
		return r;
	for (size_t i = 0; i < k->n; i++) {
		k->state[i] = n > 0 ? KARG_PRESENT : KARG_MISSING;
		for (size_t e = 0; e < n && k->state[i] != KARG_CONFLICT; e++) {
			enum karg_state in = karg_in(options[e], &k->items[i]);

			if (in != KARG_PRESENT)
				k->state[i] = in;
		}
	}
	strv_free(options, n);
	return 0;
}

/* What the loader's configuration gives each argument; for GRUB, with our
 * drop-in or WITHOUT_OURS (what the drop-in, rewritten whole, must add). */
static int kargs_state(const struct sysroot *s, enum boot_layout layout,
		       bool without_ours, struct kargs *k)
{
	_cleanup_free_ char *text = NULL;
	char grub[BOOTLOADER_TEXT_MAX * 2];
	int r;

	switch (layout) {
	case BOOT_LAYOUT_GRUB:
	case BOOT_LAYOUT_GRUB_MKCONFIG:
	case BOOT_LAYOUT_PROXMOX_GRUB:
		bootloader_grub_cmdline(s, without_ours, grub, sizeof(grub));
		for (size_t i = 0; i < k->n; i++)
			k->state[i] = karg_in(grub, &k->items[i]);
		return 0;
	case BOOT_LAYOUT_KERNEL_INSTALL:
	case BOOT_LAYOUT_PROXMOX:
		r = read_exact(s, "etc/kernel/cmdline", &text);
		if (r < 0)
			return r;
		for (size_t i = 0; i < k->n; i++)
			k->state[i] = karg_in(text ? text : "", &k->items[i]);
		return 0;
	case BOOT_LAYOUT_GRUB_BLS:
	case BOOT_LAYOUT_OSTREE:
		return kargs_state_bls(s, k);
	case BOOT_LAYOUT_UNKNOWN:
		break;
	}
	return -EOPNOTSUPP;
}

static void run_add(struct kargs_plan *p, const char *const *words)
{
	struct tool_run *run;

	if (p->n_runs == TOOL_RUNS_MAX)
		return;
	run = &p->runs[p->n_runs++];
	for (size_t i = 0; words[i] && run->n < TOOL_ARGS_MAX; i++)
		str_copy(run->arg[run->n++], sizeof(run->arg[0]), words[i]);
}

/* kernel-install add for each installed kernel: its image where the
 * distribution keeps it, /usr/lib/modules/VERSION/vmlinuz or
 * /boot/vmlinuz-VERSION. */
static int kernel_install_runs(const struct sysroot *s, struct kargs_plan *p)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;
	char image[PATH_MAX];

	if (sysroot_opendir(s, "usr/lib/modules", &dir) < 0)
		return -ENOENT;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		str_format(image, sizeof(image), "/usr/lib/modules/%s/vmlinuz",
			   de->d_name);
		if (!sysroot_exists(s, image))
			str_format(image, sizeof(image), "/boot/vmlinuz-%s", de->d_name);
		if (!sysroot_exists(s, image))
			continue;
		run_add(p, (const char *const[]){"kernel-install", "add", de->d_name,
						 image, NULL});
	}
	return p->n_runs > 0 ? 0 : -ENOENT;
}

/* --append-if-missing= (--delete-if-present=) for each word, as rpm-ostree
 * kargs takes them. */
static void ostree_run(struct kargs_plan *p, const char *words, const char *flag)
{
	_cleanup_free_ char *copy = strdup(words);
	const char *argv[TOOL_ARGS_MAX + 1] = {"rpm-ostree", "kargs"};
	char opt[KARGS_MAX][KARG_MAX + 32];
	size_t n = 2, i = 0;
	char *save = NULL;

	if (!copy)
		return;
	for (char *w = strtok_r(copy, " ", &save); w && i < KARGS_MAX;
	     w = strtok_r(NULL, " ", &save), i++) {
		str_format(opt[i], sizeof(opt[i]), "%s=%s", flag, w);
		argv[n++] = opt[i];
	}
	argv[n] = NULL;
	run_add(p, argv);
}

/* grub-mkconfig -o the grub.cfg that holds the menu: its output is the
 * only file it writes, and upstream's writes none without -o. */
static int mkconfig_run(const struct sysroot *s, struct kargs_plan *p)
{
	const char *tool = bootloader_mkconfig_tool(s);
	char config[PATH_MAX], out[PATH_MAX + 1];
	int r = next_boot_grub_config(s, config, sizeof(config));

	if (r < 0 || !tool)
		return -ENOENT;
	str_format(out, sizeof(out), "/%s", config);
	run_add(p, (const char *const[]){strrchr(tool, '/') + 1, "-o", out, NULL});
	return 0;
}

/* The tool that carries the configuration into what the loader reads;
 * WORDS are the arguments added (or removed, with REMOVE). */
static int tool_runs(const struct sysroot *s, enum boot_layout layout, const char *words,
		     bool remove, struct kargs_plan *p)
{
	char arg[KARG_MAX * 2];

	switch (layout) {
	case BOOT_LAYOUT_GRUB:
		run_add(p, (const char *const[]){"update-grub", NULL});
		return 0;
	case BOOT_LAYOUT_PROXMOX:
	case BOOT_LAYOUT_PROXMOX_GRUB:
		run_add(p, (const char *const[]){"proxmox-boot-tool", "refresh", NULL});
		return 0;
	case BOOT_LAYOUT_GRUB_MKCONFIG:
		return mkconfig_run(s, p);
	case BOOT_LAYOUT_KERNEL_INSTALL:
		return kernel_install_runs(s, p);
	case BOOT_LAYOUT_GRUB_BLS:
		str_format(arg, sizeof(arg), "%s=%s", remove ? "--remove-args" : "--args",
			   words);
		run_add(p, (const char *const[]){"grubby", "--update-kernel=ALL", arg,
						 NULL});
		return 0;
	case BOOT_LAYOUT_OSTREE:
		ostree_run(p, words,
			   remove ? "--delete-if-present" : "--append-if-missing");
		return 0;
	case BOOT_LAYOUT_UNKNOWN:
		break;
	}
	return -EOPNOTSUPP;
}

static struct file_change *file_add(struct kargs_plan *p, const char *dir,
				    const char *name)
{
	struct file_change *f = &p->files[p->n_files++];

	f->dir = dir;
	f->name = name;
	return f;
}

static int file_read(const struct sysroot *s, struct file_change *f)
{
	char path[PATH_MAX];
	int r = path_format(path, sizeof(path), "%s/%s", f->dir, f->name);

	return r < 0 ? r : read_exact(s, path, &f->old);
}

/* /etc/kernel/cmdline with WORDS after the first line's arguments: the
 * line proxmox-boot-tool reads, and kernel-install reads the whole file. */
static char *cmdline_with(const char *text, const char *words)
{
	size_t line = strcspn(text, "\n");
	char *out;

	if (asprintf(&out, "%.*s%s%s%s", (int)line, text, line ? " " : "", words,
		     text + line) < 0)
		return NULL;
	return out;
}

/* TEXT without the last occurrence of WORD as a whole word, and the one
 * space cmdline_with() put before it. */
static void cmdline_drop(char *text, const char *word)
{
	size_t len = strlen(word);
	char *found = NULL;

	for (char *p = strstr(text, word); p; p = strstr(p + 1, word))
		if ((p == text || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\n' || p[len] == '\0'))
			found = p;
	if (!found)
		return;
	if (found > text) {
		found--;
		len++;
	} else if (found[len] == ' ') {
		len++;
	}
	memmove(found, found + len, strlen(found + len) + 1);
}

static char *cmdline_without(const char *text, const char *words)
{
	_cleanup_free_ char *copy = strdup(words);
	char *out = strdup(text), *save = NULL;

	if (!copy || !out) {
		free(out);
		return NULL;
	}
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		cmdline_drop(out, w);
	return out;
}

static char *grub_dropin(const char *words, bool made_dir)
{
	char *out;

	/* GRUB_CMDLINE_LINUX, not _DEFAULT: 10_linux gives it to the
	 * recovery entries too, which a passed-through GPU must not reach
	 * on its host driver either. */
	if (asprintf(
		    &out,
		    "# Written by vfio-bind kargs --apply; vfio-bind kargs --remove deletes it.\n%sGRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX %s\"\n",
		    made_dir ? MADE_DIR_NOTE : "", words) < 0)
		return NULL;
	return out;
}

/* /etc/default/grub without the lines BOOTLOADER_GRUB_MARK ends. */
static char *grub_default_without_ours(const char *text)
{
	char *out = strdup(text), *line = out;

	while (out && *line) {
		char *end = line + strcspn(line, "\n");
		size_t len = end - line + (*end == '\n');

		if (memmem(line, end - line, BOOTLOADER_GRUB_MARK,
			   strlen(BOOTLOADER_GRUB_MARK)))
			memmove(line, line + len, strlen(line + len) + 1);
		else
			line += len;
	}
	return out;
}

/* /etc/default/grub with our line last, for a grub-mkconfig that sources
 * no drop-in (upstream's: only the distributions' patches read grub.d). */
static char *grub_default_with(const char *text, const char *words)
{
	char *base = grub_default_without_ours(text), *out = NULL;
	size_t len = base ? strlen(base) : 0;

	if (!base || !words[0])
		return base;
	if (asprintf(&out, "%s%sGRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX %s\" %s\n", base,
		     len && base[len - 1] != '\n' ? "\n" : "", words,
		     BOOTLOADER_GRUB_MARK) < 0)
		out = NULL;
	free(base);
	return out;
}

/* The words a previous --apply recorded, "" when none. */
static char *recorded(const struct file_change *record)
{
	char *words = strdup(record->old ? record->old : "");
	size_t len;

	if (words) {
		len = strlen(words);
		while (len > 0 && words[len - 1] == '\n')
			words[--len] = '\0';
	}
	return words;
}

static int plan_apply(const struct sysroot *s, enum boot_layout layout, struct kargs *k,
		      struct kargs_plan *p)
{
	struct file_change *main_file = NULL, *record;
	_cleanup_free_ char *before = NULL;
	char words[KARGS_MAX * KARG_MAX];
	int r;

	kargs_words(k, KARG_MISSING, words, sizeof(words));
	if (layout == BOOT_LAYOUT_GRUB_MKCONFIG) {
		main_file = file_add(p, "etc/default", "grub");
		r = file_read(s, main_file);
		if (r < 0 || (r = kargs_state(s, layout, true, k)) < 0)
			return r;
		kargs_words(k, KARG_MISSING, words, sizeof(words));
		main_file->new =
			grub_default_with(main_file->old ? main_file->old : "", words);
		return main_file->new ? tool_runs(s, layout, words, false, p) : -ENOMEM;
	}
	if (layout == BOOT_LAYOUT_GRUB || layout == BOOT_LAYOUT_PROXMOX_GRUB) {
		main_file = file_add(p, GRUB_DROPIN_DIR, BOOTLOADER_GRUB_DROPIN);
		r = file_read(s, main_file);
		if (r < 0 || (r = kargs_state(s, layout, true, k)) < 0)
			return r;
		kargs_words(k, KARG_MISSING, words, sizeof(words));
		main_file->new = grub_dropin(
			words, !sysroot_exists(s, GRUB_DROPIN_DIR) ||
				       (main_file->old &&
					strstr(main_file->old, MADE_DIR_NOTE)));
		return main_file->new ? tool_runs(s, layout, words, false, p) : -ENOMEM;
	}
	if (layout == BOOT_LAYOUT_KERNEL_INSTALL || layout == BOOT_LAYOUT_PROXMOX) {
		main_file = file_add(p, "etc/kernel", "cmdline");
		r = file_read(s, main_file);
		if (r < 0)
			return r;
		main_file->new =
			cmdline_with(main_file->old ? main_file->old : "", words);
		if (!main_file->new)
			return -ENOMEM;
	}
	record = file_add(p, RECORD_DIR, RECORD_NAME);
	r = file_read(s, record);
	if (r < 0)
		return r;
	before = recorded(record);
	if (!before ||
	    asprintf(&record->new, "%s%s%s\n", before, before[0] ? " " : "", words) < 0)
		return -ENOMEM;
	return tool_runs(s, layout, words, false, p);
}

/* --remove: the drop-in, or the words the record names. */
static int plan_remove(const struct sysroot *s, enum boot_layout layout,
		       struct kargs_plan *p, bool *nothing)
{
	struct file_change *f, *record;
	_cleanup_free_ char *words = NULL;
	int r;

	*nothing = false;
	if (layout == BOOT_LAYOUT_GRUB_MKCONFIG) {
		f = file_add(p, "etc/default", "grub");
		r = file_read(s, f);
		if (r < 0 || !f->old)
			return r < 0 ? r : -ENOENT;
		f->new = grub_default_without_ours(f->old);
		if (!f->new)
			return -ENOMEM;
		*nothing = strcmp(f->new, f->old) == 0;
		return *nothing ? 0 : tool_runs(s, layout, "", true, p);
	}
	if (layout == BOOT_LAYOUT_GRUB || layout == BOOT_LAYOUT_PROXMOX_GRUB) {
		f = file_add(p, GRUB_DROPIN_DIR, BOOTLOADER_GRUB_DROPIN);
		r = file_read(s, f);
		*nothing = r >= 0 && !f->old;
		f->remove_dir = f->old && strstr(f->old, MADE_DIR_NOTE);
		return r < 0 || *nothing ? r : tool_runs(s, layout, "", true, p);
	}
	record = file_add(p, RECORD_DIR, RECORD_NAME);
	record->remove_dir = true; /* vfio-bind's own */
	r = file_read(s, record);
	if (r < 0)
		return r;
	words = recorded(record);
	if (!words)
		return -ENOMEM;
	*nothing = !words[0];
	if (*nothing)
		return 0;
	if (layout == BOOT_LAYOUT_KERNEL_INSTALL || layout == BOOT_LAYOUT_PROXMOX) {
		f = file_add(p, "etc/kernel", "cmdline");
		r = file_read(s, f);
		if (r < 0)
			return r;
		if (f->old && !(f->new = cmdline_without(f->old, words)))
			return -ENOMEM;
	}
	return tool_runs(s, layout, words, true, p);
}

/* The lines that differ, as a unified diff marks them. */
static void print_diff(const struct file_change *f)
{
	const char *a = f->old ? f->old : "", *b = f->new ? f->new : "";

	char path[PATH_MAX];

	str_format(path, sizeof(path), "/%s/%s", f->dir, f->name);
	printf("--- %s\n+++ %s\n", f->old ? path : "/dev/null",
	       f->new ? path : "/dev/null");
	while (*a || *b) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");

		if (la != lb || strncmp(a, b, la) != 0) {
			if (*a)
				printf("-%.*s\n", (int)la, a);
			if (*b)
				printf("+%.*s\n", (int)lb, b);
		}
		a += la + (a[la] == '\n');
		b += lb + (b[lb] == '\n');
	}
}

static void run_words(const struct tool_run *run, char *out, size_t size)
{
	out[0] = '\0';
	for (size_t i = 0; i < run->n; i++)
		str_format(out + strlen(out), size - strlen(out), "%s%s", i ? " " : "",
			   run->arg[i]);
}

/*
 * Runs the tool, found on PATH, with a fixed argv, and waits for it; under
 * --root, inside the tree through chroot(8), so that it reads and writes
 * the tree's files, not the running system's. Returns its exit status.
 */
static int run_tool(const struct sysroot *s, const struct tool_run *run)
{
	extern char **environ;
	char *argv[TOOL_ARGS_MAX + 3];
	size_t n = 0;
	pid_t pid;
	int status, r;

	if (!s->is_live) {
		argv[n++] = (char *)"chroot";
		argv[n++] = (char *)s->root;
	}
	for (size_t i = 0; i < run->n; i++)
		argv[n++] = (char *)run->arg[i];
	argv[n] = NULL;
	r = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (r != 0)
		return -r;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* DIR and the directories above it, as mkdir -p makes them. */
static int make_dirs(const struct sysroot *s, const char *dir)
{
	char parent[PATH_MAX] = ".", name[NAME_MAX + 1];
	int r = 0;

	for (const char *p = dir; *p && r >= 0; p += strspn(p, "/")) {
		size_t len = strcspn(p, "/");

		str_format(name, sizeof(name), "%.*s", (int)len, p);
		r = sysroot_mkdir(s, parent, name);
		if (r >= 0)
			r = path_format(parent, sizeof(parent), "%.*s",
					(int)(p + len - dir), dir);
		p += len;
	}
	return r;
}

static int remove_empty_dir(const struct sysroot *s, const char *dir)
{
	const char *slash = strrchr(dir, '/');
	char parent[PATH_MAX];
	int r = path_format(parent, sizeof(parent), "%.*s", (int)(slash - dir), dir);

	return r < 0 ? r : sysroot_rmdir(s, parent, slash + 1);
}

static int write_change(const struct sysroot *s, const struct file_change *f)
{
	int r;

	if (!f->new) {
		r = sysroot_unlink(s, f->dir, f->name);
		return r < 0 || !f->remove_dir ? r : remove_empty_dir(s, f->dir);
	}
	r = make_dirs(s, f->dir);
	return r < 0 ? r : sysroot_create(s, f->dir, f->name, f->new);
}

static int carry_out(const struct sysroot *s, const struct kargs_plan *p, bool dry_run)
{
	char words[TOOL_ARGS_MAX * KARG_MAX];
	int r;

	for (size_t i = 0; i < p->n_files; i++) {
		const struct file_change *f = &p->files[i];

		if (dry_run) {
			print_diff(f);
			continue;
		}
		r = write_change(s, f);
		if (r < 0)
			return ERR_ERRNO(r, "cannot write /%s/%s: %m", f->dir, f->name);
		INF("%s /%s/%s", f->new ? "wrote" : "removed", f->dir, f->name);
	}
	for (size_t i = 0; i < p->n_runs; i++) {
		run_words(&p->runs[i], words, sizeof(words));
		if (dry_run) {
			printf("would run: %s%s%s%s\n", s->is_live ? "" : "chroot ",
			       s->is_live ? "" : s->root, s->is_live ? "" : " ", words);
			continue;
		}
		r = run_tool(s, &p->runs[i]);
		if (r < 0)
			return ERR_ERRNO(r, "cannot run %s: %m", p->runs[i].arg[0]);
		if (r > 0) {
			ERR("%s failed (exit status %d): the files are written, run it again once it works",
			    words, r);
			return -EIO;
		}
		INF("ran %s", words);
	}
	return 0;
}

static int report_conflicts(const struct kargs *k, enum boot_layout layout)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->state[i] == KARG_CONFLICT) {
			ERR("%s= is already set to another value in %s's configuration; nothing changed (vfio-bind kargs --remove drops what vfio-bind added)",
			    k->items[i].name, boot_layout_name(layout));
			return EXIT_PRECONDITION;
		}
	return EXIT_OK;
}

static int kargs_print(const struct kargs *k, const struct boot_loader *bl)
{
	char words[KARGS_MAX * KARG_MAX];

	kargs_words(k, -1, words, sizeof(words));
	printf("%s\n", words);
	fprintf(stderr, "vfio-bind: boot loader: %s (%s; %s)\n",
		boot_layout_name(bl->layout), bl->evidence ? bl->evidence : "no file",
		boot_booted_by_name(bl->booted_by));
	if (bl->layout == BOOT_LAYOUT_UNKNOWN)
		return EXIT_OK;
	kargs_words(k, KARG_MISSING, words, sizeof(words));
	if (!words[0]) {
		fprintf(stderr, "vfio-bind: all of them are already configured\n");
		return EXIT_OK;
	}
	fprintf(stderr,
		"vfio-bind: missing: %s; they go in %s, applied by %s: vfio-bind kargs --apply does both\n",
		words, boot_layout_file(bl->layout), boot_layout_command(bl->layout));
	return EXIT_OK;
}

static bool all_present(const struct kargs *k)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->state[i] != KARG_PRESENT)
			return false;
	return true;
}

static int kargs_change(struct sysroot *s, const struct options *opts, struct kargs *k,
			enum boot_layout layout)
{
	struct kargs_plan *p = calloc(1, sizeof(*p));
	bool nothing = !opts->remove && all_present(k);
	int r = 0;

	if (!p) {
		log_oom();
		return EXIT_USAGE;
	}
	if (opts->remove)
		r = plan_remove(s, layout, p, &nothing);
	else if (!nothing)
		r = plan_apply(s, layout, k, p);
	if (r < 0) {
		plan_free(p);
		if (r == -ENOENT && layout == BOOT_LAYOUT_GRUB_MKCONFIG)
			ERR("no grub.cfg under /boot (nor the ESP's /boot/efi/EFI/*/grub.cfg) for grub-mkconfig -o; nothing changed");
		else if (r == -ENOENT)
			ERR("no installed kernel for kernel-install under /usr/lib/modules; nothing changed");
		else
			ERR_ERRNO(r, "cannot plan the change: %m");
		return EXIT_USAGE;
	}
	if (nothing)
		INF(opts->remove
			    ? "vfio-bind added no kernel argument here: nothing to remove"
			    : "the kernel arguments are already configured: nothing to change");
	r = nothing ? 0 : carry_out(s, p, opts->dry_run);
	plan_free(p);
	return r < 0 ? EXIT_USAGE : EXIT_OK;
}

int cmd_kargs(struct sysroot *s, const struct options *opts)
{
	_cleanup_free_ char *cmdline = NULL;
	struct boot_loader bl;
	struct kargs k = {0};
	int r;

	if (sysroot_read_file(s, "proc/cmdline", &cmdline) < 0)
		cmdline = NULL;
	bootloader_detect(s, cmdline, &bl);
	iommu_kargs(s, opts->iommu_pt, &k);
	if (!opts->remove && selection_kargs(s, opts, cmdline, &k) < 0)
		return EXIT_USAGE;
	if (bl.layout != BOOT_LAYOUT_UNKNOWN) {
		r = kargs_state(s, bl.layout, false, &k);
		if (r < 0) {
			ERR_ERRNO(r, "cannot read the boot loader's configuration: %m");
			return EXIT_USAGE;
		}
	}
	if (k.n == 0 && !opts->remove) {
		ERR("no argument to add: the CPU needs no IOMMU switch and the running command line selects nothing; name the functions (vfio-bind kargs 0b:00)");
		return EXIT_USAGE;
	}
	if (!opts->apply && !opts->remove)
		return kargs_print(&k, &bl);
	if (bl.layout == BOOT_LAYOUT_UNKNOWN) {
		ERR("vfio-bind does not know this boot loader (%s; none of /etc/default/grub with update-grub or grub-mkconfig, BLS entries with grubby, /etc/kernel/cmdline, /run/ostree-booted): nothing changed",
		    boot_booted_by_name(bl.booted_by));
		return EXIT_PRECONDITION;
	}
	if (!opts->remove && report_conflicts(&k, bl.layout) != EXIT_OK)
		return EXIT_PRECONDITION;
	return kargs_change(s, opts, &k, bl.layout);
}
