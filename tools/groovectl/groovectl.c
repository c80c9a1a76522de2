// SPDX-License-Identifier: GPL-2.0
/*
 * groovectl: administer a groove (load/unload the module, add and remove
 * volumes, report status, verify the shared allocator state).
 *
 * This file parses the command line and dispatches; see groovectl.h for
 * where each command lives.
 */
#include <ctype.h>
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
const char *groovectl_cmd = "open";

/*
 * One row per command: its synopsis and help (groovectl help CMD, CMD
 * --help), and the command options it accepts.  The global options
 * (--device, --json, --quiet, --help, --version) apply to every command,
 * except that load and unload, which talk to the kernel's module loader,
 * and list, destroy and apply, which name their grooves otherwise, refuse
 * an explicit --device.
 */
struct command {
	const char *name;
	const char *args;	/* synopsis after the name */
	const char *summary;	/* one line for the global usage */
	const char *help;	/* the rest of "groovectl help CMD" */
	unsigned int opts;	/* enum groovectl_opt bits it accepts */
};

static const struct command commands[] = {
	{ "load", "[--ko FILE] [param=value...]", "load groove.ko (as root)",
	  "Load groove.ko through libkmod: by name from the module index (modprobe.d\n"
	  "options apply), or the file given with --ko.  Parameters: volume_size=SIZE\n"
	  "(a power of two, 2M..1G), volume_max=N (at most 65536), limit_bytes=SIZE.\n"
	  "  -k, --ko FILE   insert this module file\n", OPT_KO },
	{ "unload", "", "unload groove.ko (refused while in use)",
	  "Unload the module; refused while a process has /dev/groove open or mapped.\n", 0 },
	{ "info", "", "geometry and limits of the groove",
	  "Volume size, slots, volumes present, bytes reserved, layout and counters.\n"
	  "Needs only read access (a groove file is read without joining it).\n", 0 },
	{ "status", "", "volumes, bytes in use, per node and size class",
	  "Everything info shows, plus what the allocator holds: volumes holding data\n"
	  "and empty ones, objects and bytes in use, the largest allocatable object,\n"
	  "per-node and per-size-class figures and one line per volume.\n", 0 },
	{ "add", "N [--node NODE] [--info TEXT]", "add N volumes (all or nothing)",
	  "Add N volumes (1..65536), all or nothing.\n"
	  "  -n, --node NODE  NUMA node of the volumes (device only; -1: any)\n"
	  "  -i, --info TEXT  stored in each volume's header (at most 480 bytes, UTF-8 kept)\n",
	  OPT_NODE | OPT_INFO },
	{ "remove", "N", "remove up to N empty volumes",
	  "Remove up to N volumes (1..65536); only empty volumes can leave.\n", 0 },
	{ "verify", "", "check the shared allocator state (read only)",
	  "Check the whole allocator state and every volume; run it on a quiet groove.\n", 0 },
	{ "fsck", "[--dry-run]", "rebuild the allocator state after a crash",
	  "Rebuild the allocator state from the volumes, as the groove's only user\n"
	  "(refused with exit 7 while another process uses it), then verify it.\n"
	  "  --dry-run   report what a repair would change, write nothing (exit 5: needed)\n",
	  OPT_DRY_RUN },
	{ "create", "[NAME] [key=value...]", "make a named groove, or a groove file",
	  "With NAME: make the named groove /dev/grooves/NAME (root, CAP_SYS_ADMIN).  Keys:\n"
	  "volume_size=SIZE (power of two, 2M..1G; default 2M), volume_max=N (slots; default\n"
	  "0: enough to reach the limit), limit_bytes=SIZE (default: the module's, an eighth\n"
	  "of RAM), mode=OCTAL (at most 0666; default 0600), owner=USER, group=GROUP (names\n"
	  "or numbers; default root).  '-d /dev/grooves/NAME create' (or -d NAME) is the same.\n"
	  "With --device FILE and no NAME: format a new groove file (volume_size=SIZE,\n"
	  "default 2M, volume_max=N, default 16, mode=OCTAL, default 0600; no volumes yet).\n"
	  "Create-only: an existing FILE is refused (exit 1), never reused or overwritten.\n", 0 },
	{ "destroy", "NAME", "destroy a named groove (as root)",
	  "Destroy the named groove NAME and free its volumes (root, CAP_SYS_ADMIN).  Refused\n"
	  "(exit 7) while a process has /dev/grooves/NAME open or mapped.\n", 0 },
	{ "list", "", "the default groove and every named one",
	  "One line per groove (the default /dev/groove, then /dev/grooves/NAME by name):\n"
	  "volume size, slots, volumes present, bytes reserved, limit, joins, node mode,\n"
	  "owner and group, from sysfs.\n", 0 },
	{ "apply", "[DIR] [--dry-run] [--recreate]", "create the grooves DIR/*.conf declare",
	  "Create the named grooves declared in DIR/*.conf (default /etc/groove.d): sections\n"
	  "[NAME] of key = value lines (create's keys), '#' comments.  A groove that exists\n"
	  "with the declared geometry is left unchanged (its node's mode, owner and group are\n"
	  "set as declared); one whose geometry differs is refused (exit 1), unless\n"
	  "--recreate: destroy and create it again (refused while in use).  Undeclared\n"
	  "grooves are left alone.  A second run changes nothing and says so.\n"
	  "  --dry-run    say what would change, change nothing\n"
	  "  --recreate   destroy and re-create a groove whose geometry differs\n",
	  OPT_DRY_RUN | OPT_RECREATE },
	{ "help", "[COMMAND]", "this text, or one command's",
	  "Print the usage of groovectl, or of COMMAND.\n", 0 },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: groovectl [--device PATH] [--json] [--quiet] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		char syn[64];

		snprintf(syn, sizeof(syn), "%s %s", commands[i].name, commands[i].args);
		fprintf(f, "  %-38s %s\n", syn, commands[i].summary);
	}
	fprintf(f,
		"\n"
		"options (every command):\n"
		"  -d, --device PATH   groove device or file (default $GROOVE_DEVICE or %s);\n"
		"                      a NAME without '/' is the named groove /dev/grooves/NAME\n"
		"  -j, --json          print the result (or the resulting state) as one JSON object\n"
		"  -q, --quiet         print errors only\n"
		"  -h, --help          this text ('groovectl help COMMAND': one command's)\n"
		"  -V, --version       the version and ABI\n"
		"\n"
		"exit status: 0 ok, 1 failed, 2 usage, 3 no such groove (device absent: module\n"
		"not loaded; or no such file), 4 permission denied, 5 corrupt, 6 no space,\n"
		"7 busy, 8 module not found, 9 option or command does not apply, 10 not a groove.\n"
		"See groovectl(8).\n",
		GROOVECTL_DEFAULT_DEVICE);
}

