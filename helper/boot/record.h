/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "boot/candidate.h"
#include "boot/report.h"
#include "shared/sysroot.h"

/*
 * The boot job's record of what it decided, for vfio-bind check: JSON in
 * /run/vfio-bind/, one file a pass, so that the later pass keeps the
 * earlier one's. RECORD_SCHEMA changes when a field changes meaning.
 */
#define RECORD_DIR "run/vfio-bind"
#define RECORD_SCHEMA 1

/* The pass before udev (--defer-storage), or any other run of the boot job. */
enum record_pass { RECORD_EARLY, RECORD_LATE };
#define RECORD_PASSES 2

/* "early", "late"; the file is "boot-early.json", "boot-late.json". */
const char *record_pass_name(enum record_pass pass);
/* "boot-" RECORD_PASS ".json", for messages and the reader. */
const char *record_file_name(enum record_pass pass);

/* What became of one candidate, as the record names it. */
enum record_outcome {
	OUTCOME_BOUND, /* put on vfio-pci */
	OUTCOME_UNCHANGED, /* on vfio-pci already */
	OUTCOME_KEPT, /* not taken, for its reason */
	OUTCOME_DEFERRED, /* left to the later pass, for its reason */
	OUTCOME_FAILED, /* vfio-pci did not attach: its errno */
	OUTCOME_NOT_TRIED, /* the job stopped before its bind (the status says why) */
};
#define RECORD_OUTCOMES 6

/* "bound", "unchanged", "kept", "deferred", "failed", "not-tried". */
const char *record_outcome_name(enum record_outcome o);

/* What the boot job did, as the record holds it. */
struct boot_job {
	enum record_pass pass;
	double boottime; /* seconds since boot (CLOCK_BOOTTIME) when it started */
	bool selected; /* the boot's configuration selects anything */
	int status; /* its exit status */
	const struct candidates *c;
};

/* The seconds since boot, counting suspend, as the kernel log's clock. */
double record_boottime(void);
/* The record as text, malloc()ed; NULL without memory. */
char *record_format(const struct boot_job *job);
/* Replaces the pass's record with this one. */
int record_write(const struct sysroot *s, const struct boot_job *job) _must_check_;
