// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <libkmod.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "modules.h"

static void kmod_log(void *data, int priority, const char *file, int line,
		     const char *fn, const char *format, va_list args)
	_printf_format_(6, 0);

static void kmod_log(void *data, int priority, const char *file, int line,
		     const char *fn, const char *format, va_list args)
{
	char msg[512];
	size_t len;

	vsnprintf(msg, sizeof(msg), format, args);
	len = strlen(msg);
	if (len > 0 && msg[len - 1] == '\n')
		msg[len - 1] = '\0';
	log_printf(priority, "libkmod: %s", msg);
}

static void kmod_unrefp(struct kmod_ctx **ctx)
{
	if (*ctx)
		kmod_unref(*ctx);
}

static void kmod_list_unrefp(struct kmod_list **list)
{
	if (*list)
		kmod_module_unref_list(*list);
}

static void kmod_module_unrefp(struct kmod_module **mod)
{
	if (*mod)
		kmod_module_unref(*mod);
}

static int insert_module(struct kmod_module *mod, const char *extra_options)
{
	int state = kmod_module_get_initstate(mod);
	int r;

	if (state == KMOD_MODULE_BUILTIN || state == KMOD_MODULE_LIVE)
		return 0;
	r = kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST,
					    extra_options, NULL, NULL, NULL);
	if (r == KMOD_PROBE_APPLY_BLACKLIST)
		return -EPERM;
	if (r == -EEXIST)
		return 0;
	return r < 0 ? r : 0;
}

int module_load(const char *name, const char *extra_options)
{
	_cleanup_(kmod_unrefp) struct kmod_ctx *ctx = NULL;
	_cleanup_(kmod_list_unrefp) struct kmod_list *list = NULL;
	struct kmod_list *it;
	int r;

	ctx = kmod_new(NULL, NULL);
	if (!ctx)
		return -ENOMEM;
	kmod_set_log_priority(ctx, log_get_max_level());
	kmod_set_log_fn(ctx, kmod_log, NULL);

	r = kmod_module_new_from_lookup(ctx, name, &list);
	if (r < 0)
		return r;
	if (!list)
		return -ENOENT;
	kmod_list_foreach (it, list) {
		_cleanup_(kmod_module_unrefp) struct kmod_module *mod =
			kmod_module_get_module(it);

		r = insert_module(mod, extra_options);
		if (r < 0)
			return r;
	}
	return 0;
}
