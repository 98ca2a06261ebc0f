// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of `xnicctl link` without root or a kernel: argument
 * parsing into struct link_req, the RTM_NEWLINK built for `link add`, and
 * decoding/printing of RTM_NEWLINK replies for `link show`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "link.h"
#include "linkinfo.h"
#include "netns.h"
#include "nl.h"
#include "xnic.h"
#include "xnicctl.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__ })
#define ARGC(...) ((int)ARRAY_SIZE(ARGV(__VA_ARGS__)))

/* Parse `xnicctl link ARGS...`, expect @status and, on failure, @msg. */
#define PARSE(status, msg, ...) \
	check_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), status, msg)

static struct link_req req;

static void check_parse(int argc, char **argv, int status, const char *msg)
{
	struct xerr err = { .msg = "" };

	assert_int_equal(link_parse(argc, argv, &req, &err), status);
	if (status)
		assert_string_equal(err.msg, msg);
}

static void test_add_full(void **state)
{
	static const unsigned char mac[ETH_ALEN] = { 2, 0, 0, 0, 0, 0xa };
	static const unsigned char pmac[ETH_ALEN] = { 2, 0, 0, 0, 0, 0xb };

	(void)state;
	PARSE(0, NULL, "add", "a", "peer", "b", "netns", "x", "peer-netns",
	      "y", "queues", "4", "address", "02:00:00:00:00:0a",
	      "peer-address", "02:00:00:00:00:0b");
	assert_int_equal(req.op, LINK_ADD);
	assert_false(req.help);
	assert_string_equal(req.name, "a");
	assert_string_equal(req.peer, "b");
	assert_string_equal(req.netns, "x");
	assert_string_equal(req.peer_netns, "y");
	assert_int_equal(req.queues, 4);
	assert_true(req.has_mac);
	assert_true(req.has_peer_mac);
	assert_memory_equal(req.mac, mac, ETH_ALEN);
	assert_memory_equal(req.peer_mac, pmac, ETH_ALEN);
}

static void test_add_minimal(void **state)
{
	(void)state;
	/* Keywords may come first; NAME is the one word that is not one. */
	PARSE(0, NULL, "add", "peer", "b", "a");
	assert_string_equal(req.name, "a");
	assert_null(req.netns);
	assert_null(req.peer_netns);
	assert_int_equal(req.queues, 0);
	assert_false(req.has_mac);
	assert_false(req.has_peer_mac);
	/* The same name is fine in two different namespaces. */
	PARSE(0, NULL, "add", "a", "peer", "a", "peer-netns", "x");
}

static void test_add_missing(void **state)
{
	(void)state;
	PARSE(XNIC_EXIT_USAGE, "missing interface name", "add");
	PARSE(XNIC_EXIT_USAGE, "missing interface name", "add", "peer", "b");
	PARSE(XNIC_EXIT_USAGE, "missing 'peer PEER'", "add", "a");
	PARSE(XNIC_EXIT_USAGE, "missing value after 'peer'", "add", "a",
	      "peer");
	PARSE(XNIC_EXIT_USAGE, "missing value after 'queues'", "add", "a",
	      "peer", "b", "queues");
}

static void test_add_bad_names(void **state)
{
	(void)state;
	PARSE(XNIC_EXIT_USAGE,
	      "invalid interface name 'waytoolongname00' (longer than 15 characters)",
	      "add", "waytoolongname00", "peer", "b");
	PARSE(XNIC_EXIT_USAGE, "invalid interface name 'b/c' (contains '/')",
	      "add", "a", "peer", "b/c");
	PARSE(XNIC_EXIT_USAGE,
	      "invalid interface name 'a b' (contains whitespace)",
	      "add", "a b", "peer", "b");
	PARSE(XNIC_EXIT_USAGE,
	      "invalid interface name '.' ('.' and '..' are reserved)",
	      "add", ".", "peer", "b");
	PARSE(XNIC_EXIT_USAGE,
	      "invalid interface name '..' ('.' and '..' are reserved)",
	      "add", "a", "peer", "..");
	PARSE(XNIC_EXIT_USAGE, "invalid interface name '' (empty)",
	      "add", "", "peer", "b");
	PARSE(XNIC_EXIT_USAGE, "NAME and PEER are both 'a' in the same netns",
	      "add", "a", "peer", "a");
	PARSE(XNIC_EXIT_USAGE, "NAME and PEER are both 'a' in the same netns",
	      "add", "a", "peer", "a", "netns", "x", "peer-netns", "x");
}

