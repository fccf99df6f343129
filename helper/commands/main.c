// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-bind: put the PCI functions that vfio-pci.ids= names on vfio-pci,
 * from the initramfs, before udev lets a host driver take them; and the
 * operator's commands around that.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands/commands.h"
#include "shared/log.h"
#include "shared/util.h"

enum {
	OPT_JSON = CHAR_MAX + 1,
	OPT_ALIAS,
	OPT_FORMAT,
	OPT_FLAVOR,
	OPT_HOST,
	OPT_DEFER_STORAGE,
	OPT_KEEP,
	OPT_FORCE,
	OPT_NEXT_BOOT,
	OPT_APPLY,
	OPT_REMOVE,
	OPT_IOMMU_PT,
};

struct command {
	const char *name;
	int (*run)(struct sysroot *s, const struct options *opts);
	bool takes_args, dry_run, json, nova, guard, kargs;
	bool changes; /* writes sysfs: its decisions go to the kernel log */
};

static const struct command commands[] = {
	{.name = "list", .run = cmd_list, .json = true},
	{.name = "ids", .run = cmd_ids, .takes_args = true},
	{.name = "check", .run = cmd_check, .takes_args = true, .json = true},
	{.name = "bind",
	 .run = cmd_bind,
	 .takes_args = true,
	 .dry_run = true,
	 .guard = true,
	 .changes = true},
	{.name = "unbind",
	 .run = cmd_unbind,
	 .takes_args = true,
	 .dry_run = true,
	 .changes = true},
	{.name = "kargs",
	 .run = cmd_kargs,
	 .takes_args = true,
	 .dry_run = true,
	 .kargs = true},
	{.name = "nova-config", .run = cmd_nova_config, .nova = true},
	{.name = "management-nics", .run = cmd_management_nics},
};

static const struct command boot_command = {
	.name = "", .run = cmd_boot, .dry_run = true, .guard = true, .changes = true};

