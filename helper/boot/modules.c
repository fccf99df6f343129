// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Module loading with libkmod, as systemd's module-util does it. libkmod is
 * opened with dlopen() only when a module must be loaded, as systemd does
 * since v256: Debian's libkmod pulls in libcrypto, libzstd and liblzma,
 * which would otherwise cost every run (list, check, a second boot pass)
 * about 2 MiB of memory and their start-up.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fnmatch.h>
#include <libkmod.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "boot/modules.h"
#include "shared/dlopen-note.h"
#include "shared/log.h"

#define LIBKMOD_SONAME "libkmod.so.2"

#ifndef KMOD_LINKED
DLOPEN_NOTE(libkmod_note, "kmod", "loading vfio-pci and the modules it needs",
	    DLOPEN_PRIORITY_RECOMMENDED, LIBKMOD_SONAME);
#endif

#define KMOD_SYMBOLS(X)                    \
	X(kmod_new)                        \
	X(kmod_unref)                      \
	X(kmod_set_log_priority)           \
	X(kmod_set_log_fn)                 \
	X(kmod_module_new_from_lookup)     \
	X(kmod_list_next)                  \
	X(kmod_module_get_module)          \
	X(kmod_module_unref)               \
	X(kmod_module_unref_list)          \
	X(kmod_module_get_initstate)       \
	X(kmod_module_probe_insert_module) \
	X(kmod_module_get_name)            \
	X(kmod_module_get_info)            \
	X(kmod_module_info_get_key)        \
	X(kmod_module_info_get_value)      \
	X(kmod_module_info_free_list)

static struct {
#define KMOD_FIELD(name) typeof(name) *name;
	KMOD_SYMBOLS(KMOD_FIELD)
#undef KMOD_FIELD
	bool ready;
} kmod;

