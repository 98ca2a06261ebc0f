// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the tc policy commands' parsers: `policy ...`
 * (userspace/polcmd.c: words, the struct pol_rule each add builds and
 * how list prints its fields), `attach/detach --tc` (attach.c) and
 * `stats --watch` (stats.c). Pure: nothing here touches a map or a
 * device.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include "attach.h"
#include "polcmd.h"
#include "stats.h"
#include "xnicctl.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__ })
#define ARGC(...) ((int)ARRAY_SIZE(ARGV(__VA_ARGS__)))
#define POL(...) pol_ok(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))
#define POL_BAD(msg, ...) pol_bad(msg, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static struct pol_req req;

static void pol_ok(int argc, char **argv)
{
	struct xerr err;

	if (policy_parse(argc, argv, &req, &err))
		fail_msg("refused: %s", err.msg);
}

static void pol_bad(const char *msg, int argc, char **argv)
{
	struct xerr err;

	assert_int_equal(policy_parse(argc, argv, &req, &err),
			 XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, msg);
}

static void addr4(const char *s, unsigned char out[16])
{
	memset(out, 0, 16);
	assert_int_equal(inet_pton(AF_INET, s, out), 1);
}

static void test_add_v4(void **state)
{
	unsigned char a[16];

	(void)state;
	POL("add", "pb", "ingress", "deny", "src", "10.0.0.0/8", "dst",
	    "192.0.2.7", "proto", "tcp", "dport", "22");
	assert_int_equal(req.op, POL_OP_ADD);
	assert_string_equal(req.dev, "pb");
	assert_int_equal(req.dir, POL_INGRESS);
	assert_false(req.at);
	assert_int_equal(req.rule.action, POL_ACT_DENY);
	assert_int_equal(req.rule.family, POL_FAMILY_IPV4);
	assert_int_equal(req.rule.proto, 6);
	assert_int_equal(req.rule.src_plen, 8);
	assert_int_equal(req.rule.dst_plen, 32);
	assert_int_equal(req.rule.dport_lo, 22);
	assert_int_equal(req.rule.dport_hi, 22);
	addr4("10.0.0.0", a);
	assert_memory_equal(req.rule.src, a, 16);
	addr4("192.0.2.7", a);
	assert_memory_equal(req.rule.dst, a, 16);
	/* Padding is zero: the map holds exactly these bytes. */
	assert_memory_equal(req.rule.pad, "\0\0\0", 3);
	/* Keywords anywhere; "at"; an open port range; egress. */
	POL("add", "at", "3", "pb", "egress", "dport", "1000-2000", "allow",
	    "dst", "198.51.100.0/24");
	assert_int_equal(req.dir, POL_EGRESS);
	assert_int_equal(req.rule.action, POL_ACT_ALLOW);
	assert_true(req.at);
	assert_int_equal(req.index, 3);
	assert_int_equal(req.rule.proto, 0);
	assert_int_equal(req.rule.src_plen, 0);
	assert_int_equal(req.rule.dport_lo, 1000);
	assert_int_equal(req.rule.dport_hi, 2000);
}

static void test_add_family(void **state)
{
	(void)state;
	/* No prefix: the family keyword, any port, any protocol. */
	POL("add", "pb", "ingress", "allow", "family", "ipv6");
	assert_int_equal(req.rule.family, POL_FAMILY_IPV6);
	assert_int_equal(req.rule.src_plen, 0);
	assert_int_equal(req.rule.dst_plen, 0);
	assert_int_equal(req.rule.proto, 0);
	assert_int_equal(req.rule.dport_lo, 0);
	assert_int_equal(req.rule.dport_hi, 65535);
	POL("add", "pb", "egress", "deny", "src", "2001:db8::/32", "proto",
	    "icmpv6", "family", "ipv6");
	assert_int_equal(req.rule.family, POL_FAMILY_IPV6);
	assert_int_equal(req.rule.proto, 58);
	assert_int_equal(req.rule.src[2], 0x0d);
	POL("add", "pb", "ingress", "deny", "dst", "0.0.0.0/0", "proto", "47");
	assert_int_equal(req.rule.family, POL_FAMILY_IPV4);
	assert_int_equal(req.rule.proto, 47);
	POL("add", "pb", "ingress", "deny", "family", "ipv4", "proto", "udp",
	    "dport", "0-65535", "at", "63");
	assert_int_equal(req.rule.proto, 17);
	assert_int_equal(req.index, 63);
}

