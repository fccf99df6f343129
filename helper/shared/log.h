/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdarg.h>
#include <syslog.h>

#include "shared/macro.h"
#include "shared/sysroot.h"

/* The kernel log, under the root. */
#define KMSG_PATH "dev/kmsg"

/*
 * One logging module: every line goes to stderr and, when it can be opened,
 * to the kernel log as "<level>vfio-bind: message", so dmesg and
 * journalctl -k show the decisions taken in the initramfs.
 */
/* Opens the root's dev/kmsg (reopened every ten lines); s outlives the log. */
void log_open(const struct sysroot *s);
void log_close(void);
void log_set_max_level(int level);
int log_get_max_level(void);
void log_printf(int level, const char *fmt, ...) _printf_format_(2, 3);
void log_vprintf(int level, const char *fmt, va_list ap) _printf_format_(2, 0);
/*
 * Logs with errno set to ERR (either sign), so that "%m" names it, and
 * returns -ERR: `return log_error_errno(r, "cannot read %s: %m", path);`.
 */
int log_printf_errno(int level, int err, const char *fmt, ...) _printf_format_(3, 4);
/* "out of memory", logged; returns -ENOMEM. */
int log_oom(void);

#define ERR(...) log_printf(LOG_ERR, __VA_ARGS__)
#define WRN(...) log_printf(LOG_WARNING, __VA_ARGS__)
#define NOTICE(...) log_printf(LOG_NOTICE, __VA_ARGS__)
#define INF(...) log_printf(LOG_INFO, __VA_ARGS__)
#define DBG(...) log_printf(LOG_DEBUG, __VA_ARGS__)
#define ERR_ERRNO(err, ...) log_printf_errno(LOG_ERR, err, __VA_ARGS__)
#define WRN_ERRNO(err, ...) log_printf_errno(LOG_WARNING, err, __VA_ARGS__)
#define DBG_ERRNO(err, ...) log_printf_errno(LOG_DEBUG, err, __VA_ARGS__)
