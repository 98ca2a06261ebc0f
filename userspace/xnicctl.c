// SPDX-License-Identifier: GPL-2.0
/*
 * xnicctl: control tool for xnic virtual NIC pairs and their datapath.
 * main() dispatches to one command group per file (link.c, attach.c,
 * blocklist.c, polcmd.c, stats.c, status.c, ...); each group parses its words
 * into a request before doing any I/O. batch.c runs many through run_command().
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "args.h"
#include "attach.h"
#include "batch.h"
#include "blocklist.h"
#include "grammar.h"
#include "limit.h"
#include "link.h"
#include "monitor.h"
#include "pfobj.h"
#include "polcmd.h"
#include "redircmd.h"
#include "save.h"
#include "service_cmd.h"
#include "stats.h"
#include "status.h"
#include "xnicctl.h"

static int batch_cmd(int argc, char **argv);
static void usage(FILE *out);

/* The subcommand words of each command, for grammar_resolve(). */
static const struct cmd_word edit_list[] = {
	CMD_WORD("add"), CMD_WORD("del"), CMD_WORD("list"), { .name = NULL }
};

static const struct cmd_word limit_target[] = {
	CMD_WORD("dev"), CMD_WORD("cgroup"), { .name = NULL }
};

static const struct {
	const char *name;
	int (*main)(int argc, char **argv);
	void (*usage)(FILE *out);
	const struct cmd_word *sub;
} groups[] = {
	{ "link", link_main, link_usage,
	  CMD_WORDS(CMD_WORD("add"), CMD_WORD("del"), CMD_WORD("show")) },
	{ "attach", attach_main, attach_usage, NULL },
	{ "detach", detach_main, detach_usage, NULL },
	{ "prefilter", prefilter_main, prefilter_usage, edit_list },
	{ "arp-block", arp_block_main, arp_block_usage, edit_list },
	{ "policy", policy_main, policy_usage,
	  CMD_WORDS(CMD_WORD("add"), CMD_WORD("del"), CMD_WORD("list"),
		    CMD_WORD("default"), CMD_WORD("identity")) },
	{ "stats", stats_main, stats_usage, NULL },
	{ "status", status_main, status_usage, NULL },
	{ "service", service_main, service_usage,
	  CMD_WORDS(CMD_WORD("attach"), CMD_WORD("detach"), CMD_WORD("add"),
		    CMD_WORD("del"),
		    CMD_NEST("backend",
			     CMD_WORDS(CMD_WORD("add"), CMD_WORD("del"))),
		    CMD_WORD("list"),
		    CMD_NEST("nodeport",
			     CMD_WORDS(CMD_WORD("attach"), CMD_WORD("detach"),
				       CMD_WORD("show")))) },
	{ "monitor", monitor_main, monitor_usage,
	  CMD_WORDS(CMD_WORD("limit")) },
	{ "redirect", redirect_main, redirect_usage, edit_list },
	{ "limit", limit_main, limit_usage,
	  CMD_WORDS(CMD_NEST("add", limit_target),
		    CMD_NEST("del", limit_target), CMD_WORD("list")) },
	{ "save", save_main, save_usage, NULL },
	{ "batch", batch_cmd, batch_usage, NULL },
};

/* The commands as grammar.c walks them. */
static const struct cmd_word *commands(void)
{
	static struct cmd_word words[ARRAY_SIZE(groups) + 1];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(groups); i++) {
		words[i].name = groups[i].name;
		words[i].sub = groups[i].sub;
	}
	return words;
}

/*
 * @argv[0] is the command's name, or a prefix of it: its exit status,
 * its error printed.
 */
static int run_command(int argc, char **argv)
{
	struct xerr err;
	size_t i;
	int ret;

	ret = grammar_resolve(argc, argv, commands(), &err);
	if (ret) {
		xerr_print(NULL, &err);
		return ret;
	}
	if (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(groups); i++)
		if (!strcmp(argv[0], groups[i].name))
			return groups[i].main(argc - 1, argv + 1);

	xerr_set(&err, XNIC_EXIT_USAGE, "%s '%s' (try 'xnicctl --help')",
		 argv[0][0] == '-' ? "unknown option" : "unknown command",
		 argv[0]);
	xerr_print(NULL, &err);
	return XNIC_EXIT_USAGE;
}

