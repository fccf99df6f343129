/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <signal.h>

#include "pci/pci.h"
#include "shared/sysroot.h"

enum bind_outcome {
	BIND_UNCHANGED, /* already on vfio-pci with the override set */
	BIND_OVERRIDE_SET, /* already on vfio-pci; the override was missing */
	BIND_BOUND, /* moved from no driver or a host driver to vfio-pci */
	BIND_ON_VARIANT, /* on another VFIO variant driver, left there untouched */
};

/* How long a bind waits for driver modules that are loading, in steps. */
#define BIND_LOAD_WAIT_MS 3000
#define BIND_POLL_MS 20
/* How many times bind is written when it fails with EBUSY. */
#define BIND_ATTEMPTS 3

/* What a bind waited for, and a rollback that failed, for the caller's log. */
struct bind_waits {
	char loading[DRIVER_NAME_MAX]; /* a module seen loading, or "" */
	unsigned int loading_ms; /* how long the bind waited for it */
	bool loading_timed_out; /* modules still loading after that */
	unsigned int busy; /* binds that failed with EBUSY */
	char busy_driver[DRIVER_NAME_MAX]; /* its driver after the last one */
	int rollback_error; /* a positive errno: the rollback failed */
};

/*
 * SIGINT, SIGTERM and SIGHUP wait, blocked, while a function is between
 * drivers: from the override until its driver link is confirmed or the
 * rollback is done and logged. Returns the mask to restore.
 */
sigset_t bind_block_signals(void);
void bind_restore_signals(sigset_t *old);
#define _cleanup_signals_ _cleanup_(bind_restore_signals)

/*
 * Puts one function on DRIVER, vfio-pci or the VFIO variant driver chosen
 * for it (boot/variant.c): driver_override, unbind the host driver,
 * bind, and confirm through the driver link. On failure the override is
 * restored and the function reprobed, so that it does not stay without a
 * driver; f then describes where it went, and w->rollback_error says
 * when that failed too. Before the unbind, it waits
 * (bounded) while a driver module is loading and for a probe in flight; a
 * bind that fails with EBUSY (a host driver's probe won the device lock) is
 * retried after unbinding that driver, BIND_ATTEMPTS times in all. w says
 * what it waited for. Returns an outcome or the bind's -errno (-ENODEV: the
 * bind was accepted but vfio-pci did not attach). Call it with the signals
 * blocked (bind_block_signals()).
 */
int bind_to_vfio(const struct sysroot *s, struct pci_function *f, const char *driver,
		 struct bind_waits *w) _must_check_;

/*
 * Hands a function back to the host: clears the override, unbinds it from
 * VFIO_DRIVER (vfio-pci or a variant driver) and reprobes, so that its own
 * driver (if any) takes it. On failure f's driver is read again. Call it
 * with the signals blocked.
 */
int unbind_from_vfio(const struct sysroot *s, struct pci_function *f,
		     const char *vfio_driver) _must_check_;
