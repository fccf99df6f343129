// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-bind management-nics: the PCI functions under this host's default
 * routes, as the image builders record them into an image for the boot
 * (guard/management.h).
 */
#include <stdio.h>

#include "commands/commands.h"
#include "guard/management.h"
#include "shared/log.h"

int cmd_management_nics(struct sysroot *s, const struct options *opts)
{
	_cleanup_management_nics_ struct management_nics m = {0};
	char line[256], unsure[1024];
	int r = management_nics_find(s, &m);

	if (r < 0) {
		ERR_ERRNO(r, "cannot read the default routes and their interfaces: %m");
		return EXIT_USAGE;
	}
	doubt_describe(&m.unsure, unsure, sizeof(unsure));
	if (unsure[0]) {
		WRN("%s: at boot no network controller is taken unless named by address",
		    unsure);
		printf(MANAGEMENT_UNSURE "%s\n", unsure);
	}
	if (m.n == 0 && !unsure[0])
		INF("no PCI function carries a default route: nothing to keep at boot");
	for (size_t i = 0; i < m.n; i++) {
		management_nic_format(&m.items[i], line, sizeof(line));
		puts(line);
	}
	return EXIT_OK;
}
