/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Exit statuses, documented in --help, vfio-bind(8) and the README, in the
 * same words (tests/unit/docs.bats compares them). check follows the same
 * rule: EXIT_PRECONDITION when the IOMMU is off, EXIT_PARTIAL for any other
 * problem it finds.
 */
enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1, /* bad arguments, or the system could not be read */
	EXIT_PRECONDITION = 2, /* vfio-pci can't take the devices; nothing changed */
	EXIT_PARTIAL = 3, /* some functions could not be taken */
};