static void usage(void)
{
	fputs("Usage:\n"
	      " vfio-bind [options] [--keep DEVICE]... [--defer-storage]\n"
	      " vfio-bind [options] list [--json]\n"
	      " vfio-bind [options] ids ADDRESS|SLOT...\n"
	      " vfio-bind [options] check [--json] [ADDRESS|SLOT|VENDOR:DEVICE...]\n"
	      " vfio-bind [options] check [--json] --next-boot\n"
	      " vfio-bind [options] bind [--keep DEVICE]... ADDRESS|SLOT|VENDOR:DEVICE...\n"
	      " vfio-bind [options] unbind ADDRESS|SLOT|VENDOR:DEVICE...\n"
	      " vfio-bind [options] kargs [--iommu-pt] [--apply|--remove] [ADDRESS|SLOT...]\n"
	      " vfio-bind [options] nova-config [--alias NAME[=ADDRESS|SLOT]]...\n"
	      "                     [--format nova.conf|genestack] [--host NAME] [--force]\n"
	      " vfio-bind [options] nova-config [--alias NAME[=ADDRESS|SLOT]]... --flavor NAME\n"
	      " vfio-bind [options] management-nics\n"
	      "\n"
	      "With no command, put every PCI function that the boot selects on\n"
	      "vfio-pci (vfio-pci.ids= and vfio-bind.addrs= on the kernel command\n"
	      "line, options vfio-pci ids= in modprobe.d, whose ids= the command\n"
	      "line's overrides, driverctl overrides to vfio-pci), as vfio-pci\n"
	      "itself would select them, unbinding any host driver first, and\n"
	      "write the reset methods vfio-bind.reset= names. Run from the\n"
	      "initramfs before udev; safe to run again.\n"
	      "\n"
	      "Commands:\n"
	      " list          every PCI function: IDs, driver, IOMMU group, name\n"
	      " ids           the vfio-pci.ids= argument for functions or slots\n"
	      " check         validate the selection: IOMMU, vfio-pci, groups,\n"
	      "                 and the kernel's answer as QEMU asks it\n"
	      " bind          put functions on vfio-pci now\n"
	      " unbind        hand functions back to their host drivers\n"
	      " kargs         the kernel arguments this host needs, where its boot\n"
	      "                 loader keeps them, and the command that applies them\n"
	      " nova-config   Nova's [pci] device_spec and alias, and the flavor\n"
	      " management-nics\n"
	      "               the NICs under the default routes, which the image\n"
	      "                 builders record for the boot to keep\n"
	      "\n"
	      "Options:\n"
	      " -n, --dry-run       print the plan, one line per function, and\n"
	      "                       change nothing (boot job, bind, unbind); with\n"
	      "                       kargs --apply or --remove: the diff of the\n"
	      "                       files and the commands it would run\n"
	      " -r, --root DIR      read the system under DIR instead of /: its\n"
	      "                       proc/, sys/, dev/, modprobe.d, driverctl.d,\n"
	      "                       boot loader files and PCI ID database, no\n"
	      "                       symlink leading out of DIR; no module is\n"
	      "                       loaded (for tests)\n"
	      "     --json          machine-readable output (list, check)\n"
	      "     --next-boot     check what the boot loader's default entry\n"
	      "                       gives the next boot: its command line (the\n"
	      "                       IOMMU's argument, the selection) and its\n"
	      "                       initramfs (vfio-bind, vfio-pci) (check)\n"
	      "     --alias NAME[=ADDRESS|SLOT]\n"
	      "                     name the alias of that function, or of the\n"
	      "                       first function of the slot that is not a\n"
	      "                       storage controller; bare: of the first\n"
	      "                       such slot (repeatable; nova-config)\n"
	      "     --format FORMAT nova.conf (the default) or genestack: the\n"
	      "                       nova chart's Helm values (nova-config)\n"
	      "     --host NAME     the compute host's Kubernetes node name for\n"
	      "                       genestack (default: the host name)\n"
	      "     --flavor NAME   print the command that sets the flavor's\n"
	      "                       pci_passthrough:alias (nova-config)\n"
	      "     --force         print Nova's configuration although check\n"
	      "                       fails for a function it describes\n"
	      "                       (nova-config)\n"
	      "     --apply         write the arguments the boot loader's own way\n"
	      "                       and run its tool (kargs; under --root, the\n"
	      "                       tool runs in the tree through chroot)\n"
	      "     --remove        undo what --apply added (kargs)\n"
	      "     --iommu-pt      add iommu=pt (kargs)\n"
	      "     --keep DEVICE   never take the controller under DEVICE\n"
	      "                       (/dev/..., UUID=..., LABEL=...; repeatable;\n"
	      "                       boot job and bind)\n"
	      "     --defer-storage leave storage controllers to a later pass,\n"
	      "                       once their disks exist, and say so in\n"
	      "                       /run/vfio-bind-deferred (boot job, before\n"
	      "                       udev)\n"
	      " -v, --verbose       log debug lines too\n"
	      " -q, --quiet         log only warnings and errors\n"
	      " -h, --help          display this help\n"
	      " -V, --version       display version\n"
	      "\n"
	      "Arguments: an ADDRESS is [domain:]bus:device.function (0b:00.1),\n"
	      "a SLOT is [domain:]bus:device (0b:00, every function of it), and\n"
	      "VENDOR:DEVICE is two groups of four hex digits (10de:1c30).\n"
	      "\n"
	      "Exit status:\n"
	      " 0  every selected function is on vfio-pci, or none is selected;\n"
	      "    check found no problem\n"
	      " 1  bad usage, or the system could not be read\n"
	      " 2  vfio-pci cannot take the devices (IOMMU off, vfio-pci missing\n"
	      "    or blacklisted, a bare -- in its options, a vfio-pci.ids=\n"
	      "    value that vfio-pci would refuse); nothing was changed; for\n"
	      "    check: the IOMMU is off; for kargs: a boot loader it does not\n"
	      "    know, or an argument set there to another value\n"
	      " 3  some selected functions are not on vfio-pci (the log says why\n"
	      "    for each), check found another problem, or nova-config found\n"
	      "    nothing on vfio-pci or refused while check fails\n"
	      "\n"
	      "Each decision is logged to stderr; the boot job, bind and unbind\n"
	      "also log to the kernel log (/dev/kmsg). See vfio-bind(8).\n",
	      stdout);
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr,
		"vfio-bind: %s%s%s%s\nTry 'vfio-bind --help' for more information.\n",
		what, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
	return EXIT_USAGE;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* The options given must be ones the command takes. */
static int check_options(const struct command *cmd, const struct options *o)
{
	if (o->dry_run && !cmd->dry_run)
		return usage_error("--dry-run does not apply to", cmd->name);
	if (o->json && !cmd->json)
		return usage_error(cmd->name[0] ? "--json does not apply to"
						: "--json needs a command",
				   cmd->name[0] ? cmd->name : NULL);
	if (o->n_keep > 0 && !cmd->guard)
		return usage_error("--keep applies to the boot job and bind", NULL);
	if (o->defer_storage && cmd != &boot_command)
		return usage_error("--defer-storage applies only to the boot job", NULL);
	if (o->n_aliases > 0 && !cmd->nova)
		return usage_error("--alias applies only to nova-config", NULL);
	if ((o->format != NOVA_FORMAT_CONF || o->flavor || o->host) && !cmd->nova)
		return usage_error(
			"--format, --flavor and --host apply only to nova-config", NULL);
	if (o->next_boot && cmd->run != cmd_check)
		return usage_error("--next-boot applies only to check", NULL);
	if (o->next_boot && o->n_args > 0)
		return usage_error("--next-boot takes no argument:", o->args[0]);
	if (o->force && !cmd->nova)
		return usage_error("--force applies only to nova-config", NULL);
	if (o->host && o->format != NOVA_FORMAT_GENESTACK)
		return usage_error("--host applies only to --format genestack", NULL);
	if ((o->apply || o->remove || o->iommu_pt) && !cmd->kargs)
		return usage_error("--apply, --remove and --iommu-pt apply only to kargs",
				   NULL);
	if (o->apply && o->remove)
		return usage_error("kargs takes --apply or --remove, not both", NULL);
	if (cmd->kargs && o->dry_run && !o->apply && !o->remove)
		return usage_error("kargs --dry-run needs --apply or --remove", NULL);
	if (o->n_args > 0 && !cmd->takes_args)
		return usage_error("unexpected argument", o->args[0]);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"dry-run", no_argument, NULL, 'n'},
		{"root", required_argument, NULL, 'r'},
		{"json", no_argument, NULL, OPT_JSON},
		{"alias", required_argument, NULL, OPT_ALIAS},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"flavor", required_argument, NULL, OPT_FLAVOR},
		{"host", required_argument, NULL, OPT_HOST},
		{"defer-storage", no_argument, NULL, OPT_DEFER_STORAGE},
		{"keep", required_argument, NULL, OPT_KEEP},
		{"force", no_argument, NULL, OPT_FORCE},
		{"next-boot", no_argument, NULL, OPT_NEXT_BOOT},
		{"apply", no_argument, NULL, OPT_APPLY},
		{"remove", no_argument, NULL, OPT_REMOVE},
		{"iommu-pt", no_argument, NULL, OPT_IOMMU_PT},
		{"verbose", no_argument, NULL, 'v'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const struct command *cmd = &boot_command;
	struct options opts = {.root = "/"};
	_cleanup_free_ char **keep = NULL;
	_cleanup_free_ char **aliases = NULL;
	struct sysroot sys;
	int level = LOG_INFO, c, r, status;

	while ((c = getopt_long(argc, argv, "nr:vqhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			opts.dry_run = true;
			break;
		case 'r':
			opts.root = optarg;
			break;
		case OPT_JSON:
			opts.json = true;
			break;
		case OPT_ALIAS:
			if (array_push(&aliases, &opts.n_aliases, sizeof(optarg),
				       &optarg) < 0) {
				log_oom();
				return EXIT_USAGE;
			}
			opts.aliases = aliases;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "genestack") == 0)
				opts.format = NOVA_FORMAT_GENESTACK;
			else if (strcmp(optarg, "nova.conf") != 0)
				return usage_error(
					"--format is nova.conf or genestack, not",
					optarg);
			break;
		case OPT_FLAVOR:
			opts.flavor = optarg;
			break;
		case OPT_HOST:
			opts.host = optarg;
			break;
		case OPT_FORCE:
			opts.force = true;
			break;
		case OPT_NEXT_BOOT:
			opts.next_boot = true;
			break;
		case OPT_DEFER_STORAGE:
			opts.defer_storage = true;
			break;
		case OPT_KEEP:
			if (array_push(&keep, &opts.n_keep, sizeof(optarg), &optarg) <
			    0) {
				log_oom();
				return EXIT_USAGE;
			}
			opts.keep = keep;
			break;
		case OPT_APPLY:
			opts.apply = true;
			break;
		case OPT_REMOVE:
			opts.remove = true;
			break;
		case OPT_IOMMU_PT:
			opts.iommu_pt = true;
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
			fputs("Try 'vfio-bind --help' for more information.\n", stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cmd = find_command(argv[optind]);
		if (!cmd)
			return usage_error("unknown command", argv[optind]);
		optind++;
	}
	opts.args = argv + optind;
	opts.n_args = argc - optind;
	status = check_options(cmd, &opts);
	if (status != EXIT_OK)
		return status;

	log_set_max_level(level);
	r = sysroot_open(&sys, opts.root);
	if (r == -ENOSYS) {
		fprintf(stderr,
			"vfio-bind: --root needs openat2() (Linux 5.6 or later) to keep every path inside %s; this kernel, or a seccomp filter, lacks it\n",
			opts.root);
		return EXIT_USAGE;
	}
	if (r < 0) {
		fprintf(stderr, "vfio-bind: cannot open root %s: %s\n", opts.root,
			strerror(-r));
		return EXIT_USAGE;
	}
	/* sysfs takes writes from root only: refuse before the first one.
	 * A --root tree is anyone's. */
	if (cmd->changes && !opts.dry_run && sys.is_live && geteuid() != 0) {
		ERR("vfio-bind%s%s needs root; nothing changed", cmd->name[0] ? " " : "",
		    cmd->name);
		sysroot_close(&sys);
		return EXIT_USAGE;
	}
	if (cmd->changes && !opts.dry_run && sysroot_exists(&sys, KMSG_PATH))
		log_open(&sys);

	status = cmd->run(&sys, &opts);

	log_close();
	sysroot_close(&sys);
	return status;
}
