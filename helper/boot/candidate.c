// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "boot/candidate.h"

void candidates_free(struct candidates *c)
{
	free(c->items);
	memset(c, 0, sizeof(*c));
}
