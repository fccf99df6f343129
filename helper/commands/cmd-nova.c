// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-bind nova-config: the [pci] device_spec and alias options for the
 * functions on vfio-pci, as nova.conf lines or as the nova chart's Helm
 * values (Genestack, openstack-helm); and the flavor that asks for them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot/match.h"
#include "commands/commands.h"
#include "commands/nova.h"
#include "shared/log.h"
#include "shared/util.h"

#define JSON_MAX 512
#define HOST_NAME_MAX_K8S 253

static bool same_ids(const struct pci_function *a, const struct pci_function *b)
{
	return a->vendor == b->vendor && a->device == b->device;
}

/* An identical function left on the host makes Nova need addresses. */
static bool has_host_twin(const struct sysroot *s, const struct pci_function *all,
			  size_t n, const struct pci_function *f)
{
	for (size_t i = 0; i < n; i++)
		if (same_ids(&all[i], f) && !nova_on_vfio(s, &all[i]))
			return true;
	return false;
}

static bool seen_before(const struct sysroot *s, const struct pci_function *all, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (nova_on_vfio(s, &all[j]) && same_ids(&all[j], &all[i]))
			return true;
	return false;
}

/* The device_spec for all[i], if it needs its own: false when it does not. */
static bool device_spec_json(const struct sysroot *s, const struct pci_function *all,
			     size_t n, size_t i, char *buf, size_t size)
{
	const struct pci_function *f = &all[i];

	if (!nova_on_vfio(s, f))
		return false;
	if (has_host_twin(s, all, n, f))
		snprintf(
			buf, size,
			"{\"vendor_id\": \"%04x\", \"product_id\": \"%04x\", \"address\": \"%s\"}",
			f->vendor, f->device, f->addr);
	else if (!seen_before(s, all, i))
		snprintf(buf, size, "{\"vendor_id\": \"%04x\", \"product_id\": \"%04x\"}",
			 f->vendor, f->device);
	else
		return false;
	return true;
}

static void alias_json(const struct nova_alias *a, char *buf, size_t size)
{
	snprintf(
		buf, size,
		"{\"vendor_id\": \"%04x\", \"product_id\": \"%04x\", \"device_type\": \"%s\", %s\"name\": \"%s\"}",
		a->vendor, a->device, a->device_type,
		a->no_numa_node ? "\"numa_policy\": \"preferred\", " : "", a->name);
}

static void print_numa_notes(const struct nova_alias *aliases, size_t n_aliases)
{
	for (size_t k = 0; k < n_aliases; k++)
		if (aliases[k].no_numa_node)
			printf("# alias %s: the firmware gives %04x:%04x no NUMA node on this multi-node host; \"numa_policy\": \"preferred\" lets Nova give it to a guest on any node, as \"required\" or \"socket\" never would\n",
			       aliases[k].name, aliases[k].vendor, aliases[k].device);
}

static void print_nova_conf(const struct sysroot *s, const struct pci_function *all,
			    size_t n, const struct nova_alias *aliases, size_t n_aliases)
{
	char json[JSON_MAX];

	puts("[pci]");
	for (size_t i = 0; i < n; i++)
		if (device_spec_json(s, all, n, i, json, sizeof(json)))
			printf("device_spec = %s\n", json);
	for (size_t k = 0; k < n_aliases; k++) {
		alias_json(&aliases[k], json, sizeof(json));
		printf("alias = %s\n", json);
	}
}

/*
 * helm-toolkit's to_oslo_conf writes one "key = value" line per value of a
 * map with "type: multistring"; it joins a plain list with commas, which
 * Nova cannot parse. The JSON holds no "'", so single quotes keep it one
 * YAML string.
 */
static void print_genestack(const struct sysroot *s, const struct pci_function *all,
			    size_t n, const struct nova_alias *aliases, size_t n_aliases,
			    const char *host)
{
	char json[JSON_MAX];

	fputs("conf:\n  nova:\n    pci:\n      alias:\n        type: multistring\n        values:\n",
	      stdout);
	for (size_t k = 0; k < n_aliases; k++) {
		alias_json(&aliases[k], json, sizeof(json));
		printf("          - '%s'\n", json);
	}
	printf("  overrides:\n    nova_compute:\n      hosts:\n        - name: %s\n",
	       host);
	fputs("          conf:\n            nova:\n              pci:\n                device_spec:\n                  type: multistring\n                  values:\n",
	      stdout);
	for (size_t i = 0; i < n; i++)
		if (device_spec_json(s, all, n, i, json, sizeof(json)))
			printf("                    - '%s'\n", json);
}

/* "p2000:1,p2000-10de-10f1:1": one function of each alias. */
static void print_flavor_property(const struct nova_alias *aliases, size_t n_aliases)
{
	fputs("--property \"pci_passthrough:alias\"=\"", stdout);
	for (size_t k = 0; k < n_aliases; k++)
		printf("%s%s:1", k ? "," : "", aliases[k].name);
	fputs("\"", stdout);
}

/* NAME in single quotes for sh, each ' as '\''. */
static void print_shell_quoted(const char *name)
{
	putchar('\'');
	for (const char *p = name; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*p);
	}
	putchar('\'');
}

static void print_reminders(enum nova_format format)
{
	if (format == NOVA_FORMAT_GENESTACK) {
		puts("# conf.nova.pci.alias reaches nova-api as well as nova-compute. Merge this host into your conf.overrides.nova_compute.hosts: Helm replaces a list, it does not merge it.");
		puts("# Add PciPassthroughFilter to conf.nova.filter_scheduler.enabled_filters.");
	} else {
		puts("# Put the alias lines in the [pci] section of nova.conf on the nova-api hosts too: nova-api reads the flavor's aliases.");
		puts("# Add PciPassthroughFilter to [filter_scheduler] enabled_filters on the nova-scheduler hosts.");
	}
}

