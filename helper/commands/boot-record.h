/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "boot/reason.h"
#include "boot/record.h"
#include "pci/pci.h"
#include "shared/sysroot.h"

/* One function of a boot record. */
struct record_function {
	char addr[PCI_ADDR_MAX];
	enum record_outcome outcome;
	char reason[REASON_DETAIL_MAX + 64]; /* kept or deferred: why */
	int err; /* failed: the errno */
};

/* A boot record as boot/record.c writes it. */
struct boot_record {
	int schema;
	char version[64];
	enum record_pass pass;
	double boottime;
	int status;
	bool selected;
	size_t bound, unchanged, kept, failed, deferred;
	struct record_function *functions;
	size_t n;
};

/*
 * Reads TEXT (LEN bytes) as record_format() writes it, whitespace aside:
 * -EPROTONOSUPPORT for a schema other than RECORD_SCHEMA (in rec->schema),
 * -EBADMSG for anything else, with *at the byte where it stopped.
 */
int boot_record_parse(const char *text, size_t len, struct boot_record *rec,
		      size_t *at) _must_check_;
void boot_record_free(struct boot_record *rec);

/* What check says of the records: its verdicts, as check's. */
enum record_verdict { RECORD_SAYS_OK, RECORD_SAYS_WARN };
typedef void record_say_fn(void *ctx, enum record_verdict v, const char *subject,
			   const char *fix, const char *msg);

/* The records of this boot, as read, for --json. */
struct boot_records {
	char *text[RECORD_PASSES]; /* a record that parsed, else NULL */
};

/* Reads each pass's record and says what it holds, one line each and
 * a line for each function the job did not take. */
void boot_records_check(const struct sysroot *s, struct boot_records *recs,
			record_say_fn *say, void *ctx);
/* "  \"boot_records\": {\"early\": RECORD, \"late\": RECORD},\n", null for none. */
void boot_records_json(FILE *out, const struct boot_records *recs);
void boot_records_free(struct boot_records *recs);
#define _cleanup_boot_records_ _cleanup_(boot_records_free)
