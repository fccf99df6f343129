// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "boot/reason.h"
#include "shared/util.h"

bool reason_is_deferral(const struct reason *r)
{
	return r->kind == REASON_WAITS_STORAGE || r->kind == REASON_WAITS_NETWORK;
}

void reason_format(const struct reason *r, char *buf, size_t size)
{
	switch (r->kind) {
	case REASON_NONE:
		str_copy(buf, size, "");
		return;
	case REASON_IDS_UNREADABLE:
		str_format(buf, size, "its IDs cannot be read (%s)", strerror(r->err));
		return;
	case REASON_DRIVER_UNREADABLE:
		str_format(buf, size, "its driver cannot be read (%s)", strerror(r->err));
		return;
	case REASON_OTHER_OVERRIDE:
		str_format(
			buf, size,
			"its driver_override names %s: clear it to let vfio-pci take it",
			r->detail);
		return;
	case REASON_CONFIG_UNREADABLE:
		str_format(buf, size, "its config space cannot be read (%s)",
			   strerror(r->err));
		return;
	case REASON_BRIDGE:
		str_format(
			buf, size,
			"it is a bridge (header type %u): vfio-pci takes only endpoints",
			r->header_type);
		return;
	case REASON_DENYLIST:
		str_copy(
			buf, size,
			"it is on vfio-pci's denylist: add vfio-pci.disable_denylist=1 to take it");
		return;
	case REASON_NO_IOMMU_GROUP:
		str_copy(buf, size,
			 "it has no IOMMU group (the IOMMU does not cover it)");
		return;
	case REASON_NEEDED:
		str_copy(buf, size, r->detail);
		return;
	case REASON_PIN_MISMATCH:
		str_format(
			buf, size,
			"vfio-bind.addrs= pins this address to %s, and the function there has other IDs (did the address move?): nothing is taken there",
			r->detail);
		return;
	case REASON_WAITS_STORAGE:
		str_copy(
			buf, size,
			"a storage controller waits for the storage guard's pass once the root device is there");
		return;
	case REASON_WAITS_NETWORK:
		str_copy(
			buf, size,
			"a network controller waits for the storage guard's pass: the root is on the network");
		return;
	}
	str_copy(buf, size, "");
}