static int batch_cmd(int argc, char **argv)
{
	return batch_main(argc, argv, run_command);
}

static void usage(FILE *out)
{
	size_t i;

	fputs("Usage: xnicctl [-h | --help | --version | --complete WORD...]\n"
	      "       xnicctl [OPTIONS] COMMAND [SUBCOMMAND] [ARGS...] [-h | --help]\n"
	      "\n"
	      "Control xnic virtual NIC pairs (rtnetlink link kind \"xnic\") and\n"
	      "the XDP prefilter and tc policy (libbpf; state pinned under\n"
	      "/sys/fs/bpf/xnic).\n"
	      "\n"
	      "OPTIONS (also accepted after the command, as --json is):\n"
	      "  -j, --json     JSON output, for the commands that print some\n"
	      "  -p, --pretty   JSON output, indented\n"
	      "  -v, --verbose  libbpf's log (so does XNICCTL_DEBUG=1)\n"
	      "\n"
	      "Commands and subcommands may be shortened to any prefix that\n"
	      "names one word only ('xnicctl lin sh'); 'show' and 'list' are the\n"
	      "same subcommand. 'help' in a subcommand's place, or -h or --help\n"
	      "anywhere after a command, shows that command's help.\n"
	      "\n"
	      "--complete WORD... prints the commands or subcommands that may\n"
	      "take the place of the last WORD, one a line (for bash completion).\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (i = 0; i < ARRAY_SIZE(groups); i++)
		groups[i].usage(out);
	fputs("\n"
	      "Exit status:\n"
	      "  0  success\n"
	      "  1  bad command line (unknown command, keyword or option, missing\n"
	      "     or invalid value, unknown netns): nothing was changed\n"
	      "  2  the kernel refused the request, or a system call failed\n"
	      "     (including a full map or rule list, an absent entry or\n"
	      "     rule to delete, an index past the end of a rule list)\n"
	      "  3  permission denied (needs CAP_NET_ADMIN: run as root)\n"
	      "  4  the xnic kernel module is not loaded (modprobe xnic)\n"
	      "  5  no such xnic link (NAME is missing or of another kind), no\n"
	      "     such interface, or no counters or policy for it\n"
	      "  6  the device's XDP hook is held by a program xnicctl did not\n"
	      "     attach (or by the prefilter in the other mode), the tc\n"
	      "     filter at xnicctl's handle and priority is another tool's,\n"
	      "     or the service links are on another cgroup: nothing was\n"
	      "     changed\n"
	      "  7  no BPF filesystem mounted at /sys/fs/bpf\n"
	      "Every error is reported as one line on standard error, with the\n"
	      "kernel's own message when it sent one.\n",
	      out);
}

static void version(void)
{
	printf("xnicctl %s (libbpf %s)\n", XNICCTL_VERSION,
	       libbpf_version_string());
}

int main(int argc, char **argv)
{
	const char *debug = getenv("XNICCTL_DEBUG");
	bool verbose = debug && *debug && strcmp(debug, "0");
	struct xerr err;
	int i;

	/* Options before the command, where ip -j and bpftool -p take them. */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *opt = argv[i];

		if (!strcmp(opt, "-v") || !strcmp(opt, "--verbose")) {
			verbose = true;
		} else if (!strcmp(opt, "-j") || !strcmp(opt, "--json")) {
			args_global_json(false);
		} else if (!strcmp(opt, "-p") || !strcmp(opt, "--pretty")) {
			args_global_json(true);
		} else if (!strcmp(opt, "-h") || !strcmp(opt, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(opt, "--version")) {
			version();
			return 0;
		} else if (!strcmp(opt, "--complete")) {
			/* The bash completion's question (see completion/). */
			for (i++; i < argc - 1 && argv[i][0] == '-'; i++)
				;
			if (i < argc)
				grammar_complete(argc - i, argv + i,
						 commands(), stdout);
			return 0;
		} else {
			break;	/* an unknown option: run_command() names it */
		}
	}
	pfobj_log(verbose);
	if (i >= argc) {
		xerr_set(&err, XNIC_EXIT_USAGE,
			 "missing command (try 'xnicctl --help')");
		xerr_print(NULL, &err);
		return XNIC_EXIT_USAGE;
	}
	return run_command(argc - i, argv + i);
}
