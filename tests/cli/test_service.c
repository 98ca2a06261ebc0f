// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of `xnicctl service`'s parser (userspace/service.c):
 * services, backends, weights, IPv6 brackets, duplicates and every
 * subcommand's words. Pure: nothing here touches a map or a cgroup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "service_cmd.h"
#include "xnicctl.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__ })
#define ARGC(...) ((int)ARRAY_SIZE(ARGV(__VA_ARGS__)))
#define OK(...) ok(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))
#define BAD(msg, ...) bad(msg, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static struct svc_req req;

static void ok(int argc, char **argv)
{
	struct xerr err;

	if (service_parse(argc, argv, &req, &err))
		fail_msg("refused: %s", err.msg);
}

static void bad(const char *msg, int argc, char **argv)
{
	struct xerr err;

	assert_int_equal(service_parse(argc, argv, &req, &err),
			 XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, msg);
}

static void test_add_v4(void **state)
{
	char buf[SVC_STR_MAX];

	(void)state;
	OK("add", "198.51.100.10:80/tcp", "--backend", "192.0.2.1:8080",
	   "--backend", "192.0.2.2:8081,weight=3");
	assert_int_equal(req.op, SVC_ADD);
	assert_int_equal(req.proto, IPPROTO_TCP);
	assert_int_equal(req.vip.family, LB_FAMILY_IPV4);
	assert_int_equal(req.vip.port, 80);
	assert_memory_equal(req.vip.addr, "\xc6\x33\x64\x0a", 4);
	assert_int_equal(req.nbe, 2);
	assert_int_equal(req.be[0].weight, 1);
	assert_int_equal(req.be[0].port, 8080);
	assert_int_equal(req.be[1].weight, 3);
	assert_memory_equal(req.be[1].addr, "\xc0\x00\x02\x02", 4);
	svc_format(&req.vip, req.proto, buf);
	assert_string_equal(buf, "198.51.100.10:80/tcp");
	OK("add", "198.51.100.10:53/udp");
	assert_int_equal(req.proto, IPPROTO_UDP);
	assert_int_equal(req.nbe, 0);
}

static void test_add_v6(void **state)
{
	unsigned char want[16];
	char buf[SVC_STR_MAX];

	(void)state;
	OK("add", "[2001:db8::10]:443/tcp", "--backend",
	   "[2001:db8::1]:8443,weight=100");
	assert_int_equal(req.vip.family, LB_FAMILY_IPV6);
	inet_pton(AF_INET6, "2001:db8::10", want);
	assert_memory_equal(req.vip.addr, want, 16);
	assert_int_equal(req.be[0].weight, 100);
	svc_format(&req.be[0], 0, buf);
	assert_string_equal(buf, "[2001:db8::1]:8443");
}

static void test_backend_del_list(void **state)
{
	(void)state;
	OK("backend", "add", "198.51.100.10:80/tcp", "192.0.2.3:80",
	   "192.0.2.4:80,weight=2");
	assert_int_equal(req.op, SVC_BE_ADD);
	assert_int_equal(req.nbe, 2);
	OK("backend", "del", "198.51.100.10:80/tcp", "192.0.2.3:80");
	assert_int_equal(req.op, SVC_BE_DEL);
	OK("del", "[2001:db8::10]:443/udp");
	assert_int_equal(req.op, SVC_DEL);
	OK("list", "--json");
	assert_true(req.json);
	OK("attach");
	assert_string_equal(req.cgroup, "/sys/fs/cgroup");
	OK("attach", "--cgroup", "/sys/fs/cgroup/x");
	assert_string_equal(req.cgroup, "/sys/fs/cgroup/x");
	OK("detach");
	assert_int_equal(req.op, SVC_DETACH);
	OK("add", "bogus", "--help");
	assert_true(req.help);
}

static void test_bad_service(void **state)
{
	(void)state;
	BAD("missing subcommand (try 'xnicctl service --help')");
	BAD("unknown subcommand 'frob' (try 'xnicctl service --help')", "frob");
	BAD("missing service (VIP:PORT/tcp or VIP:PORT/udp)", "add");
	BAD("invalid service '198.51.100.10:80' (expected VIP:PORT/tcp or VIP:PORT/udp)",
	    "add", "198.51.100.10:80");
	BAD("invalid service '198.51.100.10:80/sctp' (protocol must be tcp or udp)",
	    "add", "198.51.100.10:80/sctp");
	BAD("invalid service '198.51.100.10:0/tcp' (expected VIP:PORT/tcp or VIP:PORT/udp, port 1..65535, IPv6 as [VIP]:PORT)",
	    "add", "198.51.100.10:0/tcp");
	BAD("invalid service '198.51.100.300:80/tcp' (expected VIP:PORT/tcp or VIP:PORT/udp, port 1..65535, IPv6 as [VIP]:PORT)",
	    "del", "198.51.100.300:80/tcp");
	BAD("invalid service '2001:db8::1:80/tcp' (expected VIP:PORT/tcp or VIP:PORT/udp, port 1..65535, IPv6 as [VIP]:PORT)",
	    "add", "2001:db8::1:80/tcp");
	BAD("invalid service '[2001:db8::1]:65536/udp' (expected VIP:PORT/tcp or VIP:PORT/udp, port 1..65535, IPv6 as [VIP]:PORT)",
	    "add", "[2001:db8::1]:65536/udp");
	BAD("unknown keyword 'x'", "del", "198.51.100.10:80/tcp", "x");
	BAD("unknown option '--yaml'", "list", "--yaml");
	BAD("unknown keyword 'x'", "detach", "x");
	BAD("missing value after '--cgroup'", "attach", "--cgroup");
	BAD("empty cgroup path", "attach", "--cgroup", "");
}

