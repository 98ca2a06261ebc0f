// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of `xnicctl monitor` that need no kernel: the parser of
 * `monitor` and `monitor limit` (userspace/monitor.c), the names events
 * are printed with, and the byte layout of struct xnic_drop_event
 * (bpf/drop_event.h), which BPF programs and readers must agree on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "drop_event.h"
#include "monitor.h"
#include "nodeport.h"
#include "policy.h"
#include "prefilter.h"
#include "shaping.h"
#include "xnicctl.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__ })
#define ARGC(...) ((int)ARRAY_SIZE(ARGV(__VA_ARGS__)))
#define OK(...) parse_ok(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))
#define BAD(msg, ...) parse_bad(msg, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static struct monitor_req req;

static void parse_ok(int argc, char **argv)
{
	struct xerr err;

	if (monitor_parse(argc, argv, &req, &err))
		fail_msg("refused: %s", err.msg);
}

static void parse_bad(const char *msg, int argc, char **argv)
{
	struct xerr err;

	assert_int_equal(monitor_parse(argc, argv, &req, &err), XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, msg);
}

static void test_monitor_args(void **state)
{
	struct xerr err;

	(void)state;
	assert_int_equal(monitor_parse(0, NULL, &req, &err), 0);
	assert_false(req.limit);
	assert_false(req.json);
	assert_null(req.dev);
	assert_int_equal(req.count, 0);
	OK("--json", "--count", "3", "--dev", "xnic0");
	assert_true(req.json);
	assert_int_equal(req.count, 3);
	assert_string_equal(req.dev, "xnic0");
	OK("--count", "4294967295");
	assert_int_equal(req.count, 4294967295u);
	OK("--dev", "eth0", "-h");
	assert_true(req.help);
}

static void test_monitor_bad(void **state)
{
	(void)state;
	BAD("invalid count '0' (expected 1..4294967295)", "--count", "0");
	BAD("invalid count '4294967296' (expected 1..4294967295)", "--count", "4294967296");
	BAD("invalid count '99999999999999999999' (expected 1..4294967295)",
	    "--count", "99999999999999999999");
	BAD("invalid count '-1' (expected 1..4294967295)", "--count", "-1");
	BAD("invalid count '' (expected 1..4294967295)", "--count", "");
	BAD("invalid count ' 2' (expected 1..4294967295)", "--count", " 2");
	BAD("missing value after '--count'", "--count");
	BAD("duplicate keyword '--dev'", "--dev", "a", "--dev", "b");
	BAD("invalid interface name 'a/b' (contains '/')", "--dev", "a/b");
	BAD("unknown keyword 'xnic0'", "xnic0");
	BAD("unknown option '--rate'", "--rate", "5");
	BAD("unknown option '--yaml'", "--yaml");
	BAD("duplicate option '--json'", "--json", "--json");
}

static void test_limit_args(void **state)
{
	(void)state;
	OK("limit");
	assert_true(req.limit);
	assert_false(req.set_rate);
	assert_false(req.set_burst);
	OK("limit", "--rate", "0", "--json");
	assert_true(req.set_rate);
	assert_int_equal(req.rate, 0);
	assert_false(req.set_burst);
	assert_true(req.json);
	OK("limit", "--burst", "7", "--rate", "4294967295");
	assert_int_equal(req.burst, 7);
	assert_int_equal(req.rate, XNIC_EV_RATE_UNLIMITED);
	BAD("invalid rate 'fast' (expected 0..4294967295)", "limit", "--rate", "fast");
	BAD("invalid burst '1e3' (expected 0..4294967295)", "limit", "--burst", "1e3");
	BAD("unknown option '--count'", "limit", "--count", "1");
	BAD("unknown keyword 'now'", "limit", "now");
	BAD("duplicate keyword '--rate'", "limit", "--rate", "1", "--rate", "2");
}

