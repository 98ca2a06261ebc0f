/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `xnicctl redirect`: the tc policy's redirect lists of one device
 * (struct pol_redirect in bpf/policy.h), edited in its pinned maps
 * (tcobj.h) while the programs keep running, with the list discipline
 * and match parser of `xnicctl policy` (polcmd.h). Why a separate
 * command and list: a redirect is not a verdict. The policy decides
 * first; only what it allows is then tried against the redirects, so a
 * redirect never lets a denied packet through.
 *
 * redirect_parse() turns the words into a struct redir_req with no I/O
 * (unit-tested); the target's name is resolved to an ifindex only when
 * the command runs, in xnicctl's network namespace (the one DEV is in).
 */
#ifndef XNICCTL_REDIRCMD_H
#define XNICCTL_REDIRCMD_H

#include <stdbool.h>
#include <stdio.h>

#include "policy.h"	/* bpf/ */

struct xerr;

enum redir_op {
	REDIR_OP_NONE,	/* no subcommand: only --help */
	REDIR_OP_ADD,
	REDIR_OP_DEL,
	REDIR_OP_LIST,
};

struct redir_req {
	enum redir_op op;
	bool help;
	bool json;		/* list */
	const char *dev;	/* list: NULL for every device */
	enum pol_dir dir;	/* add, del */
	struct pol_redirect redir;	/* add: match.action is the mode;
					 * ifindex is set when it runs */
	const char *target;	/* add: the `to` interface */
	bool at;		/* add: `at INDEX` given */
	unsigned int index;	/* add: at INDEX; del: INDEX */
};

/* Parse the words after "redirect". */
int redirect_parse(int argc, char **argv, struct redir_req *req,
		   struct xerr *err);

/* "redirect add", ...: the prefix of this command's error messages. */
const char *redirect_ctx(enum redir_op op);

/* "egress", "ingress", "peer"; "?" for anything else. */
const char *redirect_mode_name(__u8 mode);

/*
 * `save`: DEV's redirects as the redirect add lines that make them again
 * (nothing if DEV has no policy). Takes pin_lock() shared.
 */
int redirect_save(const char *dev, FILE *out, struct xerr *err);

void redirect_usage(FILE *out);
int redirect_main(int argc, char **argv);

#endif /* XNICCTL_REDIRCMD_H */
