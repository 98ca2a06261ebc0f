/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `xnicctl prefilter` and `xnicctl arp-block`: the blocklists of the XDP
 * prefilter, edited in their pinned maps while programs keep running.
 *
 * Every argument is parsed, checked and turned into a map key before any
 * map is touched (blocklist_parse(), no I/O, unit-tested); a change that
 * fails half-way is undone, so a multi-entry add or del applies all of
 * its entries or none.
 */
#ifndef XNICCTL_BLOCKLIST_H
#define XNICCTL_BLOCKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "addr.h"
#include "pfobj.h"

struct xerr;

enum bl_kind {
	BL_PREFILTER,	/* IPv4/IPv6 sources: exact hashes and LPM tries */
	BL_ARP,		/* ARP sender addresses (ar_sip) */
};

enum bl_op {
	BL_NONE,	/* no subcommand yet: only `--help` */
	BL_ADD,
	BL_DEL,
	BL_LIST,
};

struct bl_entry {
	const char *arg;	/* as typed, for messages */
	struct prefix p;
	enum pf_map map;	/* where it goes */
};

/* The largest key: struct pf_v6_lpm_key. */
#define BL_KEY_MAX	20

struct bl_req {
	enum bl_kind kind;
	enum bl_op op;
	bool help;
	bool json;		/* list: --json */
	struct bl_entry *v;	/* add/del: the entries, in argument order */
	size_t n;
};

/* Parse the words after "prefilter"/"arp-block"; blocklist_free() after. */
int blocklist_parse(enum bl_kind kind, int argc, char **argv,
		    struct bl_req *req, struct xerr *err);
void blocklist_free(struct bl_req *req);

/* The map a prefix belongs in: a single address goes to an exact hash. */
enum pf_map blocklist_map(enum bl_kind kind, const struct prefix *p);

/* Build @p's key for @map (layouts of bpf/prefilter.h); returns its size. */
size_t blocklist_key(enum pf_map map, const struct prefix *p,
		     unsigned char key[BL_KEY_MAX]);

/* The inverse, for listing. */
void blocklist_prefix(enum pf_map map, const unsigned char *key,
		      struct prefix *p);

/* "prefilter add", ...: the prefix of this command's error messages. */
const char *blocklist_ctx(enum bl_kind kind, enum bl_op op);

/*
 * `save`: both blocklists as the prefilter and arp-block add lines that
 * fill them again. Nothing if they were never pinned. Call with
 * pin_lock() held.
 */
int blocklist_save(FILE *out, struct xerr *err);

void prefilter_usage(FILE *out);
void arp_block_usage(FILE *out);

/* `xnicctl prefilter ARGS...` and `xnicctl arp-block ARGS...`. */
int prefilter_main(int argc, char **argv);
int arp_block_main(int argc, char **argv);

#endif /* XNICCTL_BLOCKLIST_H */
