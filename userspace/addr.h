/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IPv4/IPv6 addresses and CIDR prefixes as the blocklist commands take
 * them. Pure functions: no I/O, unit-tested in tests/cli/test_addr.c.
 */
#ifndef XNICCTL_ADDR_H
#define XNICCTL_ADDR_H

#include <stdbool.h>
#include <stddef.h>

struct xerr;

/* "ffff:...:255.255.255.255/128" plus the terminating NUL. */
#define PREFIX_STR_MAX	52

struct prefix {
	int family;		/* AF_INET or AF_INET6 */
	unsigned int plen;	/* 0..32 or 0..128 */
	unsigned char addr[16];	/* network order; IPv4 uses the first 4 */
};

/* Bits in an address of @family: 32 or 128. */
unsigned int prefix_max_len(int family);

/*
 * "ADDR" or "ADDR/LEN", IPv4 (dotted quad) or IPv6 (any RFC 4291 text
 * form). A bare address is a full-length prefix. LEN is decimal, 0 up to
 * the family's length; the address must have no bit set past LEN (as
 * `ip route` insists), so "10.0.0.1/8" is refused, not silently masked.
 */
int parse_prefix(const char *s, struct prefix *p, struct xerr *err);

/* A bare IPv4 address (an ARP sender): no prefix length, no IPv6. */
int parse_ipv4(const char *s, struct prefix *p, struct xerr *err);

/* True if @p names one address (/32, /128). */
bool prefix_is_host(const struct prefix *p);

/* Same family, length and address. */
bool prefix_equal(const struct prefix *a, const struct prefix *b);

/* qsort() order: IPv4 first, then by address, then shorter first. */
int prefix_cmp(const struct prefix *a, const struct prefix *b);

/* Canonical text: a host prefix prints as its bare address. */
void prefix_format(const struct prefix *p, char buf[PREFIX_STR_MAX]);

#endif /* XNICCTL_ADDR_H */
