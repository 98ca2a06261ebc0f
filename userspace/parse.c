// SPDX-License-Identifier: GPL-2.0
/* Validation of single argument values (see parse.h). */
#include <ctype.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "xnicctl.h"

int parse_ifname(const char *s, struct xerr *err)
{
	const char *why = NULL;
	const char *p;

	if (!*s)
		why = "empty";
	else if (strlen(s) >= IFNAMSIZ)
		why = "longer than 15 characters";
	else if (!strcmp(s, ".") || !strcmp(s, ".."))
		why = "'.' and '..' are reserved";
	else if (*s == '-')
		why = "must not start with '-'";
	for (p = s; !why && *p; p++) {
		if (*p == '/' || *p == ':')
			why = *p == '/' ? "contains '/'" : "contains ':'";
		else if (isspace((unsigned char)*p))
			why = "contains whitespace";
	}
	if (why)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid interface name '%s' (%s)", s, why);
	return 0;
}

int parse_netns_name(const char *s, struct xerr *err)
{
	const char *why = NULL;

	if (!*s)
		why = "empty";
	else if (strlen(s) > NAME_MAX)
		why = "too long";
	else if (!strcmp(s, ".") || !strcmp(s, ".."))
		why = "'.' and '..' are reserved";
	else if (strchr(s, '/'))
		why = "contains '/'";
	if (why)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid netns name '%s' (%s)", s, why);
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int parse_mac(const char *s, unsigned char mac[ETH_ALEN], struct xerr *err)
{
	const char *p = s;
	int i, digits, v, d;

	for (i = 0; i < ETH_ALEN; i++) {
		if (i && *p++ != ':')
			goto bad;
		for (v = 0, digits = 0; digits < 2 && (d = hexval(*p)) >= 0;
		     digits++, p++)
			v = v * 16 + d;
		if (!digits)
			goto bad;
		mac[i] = v;
	}
	if (*p)
		goto bad;
	if (mac[0] & 1)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid MAC address '%s' (multicast)", s);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid MAC address '%s' (all zero)", s);
	return 0;
bad:
	return xerr_set(err, XNIC_EXIT_USAGE,
			"invalid MAC address '%s' (expected xx:xx:xx:xx:xx:xx)",
			s);
}

int parse_uint(const char *s, unsigned int max, unsigned int *v)
{
	unsigned int n = 0;
	const char *p;

	/* Digits only: strtoul() would accept " 2", "+2", "-2" and "0x2". */
	for (p = s; *p >= '0' && *p <= '9' && n <= max; p++)
		n = n * 10 + (*p - '0');
	if (!*s || *p || n > max)
		return -1;
	*v = n;
	return 0;
}

int parse_queues(const char *s, unsigned int *queues, struct xerr *err)
{
	unsigned int v;

	if (parse_uint(s, XNIC_MAX_QUEUES, &v) || v < XNIC_MIN_QUEUES)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid queue count '%s' (expected %d..%d)",
				s, XNIC_MIN_QUEUES, XNIC_MAX_QUEUES);
	*queues = v;
	return 0;
}

/*
 * A decimal "I[.F]" followed by a unit from @units (scaled by its
 * factor): the value times the factor, exactly, rounded down; -1 for a
 * syntax error, -2 for an unknown or missing unit, -3 above @max.
 */
struct unit {
	const char *name;
	unsigned long long mult;
	unsigned long long div;
};

