// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The helper of the boot tests' image dracut-shell-crash (tests/boot/build):
 * it aborts on start, as a helper that crashes before it does anything.
 */
#include <stdlib.h>

int main(void)
{
	abort();
}
