/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "macro.h"

/*
 * Loads a module and its dependencies with libkmod, as modprobe would:
 * options from modprobe.d and the kernel command line apply, blacklists are
 * honoured. Returns 0 when it is loaded or built in, -ENOENT when no such
 * module exists for this kernel, -EPERM when it is blacklisted, -ELIBACC
 * when libkmod.so.2 cannot be opened.
 * extra_options (may be NULL) come after every other option, so they win.
 */
int module_load(const char *name, const char *extra_options) _must_check_;
