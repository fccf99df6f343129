// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A firmware framebuffer left in a GPU's BAR: vfio-pci then cannot reserve
 * the BAR for QEMU ("BAR 0: can't reserve").
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/framebuffer.h"
#include "shared/util.h"

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

/* "  e0000000-efffffff : 0000:0b:00.0", nested by two spaces a level: a
 * PCI function's BAR (named by its address) or a framebuffer's memory. */
static int read_iomem_line(const char *line, void *data)
{
	struct iomem_map *m = data;
	struct iomem_range range;
	int name_at = 0;

	if (sscanf(line, " %" SCNx64 "-%" SCNx64 " : %n", &range.start, &range.end,
		   &name_at) < 2 ||
	    name_at == 0 || range.end == 0 ||
	    (!is_framebuffer(line + name_at) && !strchr(line + name_at, ':')))
		return 0;
	str_copy(range.name, sizeof(range.name), line + name_at);
	return array_push(&m->ranges, &m->n, sizeof(range), &range);
}

int iomem_read(const struct sysroot *s, struct iomem_map *m)
{
	int r;

	*m = (struct iomem_map){0};
	r = sysroot_for_each_line(s, "proc/iomem", false, read_iomem_line, m);
	if (r < 0)
		iomem_free(m);
	return r;
}

void iomem_free(struct iomem_map *m)
{
	free(m->ranges);
	*m = (struct iomem_map){0};
}

static bool overlap(const struct iomem_range *a, const struct iomem_range *b)
{
	return a->start <= b->end && a->end >= b->start;
}

bool framebuffer_in_bars(const struct iomem_map *m, const char *addr,
			 struct framebuffer *fb)
{
	for (size_t i = 0; i < m->n; i++) {
		if (!is_framebuffer(m->ranges[i].name))
			continue;
		for (size_t j = 0; j < m->n; j++)
			if (strcmp(m->ranges[j].name, addr) == 0 &&
			    overlap(&m->ranges[i], &m->ranges[j])) {
				str_copy(fb->name, sizeof(fb->name), m->ranges[i].name);
				fb->start = m->ranges[i].start;
				fb->end = m->ranges[i].end;
				return true;
			}
	}
	return false;
}