static void test_add_bad(void **state)
{
	(void)state;
	POL_BAD("missing subcommand (try 'xnicctl policy --help')");
	POL_BAD("unknown subcommand 'show' (try 'xnicctl policy --help')",
		"show");
	POL_BAD("missing interface name", "add");
	POL_BAD("missing direction (ingress or egress)", "add", "pb");
	POL_BAD("missing action (allow or deny)", "add", "pb", "ingress");
	POL_BAD("invalid direction 'in' (expected ingress or egress)", "add",
		"pb", "in", "allow", "family", "ipv4");
	POL_BAD("invalid action 'drop' (expected allow or deny)", "add", "pb",
		"ingress", "drop", "family", "ipv4");
	POL_BAD("a rule is for one family: give src or dst, or family ipv4|ipv6",
		"add", "pb", "ingress", "allow", "proto", "tcp");
	POL_BAD("dst '2001:db8::1' is IPv6 but src is IPv4: a rule is for one family",
		"add", "pb", "ingress", "allow", "src", "10.0.0.0/8", "dst",
		"2001:db8::1");
	POL_BAD("src '10.0.0.1' is IPv4 but family is IPv6: a rule is for one family",
		"add", "pb", "ingress", "allow", "family", "ipv6", "src",
		"10.0.0.1");
	POL_BAD("invalid prefix '10.0.0.1/8' (host bits set: did you mean 10.0.0.0/8?)",
		"add", "pb", "ingress", "allow", "src", "10.0.0.1/8");
	POL_BAD("invalid family 'inet' (expected ipv4 or ipv6)", "add", "pb",
		"ingress", "allow", "family", "inet");
	POL_BAD("invalid protocol 'sctp' (expected tcp, udp, icmp, icmpv6 or 1..255)",
		"add", "pb", "ingress", "allow", "family", "ipv4", "proto",
		"sctp");
	POL_BAD("invalid protocol '0' (expected tcp, udp, icmp, icmpv6 or 1..255)",
		"add", "pb", "ingress", "allow", "family", "ipv4", "proto", "0");
	POL_BAD("invalid protocol '256' (expected tcp, udp, icmp, icmpv6 or 1..255)",
		"add", "pb", "ingress", "allow", "family", "ipv4", "proto",
		"256");
	POL_BAD("proto icmp never matches IPv6 (did you mean icmpv6?)", "add",
		"pb", "ingress", "deny", "family", "ipv6", "proto", "icmp");
	POL_BAD("proto icmpv6 never matches IPv4 (did you mean icmp?)", "add",
		"pb", "ingress", "deny", "src", "10.0.0.0/8", "proto", "icmpv6");
	POL_BAD("dport needs proto tcp or udp (or no proto: both)", "add", "pb",
		"ingress", "deny", "family", "ipv4", "proto", "icmp", "dport",
		"22");
	POL_BAD("invalid port '65536' (expected P or P-Q, 0..65535)", "add",
		"pb", "ingress", "deny", "family", "ipv4", "dport", "65536");
	POL_BAD("invalid port '22-' (expected P or P-Q, 0..65535)", "add", "pb",
		"ingress", "deny", "family", "ipv4", "dport", "22-");
	POL_BAD("invalid port '-22' (expected P or P-Q, 0..65535)", "add", "pb",
		"ingress", "deny", "family", "ipv4", "dport", "-22");
	POL_BAD("invalid port range '90-80' (90 > 80)", "add", "pb", "ingress",
		"deny", "family", "ipv4", "dport", "90-80");
	POL_BAD("invalid rule index '64' (expected 0..63)", "add", "pb",
		"ingress", "deny", "family", "ipv4", "at", "64");
	POL_BAD("duplicate keyword 'src'", "add", "pb", "ingress", "deny",
		"src", "10.0.0.0/8", "src", "10.0.0.0/8");
	POL_BAD("missing value after 'dport'", "add", "pb", "ingress", "deny",
		"family", "ipv4", "dport");
	POL_BAD("unknown keyword 'extra'", "add", "pb", "ingress", "deny",
		"extra", "family", "ipv4");
	POL_BAD("invalid interface name 'a/b' (contains '/')", "add", "a/b",
		"ingress", "deny", "family", "ipv4");
	POL_BAD("unknown option '--json'", "add", "pb", "ingress", "deny",
		"family", "ipv4", "--json");
}

