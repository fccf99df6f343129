// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "boot/record.h"
#include "shared/json.h"

const char *record_pass_name(enum record_pass pass)
{
	return pass == RECORD_EARLY ? "early" : "late";
}

const char *record_file_name(enum record_pass pass)
{
	return pass == RECORD_EARLY ? "boot-early.json" : "boot-late.json";
}

const char *record_outcome_name(enum record_outcome o)
{
	static const char *const names[RECORD_OUTCOMES] = {
		[OUTCOME_BOUND] = "bound",   [OUTCOME_UNCHANGED] = "unchanged",
		[OUTCOME_KEPT] = "kept",     [OUTCOME_DEFERRED] = "deferred",
		[OUTCOME_FAILED] = "failed", [OUTCOME_NOT_TRIED] = "not-tried",
	};

	return names[o];
}

static enum record_outcome outcome_of(const struct candidate *it)
{
	if (reason_is_deferral(&it->why))
		return OUTCOME_DEFERRED;
	if (it->why.kind != REASON_NONE)
		return OUTCOME_KEPT;
	if (!it->bind_tried)
		return OUTCOME_NOT_TRIED;
	if (it->bind_result < 0)
		return OUTCOME_FAILED;
	return it->bind_result == BIND_UNCHANGED || it->bind_result == BIND_ON_VARIANT
		       ? OUTCOME_UNCHANGED
		       : OUTCOME_BOUND;
}

static void count(const struct candidates *c, struct tally *t)
{
	for (size_t i = 0; i < c->n; i++)
		switch (outcome_of(&c->items[i])) {
		case OUTCOME_BOUND:
			t->bound++;
			break;
		case OUTCOME_UNCHANGED:
			t->unchanged++;
			break;
		case OUTCOME_KEPT:
			t->skipped++;
			break;
		case OUTCOME_DEFERRED:
			t->deferred++;
			break;
		case OUTCOME_FAILED:
			t->failed++;
			break;
		case OUTCOME_NOT_TRIED:
			break;
		}
}

double record_boottime(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void format_function(FILE *out, const struct candidate *it)
{
	enum record_outcome o = outcome_of(it);
	char ids[16] = "", why[REASON_DETAIL_MAX + 64] = "";

	if (it->ids_read)
		snprintf(ids, sizeof(ids), "%04x:%04x", it->f.vendor, it->f.device);
	if (o == OUTCOME_KEPT || o == OUTCOME_DEFERRED)
		reason_format(&it->why, why, sizeof(why));
	fputs("    {\"address\": ", out);
	json_string(out, it->f.addr);
	fputs(", \"ids\": ", out);
	json_string(out, ids);
	fputs(", \"driver\": ", out);
	json_string(out, it->f.driver);
	fputs(", \"selected_by\": ", out);
	json_string(out, it->selected_by);
	fprintf(out, ", \"outcome\": \"%s\", \"reason\": ", record_outcome_name(o));
	json_string(out, why);
	if (o == OUTCOME_FAILED)
		fprintf(out, ", \"errno\": %d}", -it->bind_result);
	else
		fputs(", \"errno\": null}", out);
}

char *record_format(const struct boot_job *job)
{
	struct tally t = {0};
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return NULL;
	count(job->c, &t);
	fprintf(out, "{\n  \"schema\": %d,\n  \"version\": ", RECORD_SCHEMA);
	json_string(out, VERSION);
	fprintf(out,
		",\n  \"pass\": \"%s\",\n  \"boottime\": %.3f,\n  \"status\": %d,\n  \"selected\": %s,\n",
		record_pass_name(job->pass), job->boottime, job->status,
		job->selected ? "true" : "false");
	fprintf(out,
		"  \"bound\": %zu,\n  \"unchanged\": %zu,\n  \"kept\": %zu,\n  \"failed\": %zu,\n  \"deferred\": %zu,\n  \"functions\": [",
		t.bound, t.unchanged, t.skipped, t.failed, t.deferred);
	for (size_t i = 0; i < job->c->n; i++) {
		fputs(i ? ",\n" : "\n", out);
		format_function(out, &job->c->items[i]);
	}
	fputs(job->c->n ? "\n  ]\n}\n" : "]\n}\n", out);
	if ((ferror(out) | fclose(out)) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

int record_write(const struct sysroot *s, const struct boot_job *job)
{
	_cleanup_free_ char *text = record_format(job);

	if (!text)
		return -ENOMEM;
	return sysroot_replace(s, RECORD_DIR, record_file_name(job->pass), text);
}
