// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "config/boot-config.h"
#include "config/kernel-cmdline.h"

int boot_config_read(const struct sysroot *s, struct boot_config *cfg)
{
	int r;

	memset(cfg, 0, sizeof(*cfg));
	r = cmdline_read(s, &cfg->cmdline);
	if (r >= 0)
		r = modprobe_config_read(s, &cfg->modprobe);
	if (r >= 0)
		r = driverctl_read(s, &cfg->driverctl, &cfg->n_driverctl);
	if (r < 0)
		boot_config_free(cfg);
	return r;
}

void boot_config_free(struct boot_config *cfg)
{
	free(cfg->cmdline);
	modprobe_config_free(&cfg->modprobe);
	free(cfg->driverctl);
	cfg->cmdline = NULL;
	cfg->driverctl = NULL;
	cfg->n_driverctl = 0;
}
