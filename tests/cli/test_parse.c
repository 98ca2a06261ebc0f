// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the pure argument helpers: parse.c (including rates and
 * durations), args.c, err.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "parse.h"
#include "xnicctl.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__ })
#define ARGC(...) ((int)ARRAY_SIZE(ARGV(__VA_ARGS__)))

static void bad_ifname(const char *name, const char *msg)
{
	struct xerr err;

	assert_int_equal(parse_ifname(name, &err), XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, msg);
}

static void test_ifname_valid(void **state)
{
	struct xerr err;

	(void)state;
	assert_int_equal(parse_ifname("x", &err), 0);
	assert_int_equal(parse_ifname("xnic0", &err), 0);
	assert_int_equal(parse_ifname("a-b_c.d", &err), 0);
	assert_int_equal(parse_ifname("fifteen-chars-x", &err), 0);
	assert_int_equal(parse_ifname("...", &err), 0);
}

static void test_ifname_invalid(void **state)
{
	(void)state;
	bad_ifname("", "invalid interface name '' (empty)");
	bad_ifname("sixteen-chars-xx",
		   "invalid interface name 'sixteen-chars-xx' (longer than 15 characters)");
	bad_ifname(".", "invalid interface name '.' ('.' and '..' are reserved)");
	bad_ifname("..", "invalid interface name '..' ('.' and '..' are reserved)");
	bad_ifname("a/b", "invalid interface name 'a/b' (contains '/')");
	bad_ifname("a:1", "invalid interface name 'a:1' (contains ':')");
	bad_ifname("a b", "invalid interface name 'a b' (contains whitespace)");
	bad_ifname("a\tb", "invalid interface name 'a?b' (contains whitespace)");
	bad_ifname("-a", "invalid interface name '-a' (must not start with '-')");
}

static void test_netns_name(void **state)
{
	char longname[300];
	struct xerr err;

	(void)state;
	assert_int_equal(parse_netns_name("blue", &err), 0);
	assert_int_equal(parse_netns_name("with space", &err), 0);
	assert_int_equal(parse_netns_name("", &err), XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, "invalid netns name '' (empty)");
	assert_int_equal(parse_netns_name("..", &err), XNIC_EXIT_USAGE);
	assert_int_equal(parse_netns_name("a/b", &err), XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, "invalid netns name 'a/b' (contains '/')");
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(parse_netns_name(longname, &err), XNIC_EXIT_USAGE);
}

static void test_mac_valid(void **state)
{
	static const unsigned char want[ETH_ALEN] = {
		0x02, 0x0a, 0xbc, 0x00, 0xff, 0x01 };
	unsigned char mac[ETH_ALEN];
	struct xerr err;

	(void)state;
	assert_int_equal(parse_mac("02:0a:bc:00:ff:01", mac, &err), 0);
	assert_memory_equal(mac, want, ETH_ALEN);
	assert_int_equal(parse_mac("2:A:BC:0:FF:1", mac, &err), 0);
	assert_memory_equal(mac, want, ETH_ALEN);
}

static void bad_mac(const char *s, const char *why)
{
	unsigned char mac[ETH_ALEN];
	char want[XERR_MAX];
	struct xerr err;

	snprintf(want, sizeof(want), "invalid MAC address '%s' (%s)", s, why);
	assert_int_equal(parse_mac(s, mac, &err), XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, want);
}

static void test_mac_invalid(void **state)
{
	static const char syntax[] = "expected xx:xx:xx:xx:xx:xx";

	(void)state;
	bad_mac("", syntax);
	bad_mac("02:00:00:00:00", syntax);
	bad_mac("02:00:00:00:00:00:00", syntax);
	bad_mac("02:00:00:00:00:001", syntax);
	bad_mac("02-00-00-00-00-01", syntax);
	bad_mac("02:00:00:00::01", syntax);
	bad_mac("0g:00:00:00:00:01", syntax);
	bad_mac("02:00:00:00:00:01 ", syntax);
	bad_mac("01:00:5e:00:00:01", "multicast");
	bad_mac("ff:ff:ff:ff:ff:ff", "multicast");
	bad_mac("00:00:00:00:00:00", "all zero");
}

