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

#include "args.h"
#include "attach.h"
#include "batch.h"
#include "blocklist.h"
#include "limit.h"
#include "link.h"
#include "monitor.h"
#include "pfobj.h"
#include "polcmd.h"
#include "redircmd.h"
#include "service_cmd.h"
#include "stats.h"
#include "status.h"
#include "xnicctl.h"

static int batch_cmd(int argc, char **argv);

static const struct {
	const char *name;
	int (*main)(int argc, char **argv);
	void (*usage)(FILE *out);
} groups[] = {
	{ "link", link_main, link_usage },
	{ "attach", attach_main, attach_usage },
	{ "detach", detach_main, detach_usage },
	{ "prefilter", prefilter_main, prefilter_usage },
	{ "arp-block", arp_block_main, arp_block_usage },
	{ "policy", policy_main, policy_usage },
	{ "stats", stats_main, stats_usage },
	{ "status", status_main, status_usage },
	{ "service", service_main, service_usage },
	{ "monitor", monitor_main, monitor_usage },
	{ "redirect", redirect_main, redirect_usage },
	{ "limit", limit_main, limit_usage },
	{ "batch", batch_cmd, batch_usage },
};

/* @argv[0] is the command's name: its exit status, its error printed. */
static int run_command(int argc, char **argv)
{
	struct xerr err;
	size_t i;

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

	fputs("Usage: xnicctl [-h | --help | --version]\n"
	      "       xnicctl [-v] COMMAND [SUBCOMMAND] [ARGS...] [-h | --help]\n"
	      "\n"
	      "Control xnic virtual NIC pairs (rtnetlink link kind \"xnic\") and\n"
	      "the XDP prefilter and tc policy (libbpf; state pinned under\n"
	      "/sys/fs/bpf/xnic).\n"
	      "-h or --help anywhere after a command shows that command's help.\n"
	      "-v (or XNICCTL_DEBUG=1 in the environment) shows libbpf's log.\n"
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

int main(int argc, char **argv)
{
	const char *debug = getenv("XNICCTL_DEBUG");
	bool verbose = debug && *debug && strcmp(debug, "0");
	struct xerr err;

	if (argc >= 2 && (!strcmp(argv[1], "-v") ||
			  !strcmp(argv[1], "--verbose"))) {
		verbose = true;
		argc--;
		argv++;
	}
	pfobj_log(verbose);
	if (argc < 2) {
		xerr_set(&err, XNIC_EXIT_USAGE,
			 "missing command (try 'xnicctl --help')");
		xerr_print(NULL, &err);
		return XNIC_EXIT_USAGE;
	}
	if (args_want_help(1, argv + 1)) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("xnicctl %s\n", XNICCTL_VERSION);
		return 0;
	}
	return run_command(argc - 1, argv + 1);
}