static void test_add_bad_values(void **state)
{
	(void)state;
	PARSE(XNIC_EXIT_USAGE, "invalid queue count 'abc' (expected 1..16)",
	      "add", "a", "peer", "b", "queues", "abc");
	PARSE(XNIC_EXIT_USAGE, "invalid queue count '0' (expected 1..16)",
	      "add", "a", "peer", "b", "queues", "0");
	PARSE(XNIC_EXIT_USAGE, "invalid queue count '17' (expected 1..16)",
	      "add", "a", "peer", "b", "queues", "17");
	PARSE(XNIC_EXIT_USAGE,
	      "invalid MAC address 'zz' (expected xx:xx:xx:xx:xx:xx)",
	      "add", "a", "peer", "b", "address", "zz");
	PARSE(XNIC_EXIT_USAGE,
	      "invalid MAC address '01:00:00:00:00:01' (multicast)",
	      "add", "a", "peer", "b", "peer-address", "01:00:00:00:00:01");
	PARSE(XNIC_EXIT_USAGE, "invalid netns name 'a/b' (contains '/')",
	      "add", "a", "peer", "b", "netns", "a/b");
	PARSE(XNIC_EXIT_USAGE, "invalid netns name '' (empty)",
	      "add", "a", "peer", "b", "peer-netns", "");
}

static void test_add_bad_keywords(void **state)
{
	(void)state;
	PARSE(XNIC_EXIT_USAGE, "unknown keyword 'mtu'",
	      "add", "a", "peer", "b", "mtu", "9000");
	PARSE(XNIC_EXIT_USAGE, "duplicate keyword 'queues'",
	      "add", "a", "peer", "b", "queues", "1", "queues", "2");
	PARSE(XNIC_EXIT_USAGE, "duplicate keyword 'peer'",
	      "add", "a", "peer", "b", "peer", "c");
	PARSE(XNIC_EXIT_USAGE, "unknown option '--json'",
	      "add", "a", "peer", "b", "--json");
}

static void test_del(void **state)
{
	(void)state;
	PARSE(0, NULL, "del", "a", "netns", "x");
	assert_int_equal(req.op, LINK_DEL);
	assert_string_equal(req.name, "a");
	assert_string_equal(req.netns, "x");
	PARSE(XNIC_EXIT_USAGE, "missing interface name", "del");
	PARSE(XNIC_EXIT_USAGE, "missing interface name", "del", "netns", "x");
	PARSE(XNIC_EXIT_USAGE, "unknown keyword 'b'", "del", "a", "b");
	PARSE(XNIC_EXIT_USAGE, "unknown option '--json'", "del", "a",
	      "--json");
	PARSE(XNIC_EXIT_USAGE, "invalid interface name '' (empty)", "del", "");
}