static void command_usage(const struct command *c, FILE *f)
{
	fprintf(f, "usage: groovectl [--device PATH] [--json] [--quiet] %s%s%s\n\n%s",
		c->name, *c->args ? " " : "", c->args, c->help);
	fprintf(f, "See 'groovectl --help' for the global options, groovectl(8) for more.\n");
}

static void help_json(const struct command *only)
{
	struct json j;

	json_begin(&j, stdout);
	json_arr_open(&j, "commands");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (only && only != &commands[i])
			continue;
		json_obj_open(&j, NULL);
		json_str(&j, "name", commands[i].name);
		json_str(&j, "args", commands[i].args);
		json_str(&j, "summary", commands[i].summary);
		json_str(&j, "help", commands[i].help);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_end(&j);
}

/* groovectl help [CMD], groovectl [CMD] --help */
static int print_help(const struct groovectl_opts *o, const char *name)
{
	const struct command *c = NULL;

	if (name) {
		c = find_command(name);
		if (!c) {
			ctl_err("help: no command '%s'; see 'groovectl --help' for the list", name);
			return EXIT_USAGE;
		}
	}
	if (o->json)
		help_json(c);
	else if (c)
		command_usage(c, stdout);
	else
		usage(stdout);
	return EXIT_OK;
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
	{ "recreate", no_argument, NULL, 'R' },
	{ NULL, 0, NULL, 0 }
};
#define SHORT_OPTS ":d:jqk:n:i:hV"

/* The option's name as the user wrote it, for messages: "--ko" or "-k". */
static const char *opt_name(unsigned int bit)
{
	switch (bit) {
	case OPT_KO:
		return "--ko";
	case OPT_NODE:
		return "--node";
	case OPT_INFO:
		return "--info";
	case OPT_DRY_RUN:
		return "--dry-run";
	case OPT_RECREATE:
		return "--recreate";
	default:
		return "--device";
	}
}

