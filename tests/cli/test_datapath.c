// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the datapath commands' parsers: prefilter, arp-block
 * (userspace/blocklist.c: arguments, the map each entry goes to and its
 * key layout), attach/detach (attach.c) and stats (stats.c). Pure:
 * nothing here touches a map or a device.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include "attach.h"
#include "blocklist.h"
#include "prefilter.h"
#include "stats.h"
#include "xnicctl.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__ })
#define ARGC(...) ((int)ARRAY_SIZE(ARGV(__VA_ARGS__)))
#define BL(kind, ...) bl_parse(kind, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))
#define BL_BAD(kind, msg, ...) \
	bl_bad(kind, msg, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static struct bl_req req;

static void bl_parse(enum bl_kind kind, int argc, char **argv)
{
	struct xerr err;

	blocklist_free(&req);
	if (blocklist_parse(kind, argc, argv, &req, &err))
		fail_msg("refused: %s", err.msg);
}

static void bl_bad(enum bl_kind kind, const char *msg, int argc, char **argv)
{
	struct xerr err;

	blocklist_free(&req);
	assert_int_equal(blocklist_parse(kind, argc, argv, &req, &err),
			 XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, msg);
}

static int teardown(void **state)
{
	(void)state;
	blocklist_free(&req);
	return 0;
}

static void test_prefilter_add(void **state)
{
	(void)state;
	BL(BL_PREFILTER, "add", "10.0.0.0/8", "192.0.2.1", "2001:db8::/32",
	   "2001:db8::1");
	assert_int_equal(req.op, BL_ADD);
	assert_int_equal(req.n, 4);
	assert_int_equal(req.v[0].map, PF_MAP_V4_LPM);
	assert_int_equal(req.v[1].map, PF_MAP_V4_EXACT);
	assert_int_equal(req.v[2].map, PF_MAP_V6_LPM);
	assert_int_equal(req.v[3].map, PF_MAP_V6_EXACT);
	assert_string_equal(req.v[2].arg, "2001:db8::/32");
	BL(BL_PREFILTER, "del", "0.0.0.0/0");
	assert_int_equal(req.op, BL_DEL);
	assert_int_equal(req.n, 1);
}

/* One bad word anywhere refuses the whole command. */
static void test_prefilter_bad(void **state)
{
	(void)state;
	BL_BAD(BL_PREFILTER, "missing PREFIX", "add");
	BL_BAD(BL_PREFILTER,
	       "invalid prefix '10.0.0.1/8' (host bits set: did you mean 10.0.0.0/8?)",
	       "add", "192.0.2.1", "10.0.0.1/8");
	BL_BAD(BL_PREFILTER,
	       "invalid prefix '192.0.2.0/33' (length must be 0..32)",
	       "del", "192.0.2.0/33", "192.0.2.1");
	BL_BAD(BL_PREFILTER,
	       "invalid prefix 'bogus' (expected an IPv4 or IPv6 address, optionally /LEN)",
	       "add", "192.0.2.1", "bogus");
	BL_BAD(BL_PREFILTER, "unknown option '--json'", "add", "--json");
	BL_BAD(BL_PREFILTER, "unknown subcommand 'show' (try 'xnicctl prefilter --help')",
	       "show");
	BL_BAD(BL_PREFILTER, "unknown keyword '192.0.2.1'", "list",
	       "192.0.2.1");
	assert_string_equal(blocklist_ctx(BL_PREFILTER, BL_ADD),
			    "prefilter add");
	assert_string_equal(blocklist_ctx(BL_ARP, BL_NONE), "arp-block");
}

static void test_duplicates(void **state)
{
	(void)state;
	BL_BAD(BL_PREFILTER, "duplicate entry '192.0.2.1'",
	       "add", "192.0.2.1", "10.0.0.0/8", "192.0.2.1");
	BL_BAD(BL_PREFILTER, "duplicate entry '192.0.2.1/32' (same as '192.0.2.1')",
	       "add", "192.0.2.1", "192.0.2.1/32");
	BL_BAD(BL_PREFILTER, "duplicate entry '0::1' (same as '::1')",
	       "del", "::1", "0::1");
	BL_BAD(BL_PREFILTER,
	       "duplicate entry '2001:DB8::/32' (same as '2001:db8:0::/32')",
	       "add", "2001:db8:0::/32", "2001:DB8::/32");
	/* Same address, other length: two entries. */
	BL(BL_PREFILTER, "add", "10.0.0.0/8", "10.0.0.0/16", "10.0.0.0");
	assert_int_equal(req.n, 3);
}

static void test_arp(void **state)
{
	(void)state;
	BL(BL_ARP, "add", "192.0.2.7", "192.0.2.8");
	assert_int_equal(req.n, 2);
	assert_int_equal(req.v[0].map, PF_MAP_ARP);
	assert_int_equal(req.v[1].map, PF_MAP_ARP);
	BL_BAD(BL_ARP, "missing ADDR", "del");
	BL_BAD(BL_ARP,
	       "invalid address '192.0.2.0/24' (expected an IPv4 address, e.g. 192.0.2.1)",
	       "add", "192.0.2.0/24");
	BL_BAD(BL_ARP,
	       "invalid address '2001:db8::1' (expected an IPv4 address, e.g. 192.0.2.1)",
	       "add", "192.0.2.7", "2001:db8::1");
	BL_BAD(BL_ARP, "duplicate entry '192.0.2.7'", "add", "192.0.2.7",
	       "192.0.2.7");
}

static void test_list_and_help(void **state)
{
	(void)state;
	BL(BL_ARP, "list");
	assert_int_equal(req.op, BL_LIST);
	assert_false(req.json);
	BL(BL_PREFILTER, "list", "--json");
	assert_true(req.json);
	BL(BL_PREFILTER, "add", "bogus", "--help");
	assert_true(req.help);
	assert_int_equal(req.op, BL_ADD);
	bl_bad(BL_PREFILTER, "missing subcommand (try 'xnicctl prefilter --help')",
	       0, NULL);
}

/* Single addresses to the hashes, shorter prefixes to the tries. */
static void test_maps(void **state)
{
	static const struct {
		const char *s;
		enum pf_map map;
	} cases[] = {
		{ "192.0.2.1", PF_MAP_V4_EXACT },
		{ "192.0.2.1/32", PF_MAP_V4_EXACT },
		{ "192.0.2.0/31", PF_MAP_V4_LPM },
		{ "0.0.0.0/0", PF_MAP_V4_LPM },
		{ "2001:db8::1", PF_MAP_V6_EXACT },
		{ "2001:db8::1/128", PF_MAP_V6_EXACT },
		{ "2001:db8::/127", PF_MAP_V6_LPM },
		{ "::/0", PF_MAP_V6_LPM },
	};
	struct prefix p;
	struct xerr err;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(parse_prefix(cases[i].s, &p, &err), 0);
		assert_int_equal(blocklist_map(BL_PREFILTER, &p), cases[i].map);
		assert_int_equal(blocklist_map(BL_ARP, &p), PF_MAP_ARP);
	}
}