static void test_reason_names(void **state)
{
	struct xnic_drop_event e = { .prog = XNIC_EV_PROG_PREFILTER };

	(void)state;
	e.reason = PF_DROP_V4_EXACT;
	assert_string_equal(monitor_reason_name(&e), "drop_v4_exact");
	e.reason = PF_DROP_MALFORMED;
	assert_string_equal(monitor_reason_name(&e), "drop_malformed");
	e.reason = PF_REASON_MAX;
	assert_null(monitor_reason_name(&e));
	e.prog = XNIC_EV_PROG_POLICY;
	e.reason = POL_DROP_RULE;
	assert_string_equal(monitor_reason_name(&e), "drop_rule");
	e.reason = POL_DROP_DEFAULT;
	assert_string_equal(monitor_reason_name(&e), "drop_default");
	e.reason = POL_DROP_EXTHDR;
	assert_string_equal(monitor_reason_name(&e), "drop_exthdr");
	e.reason = POL_REASON_MAX;
	assert_null(monitor_reason_name(&e));
	e.prog = XNIC_EV_PROG_EDT;
	e.reason = EDT_DROP_HORIZON;
	assert_string_equal(monitor_reason_name(&e), "drop_edt_horizon");
	/* EDT's passes never send events: they have no event name. */
	e.reason = EDT_PASS_PACED;
	assert_null(monitor_reason_name(&e));
	e.reason = EDT_REASON_MAX;
	assert_null(monitor_reason_name(&e));
	e.prog = XNIC_EV_PROG_NODEPORT;
	e.reason = NP_DROP_NO_BACKEND;
	assert_string_equal(monitor_reason_name(&e), "drop_no_backend");
	e.reason = NP_DROP_XDP_ROUTE;
	assert_string_equal(monitor_reason_name(&e), "drop_xdp_route");
	e.reason = NP_REASON_MAX;
	assert_null(monitor_reason_name(&e));
	e.prog = 0;
	e.reason = 0;
	assert_null(monitor_reason_name(&e));
}

/* The layout bpf/drop_event.h documents, byte by byte. */
static void test_event_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct xnic_drop_event), 64);
	assert_int_equal(offsetof(struct xnic_drop_event, ts_ns), 0);
	assert_int_equal(offsetof(struct xnic_drop_event, ifindex), 8);
	assert_int_equal(offsetof(struct xnic_drop_event, len), 12);
	assert_int_equal(offsetof(struct xnic_drop_event, version), 16);
	assert_int_equal(offsetof(struct xnic_drop_event, hook), 17);
	assert_int_equal(offsetof(struct xnic_drop_event, prog), 18);
	assert_int_equal(offsetof(struct xnic_drop_event, reason), 19);
	assert_int_equal(offsetof(struct xnic_drop_event, ethertype), 20);
	assert_int_equal(offsetof(struct xnic_drop_event, family), 22);
	assert_int_equal(offsetof(struct xnic_drop_event, proto), 23);
	assert_int_equal(offsetof(struct xnic_drop_event, sport), 24);
	assert_int_equal(offsetof(struct xnic_drop_event, dport), 26);
	assert_int_equal(offsetof(struct xnic_drop_event, rule), 28);
	assert_int_equal(offsetof(struct xnic_drop_event, flags), 30);
	assert_int_equal(offsetof(struct xnic_drop_event, saddr), 32);
	assert_int_equal(offsetof(struct xnic_drop_event, daddr), 48);
	assert_int_equal(sizeof(struct xnic_ev_config), 8);
	assert_int_equal(sizeof(struct xnic_ev_stats), 24);
	/* A power of two and a multiple of the page size, as RINGBUF wants. */
	assert_int_equal(XNIC_EV_RING_BYTES & (XNIC_EV_RING_BYTES - 1), 0);
	assert_int_equal(XNIC_EV_RING_BYTES % 4096, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_monitor_args),
		cmocka_unit_test(test_monitor_bad),
		cmocka_unit_test(test_limit_args),
		cmocka_unit_test(test_reason_names),
		cmocka_unit_test(test_event_layout),
	};

	return cmocka_run_group_tests_name("monitor", tests, NULL, NULL);
}