static void print_flavor_command(const char *flavor, const struct nova_alias *aliases,
				 size_t n_aliases, enum nova_format format)
{
	fputs("openstack flavor set ", stdout);
	print_shell_quoted(flavor);
	putchar(' ');
	print_flavor_property(aliases, n_aliases);
	putchar('\n');
	puts("# One function of each alias; leave out those this flavor should not get.");
	print_reminders(format);
}

static void print_flavor_comment(const struct nova_alias *aliases, size_t n_aliases,
				 enum nova_format format)
{
	fputs("# The flavor (vfio-bind nova-config --flavor NAME prints the command):\n#   openstack flavor set FLAVOR ",
	      stdout);
	print_flavor_property(aliases, n_aliases);
	putchar('\n');
	print_reminders(format);
}

/*
 * The Kubernetes node name of this host: kubelet takes the host name in
 * lower case.
 */
static int host_name(const struct sysroot *s, const char *given, char *buf, size_t size)
{
	int r;

	if (given && strlen(given) >= size) {
		ERR("--host: a Kubernetes node name has at most %d characters",
		    HOST_NAME_MAX_K8S);
		return -EINVAL;
	}
	if (given) {
		str_copy(buf, size, given);
	} else {
		r = sysroot_read(s, "proc/sys/kernel/hostname", buf, size);
		if (r < 0)
			return ERR_ERRNO(
				r,
				"cannot read the host name (proc/sys/kernel/hostname): %m: give the node's with --host NAME");
		for (char *p = buf; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	if (!buf[0] || strlen(buf) > HOST_NAME_MAX_K8S ||
	    strspn(buf, "abcdefghijklmnopqrstuvwxyz0123456789-.") != strlen(buf)) {
		ERR("--host %s: a Kubernetes node name is lower-case letters, digits, '-' and '.' (kubectl get nodes lists them)",
		    buf);
		return -EINVAL;
	}
	return 0;
}

static bool describes(const struct sysroot *s, const struct pci_function *all, size_t n,
		      const char *addr)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i].addr, addr) == 0)
			return nova_on_vfio(s, &all[i]);
	return false;
}

/*
 * Nova's configuration only for what check passes: a failure about the host
 * (the IOMMU, the selection, vfio-pci's module) or about a function it would
 * describe refuses, each named; --force prints all the same.
 */
static int gate_on_check(struct sysroot *s, const struct pci_function *all, size_t n,
			 bool force)
{
	_cleanup_free_ struct check_failure *failures = NULL;
	size_t n_failures = 0, blocking = 0;
	int status = check_failures(s, &failures, &n_failures);

	if (status == EXIT_USAGE)
		return ERR_ERRNO(
			EINVAL,
			"cannot run check's checks (above), so nova-config will not vouch for the functions: fix that, or give --force");
	for (size_t i = 0; i < n_failures; i++) {
		const struct check_failure *f = &failures[i];

		if (f->subject[0] && !describes(s, all, n, f->subject))
			continue;
		blocking++;
		if (f->fix[0])
			ERR("check fails: %s%s%s (fix: %s)", f->subject,
			    f->subject[0] ? " " : "", f->message, f->fix);
		else
			ERR("check fails: %s%s%s", f->subject, f->subject[0] ? " " : "",
			    f->message);
	}
	if (blocking == 0 && n_failures == 0 && status != EXIT_OK)
		blocking = 1; /* failures check could not keep: no memory */
	if (blocking == 0)
		return 0;
	if (force) {
		WRN("--force: printing Nova's configuration although check fails for it (%zu above): a guest given these functions may not start",
		    blocking);
		return 0;
	}
	return ERR_ERRNO(
		EPERM,
		"not printing Nova's configuration while check fails for it (%zu above): fix those, run vfio-bind check, or give --force",
		blocking);
}

int cmd_nova_config(struct sysroot *s, const struct options *opts)
{
	_cleanup_free_ struct pci_function *all = NULL;
	_cleanup_free_ struct nova_alias *aliases = NULL;
	char host[HOST_NAME_MAX_K8S + 1];
	size_t n, n_aliases;

	if (match_every_function(s, &all, &n) < 0)
		return EXIT_USAGE;
	if (nova_aliases(s, all, n, opts->aliases, opts->n_aliases, &aliases,
			 &n_aliases) < 0)
		return EXIT_USAGE;
	if (n_aliases == 0) {
		ERR("no PCI function is on vfio-pci or a VFIO variant driver: run vfio-bind check");
		return EXIT_PARTIAL;
	}
	if (gate_on_check(s, all, n, opts->force) < 0)
		return EXIT_PARTIAL;
	if (opts->flavor) {
		print_flavor_command(opts->flavor, aliases, n_aliases, opts->format);
		return EXIT_OK;
	}
	if (opts->format == NOVA_FORMAT_GENESTACK &&
	    host_name(s, opts->host, host, sizeof(host)) < 0)
		return EXIT_USAGE;
	print_numa_notes(aliases, n_aliases);
	if (opts->format == NOVA_FORMAT_GENESTACK)
		print_genestack(s, all, n, aliases, n_aliases, host);
	else
		print_nova_conf(s, all, n, aliases, n_aliases);
	print_flavor_comment(aliases, n_aliases, opts->format);
	return EXIT_OK;
}
