// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of `xnicctl limit`'s parser (userspace/limit.c): the
 * request each command line builds, and every bad one refused with what
 * was wrong; and the layouts of bpf/shaping.h that the programs and
 * xnicctl must agree on. Pure: nothing here touches a map or a device
 * (test_cli.c runs the binary on bad lines under seccomp).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include "limit.h"
#include "shaping.h"
#include "xnicctl.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__ })
#define ARGC(...) ((int)ARRAY_SIZE(ARGV(__VA_ARGS__)))
#define OK(...) parse_ok(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))
#define BAD(msg, ...) parse_bad(msg, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static struct limit_req req;

static void parse_ok(int argc, char **argv)
{
	struct xerr err;

	if (limit_parse(argc, argv, &req, &err))
		fail_msg("refused: %s", err.msg);
}

static void parse_bad(const char *msg, int argc, char **argv)
{
	struct xerr err;

	assert_int_equal(limit_parse(argc, argv, &req, &err), XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, msg);
}

static void test_add_dev(void **state)
{
	(void)state;
	OK("add", "dev", "pb", "20mbit");
	assert_int_equal(req.op, LIM_ADD);
	assert_int_equal(req.kind, LIM_DEV);
	assert_string_equal(req.dev, "pb");
	assert_int_equal(req.rate, 2500000);
	assert_int_equal(req.horizon_ns, 0);
	assert_string_equal(limit_ctx(&req), "limit add");
	OK("add", "horizon", "500ms", "dev", "xnic0", "1gbit");
	assert_string_equal(req.dev, "xnic0");
	assert_int_equal(req.rate, 125000000);
	assert_int_equal(req.horizon_ns, 500000000);
	OK("add", "dev", "pb", "100gbit", "horizon", "10s");
	assert_int_equal(req.rate, 12500000000ull);
	assert_int_equal(req.horizon_ns, LIMIT_HORIZON_MAX_NS);
	OK("add", "dev", "pb", "3kbps", "horizon", "1ms");
	assert_int_equal(req.rate, 3000);
	assert_int_equal(req.horizon_ns, LIMIT_HORIZON_MIN_NS);
}

static void test_add_cgroup(void **state)
{
	unsigned char a[16] = { 0 };

	(void)state;
	OK("add", "cgroup", "/sys/fs/cgroup/pods", "500kbit");
	assert_int_equal(req.kind, LIM_CGROUP);
	assert_string_equal(req.cgroup, "/sys/fs/cgroup/pods");
	assert_int_equal(req.rate, 62500);
	assert_int_equal(req.port, 0);
	assert_false(req.has_prefix);
	OK("add", "cgroup", "/c", "20mbit", "port", "5201");
	assert_int_equal(req.port, 5201);
	assert_false(req.has_prefix);
	OK("add", "cgroup", "/c", "20mbit", "prefix", "10.1.0.0/16");
	assert_int_equal(req.port, 0);
	assert_true(req.has_prefix);
	assert_int_equal(req.prefix.family, AF_INET);
	assert_int_equal(req.prefix.plen, 16);
	assert_int_equal(inet_pton(AF_INET, "10.1.0.0", a), 1);
	assert_memory_equal(req.prefix.addr, a, 16);
	OK("add", "cgroup", "/c", "1mbit", "prefix", "2001:db8::1");
	assert_int_equal(req.prefix.family, AF_INET6);
	assert_int_equal(req.prefix.plen, 128);
	/* The largest 32-bit pacing rate, in bytes. */
	OK("add", "cgroup", "/c", "4294967294bps");
	assert_int_equal(req.rate, LIMIT_CG_RATE_MAX);
}

static void test_del_list(void **state)
{
	(void)state;
	OK("del", "dev", "pb");
	assert_int_equal(req.op, LIM_DEL);
	assert_int_equal(req.kind, LIM_DEV);
	assert_int_equal(req.rate, 0);
	OK("del", "cgroup", "/c");
	assert_int_equal(req.kind, LIM_CGROUP);
	OK("del", "cgroup", "/c", "port", "80");
	assert_int_equal(req.port, 80);
	OK("del", "cgroup", "/c", "prefix", "::/0");
	assert_true(req.has_prefix);
	assert_int_equal(req.prefix.plen, 0);
	OK("list");
	assert_int_equal(req.op, LIM_LIST);
	assert_false(req.json);
	OK("list", "--json");
	assert_true(req.json);
	OK("add", "dev", "-h");
	assert_true(req.help);
	OK("--help");
	assert_true(req.help);
}