/* Keys as bpf/prefilter.h lays them out, and back. */
static void test_keys(void **state)
{
	static const unsigned char v4[] = { 198, 51, 100, 0 };
	unsigned char key[BL_KEY_MAX];
	struct pf_v4_lpm_key k4;
	struct pf_v6_lpm_key k6;
	struct prefix p, back;
	struct xerr err;

	(void)state;
	assert_int_equal(parse_prefix("198.51.100.0/24", &p, &err), 0);
	assert_int_equal(blocklist_key(PF_MAP_V4_LPM, &p, key), sizeof(k4));
	memcpy(&k4, key, sizeof(k4));
	assert_int_equal(k4.prefixlen, 24);	/* host order */
	assert_memory_equal(&k4.addr, v4, 4);
	blocklist_prefix(PF_MAP_V4_LPM, key, &back);
	assert_true(prefix_equal(&p, &back));

	assert_int_equal(parse_prefix("198.51.100.0", &p, &err), 0);
	assert_int_equal(blocklist_key(PF_MAP_V4_EXACT, &p, key), 4);
	assert_memory_equal(key, v4, 4);
	blocklist_prefix(PF_MAP_V4_EXACT, key, &back);
	assert_true(prefix_equal(&p, &back));

	assert_int_equal(parse_prefix("2001:db8::/32", &p, &err), 0);
	assert_int_equal(blocklist_key(PF_MAP_V6_LPM, &p, key), sizeof(k6));
	memcpy(&k6, key, sizeof(k6));
	assert_int_equal(k6.prefixlen, 32);
	assert_memory_equal(&k6.addr, p.addr, 16);
	blocklist_prefix(PF_MAP_V6_LPM, key, &back);
	assert_true(prefix_equal(&p, &back));

	assert_int_equal(parse_prefix("2001:db8::1", &p, &err), 0);
	assert_int_equal(blocklist_key(PF_MAP_V6_EXACT, &p, key), 16);
	assert_memory_equal(key, p.addr, 16);
	blocklist_prefix(PF_MAP_V6_EXACT, key, &back);
	assert_true(prefix_equal(&p, &back));
}