static void test_queues(void **state)
{
	static const char *const bad[] = {
		"", "0", "17", "abc", "-1", "+2", " 2", "2 ", "0x2", "1e1",
		"99999999999999999999", "4294967297",
	};
	unsigned int q = 0;
	struct xerr err;
	char want[XERR_MAX];
	size_t i;

	(void)state;
	assert_int_equal(parse_queues("1", &q, &err), 0);
	assert_int_equal(q, 1);
	assert_int_equal(parse_queues("16", &q, &err), 0);
	assert_int_equal(q, 16);
	assert_int_equal(parse_queues("008", &q, &err), 0);
	assert_int_equal(q, 8);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(want, sizeof(want),
			 "invalid queue count '%s' (expected 1..16)", bad[i]);
		assert_int_equal(parse_queues(bad[i], &q, &err),
				 XNIC_EXIT_USAGE);
		assert_string_equal(err.msg, want);
	}
}

static void test_args_keywords(void **state)
{
	struct kwarg kw[] = { { .name = "peer" }, { .name = "queues" },
			      { .name = NULL } };
	struct args a;
	struct xerr err;

	(void)state;
	assert_int_equal(args_scan(ARGC("a", "queues", "2", "peer", "b"),
				   ARGV("a", "queues", "2", "peer", "b"),
				   kw, 1, 0, &a, &err), 0);
	assert_false(a.help);
	assert_int_equal(a.npos, 1);
	assert_string_equal(a.pos[0], "a");
	assert_string_equal(kw[0].value, "b");
	assert_string_equal(kw[1].value, "2");
}

static void scan_fails(int argc, char **argv, unsigned int opts,
		       const char *msg)
{
	struct kwarg kw[] = { { .name = "peer" }, { .name = NULL } };
	struct args a;
	struct xerr err;

	assert_int_equal(args_scan(argc, argv, kw, 1, opts, &a, &err),
			 XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, msg);
}

static void test_args_errors(void **state)
{
	(void)state;
	scan_fails(ARGC("a", "peer"), ARGV("a", "peer"), 0,
		   "missing value after 'peer'");
	scan_fails(ARGC("a", "peer", "b", "peer", "c"),
		   ARGV("a", "peer", "b", "peer", "c"), 0,
		   "duplicate keyword 'peer'");
	scan_fails(ARGC("a", "b"), ARGV("a", "b"), 0,
		   "unknown keyword 'b'");
	scan_fails(ARGC("a", "--json"), ARGV("a", "--json"), 0,
		   "unknown option '--json'");
	scan_fails(ARGC("--json", "--json"), ARGV("--json", "--json"),
		   ARG_OPT_JSON, "duplicate option '--json'");
	scan_fails(ARGC("-x"), ARGV("-x"), ARG_OPT_JSON,
		   "unknown option '-x'");
}

static void test_args_options(void **state)
{
	struct kwarg kw[] = { { .name = "peer" }, { .name = NULL } };
	struct args a;
	struct xerr err;

	(void)state;
	assert_int_equal(args_scan(ARGC("--json", "a"), ARGV("--json", "a"),
				   kw, 1, ARG_OPT_JSON, &a, &err), 0);
	assert_true(a.opts & ARG_OPT_JSON);
	assert_string_equal(a.pos[0], "a");
	/* A keyword's value may start with '-': the value check rejects it. */
	assert_int_equal(args_scan(ARGC("peer", "-1"), ARGV("peer", "-1"),
				   kw, 1, 0, &a, &err), 0);
	assert_string_equal(kw[0].value, "-1");
}

/* A keyword may look like an option ("--xdp MODE"): it takes a value. */
static void test_args_dash_keyword(void **state)
{
	struct kwarg kw[] = { { .name = "--xdp" }, { .name = NULL } };
	struct args a;
	struct xerr err;

	(void)state;
	assert_int_equal(args_scan(ARGC("a", "--xdp", "generic"),
				   ARGV("a", "--xdp", "generic"), kw, 1,
				   ARG_OPT_JSON, &a, &err), 0);
	assert_string_equal(kw[0].value, "generic");
	assert_string_equal(a.pos[0], "a");
	assert_int_equal(a.opts, 0);
}