static void test_show(void **state)
{
	(void)state;
	PARSE(0, NULL, "show");
	assert_int_equal(req.op, LINK_SHOW);
	assert_null(req.name);
	assert_false(req.json);
	PARSE(0, NULL, "show", "--json", "a", "netns", "x");
	assert_string_equal(req.name, "a");
	assert_string_equal(req.netns, "x");
	assert_true(req.json);
	PARSE(XNIC_EXIT_USAGE, "unknown keyword 'b'", "show", "a", "b");
	PARSE(XNIC_EXIT_USAGE, "unknown option '--jsno'", "show", "--jsno");
	PARSE(XNIC_EXIT_USAGE, "duplicate option '--json'", "show", "--json",
	      "--json");
	PARSE(XNIC_EXIT_USAGE, "duplicate keyword 'netns'", "show", "netns",
	      "x", "netns", "y");
	PARSE(XNIC_EXIT_USAGE, "invalid netns name '..' ('.' and '..' are reserved)",
	      "show", "netns", "..");
}

static void test_subcommands(void **state)
{
	(void)state;
	check_parse(0, ARGV(NULL), XNIC_EXIT_USAGE,
		    "missing subcommand (try 'xnicctl link --help')");
	PARSE(XNIC_EXIT_USAGE,
	      "unknown subcommand 'list' (try 'xnicctl link --help')", "list");
	assert_string_equal(link_ctx(LINK_NONE), "link");
	assert_string_equal(link_ctx(LINK_ADD), "link add");
	assert_string_equal(link_ctx(LINK_DEL), "link del");
	assert_string_equal(link_ctx(LINK_SHOW), "link show");
}

static void test_help(void **state)
{
	(void)state;
	PARSE(0, NULL, "--help");
	assert_true(req.help);
	assert_int_equal(req.op, LINK_NONE);
	/* Help wins over any error in the same command line. */
	PARSE(0, NULL, "add", "queues", "abc", "-h");
	assert_true(req.help);
	assert_int_equal(req.op, LINK_ADD);
	PARSE(0, NULL, "show", "--help");
	assert_true(req.help);
	assert_int_equal(req.op, LINK_SHOW);
}

static void test_kind_default(void **state)
{
	(void)state;
	unsetenv("XNICCTL_KIND");
	assert_string_equal(link_kind(), "xnic");
	setenv("XNICCTL_KIND", "veth", 1);
	assert_string_equal(link_kind(), "veth");
	unsetenv("XNICCTL_KIND");
}

static void test_unknown_netns(void **state)
{
	struct xerr err;
	int fd = 42;

	(void)state;
	assert_int_equal(netns_open("xnicctl-test-no-such-netns", &fd, &err),
			 XNIC_EXIT_USAGE);
	assert_int_equal(fd, -1);
	assert_string_equal(err.msg,
			    "unknown netns 'xnicctl-test-no-such-netns' "
			    "(no /run/netns/xnicctl-test-no-such-netns)");
}

/* Collect the attributes of one nesting level, by type. */
static int collect(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(attr) <= IFLA_MAX)
		tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static void check_end(const struct nlattr **tb, const char *name,
		      const unsigned char *mac, int nsfd)
{
	assert_non_null(tb[IFLA_IFNAME]);
	assert_string_equal(mnl_attr_get_str(tb[IFLA_IFNAME]), name);
	assert_non_null(tb[IFLA_ADDRESS]);
	assert_int_equal(mnl_attr_get_payload_len(tb[IFLA_ADDRESS]), ETH_ALEN);
	assert_memory_equal(mnl_attr_get_payload(tb[IFLA_ADDRESS]), mac,
			    ETH_ALEN);
	assert_int_equal(mnl_attr_get_u32(tb[IFLA_NET_NS_FD]), nsfd);
	assert_int_equal(mnl_attr_get_u32(tb[IFLA_NUM_TX_QUEUES]), 3);
	assert_int_equal(mnl_attr_get_u32(tb[IFLA_NUM_RX_QUEUES]), 3);
}

