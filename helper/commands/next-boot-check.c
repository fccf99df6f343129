// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-bind check --next-boot: will the next boot get the IOMMU's argument,
 * the selection, and an initramfs with vfio-bind and vfio-pci? Read from
 * the entry the boot loader will pick (config/next-boot.c), and the image's
 * listing by the distribution's own lister.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot/iommu-off.h"
#include "commands/check-report.h"
#include "shared/json.h"
#include "config/boot-config.h"
#include "config/kernel-cmdline.h"
#include "config/next-boot.h"
#include "config/selector.h"
#include "shared/util.h"

extern char **environ;

#define LISTING_MAX (64u << 20)

static void say(struct report *rep, enum verdict v, const char *fix, const char *fmt, ...)
	_printf_format_(4, 5);

static void say(struct report *rep, enum verdict v, const char *fix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_vsay(rep, v, NULL, fix, fmt, ap);
	va_end(ap);
}

/* The last value of NAME on CMDLINE, malloc()ed; NULL when absent. */
static char *last_value(const char *cmdline, const char *name)
{
	char *value = NULL;

	if (!cmdline || kernel_param(cmdline, name, &value) < 0)
		return NULL;
	return value;
}

/* NAME=VALUE, as the kernel would keep it (the last one), on CMDLINE. */
static bool carries(const char *cmdline, const char *name, const char *value)
{
	_cleanup_free_ char *v = last_value(cmdline, name);

	return v && strcmp(v, value) == 0;
}

/* kernel-install and proxmox-boot-tool write the entries from /etc/kernel/cmdline. */
static bool in_kernel_cmdline_file(const struct sysroot *s, const char *name,
				   const char *value)
{
	_cleanup_free_ char *text = NULL;

	return sysroot_read_file(s, "etc/kernel/cmdline", &text) >= 0 &&
	       carries(text, name, value);
}

static void fix_for(const struct sysroot *s, const char *running, const char *name,
		    const char *value, char *fix, size_t size)
{
	char what[VFIO_PCI_IDS_MAX + 64];

	if (in_kernel_cmdline_file(s, name, value)) {
		str_copy(
			fix, size,
			"/etc/kernel/cmdline has it, the entry was written before: run proxmox-boot-tool refresh (Proxmox VE) or kernel-install add for the kernel, then reboot");
		return;
	}
	str_format(what, sizeof(what), "%s=%s", name, value);
	check_kargs_fix(s, running, "", what, fix, size);
}

/* Whether the next boot carries NAME=VALUE; a failure counts as *missing. */
static void check_argument(const struct sysroot *s, struct report *rep,
			   const struct next_boot *nb, const char *where,
			   const char *running, const char *name, const char *value,
			   bool *missing)
{
	char fix[512];

	if (carries(nb->cmdline, name, value)) {
		say(rep, V_OK, NULL, "the next boot (%s) carries %s=%s", where, name,
		    value);
		return;
	}
	fix_for(s, running, name, value, fix, sizeof(fix));
	say(rep, V_FAIL, fix, "the next boot (%s) lacks %s=%s", where, name, value);
	*missing = true;
}

/* Only the IOMMU's argument this CPU and the next kernel need; 1 when missing. */
static bool check_iommu_argument(const struct sysroot *s, struct report *rep,
				 const struct next_boot *nb, const char *where,
				 const char *running)
{
	enum cpu_vendor cpu = cpu_vendor_read(s);
	const char *arg = iommu_on_argument(cpu);
	_cleanup_free_ char *asked = last_value(nb->cmdline, "intel_iommu");
	bool missing = false;

	if (!arg) {
		say(rep, V_OK, NULL,
		    "the next boot (%s) needs no argument for the IOMMU: %s", where,
		    cpu == CPU_VENDOR_AMD
			    ? "the kernel starts AMD-Vi whenever the firmware describes it"
			    : "the CPU is neither Intel's nor AMD's");
		return false;
	}
	if (nb->release[0] && intel_iommu_on_by_default(s, nb->release) && !asked) {
		say(rep, V_OK, NULL,
		    "the next boot (%s) needs no intel_iommu=on: /boot/config-%s turns Intel's IOMMU on by default",
		    where, nb->release);
		return false;
	}
	check_argument(s, rep, nb, where, running, "intel_iommu", "on", &missing);
	return missing;
}

/* The selection the running kernel got on its command line, still there next boot. */
static void check_cmdline_selection(const struct sysroot *s, struct report *rep,
				    const struct next_boot *nb, const char *where,
				    const char *running, bool *missing)
{
	static const char *const params[] = {"vfio-pci.ids", ADDRS_PARAM};

	for (size_t i = 0; i < 2; i++) {
		_cleanup_free_ char *value = last_value(running, params[i]);

		if (value)
			check_argument(s, rep, nb, where, running, params[i], value,
				       missing);
	}
}