static void test_other_subcommands(void **state)
{
	(void)state;
	POL("del", "pb", "egress", "0");
	assert_int_equal(req.op, POL_OP_DEL);
	assert_int_equal(req.dir, POL_EGRESS);
	assert_int_equal(req.index, 0);
	POL("list", "pb", "--json");
	assert_int_equal(req.op, POL_OP_LIST);
	assert_true(req.json);
	POL("default", "pb", "ingress", "deny");
	assert_int_equal(req.op, POL_OP_DEFAULT);
	assert_int_equal(req.dflt, POL_ACT_DENY);
	POL("default", "pb", "egress", "allow");
	assert_int_equal(req.dflt, POL_ACT_ALLOW);
	assert_int_equal(req.dir, POL_EGRESS);
	POL("identity", "pb", "42");
	assert_int_equal(req.identity, 42);
	POL("identity", "pb", "0xFFFFffff");
	assert_int_equal(req.identity, 0xffffffffu);
	POL("identity", "pb", "0");
	assert_int_equal(req.identity, 0);
	POL("add", "-h");
	assert_true(req.help);
	assert_string_equal(policy_ctx(POL_OP_IDENTITY), "policy identity");
}

static void test_other_bad(void **state)
{
	(void)state;
	POL_BAD("missing rule INDEX", "del", "pb", "ingress");
	POL_BAD("invalid rule index 'x' (expected 0..63)", "del", "pb",
		"ingress", "x");
	/* As everywhere in xnicctl, a word starting with '-' is an option. */
	POL_BAD("unknown option '-1'", "del", "pb", "ingress", "-1");
	POL_BAD("unknown keyword 'src'", "del", "pb", "ingress", "0", "src");
	POL_BAD("missing interface name", "list");
	POL_BAD("unknown keyword 'ingress'", "list", "pb", "ingress");
	POL_BAD("unknown option '--yaml'", "list", "pb", "--yaml");
	POL_BAD("invalid action 'reject' (expected allow or deny)", "default",
		"pb", "ingress", "reject");
	POL_BAD("missing identity N", "identity", "pb");
	POL_BAD("invalid identity '4294967296' (expected 0..4294967295, decimal or 0x hex)",
		"identity", "pb", "4294967296");
	POL_BAD("invalid identity '0x' (expected 0..4294967295, decimal or 0x hex)",
		"identity", "pb", "0x");
	POL_BAD("invalid identity '+1' (expected 0..4294967295, decimal or 0x hex)",
		"identity", "pb", "+1");
	POL_BAD("invalid identity '0x1g' (expected 0..4294967295, decimal or 0x hex)",
		"identity", "pb", "0x1g");
}

/* How `policy list` prints a rule's fields. */
static void test_format(void **state)
{
	char buf[POL_FIELD_MAX];

	(void)state;
	POL("add", "pb", "ingress", "deny", "src", "10.0.0.0/8", "dst",
	    "192.0.2.7", "proto", "tcp", "dport", "80-90");
	policy_format_addr(&req.rule, false, buf);
	assert_string_equal(buf, "10.0.0.0/8");
	policy_format_addr(&req.rule, true, buf);
	assert_string_equal(buf, "192.0.2.7");
	policy_format_proto(&req.rule, buf);
	assert_string_equal(buf, "tcp");
	policy_format_dport(&req.rule, buf);
	assert_string_equal(buf, "80-90");
	POL("add", "pb", "ingress", "deny", "dst", "2001:db8::/32", "proto",
	    "udp", "dport", "7");
	policy_format_addr(&req.rule, false, buf);
	assert_string_equal(buf, "any");
	policy_format_addr(&req.rule, true, buf);
	assert_string_equal(buf, "2001:db8::/32");
	policy_format_proto(&req.rule, buf);
	assert_string_equal(buf, "udp");
	policy_format_dport(&req.rule, buf);
	assert_string_equal(buf, "7");
	POL("add", "pb", "ingress", "deny", "family", "ipv6", "proto", "132");
	policy_format_proto(&req.rule, buf);
	assert_string_equal(buf, "132");
	POL("add", "pb", "ingress", "deny", "family", "ipv4");
	policy_format_proto(&req.rule, buf);
	assert_string_equal(buf, "any");
	policy_format_dport(&req.rule, buf);
	assert_string_equal(buf, "any");
}

