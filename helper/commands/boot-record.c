// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The boot job's records (boot/record.c) as check reads them: a reader for
 * exactly what record_format() writes, not for JSON at large: an object of
 * strings, numbers, true, false and null, and one array of such objects.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "commands/boot-record.h"
#include "shared/util.h"

struct cursor {
	const char *p, *end;
};

static void skip_space(struct cursor *c)
{
	while (c->p < c->end && strchr(" \t\r\n", *c->p) && *c->p)
		c->p++;
}

static bool take(struct cursor *c, char ch)
{
	skip_space(c);
	if (c->p >= c->end || *c->p != ch)
		return false;
	c->p++;
	return true;
}

static bool take_word(struct cursor *c, const char *word)
{
	size_t len = strlen(word);

	skip_space(c);
	if ((size_t)(c->end - c->p) < len || memcmp(c->p, word, len) != 0)
		return false;
	c->p += len;
	return true;
}

/* \uXXXX as json_string() writes it: a control character. */
static bool take_unicode(struct cursor *c, char *out)
{
	int v = 0;

	if (c->end - c->p < 4)
		return false;
	for (int i = 0; i < 4; i++) {
		int d = hex_digit((unsigned char)c->p[i]);

		if (d < 0)
			return false;
		v = v * 16 + d;
	}
	if (v == 0 || v > 0x7f)
		return false;
	*out = (char)v;
	c->p += 4;
	return true;
}

/* A string into buf (too long for it is malformed); null gives "". */
static bool take_string(struct cursor *c, char *buf, size_t size)
{
	size_t n = 0;

	if (take_word(c, "null")) {
		buf[0] = '\0';
		return true;
	}
	if (!take(c, '"'))
		return false;
	while (c->p < c->end && *c->p != '"') {
		char ch = *c->p++;

		if ((unsigned char)ch < 0x20 || n + 1 >= size)
			return false;
		if (ch == '\\') {
			if (c->p >= c->end)
				return false;
			ch = *c->p++;
			if (ch == 'u' && !take_unicode(c, &ch))
				return false;
			if (ch != '"' && ch != '\\' && (unsigned char)ch >= 0x20)
				return false;
		}
		buf[n++] = ch;
	}
	buf[n] = '\0';
	return take(c, '"');
}

static bool take_number(struct cursor *c, double *v)
{
	char buf[32];
	size_t n = 0;
	char *end;

	skip_space(c);
	while (c->p < c->end && n + 1 < sizeof(buf) && strchr("-+.eE0123456789", *c->p) &&
	       *c->p)
		buf[n++] = *c->p++;
	buf[n] = '\0';
	*v = strtod(buf, &end);
	return n > 0 && *end == '\0' && isfinite(*v);
}

static bool take_int(struct cursor *c, int *v)
{
	double d;

	if (!take_number(c, &d) || d < -1e6 || d > 1e6 || d != (double)(int)d)
		return false;
	*v = (int)d;
	return true;
}

static bool take_count(struct cursor *c, size_t *v)
{
	int i;

	if (!take_int(c, &i) || i < 0)
		return false;
	*v = (size_t)i;
	return true;
}

static bool take_bool(struct cursor *c, bool *v)
{
	if (take_word(c, "true"))
		*v = true;
	else if (take_word(c, "false"))
		*v = false;
	else
		return false;
	return true;
}

/* A value of a field this reader does not know: a string, number or word. */
static bool skip_value(struct cursor *c)
{
	char buf[SYSROOT_VALUE_MAX];
	double d;
	bool b;

	skip_space(c);
	if (c->p < c->end && (*c->p == '"' || *c->p == 'n'))
		return take_string(c, buf, sizeof(buf));
	return take_bool(c, &b) || take_number(c, &d);
}

static bool take_outcome(struct cursor *c, enum record_outcome *o)
{
	char name[16];

	if (!take_string(c, name, sizeof(name)))
		return false;
	for (int i = 0; i < RECORD_OUTCOMES; i++)
		if (strcmp(name, record_outcome_name(i)) == 0) {
			*o = i;
			return true;
		}
	return false;
}

