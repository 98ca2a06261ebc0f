// SPDX-License-Identifier: GPL-2.0
/* IPv4/IPv6 addresses and CIDR prefixes (see addr.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "parse.h"
#include "xnicctl.h"

unsigned int prefix_max_len(int family)
{
	return family == AF_INET ? 32 : 128;
}

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* Address bits past @plen, which a prefix must not have. */
static bool host_bits_set(const struct prefix *p)
{
	size_t i, len = addr_len(p->family);

	for (i = p->plen / 8; i < len; i++) {
		unsigned char mask = i == p->plen / 8 ?
				     0xff >> (p->plen % 8) : 0xff;

		if (p->addr[i] & mask)
			return true;
	}
	return false;
}

/* Clear the host bits: the prefix the user probably meant. */
static void prefix_mask(struct prefix *p)
{
	size_t i, len = addr_len(p->family);

	for (i = p->plen / 8; i < len; i++)
		p->addr[i] &= i == p->plen / 8 ? ~(0xff >> (p->plen % 8)) : 0;
}

/* Text to address, trying IPv4 first; sets p->family. */
static int parse_addr(const char *s, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, s, p->addr) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, s, p->addr) == 1)
		p->family = AF_INET6;
	else
		return -1;
	return 0;
}

int parse_prefix(const char *s, struct prefix *p, struct xerr *err)
{
	char buf[INET6_ADDRSTRLEN], want[PREFIX_STR_MAX];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	struct prefix masked;

	if (alen >= sizeof(buf))
		goto bad;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (parse_addr(buf, p))
		goto bad;
	p->plen = prefix_max_len(p->family);
	if (slash && parse_uint(slash + 1, p->plen, &p->plen))
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid prefix '%s' (length must be 0..%u)",
				s, prefix_max_len(p->family));
	if (host_bits_set(p)) {
		masked = *p;
		prefix_mask(&masked);
		prefix_format(&masked, want);
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid prefix '%s' (host bits set: did you mean %s?)",
				s, want);
	}
	return 0;
bad:
	return xerr_set(err, XNIC_EXIT_USAGE,
			"invalid prefix '%s' (expected an IPv4 or IPv6 address, optionally /LEN)",
			s);
}

int parse_ipv4(const char *s, struct prefix *p, struct xerr *err)
{
	if (parse_addr(s, p) || p->family != AF_INET)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid address '%s' (expected an IPv4 address, e.g. 192.0.2.1)",
				s);
	p->plen = 32;
	return 0;
}

bool prefix_is_host(const struct prefix *p)
{
	return p->plen == prefix_max_len(p->family);
}

bool prefix_equal(const struct prefix *a, const struct prefix *b)
{
	return !prefix_cmp(a, b);
}

int prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	int c;

	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	c = memcmp(a->addr, b->addr, addr_len(a->family));
	if (c)
		return c;
	return (a->plen > b->plen) - (a->plen < b->plen);
}

void prefix_format(const struct prefix *p, char buf[PREFIX_STR_MAX])
{
	size_t n;

	inet_ntop(p->family, p->addr, buf, PREFIX_STR_MAX);
	if (prefix_is_host(p))
		return;
	n = strlen(buf);
	snprintf(buf + n, PREFIX_STR_MAX - n, "/%u", p->plen);
}