static int parse_scaled(const char *s, const struct unit *units,
			unsigned long long max, unsigned long long *out)
{
	unsigned long long ip = 0, fp = 0, fden = 1, v;
	const struct unit *u;
	const char *p = s;
	int digits = 0;

	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (ip > (ULLONG_MAX - 9) / 10)
			return -3;
		ip = ip * 10 + (*p - '0');
	}
	if (!digits)
		return -1;		/* ".5", "-1", "mbit" */
	if (*p == '.') {
		p++;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (fden >= 1000000000ull)
				return -1;	/* more than 9 fraction digits */
			fp = fp * 10 + (*p - '0');
			fden *= 10;
		}
		if (fden == 1)
			return -1;		/* "1." */
	}
	for (u = units; u->name && strcmp(p, u->name); u++)
		;
	if (!u->name)
		return -2;
	/* ip * mult / div + fp * mult / (div * fden), without overflow */
	if (ip > max / u->mult * u->div + u->div)
		return -3;
	v = ip * u->mult / u->div;
	/* fp < fden <= 10^9 and mult <= 10^9: the product needs 128 bits */
	v += (unsigned long long)((unsigned __int128)fp * u->mult /
				  ((unsigned __int128)u->div * fden));
	if (v > max)
		return -3;
	*out = v;
	return 0;
}

static const struct unit rate_units[] = {
	{ "bit", 1, 8 },
	{ "kbit", 1000, 8 },
	{ "mbit", 1000000, 8 },
	{ "gbit", 1000000000, 8 },
	{ "bps", 1, 1 },
	{ "kbps", 1000, 1 },
	{ "mbps", 1000000, 1 },
	{ "gbps", 1000000000, 1 },
	{ NULL, 0, 0 },
};

int parse_rate(const char *s, unsigned long long *bytes_per_sec,
	       struct xerr *err)
{
	unsigned long long v = 0;
	int e = parse_scaled(s, rate_units, XNIC_RATE_MAX, &v);

	if (e == -2 && *s && strspn(s, "0123456789.") == strlen(s))
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid rate '%s' (no unit: write e.g. %smbit, or kbit, gbit, bit, kbps, mbps, gbps, bps)",
				s, s);
	if (e == -2)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid rate '%s' (unknown unit: bit, kbit, mbit, gbit, or bytes as bps, kbps, mbps, gbps)",
				s);
	if (e == -3)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid rate '%s' (more than 100gbit)", s);
	if (e)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid rate '%s' (expected a number and a unit, e.g. 20mbit, 1.5gbit, 500kbit)",
				s);
	if (!v)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid rate '%s' (must be at least 8bit, one byte per second)",
				s);
	*bytes_per_sec = v;
	return 0;
}

void format_rate(unsigned long long bps, char buf[RATE_STR_MAX])
{
	static const struct { const char *name; unsigned long long bits; } u[] = {
		{ "gbit", 1000000000ull }, { "mbit", 1000000ull },
		{ "kbit", 1000ull },
	};
	unsigned long long bits = bps * 8;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(u); i++) {
		if (bits < u[i].bits)
			continue;
		if (bits % u[i].bits == 0)
			snprintf(buf, RATE_STR_MAX, "%llu%s", bits / u[i].bits,
				 u[i].name);
		else
			snprintf(buf, RATE_STR_MAX, "%.3f%s",
				 (double)bits / u[i].bits, u[i].name);
		return;
	}
	snprintf(buf, RATE_STR_MAX, "%llubit", bits);
}

void format_rate_exact(unsigned long long bps, char buf[RATE_STR_MAX])
{
	format_rate(bps, buf);
	if (strchr(buf, '.'))
		snprintf(buf, RATE_STR_MAX, "%llubps", bps);
}

static const struct unit time_units[] = {
	{ "ns", 1, 1 },
	{ "us", 1000, 1 },
	{ "ms", 1000000, 1 },
	{ "s", 1000000000, 1 },
	{ NULL, 0, 0 },
};

int parse_duration(const char *s, unsigned long long min_ns,
		   unsigned long long max_ns, unsigned long long *ns,
		   struct xerr *err)
{
	unsigned long long v = 0;
	int e = parse_scaled(s, time_units, max_ns, &v);

	if (e == -2)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid duration '%s' (needs a unit: s, ms, us or ns)",
				s);
	if (e == -1)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid duration '%s' (expected a number and a unit, e.g. 2s or 500ms)",
				s);
	if (e == -3 || v < min_ns)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid duration '%s' (expected %llums..%llus)",
				s, min_ns / 1000000, max_ns / 1000000000);
	*ns = v;
	return 0;
}