static bool take_pass(struct cursor *c, enum record_pass *pass)
{
	char name[16];

	if (!take_string(c, name, sizeof(name)))
		return false;
	for (int i = 0; i < RECORD_PASSES; i++)
		if (strcmp(name, record_pass_name(i)) == 0) {
			*pass = i;
			return true;
		}
	return false;
}

static bool take_errno(struct cursor *c, int *err)
{
	*err = 0;
	return take_word(c, "null") || (take_int(c, err) && *err > 0);
}

/* Each "key": value of an object, until its '}', through FIELD. */
static bool take_fields(struct cursor *c,
			bool (*field)(struct cursor *c, const char *key, void *data),
			void *data)
{
	char key[32];

	if (!take(c, '{'))
		return false;
	if (take(c, '}'))
		return true;
	do {
		if (!take_string(c, key, sizeof(key)) || !take(c, ':') ||
		    !field(c, key, data))
			return false;
	} while (take(c, ','));
	return take(c, '}');
}

static bool function_field(struct cursor *c, const char *key, void *data)
{
	struct record_function *f = data;
	char ignored[SYSROOT_VALUE_MAX];

	if (strcmp(key, "address") == 0)
		return take_string(c, f->addr, sizeof(f->addr)) && f->addr[0];
	if (strcmp(key, "outcome") == 0)
		return take_outcome(c, &f->outcome);
	if (strcmp(key, "reason") == 0)
		return take_string(c, f->reason, sizeof(f->reason));
	if (strcmp(key, "errno") == 0)
		return take_errno(c, &f->err);
	if (strcmp(key, "ids") == 0 || strcmp(key, "selected_by") == 0)
		return take_string(c, ignored, sizeof(ignored));
	return skip_value(c);
}

static bool take_functions(struct cursor *c, struct boot_record *rec)
{
	if (!take(c, '['))
		return false;
	if (take(c, ']'))
		return true;
	do {
		struct record_function f = {.outcome = RECORD_OUTCOMES};

		if (!take_fields(c, function_field, &f) || !f.addr[0] ||
		    f.outcome == RECORD_OUTCOMES ||
		    array_push(&rec->functions, &rec->n, sizeof(f), &f) < 0)
			return false;
	} while (take(c, ','));
	return take(c, ']');
}

/* The fields every record has, as bits. */
enum { HAS_VERSION = 1, HAS_PASS = 2, HAS_BOOTTIME = 4, HAS_STATUS = 8, HAS_ALL = 15 };

struct record_fields {
	struct boot_record *rec;
	unsigned has;
};

static bool record_field(struct cursor *c, const char *key, void *data)
{
	struct record_fields *r = data;
	struct boot_record *rec = r->rec;
	static const struct {
		const char *key;
		size_t offset;
	} counts[] = {
		{"bound", offsetof(struct boot_record, bound)},
		{"unchanged", offsetof(struct boot_record, unchanged)},
		{"kept", offsetof(struct boot_record, kept)},
		{"failed", offsetof(struct boot_record, failed)},
		{"deferred", offsetof(struct boot_record, deferred)},
	};

	for (size_t i = 0; i < ARRAY_SIZE(counts); i++)
		if (strcmp(key, counts[i].key) == 0)
			return take_count(c, (size_t *)((char *)rec + counts[i].offset));
	if (strcmp(key, "version") == 0) {
		r->has |= HAS_VERSION;
		return take_string(c, rec->version, sizeof(rec->version));
	}
	if (strcmp(key, "pass") == 0) {
		r->has |= HAS_PASS;
		return take_pass(c, &rec->pass);
	}
	if (strcmp(key, "boottime") == 0) {
		r->has |= HAS_BOOTTIME;
		return take_number(c, &rec->boottime);
	}
	if (strcmp(key, "status") == 0) {
		r->has |= HAS_STATUS;
		return take_int(c, &rec->status);
	}
	if (strcmp(key, "selected") == 0)
		return take_bool(c, &rec->selected);
	if (strcmp(key, "functions") == 0)
		return take_functions(c, rec);
	return skip_value(c);
}