#ifdef KMOD_LINKED
/* make STATIC=1: libkmod is linked in. */
static int open_libkmod(void)
{
#define KMOD_BIND(name) kmod.name = name;
	KMOD_SYMBOLS(KMOD_BIND)
#undef KMOD_BIND
	kmod.ready = true;
	return 0;
}
#else
static int open_libkmod(void)
{
	void *lib;

	if (kmod.ready)
		return 0;
	lib = dlopen(LIBKMOD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return -ELIBACC;
#define KMOD_LOOKUP(name)                                 \
	kmod.name = (typeof(kmod.name))dlsym(lib, #name); \
	if (!kmod.name) {                                 \
		dlclose(lib);                             \
		return -ELIBBAD;                          \
	}
	KMOD_SYMBOLS(KMOD_LOOKUP)
#undef KMOD_LOOKUP
	kmod.ready = true;
	return 0;
}
#endif

static void kmod_log(void *data, int priority, const char *file, int line, const char *fn,
		     const char *format, va_list args) _printf_format_(6, 0);

/* libkmod's info lines are about itself: they are debug lines here. */
static void kmod_log(void *data, int priority, const char *file, int line, const char *fn,
		     const char *format, va_list args)
{
	char msg[512];
	size_t len;

	vsnprintf(msg, sizeof(msg), format, args);
	len = strlen(msg);
	if (len > 0 && msg[len - 1] == '\n')
		msg[len - 1] = '\0';
	log_printf(priority > LOG_NOTICE ? LOG_DEBUG : priority, "libkmod: %s", msg);
}

static int insert_module(struct kmod_module *mod, const char *extra_options)
{
	int state = kmod.kmod_module_get_initstate(mod);
	int r;

	if (state == KMOD_MODULE_BUILTIN || state == KMOD_MODULE_LIVE)
		return 0;
	/* libkmod returns the flag itself when its blacklist names the
	 * module (kmod_module_probe_insert_module()); an init_module() error
	 * is the kernel's -errno. */
	r = kmod.kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST,
						 extra_options, NULL, NULL, NULL);
	if (r == KMOD_PROBE_APPLY_BLACKLIST)
		return MODULE_BLACKLISTED;
	if (r == -EEXIST)
		return 0;
	return r < 0 ? r : 0;
}

static int load_from_list(struct kmod_list *list, const char *extra_options)
{
	for (struct kmod_list *it = list; it; it = kmod.kmod_list_next(list, it)) {
		struct kmod_module *mod = kmod.kmod_module_get_module(it);
		int r = insert_module(mod, extra_options);

		kmod.kmod_module_unref(mod);
		if (r != 0)
			return r;
	}
	return 0;
}

static void kmod_unrefp(struct kmod_ctx **ctx)
{
	if (*ctx)
		kmod.kmod_unref(*ctx);
}

static void kmod_module_unref_listp(struct kmod_list **list)
{
	if (*list)
		kmod.kmod_module_unref_list(*list);
}

int module_load(const char *name, const char *extra_options)
{
	/* Cleanups run in reverse: the list goes before its context. */
	_cleanup_(kmod_unrefp) struct kmod_ctx *ctx = NULL;
	_cleanup_(kmod_module_unref_listp) struct kmod_list *list = NULL;
	int r;

	r = open_libkmod();
	if (r < 0)
		return r;
	ctx = kmod.kmod_new(NULL, NULL);
	if (!ctx)
		return -ENOMEM;
	kmod.kmod_set_log_fn(ctx, kmod_log, NULL);
	kmod.kmod_set_log_priority(ctx, log_get_max_level());

	r = kmod.kmod_module_new_from_lookup(ctx, name, &list);
	if (r >= 0 && !list)
		r = -ENOENT;
	if (r >= 0)
		r = load_from_list(list, extra_options);
	return r;
}

/* How closely the vfio_pci: aliases of MOD match ALIAS: the fewest
 * wildcards of one that matches, as libvirt ranks them; -1 when none can
 * be read. */
static int closeness(struct kmod_module *mod, const char *alias)
{
	struct kmod_list *info = NULL;
	int best = -1;

	if (kmod.kmod_module_get_info(mod, &info) < 0)
		return -1;
	for (struct kmod_list *it = info; it; it = kmod.kmod_list_next(info, it)) {
		const char *key = kmod.kmod_module_info_get_key(it);
		const char *value = kmod.kmod_module_info_get_value(it);
		int wildcards = 0;

		if (strcmp(key, "alias") != 0 || strncmp(value, "vfio_pci:", 9) != 0 ||
		    fnmatch(value, alias, 0) != 0)
			continue;
		for (const char *p = value; *p; p++)
			wildcards += *p == '*';
		if (best < 0 || wildcards < best)
			best = wildcards;
	}
	kmod.kmod_module_info_free_list(info);
	return best;
}

/* The closest of the modules the lookup found, vfio_pci's catch-all left
 * out. */
static int closest_variant(struct kmod_list *list, const char *alias, char *module,
			   size_t size)
{
	int best = INT_MAX;
	bool tie = false;

	module[0] = '\0';
	for (struct kmod_list *it = list; it; it = kmod.kmod_list_next(list, it)) {
		struct kmod_module *mod = kmod.kmod_module_get_module(it);
		const char *name = kmod.kmod_module_get_name(mod);
		int wildcards =
			strcmp(name, "vfio_pci") == 0 ? -2 : closeness(mod, alias);

		if (wildcards == -1)
			wildcards = INT_MAX - 1; /* matched, but unranked */
		if (wildcards >= 0 && wildcards < best) {
			best = wildcards;
			tie = false;
			snprintf(module, size, "%s", name);
		} else if (wildcards >= 0 && wildcards == best) {
			tie = true;
		}
		kmod.kmod_module_unref(mod);
	}
	if (tie)
		return -ENOTUNIQ;
	return module[0] ? 1 : 0;
}

int module_vfio_variant(const char *dirname, const char *modalias, char *module,
			size_t size)
{
	_cleanup_(kmod_unrefp) struct kmod_ctx *ctx = NULL;
	_cleanup_(kmod_module_unref_listp) struct kmod_list *list = NULL;
	char alias[128];
	int r;

	module[0] = '\0';
	/* scripts/mod/file2alias.c: a PCI_DRIVER_OVERRIDE_DEVICE_VFIO entry's
	 * alias is its pci: alias with vfio_pci: for pci: */
	if (strncmp(modalias, "pci:", 4) != 0 ||
	    snprintf(alias, sizeof(alias), "vfio_pci:%s", modalias + 4) >=
		    (int)sizeof(alias))
		return -EINVAL;
	r = open_libkmod();
	if (r < 0)
		return r;
	ctx = kmod.kmod_new(dirname, NULL);
	if (!ctx)
		return -ENOMEM;
	kmod.kmod_set_log_fn(ctx, kmod_log, NULL);
	kmod.kmod_set_log_priority(ctx, log_get_max_level());
	r = kmod.kmod_module_new_from_lookup(ctx, alias, &list);
	if (r < 0)
		return r;
	return closest_variant(list, alias, module, size);
}
