// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A firmware framebuffer left in a GPU's BAR: vfio-pci then cannot reserve
 * the BAR for QEMU ("BAR 0: can't reserve").
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "commands/framebuffer.h"
#include "shared/util.h"

#define RANGES_MAX 32

struct range {
	uint64_t start;
	uint64_t end;
	char name[FRAMEBUFFER_NAME_MAX];
};

struct iomem_scan {
	const char *addr;
	struct range bars[RANGES_MAX];
	size_t n_bars;
	struct range fbs[RANGES_MAX];
	size_t n_fbs;
};

/*
 * The names the kernel gives a firmware framebuffer's memory: sysfb's
 * platform resource, and the drivers that request it.
 */
static bool is_framebuffer(const char *name)
{
	static const char *const names[] = {"BOOTFB",	 "efifb",  "vesafb",  "simplefb",
					    "simpledrm", "efidrm", "vesadrm", "ofdrm"};

	return str_in_list(name, names, ARRAY_SIZE(names));
}

static void add_range(struct range *list, size_t *n, uint64_t start, uint64_t end,
		      const char *name)
{
	if (*n >= RANGES_MAX)
		return;
	list[*n] = (struct range){.start = start, .end = end};
	str_copy(list[*n].name, sizeof(list[*n].name), name);
	(*n)++;
}

/* "  e0000000-efffffff : 0000:0b:00.0", nested by two spaces a level. */
static int scan_iomem_line(const char *line, void *data)
{
	struct iomem_scan *scan = data;
	uint64_t start, end;
	int name_at = 0;

	if (sscanf(line, " %" SCNx64 "-%" SCNx64 " : %n", &start, &end, &name_at) < 2 ||
	    name_at == 0 || end == 0)
		return 0;
	if (strcmp(line + name_at, scan->addr) == 0)
		add_range(scan->bars, &scan->n_bars, start, end, line + name_at);
	else if (is_framebuffer(line + name_at))
		add_range(scan->fbs, &scan->n_fbs, start, end, line + name_at);
	return 0;
}

int framebuffer_in_bars(const struct sysroot *s, const char *addr, struct framebuffer *fb)
{
	struct iomem_scan scan = {.addr = addr};
	int r = sysroot_for_each_line(s, "proc/iomem", false, scan_iomem_line, &scan);

	if (r < 0)
		return r;
	for (size_t i = 0; i < scan.n_fbs; i++)
		for (size_t j = 0; j < scan.n_bars; j++)
			if (scan.fbs[i].start <= scan.bars[j].end &&
			    scan.fbs[i].end >= scan.bars[j].start) {
				str_copy(fb->name, sizeof(fb->name), scan.fbs[i].name);
				fb->start = scan.fbs[i].start;
				fb->end = scan.fbs[i].end;
				return 1;
			}
	return 0;
}