int boot_record_parse(const char *text, size_t len, struct boot_record *rec, size_t *at)
{
	struct cursor c = {.p = text, .end = text + len};
	struct record_fields fields = {.rec = rec};
	double schema;
	bool ok;

	*rec = (struct boot_record){0};
	/* the schema first: a later one may be anything after it */
	ok = take(&c, '{') && take_word(&c, "\"schema\"") && take(&c, ':') &&
	     take_number(&c, &schema);
	if (ok && schema != RECORD_SCHEMA) {
		rec->schema = schema >= 0 && schema < 1e6 ? (int)schema : -1;
		return -EPROTONOSUPPORT;
	}
	if (ok) {
		rec->schema = RECORD_SCHEMA;
		c.p = text;
		ok = take_fields(&c, record_field, &fields);
		skip_space(&c);
		ok = ok && c.p == c.end && fields.has == HAS_ALL;
	}
	*at = (size_t)(c.p - text);
	if (!ok) {
		boot_record_free(rec);
		return -EBADMSG;
	}
	return 0;
}

void boot_record_free(struct boot_record *rec)
{
	free(rec->functions);
	rec->functions = NULL;
	rec->n = 0;
}

/* How this system's initramfs is rebuilt, by the builder it has. */
static const char *initramfs_fix(const struct sysroot *s)
{
	bool tools = sysroot_exists(s, "usr/sbin/update-initramfs");
	bool dracut = sysroot_exists(s, "usr/bin/dracut");

	if (tools && !dracut)
		return "install the initramfs integration and rebuild the initramfs (update-initramfs -u)";
	if (dracut && !tools)
		return "install the initramfs integration and rebuild the initramfs (dracut -f)";
	return "install the initramfs integration and rebuild the initramfs (update-initramfs -u, dracut -f)";
}

static const char *pass_phrase(enum record_pass pass)
{
	return pass == RECORD_EARLY ? "before udev" : "in its later pass";
}

static void say_summary(const struct boot_record *rec, record_say_fn *say, void *ctx)
{
	char msg[512], what[256], already[64] = "";

	if (rec->unchanged > 0)
		str_format(already, sizeof(already), " (%zu on vfio-pci already)",
			   rec->unchanged);
	if (!rec->selected)
		str_copy(what, sizeof(what), "the boot's configuration selected nothing");
	else if (rec->n == 0 && rec->status == 0)
		str_copy(what, sizeof(what), "the selection named no PCI function");
	else
		str_format(what, sizeof(what),
			   "took %zu function%s%s, kept %zu, deferred %zu, failed %zu",
			   rec->bound + rec->unchanged,
			   rec->bound + rec->unchanged == 1 ? "" : "s", already,
			   rec->kept, rec->deferred, rec->failed);
	str_format(msg, sizeof(msg), "the boot job ran at %.1f s, %s (vfio-bind %s): %s",
		   rec->boottime, pass_phrase(rec->pass), rec->version, what);
	if (rec->status == 0) {
		say(ctx, RECORD_SAYS_OK, NULL, NULL, msg);
		return;
	}
	str_format(msg + strlen(msg), sizeof(msg) - strlen(msg),
		   "; it ended with status %d", rec->status);
	say(ctx, RECORD_SAYS_WARN, NULL,
	    "read its lines in the kernel log: dmesg | grep vfio-bind", msg);
}

/* A line for each function the job did not take. */
static void say_functions(const struct boot_record *rec, bool later_pass_ran,
			  record_say_fn *say, void *ctx)
{
	char msg[512];

	for (size_t i = 0; i < rec->n; i++) {
		const struct record_function *f = &rec->functions[i];

		if (f->outcome == OUTCOME_KEPT) {
			str_format(msg, sizeof(msg),
				   "the boot job did not take it %s: %s",
				   pass_phrase(rec->pass), f->reason);
			say(ctx, RECORD_SAYS_OK, f->addr, NULL, msg);
		} else if (f->outcome == OUTCOME_DEFERRED && !later_pass_ran) {
			str_format(
				msg, sizeof(msg),
				"the boot job deferred it %s, and no later pass ran: %s",
				pass_phrase(rec->pass), f->reason);
			say(ctx, RECORD_SAYS_WARN, f->addr, NULL, msg);
		} else if (f->outcome == OUTCOME_FAILED) {
			str_format(
				msg, sizeof(msg),
				"vfio-pci did not attach when the boot job bound it %s: %s",
				pass_phrase(rec->pass), strerror(f->err));
			say(ctx, RECORD_SAYS_WARN, f->addr, NULL, msg);
		}
	}
}