/* The command whose option @bit is, for "--ko is load's". */
static const char *opt_owner(unsigned int bit)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].opts & bit)
			return commands[i].name;
	return "no command";
}

/*
 * The command word, found before getopt runs: the first operand that is not
 * an option or an option's value.  Lets "add -1" and "add --bogus" name the
 * command in their message.
 */
static const char *peek_command(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			return i + 1 < argc ? argv[i + 1] : NULL;
		if (a[0] != '-' || !a[1])
			return a;
		if (!strcmp(a, "--device") || !strcmp(a, "--ko") || !strcmp(a, "--node") ||
		    !strcmp(a, "--info") ||
		    (a[1] != '-' && strchr("dkni", a[strlen(a) - 1]) && !strchr(a + 1, '=')))
			i++;	/* its value follows */
	}
	return NULL;
}

/* getopt's refusal as one line and exit 2: unknown option, missing value, "add -1". */
static int bad_option(const char *cmd, int c, int argc, char **argv)
{
	const char *word = optind - 1 < argc ? argv[optind - 1] : "";
	const char *pre = cmd ? cmd : "";
	const char *colon = cmd ? ": " : "";

	if (c == ':') {
		ctl_err("%s%soption %s needs a value; see 'groovectl %s%s--help'", pre, colon,
			word, pre, colon[0] ? " " : "");
		return EXIT_USAGE;
	}
	if (optopt && isdigit(optopt)) {
		for (int i = 1; i < argc; i++)
			if (argv[i][0] == '-' && isdigit((unsigned char)argv[i][1]))
				word = argv[i];
		ctl_err("%s%s'%s' is not a volume count: counts are positive (1..%u)%s",
			pre, colon, word, GROOVE_VOLUME_MAX_LIMIT,
			cmd && !strcmp(cmd, "add") ? "; to take volumes away: 'groovectl remove N'" : "");
		return EXIT_USAGE;
	}
	if (optopt)
		ctl_err("%s%sunknown option -%c; see 'groovectl %s%s--help'", pre, colon, optopt,
			pre, colon[0] ? " " : "");
	else
		ctl_err("%s%sunknown option %s; see 'groovectl %s%s--help'", pre, colon, word,
			pre, colon[0] ? " " : "");
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct groovectl_opts o = { .node = -1 };
	const struct command *cmdp;
	bool help = false, version = false;
	unsigned long count;
	const char *cmd, *peek;
	unsigned int bad;
	char *end;
	long node;
	int c, ret;

	o.device = getenv("GROOVE_DEVICE");
	if (!o.device || !*o.device)
		o.device = GROOVECTL_DEFAULT_DEVICE;

	peek = peek_command(argc, argv);
	if (peek && !find_command(peek))
		peek = NULL;
	opterr = 0;
	while ((c = getopt_long(argc, argv, SHORT_OPTS, long_opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.device = optarg;
			o.given |= OPT_DEVICE;
			break;
		case 'j':
			o.json = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'k':
			o.ko = optarg;
			o.given |= OPT_KO;
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
			o.given |= OPT_NODE;
			break;
		case 'i':
			o.info = optarg;
			o.given |= OPT_INFO;
			break;
		case 'h':
			help = true;
			break;
		case 'N':
			o.dry_run = true;
			o.given |= OPT_DRY_RUN;
			break;
		case 'R':
			o.recreate = true;
			o.given |= OPT_RECREATE;
			break;
		case 'V':
			version = true;
			break;
		default:
			return bad_option(peek, c, argc, argv);
		}
	}
	cmd = optind < argc ? argv[optind++] : NULL;
	/* -d NAME: a groove name (no '/') is the named groove /dev/grooves/NAME */
	if (!strchr(o.device, '/') && !ctl_check_name(o.device)) {
		static char named[sizeof(GROOVECTL_NAMED_DIR) + GROOVE_NAME_MAX];

		snprintf(named, sizeof(named), GROOVECTL_NAMED_DIR "%s", o.device);
		o.device = named;
	}
	if (help)
		return print_help(&o, cmd);
	if (version) {
		if (o.json) {
			struct json j;

			json_begin(&j, stdout);
			json_str(&j, "version", GROOVECTL_VERSION);
			json_u64(&j, "abi_version", GROOVE_ABI_VERSION);
			json_end(&j);
		} else {
			printf("groovectl %s (groove ABI %u)\n", GROOVECTL_VERSION,
			       GROOVE_ABI_VERSION);
		}
		return EXIT_OK;
	}
	if (!cmd) {
		ctl_err("no command given; see 'groovectl --help' (e.g. 'groovectl status')");
		return EXIT_USAGE;
	}
	cmdp = find_command(cmd);
	if (cmdp)
		groovectl_cmd = cmdp->name;
	if (!cmdp) {
		ctl_err("unknown command '%s'; see 'groovectl --help'", cmd);
		return EXIT_USAGE;
	}
	bad = o.given & ~(cmdp->opts | OPT_DEVICE);
	if (bad) {
		unsigned int bit = bad & -bad;

		ctl_err("%s: %s does not apply to %s (it is %s's option); see 'groovectl help %s'",
			cmd, opt_name(bit), cmd, opt_owner(bit), cmd);
		return EXIT_NOT_APPLICABLE;
	}
	if ((o.given & OPT_DEVICE) && (!strcmp(cmd, "load") || !strcmp(cmd, "unload"))) {
		ctl_err("%s: --device does not apply: %s works on the module, which makes %s",
			cmd, cmd, GROOVECTL_DEFAULT_DEVICE);
		return EXIT_NOT_APPLICABLE;
	}
	if ((o.given & OPT_DEVICE) && (!strcmp(cmd, "list") || !strcmp(cmd, "apply") ||
				       !strcmp(cmd, "destroy"))) {
		ctl_err("%s: --device does not apply: %s", cmd,
			!strcmp(cmd, "list") ? "list shows every groove" :
			!strcmp(cmd, "apply") ? "apply reads the grooves from DIR/*.conf" :
			"give the groove's name: 'groovectl destroy NAME'");
		return EXIT_NOT_APPLICABLE;
	}

	if (!strcmp(cmd, "help")) {
		if (argc - optind > 1) {
			ctl_err("help: takes one command name, e.g. 'groovectl help add'");
			return EXIT_USAGE;
		}
		return print_help(&o, optind < argc ? argv[optind] : NULL);
	}
	if (!strcmp(cmd, "load"))
		return cmd_load(&o, argc - optind, argv + optind);
	if (!strcmp(cmd, "create")) {
		/* create NAME key=value...: a named groove; --device FILE create: a file */
		if (optind < argc && !strchr(argv[optind], '=')) {
			if (o.given & OPT_DEVICE) {
				ctl_err("create: give a NAME or --device, not both: 'groovectl create %s ...' makes a named groove, 'groovectl --device FILE create' formats a file",
					argv[optind]);
				return EXIT_NOT_APPLICABLE;
			}
			return cmd_create_named(&o, argv[optind], argc - optind - 1, argv + optind + 1);
		}
		if (!strncmp(o.device, GROOVECTL_NAMED_DIR, strlen(GROOVECTL_NAMED_DIR)) &&
		    (o.given & OPT_DEVICE))
			return cmd_create_named(&o, o.device + strlen(GROOVECTL_NAMED_DIR),
						argc - optind, argv + optind);
		if (!(o.given & OPT_DEVICE) && !getenv("GROOVE_DEVICE")) {
			ctl_err("create: give a NAME ('groovectl create NAME key=value...' makes a named groove) or --device FILE (formats a groove file)");
			return EXIT_USAGE;
		}
		return cmd_create(&o, argc - optind, argv + optind);
	}
	if (!strcmp(cmd, "destroy")) {
		if (argc - optind != 1) {
			ctl_err("destroy: takes one groove name, e.g. 'groovectl destroy analytics'");
			return EXIT_USAGE;
		}
		return cmd_destroy(&o, argv[optind]);
	}
	if (!strcmp(cmd, "apply")) {
		if (argc - optind > 1) {
			ctl_err("apply: takes one directory at most (default %s)", GROOVECTL_CONF_DIR);
			return EXIT_USAGE;
		}
		return cmd_apply(&o, optind < argc ? argv[optind] : NULL);
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
		ctl_err("%s: unexpected argument '%s'; see 'groovectl help %s'", cmd, argv[optind], cmd);
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
	if (!strcmp(cmd, "list"))
		return cmd_list(&o);
	return cmd_fsck(&o);
}
