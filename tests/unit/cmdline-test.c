// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The command-line scanner and the ids= parser, case by case, without a
 * system tree. Prints one line per failure and "N passed, N failed".
 */
#include <stdio.h>
#include <string.h>

#include "config/kernel-cmdline.h"
#include "pci/ids.h"

static int passed, failed;

static void check(int ok, const char *what, const char *input)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL: %s: <%s>\n", what, input);
}

struct param_case {
	const char *cmdline;
	int count;
	const char *value; /* NULL: no value */
};

static const struct param_case param_cases[] = {
	{"vfio-pci.ids=1:2", 1, "1:2"},
	{"vfio_pci.ids=1:2\n", 1, "1:2"},
	{"quiet vfio-pci.ids=1:2 vfio-pci.ids=3:4 splash", 2, "3:4"},
	{"vfio-pci.ids=\"1:2,3:4\"", 1, "1:2,3:4"},
	{"\"vfio-pci.ids=1:2,3:4\"", 1, "1:2,3:4"},
	{"\"vfio-pci.ids=a b\" x", 1, "a b"},
	{"vfio-pci.ids=\"a b\" x", 1, "a b"},
	{"vfio-pci.ids=1:2,\"3:4\"", 1, "1:2,\"3:4\""},
	{"vfio-pci.ids=\"1:2", 0, NULL},
	{"vfio-pci.\"ids\"=1:2", 0, NULL},
	{"vfio-pci.ids.x=1:2", 0, NULL},
	{"vfio-pci=1:2", 0, NULL},
	{"vfio-pci.ids", 1, NULL},
	{"vfio-pci.ids=", 1, ""},
	{"vfio-pci.i-ds=1:2", 0, NULL},
	{"VFIO-PCI.ids=1:2", 0, NULL},
	{"vfio-pci.ids==1:2", 1, "=1:2"},
	{"x=\"a b\" vfio-pci.ids=1:2", 1, "1:2"},
	{"vfio\t-pci.ids=1:2", 0, NULL},
	{"vfio-pci.ids=1:2\tvfio-pci.ids=5:6\r", 2, "5:6"},
	{"", 0, NULL},
	{"vfio-pci.-- vfio-pci.ids=1:2", 0, NULL},
	{"vfio-pci.ids=1:2 vfio-pci.-- vfio-pci.ids=3:4", 1, "1:2"},
	{"vfio-pci.--=x vfio-pci.ids=1:2", 1, "1:2"},
	{"vfio-bind.-- vfio-pci.ids=1:2", 1, "1:2"},
};

static void test_params(void)
{
	for (size_t i = 0; i < sizeof(param_cases) / sizeof(*param_cases); i++) {
		const struct param_case *c = &param_cases[i];
		struct module_param p;
		int n = cmdline_module_param(c->cmdline, "vfio_pci", "ids", &p);

		check(n == c->count, "occurrences", c->cmdline);
		if (n > 0 && c->value)
			check(p.value && strcmp(p.value, c->value) == 0, "value",
			      c->cmdline);
		else if (n > 0)
			check(p.value == NULL, "no value", c->cmdline);
		module_param_clear(&p);
	}
}

struct ids_case {
	const char *value;
	size_t n_ids, n_rejected;
	struct pci_id first;
};

#define ANY PCI_ANY_ID
static const struct ids_case ids_cases[] = {
	{"10de:1c30", 1, 0, {0x10de, 0x1c30, ANY, ANY, 0, 0}},
	{"10DE:1C30:1028:11b3", 1, 0, {0x10de, 0x1c30, 0x1028, 0x11b3, 0, 0}},
	{"0x10de:0X1c30", 1, 0, {0x10de, 0x1c30, ANY, ANY, 0, 0}},
	{"1:2:3:4:30000:ff0000", 1, 0, {1, 2, 3, 4, 0x30000, 0xff0000}},
	{"1:2:3:4:5:6:7", 1, 0, {1, 2, 3, 4, 5, 6}},
	{" 1: 2", 1, 0, {1, 2, ANY, ANY, 0, 0}},
	{"1 :2", 0, 1, {0}},
	{"123456789:2", 1, 0, {0x23456789, 2, ANY, ANY, 0, 0}},
	{"0x:5", 1, 0, {0, 5, ANY, ANY, 0, 0}},
	{"x1:2", 0, 1, {0}},
	{"1", 0, 1, {0}},
	{",,", 0, 0, {0}},
	{"", 0, 0, {0}},
	{"1:2junk", 1, 0, {1, 2, ANY, ANY, 0, 0}},
	{"g:1,1:2,:", 1, 2, {1, 2, ANY, ANY, 0, 0}},
	{"-1:2", 0, 1, {0}},
};

static void test_ids(void)
{
	for (size_t i = 0; i < sizeof(ids_cases) / sizeof(*ids_cases); i++) {
		const struct ids_case *c = &ids_cases[i];
		struct id_list list;

		if (id_list_parse(c->value, &list) < 0) {
			check(0, "parse", c->value);
			continue;
		}
		check(list.n_ids == c->n_ids, "entries", c->value);
		check(list.n_rejected == c->n_rejected, "rejected", c->value);
		if (list.n_ids > 0 && c->n_ids > 0)
			check(memcmp(&list.ids[0], &c->first, sizeof(c->first)) == 0,
			      "fields", c->value);
		id_list_free(&list);
	}
}

static void test_bool(void)
{
	static const struct {
		const char *in;
		int r;
		bool v;
	} cases[] = {
		{NULL, 0, true},   {"1", 0, true},   {"Y", 0, true},
		{"on", 0, true},   {"0", 0, false},  {"n", 0, false},
		{"OFF", 0, false}, {"x", -1, false}, {"o", -1, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		bool v = !cases[i].v;
		int r = parse_kernel_bool(cases[i].in, &v);

		check((r < 0) == (cases[i].r < 0) && (r < 0 || v == cases[i].v), "bool",
		      cases[i].in ? cases[i].in : "(none)");
	}
}

int main(void)
{
	test_params();
	test_ids();
	test_bool();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
