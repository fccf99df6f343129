// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A stand-in for libkmod.so.2, which modules.c opens with dlopen(): one
 * module, never loaded, whose load ends as $FAKE_KMOD_PROBE says:
 * "blacklisted" (libkmod's blacklist names it), "eperm" (the kernel refuses
 * init_module()), "enoexec", or loaded.
 */
#include <errno.h>
#include <libkmod.h>
#include <stdlib.h>
#include <string.h>

static int token;
#define FAKE ((void *)&token)

struct kmod_ctx *kmod_new(const char *dirname, const char *const *config_paths)
{
	return FAKE;
}

struct kmod_ctx *kmod_unref(struct kmod_ctx *ctx)
{
	return NULL;
}

void kmod_set_log_priority(struct kmod_ctx *ctx, int priority)
{
}

void kmod_set_log_fn(struct kmod_ctx *ctx,
		     void (*log_fn)(void *data, int priority, const char *file, int line,
				    const char *fn, const char *format, va_list args),
		     const void *data)
{
}

int kmod_module_new_from_lookup(struct kmod_ctx *ctx, const char *given_alias,
				struct kmod_list **list)
{
	*list = FAKE;
	return 0;
}

struct kmod_list *kmod_list_next(const struct kmod_list *list,
				 const struct kmod_list *curr)
{
	return NULL;
}

struct kmod_module *kmod_module_get_module(const struct kmod_list *entry)
{
	return FAKE;
}

struct kmod_module *kmod_module_unref(struct kmod_module *mod)
{
	return NULL;
}

int kmod_module_unref_list(struct kmod_list *list)
{
	return 0;
}

int kmod_module_get_initstate(const struct kmod_module *mod)
{
	return -ENOENT;
}

int kmod_module_probe_insert_module(
	struct kmod_module *mod, unsigned int flags, const char *extra_options,
	int (*run_install)(struct kmod_module *m, const char *cmdline, void *data),
	const void *data,
	void (*print_action)(struct kmod_module *m, bool install, const char *options))
{
	const char *how = getenv("FAKE_KMOD_PROBE");

	if (!how)
		return 0;
	if (strcmp(how, "blacklisted") == 0)
		return KMOD_PROBE_APPLY_BLACKLIST;
	if (strcmp(how, "eperm") == 0)
		return -EPERM;
	if (strcmp(how, "enoexec") == 0)
		return -ENOEXEC;
	return 0;
}

const char *kmod_module_get_name(const struct kmod_module *mod)
{
	return "fake";
}

int kmod_module_get_info(const struct kmod_module *mod, struct kmod_list **list)
{
	*list = NULL;
	return 0;
}

const char *kmod_module_info_get_key(const struct kmod_list *entry)
{
	return "";
}

const char *kmod_module_info_get_value(const struct kmod_list *entry)
{
	return "";
}

void kmod_module_info_free_list(struct kmod_list *list)
{
}