/* lsinitramfs (initramfs-tools) or lsinitrd (dracut), as PATH finds it. */
static const char *find_lister(const struct sysroot *s)
{
	static const char *const listers[] = {"lsinitramfs", "lsinitrd"};
	const char *path = getenv("PATH");
	bool dracut = sysroot_exists(s, "usr/bin/dracut") &&
		      !sysroot_exists(s, "usr/sbin/mkinitramfs");

	for (size_t k = 0; k < 2; k++) {
		const char *name = listers[dracut ? 1 - k : k];
		char dir[4096];

		for (const char *p = path; p && *p;) {
			size_t n = strcspn(p, ":");
			char exe[4096 + 32];

			str_format(dir, sizeof(dir), "%.*s", (int)n, p);
			str_format(exe, sizeof(exe), "%s/%s", dir, name);
			if (dir[0] && access(exe, X_OK) == 0)
				return name;
			p += n + (p[n] == ':');
		}
	}
	return NULL;
}

/*
 * Runs LISTER IMAGE, no shell, and reads its standard output into *out
 * (malloc()ed); -EIO when it fails.
 */
static int run_lister(const char *lister, const char *image, char **out)
{
	char *const argv[] = {(char *)lister, (char *)image, NULL};
	posix_spawn_file_actions_t actions;
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int pipefd[2], status, r;
	pid_t pid;
	ssize_t got;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY,
					 0);
	r = -posix_spawnp(&pid, lister, &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	close(pipefd[1]);
	for (; r == 0; len += (size_t)got) {
		if (cap - len < 4096) {
			char *grown =
				cap < LISTING_MAX ? realloc(buf, cap + (1u << 20)) : NULL;

			if (!grown) {
				r = -ENOMEM;
				break;
			}
			buf = grown;
			cap += 1u << 20;
		}
		got = read(pipefd[0], buf + len, cap - len - 1);
		if (got < 0 && errno == EINTR)
			got = 0;
		else if (got <= 0)
			break;
	}
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		r = r < 0 ? r : -EIO;
	if (r < 0 || !buf) {
		free(buf);
		return r < 0 ? r : -EIO;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* What an image's listing holds that the boot needs. */
struct image_facts {
	bool vfio_bind, vfio_pci;
	char **files; /* every path, for modprobe.d's files */
	size_t n_files;
};

/*
 * One line of a listing: lsinitramfs prints the path, lsinitrd an ls -l
 * line whose last word is it ("a -> b" for a symlink).
 */
static void listing_line(char *line, struct image_facts *facts)
{
	char *arrow = strstr(line, " -> "), *path, *base;

	if (arrow)
		*arrow = '\0';
	path = strrchr(line, ' ');
	path = path ? path + 1 : line;
	while (*path == '.' && path[1] == '/')
		path += 2;
	while (*path == '/')
		path++;
	base = strrchr(path, '/');
	if (base && strcmp(base, "/vfio-bind") == 0 && base - path >= 3 &&
	    strncmp(base - 3, "bin", 3) == 0)
		facts->vfio_bind = true;
	if (strstr(path, "drivers/vfio/pci/vfio-pci.ko"))
		facts->vfio_pci = true;
	if (strncmp(path, "etc/modprobe.d/", 15) == 0 ||
	    strncmp(path, "lib/modprobe.d/", 15) == 0 ||
	    strncmp(path, "usr/lib/modprobe.d/", 19) == 0)
		if (strv_push(&facts->files, &facts->n_files, path) < 0)
			return;
}

static void image_facts_free(struct image_facts *facts)
{
	strv_free(facts->files, facts->n_files);
	facts->files = NULL;
	facts->n_files = 0;
}

static bool image_has(const struct image_facts *facts, const char *path)
{
	while (*path == '/')
		path++;
	return str_in_list(path, (const char *const *)facts->files, facts->n_files);
}

/* The listings of every initrd of the entry, together; false when none was read. */
static bool read_images(const struct sysroot *s, struct report *rep,
			const struct next_boot *nb, struct image_facts *facts)
{
	const char *lister = find_lister(s);
	bool read = false;

	if (nb->n_initrds == 0 && nb->loader == NEXT_BOOT_UKI) {
		say(rep, V_SKIP, NULL,
		    "the next boot's unified kernel image carries its initramfs inside, which is not listed");
		return false;
	}
	if (nb->n_initrds == 0) {
		say(rep, V_FAIL,
		    "install the kernel's initramfs (update-initramfs -c -k RELEASE, dracut), then update the boot loader",
		    "the next boot's entry names no initrd");
		return false;
	}
	if (!lister) {
		say(rep, V_SKIP, NULL,
		    "the next boot's initramfs is not checked: neither lsinitramfs (initramfs-tools) nor lsinitrd (dracut) is installed");
		return false;
	}
	for (size_t i = 0; i < nb->n_initrds; i++) {
		_cleanup_free_ char *listing = NULL;
		char image[NEXT_BOOT_PATH_MAX + 4096], *save = NULL;
		const char *full =
			sysroot_describe(s, nb->initrds[i], image, sizeof(image));
		int r = run_lister(lister, full, &listing);

		if (r < 0) {
			say(rep, V_FAIL, "rebuild it (update-initramfs -u, dracut -f)",
			    "cannot list /%s with %s: %s", nb->initrds[i], lister,
			    r == -EIO ? "it failed" : strerror(-r));
			continue;
		}
		read = true;
		for (char *line = strtok_r(listing, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			listing_line(line, facts);
	}
	return read;
}

static bool vfio_pci_built_in(const struct sysroot *s, const char *release)
{
	_cleanup_free_ char *config = NULL;

	return release[0] &&
	       sysroot_read_filef(s, &config, "boot/config-%s", release) >= 0 &&
	       strstr(config, "\nCONFIG_VFIO_PCI=y");
}

/* The image carries vfio-bind, vfio-pci, and the modprobe.d files that select. */
static void check_images(const struct sysroot *s, struct report *rep,
			 const struct next_boot *nb, const struct boot_config *cfg)
{
	static const char *const rebuild =
		"install vfio-bind's initramfs integration, then rebuild the image (update-initramfs -u, dracut -f)";
	_cleanup_(image_facts_free) struct image_facts facts = {0};
	const char *image = nb->initrds[nb->n_initrds ? nb->n_initrds - 1 : 0];

	if (!read_images(s, rep, nb, &facts))
		return;
	if (facts.vfio_bind)
		say(rep, V_OK, NULL, "the next boot's initramfs /%s carries vfio-bind",
		    image);
	else
		say(rep, V_FAIL, rebuild, "the next boot's initramfs /%s lacks vfio-bind",
		    image);
	if (facts.vfio_pci)
		say(rep, V_OK, NULL, "the next boot's initramfs /%s carries vfio-pci",
		    image);
	else if (vfio_pci_built_in(s, nb->release))
		say(rep, V_OK, NULL, "the next boot's kernel has vfio-pci built in");
	else
		say(rep, V_FAIL, rebuild,
		    "the next boot's initramfs /%s lacks vfio-pci's module", image);
	for (size_t i = 0; i < cfg->modprobe.n; i++) {
		const struct modprobe_entry *e = &cfg->modprobe.entries[i];

		if (e->kind != MODPROBE_OPTIONS || strcmp(e->module, "vfio_pci") != 0 ||
		    !strstr(e->rest, "ids="))
			continue;
		if (image_has(&facts, e->path))
			say(rep, V_OK, NULL,
			    "the next boot's initramfs carries %s (options vfio-pci ids=)",
			    e->path);
		else
			say(rep, V_FAIL,
			    "rebuild the image (update-initramfs -u, dracut -f)",
			    "the next boot's initramfs lacks %s, whose options vfio-pci ids= select",
			    e->path);
	}
}

int next_boot_checks(struct sysroot *s, struct report *rep)
{
	_cleanup_boot_config_ struct boot_config cfg = {0};
	struct next_boot nb;
	char where[NEXT_BOOT_TITLE_MAX + NEXT_BOOT_PATH_MAX + 64];
	bool iommu_missing, missing = false;
	int r;

	if (boot_config_read(s, &cfg) < 0)
		return EXIT_USAGE;
	if (rep->json)
		fputs("{\n  \"checks\": [", stdout);
	r = next_boot_read(s, &nb);
	if (r < 0) {
		say(rep, V_FAIL, NULL, "cannot tell what the next boot gets: %s",
		    r == -ENOENT
			    ? "no boot loader configuration (systemd-boot's loader/loader.conf in /efi, /boot or /boot/efi; GRUB's grub.cfg)"
		    : r == -ENOMSG ? "the boot loader's default names no entry"
		    : r == -EXDEV
			    ? "proxmox-boot-tool keeps it on the ESPs /etc/kernel/proxmox-boot-uuids names, mounted only while it writes them (proxmox-boot-tool refresh, which vfio-bind kargs --apply runs; proxmox-boot-tool status lists them)"
			    : strerror(-r));
		return EXIT_PARTIAL;
	}
	str_format(where, sizeof(where), "%s '%s', /%s", next_boot_loader_name(nb.loader),
		   nb.title, nb.config);
	say(rep, V_OK, NULL, "the next boot is the %s: kernel /%s%s%s", where, nb.kernel,
	    nb.uncertain[0] ? "; " : "", nb.uncertain);
	if (nb.unexpanded[0])
		say(rep, V_WARN, NULL,
		    "the next boot's command line has variables GRUB sets at boot, read here as empty: %s",
		    nb.unexpanded);
	iommu_missing = check_iommu_argument(s, rep, &nb, where, cfg.cmdline);
	check_cmdline_selection(s, rep, &nb, where, cfg.cmdline, &missing);
	check_images(s, rep, &nb, &cfg);
	if (iommu_missing)
		return EXIT_PRECONDITION;
	return rep->failures ? EXIT_PARTIAL : EXIT_OK;
}