static void test_attach_tc(void **state)
{
	struct attach_req r;
	struct xerr err;

	(void)state;
	assert_int_equal(attach_parse(false, ARGC("pb", "--tc"),
				      ARGV("pb", "--tc"), &r, &err), 0);
	assert_true(r.tc);
	assert_false(r.tc_off);
	assert_false(r.xdp);
	assert_int_equal(attach_parse(false, ARGC("--tc", "pb", "--xdp", "generic"),
				      ARGV("--tc", "pb", "--xdp", "generic"),
				      &r, &err), 0);
	assert_true(r.tc);
	assert_true(r.xdp);
	assert_int_equal(r.mode, XDP_MODE_GENERIC);
	/* Plain attach: the prefilter alone, as before --tc existed. */
	assert_int_equal(attach_parse(false, ARGC("pb"), ARGV("pb"), &r, &err), 0);
	assert_true(r.xdp);
	assert_false(r.tc);
	/* Plain detach: both; detach --tc: the policy alone. */
	assert_int_equal(attach_parse(true, ARGC("pb"), ARGV("pb"), &r, &err), 0);
	assert_true(r.xdp);
	assert_true(r.tc);
	assert_true(r.tc_off);
	assert_int_equal(attach_parse(true, ARGC("pb", "--tc"), ARGV("pb", "--tc"),
				      &r, &err), 0);
	assert_false(r.xdp);
	assert_true(r.tc_off);
	assert_int_equal(attach_parse(false, ARGC("pb", "--tc", "--tc"),
				      ARGV("pb", "--tc", "--tc"), &r, &err),
			 XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, "duplicate option '--tc'");
	assert_int_equal(attach_parse(false, ARGC("pb", "--tcx"),
				      ARGV("pb", "--tcx"), &r, &err),
			 XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, "unknown option '--tcx'");
}

static void test_stats_watch(void **state)
{
	struct stats_req r;
	struct xerr err;

	(void)state;
	assert_int_equal(stats_parse(ARGC("--watch", "2", "pb", "--json"),
				     ARGV("--watch", "2", "pb", "--json"), &r,
				     &err), 0);
	assert_int_equal(r.watch, 2);
	assert_true(r.json);
	assert_string_equal(r.dev, "pb");
	assert_int_equal(stats_parse(0, NULL, &r, &err), 0);
	assert_int_equal(r.watch, 0);
	assert_int_equal(stats_parse(ARGC("--watch", "0"), ARGV("--watch", "0"),
				     &r, &err), XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, "invalid interval '0' (expected 1..86400 seconds)");
	assert_int_equal(stats_parse(ARGC("--watch", "1.5"),
				     ARGV("--watch", "1.5"), &r, &err),
			 XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, "invalid interval '1.5' (expected 1..86400 seconds)");
	assert_int_equal(stats_parse(ARGC("--watch"), ARGV("--watch"), &r, &err),
			 XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, "missing value after '--watch'");
	assert_string_equal(pol_reason_name(POL_DROP_EXTHDR), "drop_exthdr");
	assert_null(pol_reason_name(POL_REASON_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_v4),
		cmocka_unit_test(test_add_family),
		cmocka_unit_test(test_add_bad),
		cmocka_unit_test(test_other_subcommands),
		cmocka_unit_test(test_other_bad),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_attach_tc),
		cmocka_unit_test(test_stats_watch),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
