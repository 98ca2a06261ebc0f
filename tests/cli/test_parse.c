// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the pure argument helpers: parse.c, args.c, err.c. */
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
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