static void test_args_help_wins(void **state)
{
	struct kwarg kw[] = { { .name = "peer" }, { .name = NULL } };
	struct args a;
	struct xerr err;

	(void)state;
	assert_int_equal(args_scan(ARGC("bogus", "x", "-h"),
				   ARGV("bogus", "x", "-h"), kw, 1, 0, &a,
				   &err), 0);
	assert_true(a.help);
	assert_true(args_want_help(ARGC("--help"), ARGV("--help")));
	assert_false(args_want_help(ARGC("--helpme"), ARGV("--helpme")));
}

static void test_xerr_one_line(void **state)
{
	struct xerr err;

	(void)state;
	assert_int_equal(xerr_set(&err, 7, "bad '%s'", "a\nb\r\x1b[0m"), 7);
	assert_string_equal(err.msg, "bad 'a?b??[0m'");
}

static unsigned long long rate_of(const char *s)
{
	unsigned long long v = 0;
	struct xerr err;

	if (parse_rate(s, &v, &err))
		fail_msg("'%s' refused: %s", s, err.msg);
	return v;
}

static void bad_rate(const char *s, const char *msg)
{
	unsigned long long v = 77;
	struct xerr err;

	assert_int_equal(parse_rate(s, &v, &err), XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, msg);
	assert_int_equal(v, 77);
}

static void test_rate_units(void **state)
{
	(void)state;
	/* Bits per second, 1000-based, to bytes per second. */
	assert_int_equal(rate_of("20mbit"), 2500000);
	assert_int_equal(rate_of("1gbit"), 125000000);
	assert_int_equal(rate_of("500kbit"), 62500);
	assert_int_equal(rate_of("8bit"), 1);
	assert_int_equal(rate_of("100bit"), 12);	/* 12.5, rounded down */
	assert_int_equal(rate_of("1.5mbit"), 187500);
	assert_int_equal(rate_of("0.5gbit"), 62500000);
	assert_int_equal(rate_of("100gbit"), XNIC_RATE_MAX);
	/* Bytes per second, as tc's kbps. */
	assert_int_equal(rate_of("1bps"), 1);
	assert_int_equal(rate_of("3kbps"), 3000);
	assert_int_equal(rate_of("2.25mbps"), 2250000);
	assert_int_equal(rate_of("12gbps"), 12000000000ull);
	assert_int_equal(rate_of("12.5gbps"), XNIC_RATE_MAX);
	assert_int_equal(rate_of("0.000000008gbit"), 1);
}

static void test_rate_invalid(void **state)
{
	(void)state;
	bad_rate("20", "invalid rate '20' (no unit: write e.g. 20mbit, or kbit, gbit, bit, kbps, mbps, gbps, bps)");
	bad_rate("1.5", "invalid rate '1.5' (no unit: write e.g. 1.5mbit, or kbit, gbit, bit, kbps, mbps, gbps, bps)");
	bad_rate("20Mbit", "invalid rate '20Mbit' (unknown unit: bit, kbit, mbit, gbit, or bytes as bps, kbps, mbps, gbps)");
	bad_rate("20mbits", "invalid rate '20mbits' (unknown unit: bit, kbit, mbit, gbit, or bytes as bps, kbps, mbps, gbps)");
	bad_rate("20 mbit", "invalid rate '20 mbit' (unknown unit: bit, kbit, mbit, gbit, or bytes as bps, kbps, mbps, gbps)");
	bad_rate("0mbit", "invalid rate '0mbit' (must be at least 8bit, one byte per second)");
	bad_rate("7bit", "invalid rate '7bit' (must be at least 8bit, one byte per second)");
	bad_rate("0.0000000001gbit", "invalid rate '0.0000000001gbit' (expected a number and a unit, e.g. 20mbit, 1.5gbit, 500kbit)");
	bad_rate("101gbit", "invalid rate '101gbit' (more than 100gbit)");
	bad_rate("100.00000001gbit", "invalid rate '100.00000001gbit' (more than 100gbit)");
	bad_rate("13gbps", "invalid rate '13gbps' (more than 100gbit)");
	bad_rate("99999999999999999999999mbit", "invalid rate '99999999999999999999999mbit' (more than 100gbit)");
	bad_rate("18446744073709551616bit", "invalid rate '18446744073709551616bit' (more than 100gbit)");
	bad_rate("", "invalid rate '' (expected a number and a unit, e.g. 20mbit, 1.5gbit, 500kbit)");
	bad_rate("mbit", "invalid rate 'mbit' (expected a number and a unit, e.g. 20mbit, 1.5gbit, 500kbit)");
	bad_rate("-5mbit", "invalid rate '-5mbit' (expected a number and a unit, e.g. 20mbit, 1.5gbit, 500kbit)");
	bad_rate("+5mbit", "invalid rate '+5mbit' (expected a number and a unit, e.g. 20mbit, 1.5gbit, 500kbit)");
	bad_rate("1.mbit", "invalid rate '1.mbit' (expected a number and a unit, e.g. 20mbit, 1.5gbit, 500kbit)");
	bad_rate(".5mbit", "invalid rate '.5mbit' (expected a number and a unit, e.g. 20mbit, 1.5gbit, 500kbit)");
	bad_rate("0x10mbit", "invalid rate '0x10mbit' (unknown unit: bit, kbit, mbit, gbit, or bytes as bps, kbps, mbps, gbps)");
}