static void say_version(const struct sysroot *s, const struct boot_record *rec,
			record_say_fn *say, void *ctx)
{
	char msg[256];

	if (strcmp(rec->version, VERSION) == 0)
		return;
	str_format(msg, sizeof(msg),
		   "the initramfs carries vfio-bind %s, and this system vfio-bind %s",
		   rec->version, VERSION);
	say(ctx, RECORD_SAYS_WARN, NULL, initramfs_fix(s), msg);
}

/* Reads a pass's record; its text kept when it parsed. 0, or -ENOENT. */
static int read_record(const struct sysroot *s, enum record_pass pass,
		       struct boot_record *rec, char **text, record_say_fn *say,
		       void *ctx)
{
	char msg[512];
	size_t at = 0;
	int r;

	r = sysroot_read_filef(s, text, RECORD_DIR "/%s", record_file_name(pass));
	if (r == -ENOENT)
		return r;
	if (r >= 0)
		r = boot_record_parse(*text, (size_t)r, rec, &at);
	if (r == -EPROTONOSUPPORT)
		str_format(
			msg, sizeof(msg),
			"/" RECORD_DIR
			"/%s is a boot record of schema %d; this vfio-bind reads schema %d",
			record_file_name(pass), rec->schema, RECORD_SCHEMA);
	else if (r == -EBADMSG)
		str_format(
			msg, sizeof(msg),
			"/" RECORD_DIR
			"/%s is no boot record this vfio-bind can read (truncated or malformed at byte %zu)",
			record_file_name(pass), at);
	else if (r < 0)
		str_format(msg, sizeof(msg), "cannot read /" RECORD_DIR "/%s: %s",
			   record_file_name(pass), strerror(-r));
	if (r >= 0)
		return 0;
	say(ctx, RECORD_SAYS_WARN, NULL, NULL, msg);
	free(*text);
	*text = NULL;
	return r;
}

/*
 * Under --root, a tree without run/vfio-bind/ is no system that booted
 * (the fake trees of the tests): nothing is said of its boot job.
 */
void boot_records_check(const struct sysroot *s, struct boot_records *recs,
			record_say_fn *say, void *ctx)
{
	struct boot_record rec[RECORD_PASSES];
	int r[RECORD_PASSES];

	if (!s->is_live && !sysroot_exists(s, RECORD_DIR))
		return;
	for (int i = 0; i < RECORD_PASSES; i++)
		r[i] = read_record(s, i, &rec[i], &recs->text[i], say, ctx);
	if (r[RECORD_EARLY] == -ENOENT)
		say(ctx, RECORD_SAYS_WARN, NULL, initramfs_fix(s),
		    "vfio-bind did not run in this boot's initramfs: /" RECORD_DIR
		    "/ holds no record of the boot job before udev");
	for (int i = 0; i < RECORD_PASSES; i++) {
		if (r[i] < 0)
			continue;
		say_summary(&rec[i], say, ctx);
		say_functions(&rec[i], r[RECORD_LATE] == 0, say, ctx);
		if (i == RECORD_EARLY || r[RECORD_EARLY] < 0)
			say_version(s, &rec[i], say, ctx);
		boot_record_free(&rec[i]);
	}
}

static void json_record(FILE *out, const char *text)
{
	size_t len;

	if (!text) {
		fputs("null", out);
		return;
	}
	len = strlen(text);
	while (len > 0 && strchr(" \t\r\n", text[len - 1]))
		len--;
	fwrite(text, 1, len, out);
}

void boot_records_json(FILE *out, const struct boot_records *recs)
{
	fputs("  \"boot_records\": {\"early\": ", out);
	json_record(out, recs->text[RECORD_EARLY]);
	fputs(", \"late\": ", out);
	json_record(out, recs->text[RECORD_LATE]);
	fputs("},\n", out);
}

void boot_records_free(struct boot_records *recs)
{
	for (int i = 0; i < RECORD_PASSES; i++) {
		free(recs->text[i]);
		recs->text[i] = NULL;
	}
}
