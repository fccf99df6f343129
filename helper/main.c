// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-bind: put the PCI functions that vfio-pci.ids= names on vfio-pci,
 * from the initramfs, before udev lets a host driver take them.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "log.h"

static void usage(void)
{
	fputs("Usage:\n"
	      " vfio-bind [options]\n"
	      "\n"
	      "Put every PCI function that the kernel command line's\n"
	      "vfio-pci.ids= selects on vfio-pci, as vfio-pci itself would\n"
	      "select them, unbinding any host driver first. Run from the\n"
	      "initramfs before udev; safe to run again.\n"
	      "\n"
	      "Options:\n"
	      " -n, --dry-run       print the plan, one line per selected\n"
	      "                       function, and change nothing\n"
	      " -r, --root DIR      read proc/ and sys/ under DIR instead of "
	      "/;\n"
	      "                       modules are not loaded\n"
	      " -v, --verbose       log more (repeat for debug)\n"
	      " -q, --quiet         log only warnings and errors\n"
	      " -h, --help          display this help\n"
	      " -V, --version       display version\n"
	      "\n"
	      "Exit status:\n"
	      " 0  every selected function is on vfio-pci, or none is "
	      "selected\n"
	      " 1  bad usage, or the system could not be read\n"
	      " 2  vfio-pci cannot take the devices (IOMMU off, vfio-pci\n"
	      "    missing, vfio-pci.ids= unloadable); nothing was changed\n"
	      " 3  some selected functions are not on vfio-pci\n"
	      "\n"
	      "Each decision is logged to stderr and to the kernel log\n"
	      "(/dev/kmsg). See vfio-bind(8).\n",
	      stdout);
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr,
		"vfio-bind: %s '%s'\nTry 'vfio-bind --help' for more "
		"information.\n",
		what, arg);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"dry-run", no_argument, NULL, 'n'},
		{"root", required_argument, NULL, 'r'},
		{"verbose", no_argument, NULL, 'v'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct options opts = {.root = "/"};
	struct sysfs sys;
	char kmsg[PATH_MAX];
	int level = LOG_INFO, c, r, status;

	while ((c = getopt_long(argc, argv, "nr:vqhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			opts.dry_run = true;
			break;
		case 'r':
			opts.root = optarg;
			break;
		case 'v':
			level = LOG_DEBUG;
			break;
		case 'q':
			level = LOG_WARNING;
			break;
		case 'h':
			usage();
			return EXIT_OK;
		case 'V':
			printf("vfio-bind %s\n", VERSION);
			return EXIT_OK;
		default:
			fputs("Try 'vfio-bind --help' for more information.\n",
			      stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument", argv[optind]);

	log_set_max_level(level);
	r = sysfs_open(&sys, opts.root);
	if (r < 0) {
		fprintf(stderr, "vfio-bind: cannot open root %s: %s\n",
			opts.root, strerror(-r));
		return EXIT_USAGE;
	}
	if (sysfs_exists(&sys, "dev/kmsg"))
		log_open(sysfs_describe(&sys, "dev/kmsg", kmsg, sizeof(kmsg)));

	status = cmd_boot(&sys, &opts);

	log_close();
	sysfs_close(&sys);
	return status;
}