static void test_rate_format(void **state)
{
	char buf[RATE_STR_MAX];

	(void)state;
	format_rate(2500000, buf);
	assert_string_equal(buf, "20mbit");
	format_rate(125000000, buf);
	assert_string_equal(buf, "1gbit");
	format_rate(62500, buf);
	assert_string_equal(buf, "500kbit");
	format_rate(187500, buf);
	assert_string_equal(buf, "1.500mbit");
	format_rate(12, buf);
	assert_string_equal(buf, "96bit");
	/* What it prints parses back to the same rate. */
	format_rate(2500000, buf);
	assert_int_equal(rate_of(buf), 2500000);
	format_rate(187500, buf);
	assert_int_equal(rate_of(buf), 187500);
}

static void test_duration(void **state)
{
	const unsigned long long ms = 1000000, s = 1000000000;
	unsigned long long v;
	struct xerr err;

	(void)state;
	assert_int_equal(parse_duration("2s", ms, 10 * s, &v, &err), 0);
	assert_int_equal(v, 2 * s);
	assert_int_equal(parse_duration("500ms", ms, 10 * s, &v, &err), 0);
	assert_int_equal(v, 500 * ms);
	assert_int_equal(parse_duration("1.5s", ms, 10 * s, &v, &err), 0);
	assert_int_equal(v, 1500 * ms);
	assert_int_equal(parse_duration("1000us", ms, 10 * s, &v, &err), 0);
	assert_int_equal(v, ms);
	assert_int_equal(parse_duration("2", ms, 10 * s, &v, &err), XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, "invalid duration '2' (needs a unit: s, ms, us or ns)");
	assert_int_equal(parse_duration("2m", ms, 10 * s, &v, &err), XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, "invalid duration '2m' (needs a unit: s, ms, us or ns)");
	assert_int_equal(parse_duration("11s", ms, 10 * s, &v, &err), XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, "invalid duration '11s' (expected 1ms..10s)");
	assert_int_equal(parse_duration("999us", ms, 10 * s, &v, &err), XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, "invalid duration '999us' (expected 1ms..10s)");
	assert_int_equal(parse_duration("0s", ms, 10 * s, &v, &err), XNIC_EXIT_USAGE);
	assert_int_equal(parse_duration("s", ms, 10 * s, &v, &err), XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, "invalid duration 's' (expected a number and a unit, e.g. 2s or 500ms)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ifname_valid),
		cmocka_unit_test(test_ifname_invalid),
		cmocka_unit_test(test_netns_name),
		cmocka_unit_test(test_mac_valid),
		cmocka_unit_test(test_mac_invalid),
		cmocka_unit_test(test_queues),
		cmocka_unit_test(test_args_keywords),
		cmocka_unit_test(test_args_errors),
		cmocka_unit_test(test_args_options),
		cmocka_unit_test(test_args_dash_keyword),
		cmocka_unit_test(test_args_help_wins),
		cmocka_unit_test(test_xerr_one_line),
		cmocka_unit_test(test_rate_units),
		cmocka_unit_test(test_rate_invalid),
		cmocka_unit_test(test_rate_format),
		cmocka_unit_test(test_duration),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