static void test_bad(void **state)
{
	(void)state;
	BAD("missing subcommand (try 'xnicctl limit --help')");
	BAD("unknown subcommand 'set' (try 'xnicctl limit --help')", "set");
	BAD("missing 'dev DEV' or 'cgroup PATH'", "add");
	BAD("expected 'dev' or 'cgroup', not 'device'", "add", "device", "pb", "1mbit");
	BAD("missing DEV after 'dev'", "add", "dev");
	BAD("missing PATH after 'cgroup'", "del", "cgroup");
	BAD("missing RATE (e.g. 20mbit)", "add", "dev", "pb");
	BAD("unexpected argument '1mbit'", "del", "dev", "pb", "1mbit");
	BAD("unexpected argument 'x'", "add", "dev", "pb", "1mbit", "x");
	/* Rates: a unit is required, 0 and overflow are refused. */
	BAD("invalid rate '20' (no unit: write e.g. 20mbit, or kbit, gbit, bit, kbps, mbps, gbps, bps)",
	    "add", "dev", "pb", "20");
	BAD("invalid rate '0mbit' (must be at least 8bit, one byte per second)",
	    "add", "dev", "pb", "0mbit");
	BAD("invalid rate '200gbit' (more than 100gbit)", "add", "dev", "pb", "200gbit");
	BAD("invalid rate '20mb' (unknown unit: bit, kbit, mbit, gbit, or bytes as bps, kbps, mbps, gbps)",
	    "add", "cgroup", "/c", "20mb");
	BAD("invalid rate '35gbit' for a cgroup (at most 34.359gbit: SO_MAX_PACING_RATE is 32-bit)",
	    "add", "cgroup", "/c", "35gbit");
	BAD("invalid interface name 'a/b' (contains '/')", "add", "dev", "a/b", "1mbit");
	BAD("empty cgroup path", "add", "cgroup", "", "1mbit");
	/* Keywords where they do not belong. */
	BAD("'horizon' is for 'dev' limits only", "add", "cgroup", "/c", "1mbit", "horizon", "1s");
	BAD("'horizon' is for 'limit add' only", "del", "dev", "pb", "horizon", "1s");
	BAD("'port' is for 'cgroup' limits only", "add", "dev", "pb", "1mbit", "port", "80");
	BAD("'prefix' is for 'cgroup' limits only", "del", "dev", "pb", "prefix", "10.0.0.0/8");
	BAD("'port' and 'prefix' cannot be combined: one rule matches one of them",
	    "add", "cgroup", "/c", "1mbit", "port", "80", "prefix", "10.0.0.0/8");
	BAD("invalid duration '2' (needs a unit: s, ms, us or ns)",
	    "add", "dev", "pb", "1mbit", "horizon", "2");
	BAD("invalid duration '20s' (expected 1ms..10s)",
	    "add", "dev", "pb", "1mbit", "horizon", "20s");
	BAD("invalid port '0' (expected 1..65535)", "add", "cgroup", "/c", "1mbit", "port", "0");
	BAD("invalid port '65536' (expected 1..65535)", "del", "cgroup", "/c", "port", "65536");
	BAD("invalid prefix '10.0.0.1/8' (host bits set: did you mean 10.0.0.0/8?)",
	    "add", "cgroup", "/c", "1mbit", "prefix", "10.0.0.1/8");
	BAD("unknown option '--json'", "add", "dev", "pb", "1mbit", "--json");
	BAD("unknown keyword 'x'", "list", "x");
}

/* What the programs read: sizes and offsets user space writes. */
static void test_layouts(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct edt_limit), 16);
	assert_int_equal(sizeof(struct edt_state), 16);
	assert_int_equal(offsetof(struct edt_state, t_last), 8);
	assert_int_equal(sizeof(struct edt_stats), 16 * EDT_REASON_MAX);
	assert_int_equal(sizeof(struct shp_rule), 32);
	assert_int_equal(offsetof(struct shp_rule, addr), 16);
	assert_int_equal(sizeof(struct shp_cg_policy), 16 + 32 * SHP_CG_RULES);
	assert_int_equal(sizeof(struct shp_stat_key), 16);
	assert_int_equal(sizeof(struct shp_cg_stat), 32);
	/* "ed" runs before the tc policy's "xn" on the same hook. */
	assert_true(EDT_TC_PRIO < 0x786e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_dev),
		cmocka_unit_test(test_add_cgroup),
		cmocka_unit_test(test_del_list),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_layouts),
	};

	return cmocka_run_group_tests_name("limit", tests, NULL, NULL);
}
