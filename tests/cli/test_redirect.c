// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of `xnicctl redirect`'s parser (userspace/redircmd.c): the
 * struct pol_redirect each add builds (the match fields come from the
 * policy's parser, the mode goes into match.action), the other
 * subcommands' words, and every bad command line with its one-line
 * message. Pure: nothing here touches a map or a device; the target is
 * resolved only when the command runs (tests/vm/cases/87-redirect.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include "redircmd.h"
#include "xnicctl.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__ })
#define ARGC(...) ((int)ARRAY_SIZE(ARGV(__VA_ARGS__)))
#define RD(...) rd_ok(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))
#define RD_BAD(msg, ...) rd_bad(msg, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static struct redir_req req;

static void rd_ok(int argc, char **argv)
{
	struct xerr err;

	if (redirect_parse(argc, argv, &req, &err))
		fail_msg("refused: %s", err.msg);
}

static void rd_bad(const char *msg, int argc, char **argv)
{
	struct xerr err;

	assert_int_equal(redirect_parse(argc, argv, &req, &err),
			 XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, msg);
}

static void test_add(void **state)
{
	const struct pol_rule *m = &req.redir.match;
	unsigned char a[16] = { 0 };

	(void)state;
	RD("add", "pa", "ingress", "dst", "10.0.0.0/8", "proto", "udp",
	   "dport", "53", "to", "pc");
	assert_int_equal(req.op, REDIR_OP_ADD);
	assert_string_equal(req.dev, "pa");
	assert_int_equal(req.dir, POL_INGRESS);
	assert_string_equal(req.target, "pc");
	assert_false(req.at);
	/* The default mode; the ifindex is only known when it runs. */
	assert_int_equal(m->action, POL_REDIR_EGRESS);
	assert_int_equal(req.redir.ifindex, 0);
	assert_int_equal(m->family, POL_FAMILY_IPV4);
	assert_int_equal(m->proto, 17);
	assert_int_equal(m->dst_plen, 8);
	assert_int_equal(m->src_plen, 0);
	assert_int_equal(m->dport_lo, 53);
	assert_int_equal(m->dport_hi, 53);
	assert_int_equal(inet_pton(AF_INET, "10.0.0.0", a), 1);
	assert_memory_equal(m->dst, a, 16);
	assert_memory_equal(m->pad, "\0\0\0", 3);
	/* Keywords anywhere; at; every mode. */
	RD("add", "mode", "ingress", "to", "pd", "pa", "at", "7", "egress",
	   "family", "ipv6");
	assert_int_equal(req.dir, POL_EGRESS);
	assert_int_equal(m->action, POL_REDIR_INGRESS);
	assert_int_equal(m->family, POL_FAMILY_IPV6);
	assert_int_equal(m->dport_lo, 0);
	assert_int_equal(m->dport_hi, 65535);
	assert_true(req.at);
	assert_int_equal(req.index, 7);
	assert_string_equal(req.target, "pd");
	RD("add", "pa", "ingress", "src", "2001:db8::/32", "to", "pd", "mode",
	   "peer");
	assert_int_equal(m->action, POL_REDIR_PEER);
	assert_int_equal(m->src_plen, 32);
	RD("add", "pa", "egress", "family", "ipv4", "to", "pd", "mode",
	   "egress");
	assert_int_equal(m->action, POL_REDIR_EGRESS);
	assert_string_equal(redirect_mode_name(POL_REDIR_EGRESS), "egress");
	assert_string_equal(redirect_mode_name(POL_REDIR_INGRESS), "ingress");
	assert_string_equal(redirect_mode_name(POL_REDIR_PEER), "peer");
	assert_string_equal(redirect_mode_name(POL_REDIR_END), "?");
	assert_string_equal(redirect_mode_name(POL_REDIR_MODES), "?");
}

static void test_del_list(void **state)
{
	(void)state;
	RD("del", "pa", "egress", "63");
	assert_int_equal(req.op, REDIR_OP_DEL);
	assert_string_equal(req.dev, "pa");
	assert_int_equal(req.dir, POL_EGRESS);
	assert_int_equal(req.index, 63);
	RD("list");
	assert_int_equal(req.op, REDIR_OP_LIST);
	assert_null(req.dev);
	assert_false(req.json);
	RD("list", "--json", "pa");
	assert_string_equal(req.dev, "pa");
	assert_true(req.json);
	RD("add", "pa", "--help");
	assert_true(req.help);
}

static void test_bad(void **state)
{
	(void)state;
	RD_BAD("missing subcommand (try 'xnicctl redirect --help')");
	RD_BAD("unknown subcommand 'show' (try 'xnicctl redirect --help')",
	       "show");
	RD_BAD("missing interface name", "add");
	RD_BAD("missing direction (ingress or egress)", "add", "pa");
	RD_BAD("invalid direction 'both' (expected ingress or egress)", "add",
	       "pa", "both", "family", "ipv4", "to", "pc");
	RD_BAD("missing 'to TARGET' (the interface to redirect to)", "add",
	       "pa", "ingress", "family", "ipv4");
	RD_BAD("a rule is for one family: give src or dst, or family ipv4|ipv6",
	       "add", "pa", "ingress", "to", "pc");
	RD_BAD("invalid mode 'out' (expected egress, ingress or peer)", "add",
	       "pa", "ingress", "family", "ipv4", "to", "pc", "mode", "out");
	RD_BAD("mode peer works on ingress redirects only (the kernel drops a bpf_redirect_peer() from tc egress)",
	       "add", "pa", "egress", "family", "ipv4", "to", "pc", "mode",
	       "peer");
	RD_BAD("invalid interface name 'a/b' (contains '/')", "add", "pa",
	       "ingress", "family", "ipv4", "to", "a/b");
	RD_BAD("invalid prefix '10.0.0.1/8' (host bits set: did you mean 10.0.0.0/8?)",
	       "add", "pa", "ingress", "src", "10.0.0.1/8", "to", "pc");
	RD_BAD("invalid port range '80-70' (80 > 70)", "add", "pa", "ingress",
	       "family", "ipv4", "dport", "80-70", "to", "pc");
	RD_BAD("dport needs proto tcp or udp (or no proto: both)", "add", "pa",
	       "ingress", "family", "ipv4", "proto", "icmp", "dport", "1",
	       "to", "pc");
	RD_BAD("invalid rule index '64' (expected 0..63)", "add", "pa",
	       "ingress", "family", "ipv4", "to", "pc", "at", "64");
	RD_BAD("unknown keyword 'allow'", "add", "pa", "ingress", "allow",
	       "family", "ipv4", "to", "pc");
	RD_BAD("duplicate keyword 'to'", "add", "pa", "ingress", "family",
	       "ipv4", "to", "pc", "to", "pd");
	RD_BAD("missing redirect INDEX", "del", "pa", "ingress");
	RD_BAD("invalid rule index 'x' (expected 0..63)", "del", "pa",
	       "ingress", "x");
	RD_BAD("unknown keyword 'to'", "del", "pa", "ingress", "0", "to");
	RD_BAD("unknown keyword 'pb'", "list", "pa", "pb");
	RD_BAD("unknown option '--yaml'", "list", "--yaml");
	RD_BAD("unknown option '--json'", "add", "pa", "ingress", "family",
	       "ipv4", "to", "pc", "--json");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_del_list),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests_name("redirect", tests, NULL, NULL);
}
