/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `link show` reports about one link: decoded from an RTM_NEWLINK
 * message, printed as a table row or a JSON object. No I/O besides the
 * output stream, so it is unit-tested with hand-built messages.
 */
#ifndef XNICCTL_LINKINFO_H
#define XNICCTL_LINKINFO_H

#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>

struct nlmsghdr;
struct json;

/* The kernel's MAX_ADDR_LEN: the longest hardware address. */
#define LINK_ADDR_MAX 32

struct link_info {
	char name[IFNAMSIZ];
	char kind[32];			/* IFLA_INFO_KIND, "" if none */
	int ifindex;
	bool up;			/* IFF_UP: administrative state */
	bool has_carrier, carrier;	/* IFLA_CARRIER */
	unsigned int mtu;
	unsigned char addr[LINK_ADDR_MAX];
	unsigned int addr_len;		/* 0 if no IFLA_ADDRESS */
	bool has_peer;			/* IFLA_LINK: the peer's ifindex */
	unsigned int peer_ifindex;
	bool has_peer_nsid;		/* IFLA_LINK_NETNSID: peer elsewhere */
	int peer_nsid;
	unsigned int txq, rxq;		/* 0 if not reported */
};

/* Decode an RTM_NEWLINK message; -1 if it is not a well-formed one. */
int link_info_parse(const struct nlmsghdr *nlh, struct link_info *li);

void link_info_print_header(FILE *out);
void link_info_print_row(FILE *out, const struct link_info *li);
void link_info_print_json(struct json *j, const struct link_info *li);

#endif /* XNICCTL_LINKINFO_H */
