// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Nova aliases of the functions on vfio-pci, with names Nova keeps
 * apart: one per vendor:product and device type, named as the operator
 * asked, the others derived so that no two are the same.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands/nova.h"
#include "commands/numa.h"
#include "pci/addrs.h"
#include "shared/log.h"
#include "shared/util.h"

/* An --alias argument: NAME, or NAME=ADDRESS|SLOT. */
struct alias_arg {
	const char *text;
	char name[NOVA_ALIAS_NAME_MAX + 1];
	bool targeted;
	struct pci_addr where;
};

bool nova_on_vfio(const struct sysroot *s, const struct pci_function *f)
{
	return pci_driver_is_vfio(s, f->driver);
}

/* As Nova's libvirt driver types it: a VF has a physfn, a PF can have VFs. */
static const char *device_type(const struct sysroot *s, const struct pci_function *f)
{
	long vfs = 0;

	if (pci_has_attr(s, f->addr, "physfn"))
		return "type-VF";
	if (pci_read_number(s, f->addr, "sriov_totalvfs", &vfs) == 0 && vfs > 0)
		return "type-PF";
	return "type-PCI";
}

static bool is_storage(const struct pci_function *f)
{
	return f->class >> 16 == 0x01;
}

/* "0000:0b:00.0" and "0000:0b:00.1" are in one slot. */
static bool same_slot(const char *a, const char *b)
{
	const char *dot = strrchr(a, '.');
	size_t len = dot ? (size_t)(dot - a) : strlen(a);

	return strncmp(a, b, len) == 0 && b[len] == '.';
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

static int alias_arg_parse(const char *text, struct alias_arg *arg)
{
	const char *eq = strchr(text, '=');
	size_t len = eq ? (size_t)(eq - text) : strlen(text);

	*arg = (struct alias_arg){.text = text, .targeted = eq != NULL};
	for (size_t i = 0; i < len; i++)
		if (!is_name_char(text[i]))
			len = 0;
	if (len == 0) {
		ERR("--alias %s: an alias name is letters, digits, '-', '_' and '.', then =ADDRESS or =SLOT if you name one",
		    text);
		return -EINVAL;
	}
	if (len > NOVA_ALIAS_NAME_MAX) {
		ERR("--alias: a name of %zu characters is too long, Nova takes at most %d: shorten it",
		    len, NOVA_ALIAS_NAME_MAX);
		return -EINVAL;
	}
	memcpy(arg->name, text, len);
	if (eq && pci_addr_parse(eq + 1, &arg->where) < 0) {
		ERR("--alias %s: '%s' is not a PCI address or slot, such as 0b:00.0 or 0b:00",
		    text, eq + 1);
		return -EINVAL;
	}
	return 0;
}

static int find_kind(const struct nova_alias *kinds, size_t n,
		     const struct pci_function *f, const char *type)
{
	for (size_t k = 0; k < n; k++)
		if (kinds[k].vendor == f->vendor && kinds[k].device == f->device &&
		    strcmp(kinds[k].device_type, type) == 0)
			return (int)k;
	return -1;
}

/* The kinds of the functions on vfio-pci, and each function's kind (or -1). */
static int collect_kinds(const struct sysroot *s, const struct pci_function *all,
			 size_t n, int *kind_of, struct nova_alias **kinds,
			 size_t *n_kinds)
{
	bool many_nodes = numa_many_nodes(s);

	for (size_t i = 0; i < n; i++) {
		const char *type = device_type(s, &all[i]);
		int k;

		kind_of[i] = -1;
		if (!nova_on_vfio(s, &all[i]))
			continue;
		k = find_kind(*kinds, *n_kinds, &all[i], type);
		if (k < 0) {
			struct nova_alias a = {.vendor = all[i].vendor,
					       .device = all[i].device,
					       .device_type = type};

			if (array_push(kinds, n_kinds, sizeof(a), &a) < 0)
				return log_oom();
			k = (int)*n_kinds - 1;
		}
		kind_of[i] = k;
		if (many_nodes && numa_node_of(s, all[i].addr) < 0)
			(*kinds)[k].no_numa_node = true;
	}
	return 0;
}

/*
 * The function an --alias argument names: its address, or the first
 * function of its slot (of the first slot not named yet, for a bare name)
 * that is not a storage controller, else the first; -1 for none.
 */
static int target_of(const struct alias_arg *arg, const struct pci_function *all,
		     size_t n, const int *kind_of, const struct nova_alias *kinds)
{
	int first = -1;

	for (size_t i = 0; i < n; i++) {
		if (kind_of[i] < 0)
			continue;
		if (arg->targeted ? !pci_addr_match(&arg->where, all[i].addr)
				  : kinds[kind_of[i]].named)
			continue;
		if (!is_storage(&all[i]))
			return (int)i;
		if (first < 0)
			first = (int)i;
	}
	return first;
}

static int give_name(const struct alias_arg *arg, const struct pci_function *all,
		     size_t n, const int *kind_of, struct nova_alias *kinds)
{
	int t = target_of(arg, all, n, kind_of, kinds);
	struct nova_alias *a;

	if (t < 0 && arg->targeted) {
		ERR("--alias %s: no function there is on vfio-pci or a VFIO variant driver: name one that is (vfio-bind list shows the drivers)",
		    arg->text);
		return -EINVAL;
	}
	if (t < 0) {
		ERR("--alias %s: every alias has a name already: drop it, or name one with --alias NAME=ADDRESS",
		    arg->text);
		return -EINVAL;
	}
	a = &kinds[kind_of[t]];
	if (a->named && strcmp(a->name, arg->name) != 0) {
		ERR("--alias %s and --alias %s both name the alias of %04x:%04x (%s), which Nova keeps as one: give it one name",
		    a->name, arg->name, a->vendor, a->device, a->device_type);
		return -EINVAL;
	}
	a->named = true;
	str_copy(a->name, sizeof(a->name), arg->name);
	for (size_t i = 0; i < n; i++)
		if (kind_of[i] >= 0 && same_slot(all[t].addr, all[i].addr) &&
		    !kinds[kind_of[i]].base)
			kinds[kind_of[i]].base = a->name;
	return 0;
}

static int derive_name(struct nova_alias *a, const char *bare)
{
	const char *base = a->base ? a->base : bare;
	const char *suffix = strcmp(a->device_type, "type-PF") == 0   ? "-pf"
			     : strcmp(a->device_type, "type-VF") == 0 ? "-vf"
								      : "";
	char name[NOVA_ALIAS_NAME_MAX + 32];

	snprintf(name, sizeof(name), "%s%s%04x-%04x%s", base ? base : "", base ? "-" : "",
		 a->vendor, a->device, suffix);
	if (strlen(name) > NOVA_ALIAS_NAME_MAX) {
		ERR("--alias %s: the alias for %04x:%04x would be %zu characters, Nova takes at most %d: shorten the name",
		    base, a->vendor, a->device, strlen(name), NOVA_ALIAS_NAME_MAX);
		return -EINVAL;
	}
	str_copy(a->name, sizeof(a->name), name);
	return 0;
}

static int check_unique(const struct nova_alias *kinds, size_t n)
{
	for (size_t k = 0; k < n; k++)
		for (size_t j = 0; j < k; j++)
			if (strcmp(kinds[j].name, kinds[k].name) == 0) {
				ERR("alias %s would be both %04x:%04x (%s) and %04x:%04x (%s), which Nova merges: name one with --alias NAME=ADDRESS",
				    kinds[k].name, kinds[j].vendor, kinds[j].device,
				    kinds[j].device_type, kinds[k].vendor,
				    kinds[k].device, kinds[k].device_type);
				return -EINVAL;
			}
	return 0;
}

/* The --alias arguments, checked; at most one without an address. */
static int parse_args(char *const *args, size_t n_args, struct alias_arg *parsed)
{
	const struct alias_arg *bare = NULL;
	int r;

	for (size_t i = 0; i < n_args; i++) {
		r = alias_arg_parse(args[i], &parsed[i]);
		if (r < 0)
			return r;
		if (parsed[i].targeted)
			continue;
		if (bare) {
			ERR("--alias %s: a second name without an address: give it one, --alias NAME=ADDRESS",
			    args[i]);
			return -EINVAL;
		}
		bare = &parsed[i];
	}
	return 0;
}

/* Names given for an address first, then the bare one, then the derived. */
static int name_kinds(const struct alias_arg *parsed, size_t n_args,
		      const struct pci_function *all, size_t n, const int *kind_of,
		      struct nova_alias *kinds, size_t n_kinds)
{
	const struct alias_arg *bare = NULL;
	int r;

	for (size_t i = 0; i < n_args; i++) {
		if (!parsed[i].targeted) {
			bare = &parsed[i];
			continue;
		}
		r = give_name(&parsed[i], all, n, kind_of, kinds);
		if (r < 0)
			return r;
	}
	if (bare) {
		r = give_name(bare, all, n, kind_of, kinds);
		if (r < 0)
			return r;
	}
	for (size_t k = 0; k < n_kinds; k++) {
		if (kinds[k].named)
			continue;
		r = derive_name(&kinds[k], bare ? bare->name : NULL);
		if (r < 0)
			return r;
	}
	return check_unique(kinds, n_kinds);
}

int nova_aliases(const struct sysroot *s, const struct pci_function *all, size_t n,
		 char *const *args, size_t n_args, struct nova_alias **aliases,
		 size_t *n_aliases)
{
	_cleanup_free_ int *kind_of = calloc(n ? n : 1, sizeof(*kind_of));
	_cleanup_free_ struct alias_arg *parsed =
		calloc(n_args ? n_args : 1, sizeof(*parsed));
	int r;

	*aliases = NULL;
	*n_aliases = 0;
	if (!kind_of || !parsed)
		return log_oom();
	r = parse_args(args, n_args, parsed);
	if (r >= 0)
		r = collect_kinds(s, all, n, kind_of, aliases, n_aliases);
	if (r >= 0 && *n_aliases > 0)
		r = name_kinds(parsed, n_args, all, n, kind_of, *aliases, *n_aliases);
	if (r < 0) {
		free(*aliases);
		*aliases = NULL;
		*n_aliases = 0;
	}
	return r;
}