static void test_attach(void **state)
{
	struct attach_req r;
	struct xerr err;

	(void)state;
	assert_int_equal(attach_parse(false, ARGC("xnic0"), ARGV("xnic0"), &r, &err), 0);
	assert_string_equal(r.dev, "xnic0");
	assert_int_equal(r.mode, XDP_MODE_NATIVE);
	assert_false(r.detach);
	assert_int_equal(attach_parse(false, ARGC("--xdp", "generic", "veth0"),
				ARGV("--xdp", "generic", "veth0"), &r, &err), 0);
	assert_int_equal(r.mode, XDP_MODE_GENERIC);
	assert_string_equal(r.dev, "veth0");
	assert_int_equal(attach_parse(false, ARGC("xnic0", "--xdp", "off"),
				ARGV("xnic0", "--xdp", "off"), &r, &err), 0);
	assert_true(r.detach);
	assert_int_equal(attach_parse(true, ARGC("xnic0"), ARGV("xnic0"), &r, &err), 0);
	assert_true(r.detach);
}

static void attach_bad(bool detach, int argc, char **argv, const char *msg)
{
	struct attach_req r;
	struct xerr err;

	assert_int_equal(attach_parse(detach, argc, argv, &r, &err), XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, msg);
}

static void test_attach_bad(void **state)
{
	(void)state;
	attach_bad(false, 0, NULL, "missing interface name");
	attach_bad(false, ARGC("xnic0", "--xdp"), ARGV("xnic0", "--xdp"),
		   "missing value after '--xdp'");
	attach_bad(false, ARGC("xnic0", "--xdp", "drv"),
		   ARGV("xnic0", "--xdp", "drv"),
		   "invalid XDP mode 'drv' (expected native, generic or off)");
	attach_bad(false, ARGC("xnic0", "--xdp", "native", "--xdp", "generic"),
		   ARGV("xnic0", "--xdp", "native", "--xdp", "generic"),
		   "duplicate keyword '--xdp'");
	attach_bad(false, ARGC("a/b"), ARGV("a/b"),
		   "invalid interface name 'a/b' (contains '/')");
	attach_bad(false, ARGC("a", "b"), ARGV("a", "b"),
		   "unknown keyword 'b'");
	attach_bad(true, ARGC("xnic0", "--xdp", "off"),
		   ARGV("xnic0", "--xdp", "off"), "unknown option '--xdp'");
}

static void test_stats(void **state)
{
	struct stats_req r;
	struct xerr err;

	(void)state;
	assert_int_equal(stats_parse(0, NULL, &r, &err), 0);
	assert_null(r.dev);
	assert_false(r.json);
	assert_int_equal(stats_parse(ARGC("--json", "xnic0"),
				     ARGV("--json", "xnic0"), &r, &err), 0);
	assert_string_equal(r.dev, "xnic0");
	assert_true(r.json);
	assert_int_equal(stats_parse(ARGC("a", "b"), ARGV("a", "b"), &r, &err),
			 XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, "unknown keyword 'b'");
}

/* Every reason has its own name: output never shows a gap or a twin. */
static void test_reason_names(void **state)
{
	unsigned int r, s;

	(void)state;
	for (r = 0; pf_reason_name(r); r++) {
		assert_true(strlen(pf_reason_name(r)) > 0);
		for (s = 0; s < r; s++)
			assert_string_not_equal(pf_reason_name(r),
						pf_reason_name(s));
	}
	assert_int_equal(r, PF_REASON_MAX);
	assert_string_equal(pf_reason_name(0), "pass_ipv4");
	assert_string_equal(pf_reason_name(r - 1), "drop_malformed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_prefilter_add, teardown),
		cmocka_unit_test_teardown(test_prefilter_bad, teardown),
		cmocka_unit_test_teardown(test_duplicates, teardown),
		cmocka_unit_test_teardown(test_arp, teardown),
		cmocka_unit_test_teardown(test_list_and_help, teardown),
		cmocka_unit_test(test_maps),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_attach),
		cmocka_unit_test(test_attach_bad),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_reason_names),
	};

	return cmocka_run_group_tests_name("datapath", tests, NULL, NULL);
}