/* The layout the module expects: see kmod/include/uapi/xnic.h. */
static void test_build_add(void **state)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { NULL };
	const struct nlattr *info[IFLA_MAX + 1] = { NULL };
	const struct nlattr *data[IFLA_MAX + 1] = { NULL };
	const struct nlattr *ptb[IFLA_MAX + 1] = { NULL };
	const struct nlattr *peer;
	const struct ifinfomsg *pifm;
	struct nlmsghdr *nlh;
	char buf[NL_SEND_SIZE];

	(void)state;
	PARSE(0, NULL, "add", "a", "peer", "b", "queues", "3", "address",
	      "02:00:00:00:00:0a", "peer-address", "02:00:00:00:00:0b");
	nlh = link_build_add(buf, &req, "xnic", 7, 8);

	assert_int_equal(nlh->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(nlh->nlmsg_flags & (NLM_F_REQUEST | NLM_F_CREATE |
					     NLM_F_EXCL),
			 NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(mnl_attr_parse(nlh, sizeof(struct ifinfomsg),
					collect, tb), MNL_CB_OK);
	check_end(tb, "a", req.mac, 7);

	assert_non_null(tb[IFLA_LINKINFO]);
	mnl_attr_parse_nested(tb[IFLA_LINKINFO], collect, info);
	assert_string_equal(mnl_attr_get_str(info[IFLA_INFO_KIND]), "xnic");
	assert_non_null(info[IFLA_INFO_DATA]);
	mnl_attr_parse_nested(info[IFLA_INFO_DATA], collect, data);
	peer = data[IFLA_XNIC_PEER];
	assert_non_null(peer);

	/* IFLA_XNIC_PEER: a struct ifinfomsg, then the peer's attributes. */
	assert_true(mnl_attr_get_payload_len(peer) >= sizeof(*pifm));
	pifm = mnl_attr_get_payload(peer);
	assert_int_equal(pifm->ifi_family, AF_UNSPEC);
	assert_int_equal(pifm->ifi_index, 0);
	mnl_attr_parse_payload((const char *)pifm + sizeof(*pifm),
			       mnl_attr_get_payload_len(peer) - sizeof(*pifm),
			       collect, ptb);
	check_end(ptb, "b", req.peer_mac, 8);
}

static void test_build_add_defaults(void **state)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { NULL };
	struct nlmsghdr *nlh;
	char buf[NL_SEND_SIZE];

	(void)state;
	PARSE(0, NULL, "add", "a", "peer", "b");
	nlh = link_build_add(buf, &req, "xnic", -1, -1);
	mnl_attr_parse(nlh, sizeof(struct ifinfomsg), collect, tb);
	assert_non_null(tb[IFLA_IFNAME]);
	assert_null(tb[IFLA_ADDRESS]);
	assert_null(tb[IFLA_NET_NS_FD]);
	assert_null(tb[IFLA_NUM_TX_QUEUES]);
	assert_null(tb[IFLA_NUM_RX_QUEUES]);
}

/* An RTM_NEWLINK as the kernel would send it for one end of a pair. */
static struct nlmsghdr *fake_newlink(char *buf, bool peer_elsewhere)
{
	static const unsigned char mac[ETH_ALEN] = { 2, 0, 0, 0, 0, 0xa };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;
	struct nlattr *nest;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = 12;
	ifm->ifi_flags = IFF_UP | IFF_BROADCAST;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "xa\"0");
	mnl_attr_put_u32(nlh, IFLA_MTU, 9000);
	mnl_attr_put_u8(nlh, IFLA_CARRIER, 1);
	mnl_attr_put(nlh, IFLA_ADDRESS, ETH_ALEN, mac);
	mnl_attr_put_u32(nlh, IFLA_LINK, 13);
	if (peer_elsewhere)
		mnl_attr_put_u32(nlh, IFLA_LINK_NETNSID, 2);
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 4);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, 5);
	nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "xnic");
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static void test_info_parse(void **state)
{
	char buf[NL_SEND_SIZE];
	struct link_info li;

	(void)state;
	assert_int_equal(link_info_parse(fake_newlink(buf, true), &li), 0);
	assert_string_equal(li.name, "xa\"0");
	assert_string_equal(li.kind, "xnic");
	assert_int_equal(li.ifindex, 12);
	assert_true(li.up);
	assert_true(li.has_carrier);
	assert_true(li.carrier);
	assert_int_equal(li.mtu, 9000);
	assert_int_equal(li.addr_len, ETH_ALEN);
	assert_true(li.has_peer);
	assert_int_equal(li.peer_ifindex, 13);
	assert_true(li.has_peer_nsid);
	assert_int_equal(li.peer_nsid, 2);
	assert_int_equal(li.txq, 4);
	assert_int_equal(li.rxq, 5);
}

