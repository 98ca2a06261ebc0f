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

struct json;
struct kwarg;
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

/* All of them, and as the JSON members `policy list --json` has. */
struct pol_match_text {
	const char *family;	/* "ipv4", "ipv6", "?" */
	char src[POL_FIELD_MAX], dst[POL_FIELD_MAX];
	char proto[POL_FIELD_MAX], dport[POL_FIELD_MAX];
};
void policy_match_text(const struct pol_rule *r, struct pol_match_text *t);
/* The rule's match as the words 'policy add' takes: " family ipv4 src ...". */
void policy_match_words(FILE *out, const struct pol_rule *r);
/* family, src, dst, proto, dport, dport_lo, dport_hi */
void policy_match_json(struct json *j, const struct pol_rule *r,
		       const struct pol_match_text *t);

/*
 * The match keywords a rule (and a redirect) takes, in this order at
 * the start of a struct kwarg array: POL_KWARGS fills them in.
 */
enum {
	POL_KW_AT,
	POL_KW_SRC,
	POL_KW_DST,
	POL_KW_PROTO,
	POL_KW_DPORT,
	POL_KW_FAMILY,
	POL_KW_COUNT,
};

#define POL_KWARGS							\
	[POL_KW_AT] = { .name = "at" },					\
	[POL_KW_SRC] = { .name = "src" },				\
	[POL_KW_DST] = { .name = "dst" },				\
	[POL_KW_PROTO] = { .name = "proto" },				\
	[POL_KW_DPORT] = { .name = "dport" },				\
	[POL_KW_FAMILY] = { .name = "family" }

/*
 * The match fields of @kw (src, dst, proto, dport, family) into @r:
 * family, prefixes, protocol and port range; r->action is left alone.
 */
int policy_parse_match(const struct kwarg *kw, struct pol_rule *r,
		       struct xerr *err);
/* "ingress" or "egress"; a list index 0..POL_MAX_RULES - 1. */
int policy_parse_dir(const char *s, enum pol_dir *dir, struct xerr *err);
int policy_parse_index(const char *s, unsigned int *index, struct xerr *err);

/*
 * One of DEV's ordered lists in one direction, the rules or the
 * redirects: an array map (POL_KEY(dir, i)) whose entries end at the
 * first one with a zero first byte (action, mode), and a per-CPU map of
 * counters that move with them. Edited in place while the programs read
 * it (see pol_list_edit()).
 */
struct pol_list_maps {
	int fd, stats_fd;
	const char *noun;		/* "rule", "redirect" */
	size_t stat_size;		/* of one CPU's counters */
	const char *read_what, *write_what, *stats_what;  /* errors */
};

union pol_entry {
	unsigned char b[sizeof(struct pol_redirect)];
	struct pol_rule rule;
	struct pol_redirect redirect;
};

struct pol_list {
	union pol_entry e[POL_MAX_RULES];
	unsigned int n;		/* entries before the first END */
	bool end_clear;		/* slot n + 1 is END too, or n + 1 == max */
};

/* The rules' or the redirects' maps among DEV's open maps @fd (tcobj.h). */
const struct pol_list_maps *pol_list_maps(const int *fd, bool redirects);

int pol_list_read(const struct pol_list_maps *m, enum pol_dir dir,
		  struct pol_list *l, struct xerr *err);

struct pol_list_op {
	bool del;		/* else insert */
	bool at;		/* insert at index, else at the end */
	unsigned int index;
	const void *entry;	/* insert: the new entry */
};

/*
 * Insert or delete one entry, counters moving with the entries; prints
 * what was done. An index past the end, a full list or an absent entry
 * is refused (XNIC_EXIT_SYSTEM) with nothing changed.
 */
int pol_list_edit(const struct pol_list_maps *m, const char *dev,
		  enum pol_dir dir, const struct pol_list_op *op,
		  struct xerr *err);

/*
 * `save`: DEV's identity, defaults and rules as the policy lines that
 * set them again (nothing if DEV has no policy). Takes pin_lock() shared.
 */
int policy_save(const char *dev, FILE *out, struct xerr *err);

/*
 * With the pin lock held (exclusive if @write), DEV's policy maps open
 * (created first if there are none and @create: DEV must exist), call
 * @fn(fd, @req, @err), close, unlock. Returns its exit status; the
 * message, if any, stays in @err.
 */
int policy_with_maps(const char *dev, bool write, bool create,
		     int (*fn)(const int *fd, const void *req,
			       struct xerr *err),
		     const void *req, struct xerr *err);

void policy_usage(FILE *out);
int policy_main(int argc, char **argv);

#endif /* XNICCTL_POLCMD_H */
