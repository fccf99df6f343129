// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-bind.reset=: the reset methods a function gets on vfio-pci. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "boot/reset.h"
#include "config/kernel-cmdline.h"
#include "pci/pci.h"
#include "shared/log.h"
#include "shared/util.h"

/* A method name as the kernel spells them: lower case and '_'. */
static bool method_name_ok(const char *name, size_t len)
{
	return len > 0 && strspn(name, "abcdefghijklmnopqrstuvwxyz_") >= len;
}

/*
 * "flr,bus" as reset_method_store() splits it: names between spaces (the
 * command line cannot hold a space without quotes, so they come with ',').
 */
static int parse_methods(const char *text, char *out, size_t size)
{
	size_t used = 0;

	if (!*text)
		return -EINVAL;
	while (*text) {
		size_t len = strcspn(text, ",");

		if (!method_name_ok(text, len) || used + len + 2 > size)
			return -EINVAL;
		if (used)
			out[used++] = ' ';
		memcpy(out + used, text, len);
		used += len;
		text += len + (text[len] == ',');
	}
	out[used] = '\0';
	return 0;
}

/* ADDRESS:METHODS, split at the last ':' (an address has its own). */
static int parse_request(const char *value, struct reset_request *req)
{
	const char *colon = strrchr(value, ':');
	char addr[PCI_ADDR_MAX];

	if (!colon || (size_t)(colon - value) >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, value, (size_t)(colon - value));
	addr[colon - value] = '\0';
	if (pci_addr_parse(addr, &req->addr) < 0)
		return -EINVAL;
	return parse_methods(colon + 1, req->methods, sizeof(req->methods));
}

int reset_requests_read(const char *cmdline, struct reset_requests *reqs)
{
	char **values = NULL;
	size_t n = 0;
	int r;

	*reqs = (struct reset_requests){0};
	r = kernel_param_values(cmdline, RESET_PARAM, &values, &n);
	if (r < 0)
		return ERR_ERRNO(r, "cannot read " RESET_PARAM
				    "= from the kernel command line: %m");
	for (size_t i = 0; i < n && r >= 0; i++) {
		struct reset_request req;

		if (parse_request(values[i], &req) < 0)
			WRN(RESET_PARAM
			    "=%s is not ADDRESS:METHOD[,METHOD...] (a PCI address or slot, then reset_method names such as flr, pm, bus or default); it is left out",
			    values[i]);
		else
			r = array_push(&reqs->items, &reqs->n, sizeof(req), &req);
	}
	strv_free(values, n);
	return r < 0 ? log_oom() : 0;
}

void reset_requests_free(struct reset_requests *reqs)
{
	free(reqs->items);
	*reqs = (struct reset_requests){0};
}

const char *reset_request_for(const struct reset_requests *reqs, const char *addr)
{
	const char *found = NULL;

	for (size_t i = 0; i < reqs->n; i++)
		if (pci_addr_match(&reqs->items[i].addr, addr))
			found = reqs->items[i].methods;
	return found;
}

int reset_method_read(const struct sysroot *s, const char *addr, char *buf, size_t size)
{
	return sysroot_readf(s, buf, size, PCI_DEVICES "/%s/reset_method", addr);
}

int reset_method_write(const struct sysroot *s, const char *addr, const char *methods)
{
	return sysroot_writef(s, methods, PCI_DEVICES "/%s/reset_method", addr);
}
