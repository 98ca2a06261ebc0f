// SPDX-License-Identifier: GPL-2.0
/* Validation of single argument values (see parse.h). */
#include <ctype.h>
#include <limits.h>
#include <net/if.h>
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
