// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "shared/log.h"

#define LOG_LINE_MAX 1024
/*
 * Unless booted with printk.devkmsg=on, the kernel drops a writer's lines
 * beyond DEFAULT_RATELIMIT_BURST (10) in 5 s, counted per open file
 * (devkmsg_open() in kernel/printk/printk.c gives each its own
 * ratelimit_state). A run logs one line per selected function, so the
 * file is opened again after every tenth line.
 */
#define KMSG_BURST 10

static int max_level = LOG_INFO;
static int kmsg_fd = -1;
static unsigned kmsg_records;
static const struct sysroot *kmsg_root;

static void kmsg_reopen(void)
{
	if (kmsg_fd >= 0)
		close(kmsg_fd);
	/* No O_CREAT: a test root without dev/kmsg simply has no kernel log. */
	kmsg_fd = sysroot_open_at(kmsg_root, KMSG_PATH, O_WRONLY | O_APPEND);
	kmsg_records = 0;
}

void log_open(const struct sysroot *s)
{
	log_close();
	kmsg_root = s;
	kmsg_reopen();
}

void log_close(void)
{
	if (kmsg_fd >= 0)
		close(kmsg_fd);
	kmsg_fd = -1;
	kmsg_root = NULL;
}

static void kmsg_write(const char *line, size_t len)
{
	if (!kmsg_root)
		return;
	if (kmsg_records >= KMSG_BURST)
		kmsg_reopen();
	if (kmsg_fd < 0)
		return;
	/* One write() is one record in the kernel log. */
	if (write(kmsg_fd, line, len) < 0)
		log_close();
	else
		kmsg_records++;
}

void log_set_max_level(int level)
{
	max_level = level;
}

int log_get_max_level(void)
{
	return max_level;
}

void log_vprintf(int level, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX];
	char line[LOG_LINE_MAX + 32];
	int saved_errno = errno;
	int n;

	if (level > max_level)
		return;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "vfio-bind: %s\n", msg);

	if (kmsg_fd >= 0) {
		n = snprintf(line, sizeof(line), "<%d>vfio-bind: %s\n", level, msg);
		if (n > 0)
			kmsg_write(line, strlen(line));
	}
	errno = saved_errno;
}

void log_printf(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
}

int log_printf_errno(int level, int err, const char *fmt, ...)
{
	va_list ap;

	err = err < 0 ? -err : err;
	errno = err;
	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
	return -err;
}

int log_oom(void)
{
	return log_printf_errno(LOG_ERR, ENOMEM, "out of memory");
}