static void test_info_parse_rejects(void **state)
{
	struct nlmsghdr *nlh;
	char buf[NL_SEND_SIZE];
	struct link_info li;

	(void)state;
	nlh = fake_newlink(buf, false);
	nlh->nlmsg_type = RTM_NEWADDR;
	assert_int_equal(link_info_parse(nlh, &li), -1);
	/* No IFLA_IFNAME. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	assert_int_equal(link_info_parse(nlh, &li), -1);
}

/* Run @print into a memory stream and return what it wrote. */
static char *capture(const struct link_info *li, bool json)
{
	char *out = NULL;
	size_t len = 0;
	struct json j;
	FILE *f;

	f = open_memstream(&out, &len);
	assert_non_null(f);
	if (json) {
		json_init(&j, f);
		link_info_print_json(&j, li);
	} else {
		link_info_print_row(f, li);
	}
	fclose(f);
	return out;
}

static void test_info_print(void **state)
{
	char buf[NL_SEND_SIZE];
	struct link_info li;
	char *out;

	(void)state;
	link_info_parse(fake_newlink(buf, true), &li);
	out = capture(&li, false);
	assert_string_equal(out, "xa\"0                 12 up    on       9000 "
			    "02:00:00:00:00:0a 13@nsid2        4    5\n");
	free(out);
	out = capture(&li, true);
	assert_string_equal(out, "{\"name\":\"xa\\\"0\",\"ifindex\":12,"
			    "\"state\":\"up\",\"carrier\":true,\"mtu\":9000,"
			    "\"address\":\"02:00:00:00:00:0a\","
			    "\"peer_ifindex\":13,\"peer_netnsid\":2,"
			    "\"tx_queues\":4,\"rx_queues\":5}\n");
	free(out);
}

static void test_info_print_unreported(void **state)
{
	struct link_info li = { .name = "xb", .ifindex = 3 };
	char *out;

	(void)state;
	out = capture(&li, false);
	assert_string_equal(out, "xb                    3 down  -           - "
			    "-                 -               -    -\n");
	free(out);
	out = capture(&li, true);
	assert_string_equal(out, "{\"name\":\"xb\",\"ifindex\":3,"
			    "\"state\":\"down\",\"carrier\":null,\"mtu\":null,"
			    "\"address\":null,\"peer_ifindex\":null,"
			    "\"peer_netnsid\":null,\"tx_queues\":null,"
			    "\"rx_queues\":null}\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_full),
		cmocka_unit_test(test_add_minimal),
		cmocka_unit_test(test_add_missing),
		cmocka_unit_test(test_add_bad_names),
		cmocka_unit_test(test_add_bad_values),
		cmocka_unit_test(test_add_bad_keywords),
		cmocka_unit_test(test_del),
		cmocka_unit_test(test_show),
		cmocka_unit_test(test_subcommands),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_kind_default),
		cmocka_unit_test(test_unknown_netns),
		cmocka_unit_test(test_build_add),
		cmocka_unit_test(test_build_add_defaults),
		cmocka_unit_test(test_info_parse),
		cmocka_unit_test(test_info_parse_rejects),
		cmocka_unit_test(test_info_print),
		cmocka_unit_test(test_info_print_unreported),
	};

	return cmocka_run_group_tests_name("link", tests, NULL, NULL);
}