static void test_bad_backend(void **state)
{
	(void)state;
	BAD("unknown keyword '192.0.2.1:80' (expected --backend ADDR:PORT[,weight=N])",
	    "add", "198.51.100.10:80/tcp", "192.0.2.1:80");
	BAD("missing value after '--backend'", "add", "198.51.100.10:80/tcp",
	    "--backend");
	BAD("invalid backend '192.0.2.1' (expected ADDR:PORT[,weight=N], port 1..65535, IPv6 as [ADDR]:PORT)",
	    "add", "198.51.100.10:80/tcp", "--backend", "192.0.2.1");
	BAD("invalid backend '192.0.2.1:80,weight=0' (weight=N with N in 1..100)",
	    "add", "198.51.100.10:80/tcp", "--backend", "192.0.2.1:80,weight=0");
	BAD("invalid backend '192.0.2.1:80,weight=101' (weight=N with N in 1..100)",
	    "add", "198.51.100.10:80/tcp", "--backend", "192.0.2.1:80,weight=101");
	BAD("invalid backend '192.0.2.1:80,w=2' (weight=N with N in 1..100)",
	    "backend", "add", "198.51.100.10:80/tcp", "192.0.2.1:80,w=2");
	BAD("duplicate backend '192.0.2.1:80,weight=2' (same as '192.0.2.1:80')",
	    "add", "198.51.100.10:80/tcp", "--backend", "192.0.2.1:80",
	    "--backend", "192.0.2.1:80,weight=2");
	BAD("backend '[2001:db8::1]:80' is not of the service's address family (IPv4)",
	    "add", "198.51.100.10:80/tcp", "--backend", "[2001:db8::1]:80");
	BAD("missing backend ADDR:PORT", "backend", "del",
	    "198.51.100.10:80/tcp");
	BAD("missing 'add' or 'del' after 'backend'", "backend");
	BAD("unknown subcommand 'backend set' (expected add or del)", "backend",
	    "set");
}

static void test_nodeport(void **state)
{
	(void)state;
	OK("nodeport", "attach", "xa");
	assert_int_equal(req.op, SVC_NP_ATTACH);
	assert_string_equal(req.dev, "xa");
	assert_int_equal(req.node_addr, 0);
	OK("nodeport", "attach", "--node-addr", "192.0.2.1", "xa");
	assert_string_equal(req.dev, "xa");
	assert_memory_equal(&req.node_addr, "\xc0\x00\x02\x01", 4);
	assert_false(req.xdp);
	OK("nodeport", "attach", "xa", "--xdp", "--node-addr", "192.0.2.1");
	assert_true(req.xdp);
	assert_memory_equal(&req.node_addr, "\xc0\x00\x02\x01", 4);
	OK("nodeport", "detach", "xa");
	assert_int_equal(req.op, SVC_NP_DETACH);
	OK("nodeport", "show", "xa");
	assert_int_equal(req.op, SVC_NP_SHOW);
	assert_false(req.json);
	OK("nodeport", "show", "xa", "--json");
	assert_true(req.json);
	OK("nodeport", "attach", "--help");
	assert_true(req.help);
}

static void test_bad_nodeport(void **state)
{
	(void)state;
	BAD("missing 'attach', 'detach' or 'show' after 'nodeport'",
	    "nodeport");
	BAD("unknown subcommand 'nodeport list' (expected attach, detach or show)",
	    "nodeport", "list");
	BAD("missing interface name", "nodeport", "attach");
	BAD("missing interface name", "nodeport", "show", "--json");
	BAD("invalid node address '192.0.2' (expected an IPv4 address)",
	    "nodeport", "attach", "xa", "--node-addr", "192.0.2");
	BAD("invalid node address '2001:db8::1' (expected an IPv4 address)",
	    "nodeport", "attach", "xa", "--node-addr", "2001:db8::1");
	BAD("'0.0.0.0' cannot be a node address (unspecified, broadcast or multicast)",
	    "nodeport", "attach", "xa", "--node-addr", "0.0.0.0");
	BAD("'224.0.0.1' cannot be a node address (unspecified, broadcast or multicast)",
	    "nodeport", "attach", "xa", "--node-addr", "224.0.0.1");
	BAD("'255.255.255.255' cannot be a node address (unspecified, broadcast or multicast)",
	    "nodeport", "attach", "xa", "--node-addr", "255.255.255.255");
	BAD("missing value after '--node-addr'", "nodeport", "attach", "xa",
	    "--node-addr");
	BAD("--xdp needs --node-addr: np_xdp SNATs to the node address so replies come back through DEV",
	    "nodeport", "attach", "xa", "--xdp");
	BAD("duplicate option '--xdp'", "nodeport", "attach", "xa", "--xdp",
	    "--xdp", "--node-addr", "192.0.2.1");
	BAD("unknown option '--xdp'", "nodeport", "detach", "xa", "--xdp");
	BAD("unknown option '--xdp'", "nodeport", "show", "xa", "--xdp");
	BAD("unknown option '--node-addr'", "nodeport", "detach", "xa",
	    "--node-addr", "192.0.2.1");
	BAD("unknown option '--json'", "nodeport", "attach", "xa", "--json");
	BAD("unknown keyword 'xb'", "nodeport", "detach", "xa", "xb");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_v4),
		cmocka_unit_test(test_add_v6),
		cmocka_unit_test(test_backend_del_list),
		cmocka_unit_test(test_bad_service),
		cmocka_unit_test(test_bad_backend),
		cmocka_unit_test(test_nodeport),
		cmocka_unit_test(test_bad_nodeport),
	};

	return cmocka_run_group_tests_name("service", tests, NULL, NULL);
}
