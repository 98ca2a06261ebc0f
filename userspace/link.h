/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `xnicctl link`: create, delete and list xnic pairs.
 *
 * The command line is parsed into a struct link_req first (link_parse(),
 * no I/O), then executed; a bad argument therefore never reaches the
 * kernel, and the parser is unit-tested on its own.
 */
#ifndef XNICCTL_LINK_H
#define XNICCTL_LINK_H

#include <linux/if_ether.h>
#include <stdbool.h>
#include <stdio.h>

struct nlmsghdr;
struct xerr;

enum link_op {
	LINK_NONE,	/* no subcommand yet: only `link --help` */
	LINK_ADD,
	LINK_DEL,
	LINK_SHOW,
};

struct link_req {
	enum link_op op;
	bool help;		/* print help for @op and do nothing else */
	const char *name;	/* NAME; NULL for `show` of all links */
	const char *peer;	/* add: PEER */
	const char *netns;	/* add: netns of NAME; del/show: where to look */
	const char *peer_netns;	/* add: netns of PEER */
	unsigned int queues;	/* add: 0 for the module's default */
	bool has_mac, has_peer_mac;
	unsigned char mac[ETH_ALEN], peer_mac[ETH_ALEN];
	bool json;		/* show: --json */
};

/* Parse the words after "link" into @req. */
int link_parse(int argc, char **argv, struct link_req *req, struct xerr *err);

/* "link", "link add", ...: the prefix of this command's error messages. */
const char *link_ctx(enum link_op op);

/* Help of all link subcommands, for the top-level --help. */
void link_usage(FILE *out);

/* The link kind managed: "xnic" unless the test hook overrides it. */
const char *link_kind(void);

/*
 * Build in @buf (NL_SEND_SIZE bytes) the RTM_NEWLINK creating the pair
 * described by @req; @nsfd and @peer_nsfd are netns fds, or -1.
 */
struct nlmsghdr *link_build_add(void *buf, const struct link_req *req,
				const char *kind, int nsfd, int peer_nsfd);

/* `xnicctl link ARGS...`: returns the exit status. */
int link_main(int argc, char **argv);

#endif /* XNICCTL_LINK_H */
