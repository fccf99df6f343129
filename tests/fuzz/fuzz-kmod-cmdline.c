// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Differential: vfio-pci's ids= as kernel-cmdline.c finds it on the command
 * line, against libkmod's own reading. libkmod opens the fixed path
 * /proc/cmdline (kmod_config_parse_kcmdline() in libkmod-config.c) when a
 * context is made, so each input is put there: a file bind-mounted over
 * /proc/cmdline in a private mount namespace. The options libkmod gives
 * vfio_pci (kmod_module_get_options(), what it passes to init_module()) are
 * then split as the kernel's parse_args() splits them, and the ids= found
 * there, their count and the last value, must be what the scanner says.
 */
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/kernel-cmdline.h"
#include "fuzz.h"
#include "shared/log.h"
#include "shared/macro.h"

static char tree[] = "/tmp/vfio-bind-fuzz-kmod.XXXXXX";
static char cmdline_file[sizeof(tree) + 16], config_dir[sizeof(tree) + 16];
static struct sysroot live;

static void die(const char *what)
{
	fprintf(stderr,
		"fuzz-kmod-cmdline: %s: %m (it needs root, or a user namespace: unshare -rm)\n",
		what);
	exit(1);
}

static void write_file(const char *path, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die(path);
}

/* Root may make a mount namespace; anyone else, in a user namespace of
 * their own. */
static void private_mounts(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64];

	if (unshare(CLONE_NEWNS) == 0)
		return;
	if (errno != EPERM || unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		die("cannot make a mount namespace");
	write_file("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	write_file("/proc/self/uid_map", map);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	write_file("/proc/self/gid_map", map);
}

static void cleanup(void)
{
	umount("/proc/cmdline");
	unlink(cmdline_file);
	rmdir(config_dir);
	rmdir(tree);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	_cleanup_close_ int fd = -1;

	private_mounts();
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("cannot make the mounts private");
	if (!mkdtemp(tree))
		die("mkdtemp");
	snprintf(cmdline_file, sizeof(cmdline_file), "%s/cmdline", tree);
	snprintf(config_dir, sizeof(config_dir), "%s/modprobe.d", tree);
	fd = open(cmdline_file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || mkdir(config_dir, 0755) < 0)
		die(tree);
	atexit(cleanup);
	if (mount(cmdline_file, "/proc/cmdline", NULL, MS_BIND, NULL) < 0)
		die("cannot bind-mount a file over /proc/cmdline");
	if (sysroot_open(&live, "/") < 0)
		die("cannot open /");
	log_set_max_level(LOG_WARNING);
	return 0;
}

static void set_cmdline(const uint8_t *data, size_t size)
{
	_cleanup_close_ int fd = open(cmdline_file, O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		die(cmdline_file);
}

static void kmod_quiet(void *data, int priority, const char *file, int line,
		       const char *fn, const char *format, va_list args)
{
}

/* ids= in libkmod's options for vfio_pci, as the kernel splits them. */
static void kmod_ids(struct module_param *out)
{
	const char *const configs[] = {config_dir, NULL};
	struct kmod_ctx *ctx = kmod_new(tree, configs);
	struct kmod_module *mod = NULL;
	_cleanup_free_ char *options = NULL;
	char *args, *param, *value;

	memset(out, 0, sizeof(*out));
	FUZZ_ASSERT(ctx);
	kmod_set_log_fn(ctx, kmod_quiet, NULL);
	FUZZ_ASSERT(kmod_module_new_from_name(ctx, "vfio-pci", &mod) == 0);
	options = strdup(kmod_module_get_options(mod) ?: "");
	kmod_module_unref(mod);
	kmod_unref(ctx);
	FUZZ_ASSERT(options);
	for (args = options; *args;) {
		args = kernel_next_arg(args, &param, &value);
		/* parse_args() stops at "--" (kernel/params.c). */
		if (!value && strcmp(param, "--") == 0)
			break;
		if (strcmp(param, "ids") != 0)
			continue;
		out->count++;
		free(out->value);
		out->value = value ? strdup(value) : NULL;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *cmdline = NULL;
	struct module_param ours, theirs;

	/* libkmod reads at most KCMD_LINE_SIZE - 1 bytes; the helper refuses
	 * a longer line. */
	if (size >= CMDLINE_MAX - 1)
		return 0;
	set_cmdline(data, size);
	FUZZ_ASSERT(cmdline_read(&live, &cmdline) == 0);
	FUZZ_ASSERT(cmdline_module_param(cmdline, "vfio_pci", "ids", &ours) >= 0);
	kmod_ids(&theirs);
	FUZZ_ASSERT(ours.count == theirs.count);
	FUZZ_ASSERT(!ours.value == !theirs.value);
	FUZZ_ASSERT(!ours.value || strcmp(ours.value, theirs.value) == 0);
	module_param_clear(&ours);
	module_param_clear(&theirs);
	return 0;
}
