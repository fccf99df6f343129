// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Loading vfio-pci on the running system, against a stand-in libkmod
 * (fake-libkmod.c, found through this program's RUNPATH): which line each
 * way a load ends gets. A blacklist is reported only when libkmod says its
 * blacklist names vfio-pci; the kernel's EPERM is its own error. Prints
 * one line per failure and "N passed, N failed".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot/precondition.h"

static int passed, failed;

struct load_case {
	const char *probe; /* $FAKE_KMOD_PROBE */
	const char *line; /* in the log */
	const char *not_line; /* not in the log, or NULL */
};

static const struct load_case cases[] = {
	{"blacklisted",
	 "vfio-bind: vfio-pci is blacklisted (modprobe.blacklist= or a modprobe.d blacklist line): remove that entry; nothing changed",
	 NULL},
	{"eperm",
	 "vfio-bind: cannot load vfio-pci: Operation not permitted (the kernel refused: modules disabled by kernel.modules_disabled, a lockdown, or no CAP_SYS_MODULE); nothing changed",
	 "blacklisted"},
	{"enoexec",
	 "vfio-bind: cannot load vfio-pci: Exec format error (see the kernel log above); nothing changed",
	 "blacklisted"},
	{"loaded",
	 "vfio-bind: vfio-pci loaded but registered no PCI driver; nothing changed",
	 "blacklisted"},
};

/* What precondition_load_vfio_pci() logs, from stderr. */
static int load_logged(struct sysroot *s, char *log, size_t size)
{
	char path[] = "/tmp/vfio-bind-modules-test.XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO), r;
	struct vfio_params params = {0};
	ssize_t n;

	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	r = precondition_load_vfio_pci(s, &params, false);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, log, size - 1, 0);
	log[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return r;
}

static void check(int ok, const char *what, const char *probe, const char *log)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL: %s: %s\n%s", probe, what, log);
}

int main(void)
{
	char tree[] = "/tmp/vfio-bind-modules-test.XXXXXX", log[4096];
	struct sysroot s;

	/* A running system whose sys/ has no vfio-pci driver: the loader's
	 * only way in is module_load(). */
	if (!mkdtemp(tree) || sysroot_open(&s, tree) < 0) {
		printf("cannot make %s\n", tree);
		return 1;
	}
	s.is_live = true;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct load_case *c = &cases[i];
		int r;

		setenv("FAKE_KMOD_PROBE", c->probe, 1);
		r = load_logged(&s, log, sizeof(log));
		check(r < 0, "the load failed", c->probe, log);
		check(strstr(log, c->line) != NULL, c->line, c->probe, log);
		if (c->not_line)
			check(!strstr(log, c->not_line), "no blacklist named", c->probe,
			      log);
	}
	sysroot_close(&s);
	rmdir(tree);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
