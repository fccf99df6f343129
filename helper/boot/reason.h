/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The longest phrase the storage guard gives for a function it keeps. */
#define REASON_DETAIL_MAX 320

/* Why a selected function is not taken, or not yet. */
enum reason_kind {
	REASON_NONE, /* it is taken */
	REASON_IDS_UNREADABLE, /* err */
	REASON_DRIVER_UNREADABLE, /* err */
	REASON_OTHER_OVERRIDE, /* detail: the driver its override names */
	REASON_CONFIG_UNREADABLE, /* err */
	REASON_BRIDGE, /* header_type */
	REASON_DENYLIST,
	REASON_NO_IOMMU_GROUP,
	REASON_NEEDED, /* detail: what the storage guard keeps it for */
	REASON_WAITS_STORAGE, /* deferred: its disks do not exist yet */
	REASON_WAITS_NETWORK, /* deferred: the root is on the network */
	REASON_PIN_MISMATCH, /* detail: the IDs vfio-bind.addrs= pins there */
};

struct reason {
	enum reason_kind kind;
	int err; /* a positive errno */
	unsigned header_type;
	char detail[REASON_DETAIL_MAX];
};

/* The function is left for the storage guard's later pass, not refused. */
bool reason_is_deferral(const struct reason *r);
/* The reason as a phrase for the log ("it is a bridge (header type 1): ...").
 */
void reason_format(const struct reason *r, char *buf, size_t size);
