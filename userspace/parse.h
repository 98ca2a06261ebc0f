/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Validation of single argument values. Pure functions: no I/O, so they
 * are unit-tested directly (tests/cli/test_parse.c).
 */
#ifndef XNICCTL_PARSE_H
#define XNICCTL_PARSE_H

#include <linux/if_ether.h>
#include <xnic.h>

/* Bounds of `link add ... queues N`: the module's limit, from its uapi. */
#define XNIC_MIN_QUEUES 1
#define XNIC_MAX_QUEUES XNIC_MAX_CHANNELS
/* A macro's value as a string literal, for help texts that state limits. */
#define XNIC_STR_(x) #x
#define XNIC_STR(x) XNIC_STR_(x)

struct xerr;

/* An interface name the kernel's dev_valid_name() would accept. */
int parse_ifname(const char *s, struct xerr *err);

/* A netns name as `ip netns add` creates it: a file in /run/netns. */
int parse_netns_name(const char *s, struct xerr *err);

/* "aa:bb:cc:dd:ee:ff" (1 or 2 hex digits per octet), unicast, not zero. */
int parse_mac(const char *s, unsigned char mac[ETH_ALEN], struct xerr *err);

/*
 * A decimal number 0..@max written with digits only (no sign, space or
 * base prefix); -1 if @s is anything else. No message: callers say what
 * the number was for.
 */
int parse_uint(const char *s, unsigned int max, unsigned int *v);

/* A decimal queue count in XNIC_MIN_QUEUES..XNIC_MAX_QUEUES. */
int parse_queues(const char *s, unsigned int *queues, struct xerr *err);

/* The largest rate parse_rate() accepts: 100gbit, in bytes per second. */
#define XNIC_RATE_MAX	12500000000ull

/*
 * A rate as tc writes it, to bytes per second: a decimal number (with
 * up to 9 fraction digits, "1.5mbit") and a unit, required:
 * bit kbit mbit gbit (bits per second, 1000-based) or bps kbps mbps
 * gbps (bytes per second, as tc's "kbps" means kilobytes). Refused:
 * no unit, an unknown unit, 0 or less than a byte per second, more than
 * XNIC_RATE_MAX.
 */
int parse_rate(const char *s, unsigned long long *bytes_per_sec,
	       struct xerr *err);

/* A rate as a user would type it back: "20mbit", "1.5gbit", "62bps". */
#define RATE_STR_MAX	32
void format_rate(unsigned long long bytes_per_sec, char buf[RATE_STR_MAX]);
/* The same where exact, else in bytes ("2500001bps"): parse_rate() gives it back. */
void format_rate_exact(unsigned long long bytes_per_sec,
		       char buf[RATE_STR_MAX]);

/*
 * A duration with a required unit (ns us ms s), to nanoseconds, in
 * @min_ns..@max_ns: "2s", "500ms".
 */
int parse_duration(const char *s, unsigned long long min_ns,
		   unsigned long long max_ns, unsigned long long *ns,
		   struct xerr *err);

#endif /* XNICCTL_PARSE_H */
