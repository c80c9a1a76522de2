// SPDX-License-Identifier: GPL-2.0
/*
 * groovectl: administer a groove (load/unload the module, add and remove
 * volumes, report status, verify the shared allocator state).
 *
 * This file parses the command line and dispatches; see groovectl.h for
 * where each command lives.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "groovectl.h"

#ifndef GROOVECTL_VERSION
#define GROOVECTL_VERSION "0"
#endif

const char *groovectl_prog = "groovectl";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: groovectl [--device PATH] [--json] [--quiet] COMMAND [ARGS]\n"
		"\n"
		"commands:\n"
		"  load [--ko FILE] [param=value...]  load groove.ko (volume_size=2M volume_max=64 limit_bytes=1G)\n"
		"  unload                             unload groove.ko (refused while in use)\n"
		"  info                               geometry and limits of the groove\n"
		"  status                             volumes, bytes reserved and in use, per node and size class\n"
		"  add N [--node n] [--info TEXT]     add N volumes (all or nothing)\n"
		"  remove N                           remove up to N empty volumes\n"
		"  verify                             check the shared allocator state (read only)\n"
		"  fsck [--dry-run]                   rebuild the allocator state after a crash (every other\n"
		"                                     user stopped); --dry-run reports what it would change\n"
		"  create [volume_size=2M] [volume_max=16]  format a new groove file (--device FILE)\n"
		"\n"
		"options:\n"
		"  -d, --device PATH   groove device or file (default $GROOVE_DEVICE or %s)\n"
		"  -j, --json          machine-readable output for info, status, verify and fsck\n"
		"  -q, --quiet         print errors only\n"
		"  -k, --ko FILE       load this module file instead of looking groove up\n"
		"  -n, --node N        NUMA node for add (default: any)\n"
		"  -i, --info TEXT     information stored in each added volume's header\n"
		"  -h, --help          this text;  -V, --version  the version\n"
		"\n"
		"exit status: 0 ok, 1 failed, 2 usage, 3 no device (module not loaded),\n"
		"4 permission denied, 5 corrupt (fsck --dry-run: a repair is needed), 6 no space,\n"
		"7 busy (fsck: another process or thread uses the groove), 8 module not found.\n"
		"See groovectl(8).\n",
		GROOVECTL_DEFAULT_DEVICE);
}

/* A volume count argument: 1 .. GROOVE_VOLUME_MAX_LIMIT. */
static int parse_count(const char *cmd, const char *s, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s ? s : "", &end, 10);
	if (!s || !*s || *end || errno || *out == 0 || *out > GROOVE_VOLUME_MAX_LIMIT || *s == '-') {
		ctl_err("%s: '%s' is not a volume count (1..%u); e.g. 'groovectl %s 2'",
			cmd, s ? s : "", GROOVE_VOLUME_MAX_LIMIT, cmd);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static const struct option long_opts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "ko", required_argument, NULL, 'k' },
	{ "node", required_argument, NULL, 'n' },
	{ "info", required_argument, NULL, 'i' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "dry-run", no_argument, NULL, 'N' },
	{ NULL, 0, NULL, 0 }
};

int main(int argc, char **argv)
{
	struct groovectl_opts o = { .node = -1 };
	unsigned long count;
	const char *cmd;
	char *end;
	long node;
	int c, ret;

	o.device = getenv("GROOVE_DEVICE");
	if (!o.device || !*o.device)
		o.device = GROOVECTL_DEFAULT_DEVICE;

	while ((c = getopt_long(argc, argv, "d:jqk:n:i:hV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.device = optarg;
			break;
		case 'j':
			o.json = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'k':
			o.ko = optarg;
			break;
		case 'n':
			errno = 0;
			node = strtol(optarg, &end, 10);
			if (!*optarg || *end || errno || node < -1 || node > INT_MAX) {
				ctl_err("--node: '%s' is not a NUMA node number (or -1 for any)",
					optarg);
				return EXIT_USAGE;
			}
			o.node = (int)node;
			break;
		case 'i':
			o.info = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'N':
			o.dry_run = true;
			break;
		case 'V':
			printf("groovectl %s (groove ABI %u)\n", GROOVECTL_VERSION,
			       GROOVE_ABI_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind++];
	if (o.dry_run && strcmp(cmd, "fsck")) {
		ctl_err("--dry-run: only fsck takes it ('groovectl fsck --dry-run')");
		return EXIT_USAGE;
	}

	if (!strcmp(cmd, "load"))
		return cmd_load(&o, argc - optind, argv + optind);
	if (!strcmp(cmd, "create")) {
		if (ctl_is_char_device(o.device) || !strcmp(o.device, GROOVECTL_DEFAULT_DEVICE)) {
			ctl_err("create: formats a groove *file*: give one with --device FILE");
			return EXIT_USAGE;
		}
		return cmd_create(&o, argc - optind, argv + optind);
	}
	if (!strcmp(cmd, "help")) {
		usage(stdout);
		return EXIT_OK;
	}

	/* every other command takes a fixed number of operands */
	if (!strcmp(cmd, "add") || !strcmp(cmd, "remove")) {
		if (argc - optind != 1) {
			ctl_err("%s: takes one volume count, e.g. 'groovectl %s 2'", cmd, cmd);
			return EXIT_USAGE;
		}
		ret = parse_count(cmd, argv[optind], &count);
		if (ret)
			return ret;
		return !strcmp(cmd, "add") ? cmd_add(&o, count) : cmd_remove(&o, count);
	}
	if (argc - optind != 0) {
		ctl_err("%s: unexpected argument '%s'", cmd, argv[optind]);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "unload"))
		return cmd_unload(&o);
	if (!strcmp(cmd, "info"))
		return cmd_info(&o);
	if (!strcmp(cmd, "status"))
		return cmd_status(&o);
	if (!strcmp(cmd, "verify"))
		return cmd_verify(&o);
	if (!strcmp(cmd, "fsck"))
		return cmd_fsck(&o);
	ctl_err("unknown command '%s' (see 'groovectl --help')", cmd);
	return EXIT_USAGE;
}
