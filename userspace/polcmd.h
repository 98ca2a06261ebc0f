/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `xnicctl policy`: the tc policy's rules, defaults and identity of one
 * device, edited in its pinned maps (tcobj.h) while the programs keep
 * running. Every argument is parsed and turned into a struct pol_rule
 * (bpf/policy.h) before any map is touched (policy_parse(), no I/O,
 * unit-tested).
 */
#ifndef XNICCTL_POLCMD_H
#define XNICCTL_POLCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "policy.h"	/* bpf/ */

struct xerr;

enum pol_op {
	POL_OP_NONE,	/* no subcommand: only --help */
	POL_OP_ADD,
	POL_OP_DEL,
	POL_OP_LIST,
	POL_OP_DEFAULT,
	POL_OP_IDENTITY,
};

struct pol_req {
	enum pol_op op;
	bool help;
	bool json;		/* list */
	const char *dev;
	enum pol_dir dir;	/* add, del, default */
	struct pol_rule rule;	/* add */
	bool at;		/* add: `at INDEX` given */
	unsigned int index;	/* add: at INDEX; del: INDEX */
	__u8 dflt;		/* default: POL_ACT_ALLOW or POL_ACT_DENY */
	__u32 identity;		/* identity */
};

/* Parse the words after "policy". */
int policy_parse(int argc, char **argv, struct pol_req *req,
		 struct xerr *err);

/* "policy add", ...: the prefix of this command's error messages. */
const char *policy_ctx(enum pol_op op);

/* A rule's fields as `policy list` prints them ("any" for wildcards). */
#define POL_FIELD_MAX	52
void policy_format_addr(const struct pol_rule *r, bool dst,
			char buf[POL_FIELD_MAX]);
void policy_format_proto(const struct pol_rule *r, char buf[POL_FIELD_MAX]);
void policy_format_dport(const struct pol_rule *r, char buf[POL_FIELD_MAX]);

void policy_usage(FILE *out);
int policy_main(int argc, char **argv);

#endif /* XNICCTL_POLCMD_H */
