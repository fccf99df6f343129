// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

#define LOG_LINE_MAX 1024

static int max_level = LOG_INFO;
static int kmsg_fd = -1;

void log_open(const char *kmsg_path)
{
	log_close();
	/* No O_CREAT: a test root without dev/kmsg simply has no kernel log. */
	kmsg_fd = open(kmsg_path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
}

void log_close(void)
{
	if (kmsg_fd >= 0)
		close(kmsg_fd);
	kmsg_fd = -1;
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
		/* One write() is one record in the kernel log. */
		n = snprintf(line, sizeof(line), "<%d>vfio-bind: %s\n", level,
			     msg);
		if (n > 0 && write(kmsg_fd, line, strlen(line)) < 0)
			log_close();
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
