// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of per-packet service translation (bpf/nodeport.bpf.c) through
 * BPF_PROG_TEST_RUN, on whatever kernel runs them (the VM case runs them
 * on Debian's 6.1, whose verifier is the one that matters). The service
 * maps are written here the way `xnicctl service` writes them
 * (bpf/service.h); the object is loaded with its maps unpinned.
 *
 * Every rewritten packet's IPv4 and TCP/UDP checksums are verified with
 * this file's own one's-complement sum over the output bytes (never with
 * the program's arithmetic), every byte the translation must not touch is
 * compared with the input, and every run's reason counter must move by
 * exactly that packet (np_stats, summed over CPUs, against a tally).
 * Every drop must send exactly one drop event, every pass none.
 *
 * np_xdp asks the FIB where the backend is, and test runs use the
 * routing of the caller's network namespace: the tests run in a new one
 * of their own, with a veth pair whose routes and permanent neighbours
 * are set up here (setup_netns()), and runs pass it as the ingress port.
 *
 * Needs root (CAP_BPF + CAP_NET_ADMIN). CMOCKA_MESSAGE_OUTPUT=TAP for
 * TAP output, as the test harness uses.
 */
#define _GNU_SOURCE	/* unshare() */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bpftest.h"
#include "evtest.h"
#include "nodeport.h"
#include "nodeport.skel.h"
#include "service.h"

#define PKT_MAX		512
#define ETH_LEN		14
#define P_TCP		6
#define P_UDP		17
#define P_ICMP		1

#define CLIENT		"10.0.0.5"
#define VIP		"10.96.0.10"
#define NODE		"192.168.1.1"
#define BE1		"10.0.1.2"
#define BE2		"10.0.1.3"
#define BE_PORT		8080
/* The netns's routes (setup_netns()): */
#define CLIENT2		"10.0.0.6"	/* np0, a neighbour */
#define BE_OTHER	"10.9.0.2"	/* out of np1, a neighbour */
#define CLIENT_MAC	"\x02\x00\x00\x00\x00\x05"	/* CLIENT's */
#define BE1_MAC		"\x02\x00\x00\x00\x01\x02"	/* BE1's; BE2: none */

enum dir { IN, OUT, XDP };

static struct nodeport *skel;
static int prog_fd[3], svc_fd, sel_fd, be_fd, sstats_fd, bstats_fd;
static int ct_fd, rev_fd, xrev_fd, config_fd, stats_fd;
static int ncpus, lo_ifindex, np0_ifindex;
static uint8_t np0_mac[ETH_ALEN];
static struct np_stat tally[NP_REASON_MAX];

static const char *const reason_name[NP_REASON_MAX] = {
	[NP_PASS_OTHER] = "PASS_OTHER",
	[NP_PASS_MALFORMED] = "PASS_MALFORMED",
	[NP_PASS_FRAGMENT] = "PASS_FRAGMENT",
	[NP_DNAT_NEW] = "DNAT_NEW",
	[NP_DNAT_FLOW] = "DNAT_FLOW",
	[NP_SNAT] = "SNAT",
	[NP_XDP_PASS] = "XDP_PASS",
	[NP_XDP_PASS_NO_NODE] = "XDP_PASS_NO_NODE",
	[NP_XDP_PASS_TC_FLOW] = "XDP_PASS_TC_FLOW",
	[NP_XDP_PASS_ROUTE] = "XDP_PASS_ROUTE",
	[NP_XDP_PASS_NO_NEIGH] = "XDP_PASS_NO_NEIGH",
	[NP_XDP_PASS_PORT_BUSY] = "XDP_PASS_PORT_BUSY",
	[NP_XDP_TX_NEW] = "XDP_TX_NEW",
	[NP_XDP_TX_FLOW] = "XDP_TX_FLOW",
	[NP_XDP_TX_REPLY] = "XDP_TX_REPLY",
	[NP_DROP_NO_BACKEND] = "DROP_NO_BACKEND",
	[NP_DROP_MALFORMED] = "DROP_MALFORMED",
	[NP_DROP_FRAGMENT] = "DROP_FRAGMENT",
	[NP_DROP_REWRITE] = "DROP_REWRITE",
	[NP_DROP_XDP_ROUTE] = "DROP_XDP_ROUTE",
};

/* ---- packets ---------------------------------------------------------- */

struct pkt {
	uint8_t b[PKT_MAX];
	size_t len;
	size_t l4;	/* offset of the TCP/UDP header */
};

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return ntohl(a.s_addr);
}

/* One's-complement sum of n bytes (big-endian words) added to sum. */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += get16(p + i);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The TCP/UDP sum with the pseudo header; 0xffff when it verifies. */
static uint16_t l4_sum(const struct pkt *p)
{
	const uint8_t *iph = p->b + ETH_LEN;
	size_t l4len = p->len - p->l4;
	uint32_t sum;

	sum = sum16(iph + 12, 8, 0);
	sum += iph[9];
	sum += (uint32_t)l4len;
	return fold(sum16(p->b + p->l4, l4len, sum));
}

static uint16_t ip_sum(const struct pkt *p)
{
	return fold(sum16(p->b + ETH_LEN, p->l4 - ETH_LEN, 0));
}

static size_t csum_off(const struct pkt *p)
{
	return p->l4 + (p->b[ETH_LEN + 9] == P_TCP ? 16 : 6);
}

/* Write both checksums so they verify; UDP with @udp_zero: none (0). */
static void seal(struct pkt *p, bool udp_zero)
{
	uint8_t *iph = p->b + ETH_LEN;
	uint16_t c;

	put16(iph + 10, 0);
	put16(iph + 10, (uint16_t)~ip_sum(p));
	if (iph[9] != P_TCP && iph[9] != P_UDP)
		return;
	put16(p->b + csum_off(p), 0);
	if (udp_zero)
		return;
	c = (uint16_t)~l4_sum(p);
	if (iph[9] == P_UDP && !c)
		c = 0xffff;
	put16(p->b + csum_off(p), c);
}

/*
 * Ethernet, IPv4 (@ihl words) from src:sport to dst:dport, @l4len bytes
 * of L4 header and @payload bytes after it, checksums sealed.
 */
static void pkt_build(struct pkt *p, uint8_t proto, const char *src,
		      uint16_t sport, const char *dst, uint16_t dport,
		      unsigned int ihl, size_t l4len, size_t payload)
{
	uint8_t *iph = p->b + ETH_LEN, *l4;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->b[5] = 2;
	p->b[11] = 1;
	put16(p->b + 12, 0x0800);
	p->l4 = ETH_LEN + ihl * 4;
	p->len = p->l4 + l4len + payload;
	assert_true(p->len <= PKT_MAX);
	iph[0] = (uint8_t)(0x40 | ihl);
	put16(iph + 2, (uint16_t)(p->len - ETH_LEN));
	put16(iph + 4, 0x1234);
	iph[8] = 64;
	iph[9] = proto;
	put32(iph + 12, ip(src));
	put32(iph + 16, ip(dst));
	for (i = 20; i < ihl * 4u; i++)
		iph[i] = 1;	/* NOP options */
	l4 = p->b + p->l4;
	if (l4len >= 4) {
		put16(l4, sport);
		put16(l4 + 2, dport);
	}
	if (proto == P_TCP && l4len >= 20) {
		put32(l4 + 4, 1000);
		l4[12] = 0x50;
		l4[13] = 0x02;	/* SYN */
		put16(l4 + 14, 65535);
	}
	if (proto == P_UDP && l4len >= 8)
		put16(l4 + 4, (uint16_t)(l4len + payload));
	for (i = 0; i < payload; i++)
		p->b[p->l4 + l4len + i] = (uint8_t)(i * 7 + 3);
	if (l4len >= (proto == P_TCP ? 20u : 8u))
		seal(p, false);
}

static void tcp(struct pkt *p, const char *src, uint16_t sport,
		const char *dst, uint16_t dport)
{
	pkt_build(p, P_TCP, src, sport, dst, dport, 5, 20, 13);
}

static void udp(struct pkt *p, const char *src, uint16_t sport,
		const char *dst, uint16_t dport)
{
	pkt_build(p, P_UDP, src, sport, dst, dport, 5, 8, 21);
}

static uint32_t pkt_saddr(const struct pkt *p)
{
	return get32(p->b + ETH_LEN + 12);
}

static uint32_t pkt_daddr(const struct pkt *p)
{
	return get32(p->b + ETH_LEN + 16);
}

static uint16_t pkt_sport(const struct pkt *p)
{
	return get16(p->b + p->l4);
}

static uint16_t pkt_dport(const struct pkt *p)
{
	return get16(p->b + p->l4 + 2);
}

/* ---- maps --------------------------------------------------------------- */

static void zero_percpu(int fd, uint32_t n)
{
	struct np_stat zero[ncpus];
	uint32_t k;

	memset(zero, 0, sizeof(zero));
	for (k = 0; k < n; k++)
		assert_int_equal(bpf_map_update_elem(fd, &k, zero, BPF_ANY), 0);
}

static void clear_hash(int fd, size_t key_size)
{
	uint8_t key[64], next[64];

	assert_true(key_size <= sizeof(key));
	while (!bpf_map_get_next_key(fd, NULL, next)) {
		memcpy(key, next, key_size);
		assert_int_equal(bpf_map_delete_elem(fd, key), 0);
	}
}

static uint64_t lb_selected(int fd, uint32_t id, bool no_backend)
{
	struct lb_stat v[ncpus];
	uint64_t n = 0;
	int i;

	assert_int_equal(bpf_map_lookup_elem(fd, &id, v), 0);
	for (i = 0; i < ncpus; i++)
		n += no_backend ? v[i].no_backend : v[i].selected;
	return n;
}

static void node_addr(const char *a)
{
	struct np_config c = { .node_addr = a ? htonl(ip(a)) : 0 };
	uint32_t k = 0;

	assert_int_equal(bpf_map_update_elem(config_fd, &k, &c, BPF_ANY), 0);
}

static void svc_key(struct lb_svc_key *k, const char *vip, uint16_t port,
		    uint8_t proto)
{
	memset(k, 0, sizeof(*k));
	k->addr[0] = htonl(ip(vip));
	k->port = htons(port);
	k->family = LB_FAMILY_IPV4;
	k->proto = proto;
}

/* Backend @id of service @svc_id at addr:BE_PORT. */
static void backend(uint32_t id, uint32_t svc_id, const char *a)
{
	struct lb_be b = {
		.port = htons(BE_PORT), .family = LB_FAMILY_IPV4,
		.weight = 1, .svc_id = svc_id,
	};
	struct lb_stat z[ncpus];

	b.addr[0] = htonl(ip(a));
	memset(z, 0, sizeof(z));
	assert_int_equal(bpf_map_update_elem(be_fd, &id, &b, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(bstats_fd, &id, z, BPF_ANY), 0);
}

/*
 * Service @id at vip:port/proto, revision @rev, one slot per backend
 * id in @be (n of them; 0: no backend).
 */
static void service(uint32_t id, uint32_t rev, const char *vip,
		    uint16_t port, uint8_t proto, const uint32_t *be,
		    unsigned int n)
{
	struct lb_svc v = { .id = id, .rev = rev, .slots = n, .backends = n };
	struct lb_sel_key sk = { .id = id, .rev = rev };
	struct lb_stat z[ncpus];
	struct lb_svc_key k;

	for (sk.slot = 0; sk.slot < n; sk.slot++)
		assert_int_equal(bpf_map_update_elem(sel_fd, &sk, &be[sk.slot],
						     BPF_ANY), 0);
	svc_key(&k, vip, port, proto);
	memset(z, 0, sizeof(z));
	if (bpf_map_lookup_elem(sstats_fd, &id, z))
		assert_int_equal(bpf_map_update_elem(sstats_fd, &id, z,
						     BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(svc_fd, &k, &v, BPF_ANY), 0);
}

/* Service 1: VIP:80/tcp with backends 11 (BE1) and 12 (BE2). */
static const uint32_t two[] = { 11, 12 };

static void vip_service(void)
{
	backend(11, 1, BE1);
	backend(12, 1, BE2);
	service(1, 0, VIP, 80, P_TCP, two, 2);
}

/* Before every test: no service, no flow, no node address, zero counters. */
static int reset(void **state)
{
	(void)state;
	clear_hash(svc_fd, sizeof(struct lb_svc_key));
	clear_hash(sel_fd, sizeof(struct lb_sel_key));
	clear_hash(be_fd, sizeof(__u32));
	clear_hash(sstats_fd, sizeof(__u32));
	clear_hash(bstats_fd, sizeof(__u32));
	clear_hash(ct_fd, sizeof(struct np_tuple));
	clear_hash(rev_fd, sizeof(struct np_tuple));
	clear_hash(xrev_fd, sizeof(struct np_tuple));
	node_addr(NULL);
	zero_percpu(stats_fd, NP_REASON_MAX);
	memset(tally, 0, sizeof(tally));
	return 0;
}

/* ---- running the program ---------------------------------------------- */

static bool stats_match(void)
{
	struct np_stat v[ncpus];
	uint64_t pk, by;
	bool ok = true;
	uint32_t k;
	int i;

	for (k = 0; k < NP_REASON_MAX; k++) {
		assert_int_equal(bpf_map_lookup_elem(stats_fd, &k, v), 0);
		pk = 0;
		by = 0;
		for (i = 0; i < ncpus; i++) {
			pk += v[i].packets;
			by += v[i].bytes;
		}
		if (pk != tally[k].packets || by != tally[k].bytes) {
			print_error("np_stats %s: %" PRIu64 "/%" PRIu64
				    " packets/bytes, want %" PRIu64 "/%" PRIu64 "\n",
				    reason_name[k], pk, by,
				    (uint64_t)tally[k].packets,
				    (uint64_t)tally[k].bytes);
			ok = false;
		}
	}
	return ok;
}

static const char *const dir_name[] = { "ingress", "egress", "xdp" };

/* The verdict @d gives a packet of @reason. */
static int verdict(enum dir d, int reason)
{
	if (d != XDP)
		return NP_REASON_IS_DROP(reason) ? TC_ACT_SHOT : TC_ACT_UNSPEC;
	if (NP_REASON_IS_DROP(reason))
		return XDP_DROP;
	return NP_REASON_IS_TX(reason) ? XDP_TX : XDP_PASS;
}

/* One event for a drop, with @in's addresses and ports; none otherwise. */
static void check_event(enum dir d, const struct pkt *in, int reason,
			uint64_t t0, uint64_t t1)
{
	static const uint8_t hook[] = {
		XNIC_EV_HOOK_TC_INGRESS, XNIC_EV_HOOK_TC_EGRESS,
		XNIC_EV_HOOK_XDP,
	};
	const struct xnic_drop_event *e;

	if (!NP_REASON_IS_DROP(reason)) {
		if (ev_n)
			fail_msg("%u drop events for a pass (%s)", ev_n,
				 reason_name[reason]);
		return;
	}
	e = ev_one(hook[d], XNIC_EV_PROG_NODEPORT, (uint8_t)reason,
		   (uint32_t)(d == XDP ? np0_ifindex : lo_ifindex),
		   (uint32_t)in->len, t0, t1);
	assert_int_equal(e->ethertype, 0x0800);
	assert_int_equal(e->family, XNIC_EV_FAMILY_IPV4);
	assert_int_equal(e->proto, in->b[ETH_LEN + 9]);
	assert_int_equal(e->flags, XNIC_EV_F_PORTS);
	assert_int_equal(e->sport, pkt_sport(in));
	assert_int_equal(e->dport, pkt_dport(in));
	assert_memory_equal(e->saddr, in->b + ETH_LEN + 12, 4);
	assert_memory_equal(e->daddr, in->b + ETH_LEN + 16, 4);
}

/*
 * Run @in through @d (XDP: arriving on np0); the output in @out.
 * Asserts the verdict the reason implies, that only that reason's
 * counter moved, and the drop event (or none).
 */
static void run(enum dir d, const struct pkt *in, int reason, struct pkt *out)
{
	struct xdp_md ctx = {
		.data_end = (uint32_t)in->len,
		.ingress_ifindex = (uint32_t)np0_ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = in->b,
		.data_size_in = (uint32_t)in->len,
		.data_out = out->b,
		.data_size_out = sizeof(out->b),
	);
	int want = verdict(d, reason);
	uint64_t t0, t1;

	if (d == XDP) {
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
	}
	memset(out, 0, sizeof(*out));
	t0 = ev_now();
	assert_int_equal(bpf_prog_test_run_opts(prog_fd[d], &opts), 0);
	t1 = ev_now();
	ev_take();
	out->len = opts.data_size_out;
	out->l4 = in->l4;
	assert_int_equal(out->len, in->len);
	if ((int)opts.retval != want)
		fail_msg("%s: verdict %d, want %d (%s)", dir_name[d],
			 (int)opts.retval, want, reason_name[reason]);
	tally[reason].packets++;
	tally[reason].bytes += in->len;
	if (!stats_match())
		fail_msg("counters differ after a packet of reason %s",
			 reason_name[reason]);
	check_event(d, in, reason, t0, t1);
}

/* Passed untouched: every byte out as it came in. */
static void run_untouched(enum dir d, const struct pkt *in, int reason)
{
	struct pkt out;

	run(d, in, reason, &out);
	assert_memory_equal(out.b, in->b, in->len);
}

/* Both checksums of a rewritten packet verify (UDP 0 stays 0). */
static void assert_sums(const struct pkt *p, bool udp_zero)
{
	if (ip_sum(p) != 0xffff)
		fail_msg("IPv4 header checksum does not verify (sum %#x)",
			 ip_sum(p));
	if (udp_zero) {
		assert_int_equal(get16(p->b + csum_off(p)), 0);
		return;
	}
	if (l4_sum(p) != 0xffff)
		fail_msg("L4 checksum does not verify (sum %#x)", l4_sum(p));
}

/*
 * @out is @in with only the destination (ingress) or source (egress)
 * address and port and the two checksums changed.
 */
static void assert_only_rewrite(const struct pkt *in, const struct pkt *out,
				enum dir d)
{
	struct pkt a = *in, b = *out;
	size_t ao = ETH_LEN + (d == IN ? 16 : 12), po = in->l4 + (d == IN ? 2 : 0);

	memset(a.b + ao, 0, 4);
	memset(b.b + ao, 0, 4);
	memset(a.b + po, 0, 2);
	memset(b.b + po, 0, 2);
	memset(a.b + ETH_LEN + 10, 0, 2);
	memset(b.b + ETH_LEN + 10, 0, 2);
	memset(a.b + csum_off(in), 0, 2);
	memset(b.b + csum_off(in), 0, 2);
	assert_memory_equal(a.b, b.b, in->len);
}

/* Ingress: translated to one of the backends; returns its address. */
static uint32_t run_dnat(const struct pkt *in, int reason, uint16_t port)
{
	struct pkt out;

	run(IN, in, reason, &out);
	assert_only_rewrite(in, &out, IN);
	assert_sums(&out, false);
	assert_int_equal(pkt_dport(&out), port);
	assert_int_equal(pkt_saddr(&out), pkt_saddr(in));
	assert_int_equal(pkt_sport(&out), pkt_sport(in));
	return pkt_daddr(&out);
}

/* ---- tests ------------------------------------------------------------- */

static void test_syn_to_vip(void **state)
{
	struct pkt p;
	uint32_t be;

	(void)state;
	vip_service();
	tcp(&p, CLIENT, 40000, VIP, 80);
	be = run_dnat(&p, NP_DNAT_NEW, BE_PORT);
	assert_true(be == ip(BE1) || be == ip(BE2));
	assert_int_equal(lb_selected(sstats_fd, 1, false), 1);
	assert_int_equal(lb_selected(bstats_fd, be == ip(BE1) ? 11 : 12, false),
			 1);
	assert_int_equal(lb_selected(bstats_fd, be == ip(BE1) ? 12 : 11, false),
			 0);
}

static void test_flow_sticks(void **state)
{
	uint32_t be, first[2] = { 0 };
	struct pkt p;
	int i, f;

	(void)state;
	vip_service();
	/* Each of 64 flows: 10 packets on one backend. */
	for (f = 0; f < 64; f++) {
		tcp(&p, CLIENT, (uint16_t)(41000 + f), VIP, 80);
		be = run_dnat(&p, NP_DNAT_NEW, BE_PORT);
		for (i = 0; i < 9; i++) {
			/* Later segments: other payload, other flags. */
			p.b[p.l4 + 13] = 0x10;
			p.b[p.len - 1] = (uint8_t)i;
			seal(&p, false);
			assert_int_equal(run_dnat(&p, NP_DNAT_FLOW, BE_PORT), be);
		}
		first[be == ip(BE1) ? 0 : 1]++;
	}
	/* Both backends chosen: all 64 on one has a chance of 2^-63. */
	assert_true(first[0] > 0 && first[1] > 0);
	assert_int_equal(lb_selected(sstats_fd, 1, false), 64);
	assert_int_equal(lb_selected(bstats_fd, 11, false), first[0]);
	assert_int_equal(lb_selected(bstats_fd, 12, false), first[1]);
}

static void test_reply_snat(void **state)
{
	struct pkt p, out;
	uint32_t be;
	char bes[INET_ADDRSTRLEN];
	struct in_addr a;

	(void)state;
	vip_service();
	tcp(&p, CLIENT, 40000, VIP, 80);
	be = run_dnat(&p, NP_DNAT_NEW, BE_PORT);
	a.s_addr = htonl(be);
	inet_ntop(AF_INET, &a, bes, sizeof(bes));

	/* The backend's SYN-ACK, leaving towards the client. */
	tcp(&p, bes, BE_PORT, CLIENT, 40000);
	p.b[p.l4 + 13] = 0x12;
	seal(&p, false);
	run(OUT, &p, NP_SNAT, &out);
	assert_only_rewrite(&p, &out, OUT);
	assert_sums(&out, false);
	assert_int_equal(pkt_saddr(&out), ip(VIP));
	assert_int_equal(pkt_sport(&out), 80);
	assert_int_equal(pkt_daddr(&out), ip(CLIENT));
	assert_int_equal(pkt_dport(&out), 40000);

	/* The same backend to another client port: not a flow of ours. */
	tcp(&p, bes, BE_PORT, CLIENT, 40001);
	run_untouched(OUT, &p, NP_PASS_OTHER);
	/* Egress never translates destinations, ingress never replies. */
	tcp(&p, CLIENT, 40000, VIP, 80);
	run_untouched(OUT, &p, NP_PASS_OTHER);
	tcp(&p, bes, BE_PORT, CLIENT, 40000);
	run_untouched(IN, &p, NP_PASS_OTHER);
}

static void test_nodeport(void **state)
{
	struct pkt p, out;
	uint32_t be;

	(void)state;
	backend(21, 2, BE1);
	service(2, 0, "0.0.0.0", 30080, P_TCP, (const uint32_t[]){ 21 }, 1);
	/* No node address configured: nothing is a NodePort. */
	tcp(&p, CLIENT, 40000, NODE, 30080);
	run_untouched(IN, &p, NP_PASS_OTHER);

	node_addr(NODE);
	be = run_dnat(&p, NP_DNAT_NEW, BE_PORT);
	assert_int_equal(be, ip(BE1));
	/* Another address, or another port of the node: untouched. */
	tcp(&p, CLIENT, 40000, "192.168.1.2", 30080);
	run_untouched(IN, &p, NP_PASS_OTHER);
	tcp(&p, CLIENT, 40000, NODE, 30081);
	run_untouched(IN, &p, NP_PASS_OTHER);
	udp(&p, CLIENT, 40000, NODE, 30080);
	run_untouched(IN, &p, NP_PASS_OTHER);

	/* The reply comes back from the node address and NodePort. */
	tcp(&p, BE1, BE_PORT, CLIENT, 40000);
	run(OUT, &p, NP_SNAT, &out);
	assert_sums(&out, false);
	assert_int_equal(pkt_saddr(&out), ip(NODE));
	assert_int_equal(pkt_sport(&out), 30080);
}

/*
 * ICMP, and to a service port: ARP, IPv6 (IPv4 only) and a VLAN tag (not
 * parsed): passed as they are.
 */
static void run_foreign(enum dir d, int reason)
{
	static const uint16_t types[] = { 0x0806, 0x86dd, 0x8100 };
	struct pkt p;
	size_t i;

	pkt_build(&p, P_ICMP, CLIENT, 0, VIP, 0, 5, 8, 0);
	run_untouched(d, &p, reason);
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		tcp(&p, CLIENT, 40000, VIP, 80);
		put16(p.b + 12, types[i]);
		run_untouched(d, &p, reason);
	}
}

static void test_non_service_untouched(void **state)
{
	struct pkt p;

	(void)state;
	vip_service();
	node_addr(NODE);
	tcp(&p, CLIENT, 40000, VIP, 81);
	run_untouched(IN, &p, NP_PASS_OTHER);
	udp(&p, CLIENT, 40000, VIP, 80);
	run_untouched(IN, &p, NP_PASS_OTHER);
	tcp(&p, CLIENT, 40000, "10.96.0.11", 80);
	run_untouched(IN, &p, NP_PASS_OTHER);
	pkt_build(&p, P_ICMP, CLIENT, 0, VIP, 0, 5, 8, 0);
	run_untouched(OUT, &p, NP_PASS_OTHER);
	run_foreign(IN, NP_PASS_OTHER);
	assert_int_equal(lb_selected(sstats_fd, 1, false), 0);
}

static void test_udp_checksums(void **state)
{
	struct pkt p, out;
	uint32_t be;

	(void)state;
	backend(31, 3, BE2);
	service(3, 0, VIP, 53, P_UDP, (const uint32_t[]){ 31 }, 1);
	/* With a checksum: fixed, and it verifies. */
	udp(&p, CLIENT, 5353, VIP, 53);
	be = run_dnat(&p, NP_DNAT_NEW, BE_PORT);
	assert_int_equal(be, ip(BE2));

	/* Zero (no checksum): stays zero, the IPv4 header's is fixed. */
	udp(&p, CLIENT, 5354, VIP, 53);
	seal(&p, true);
	run(IN, &p, NP_DNAT_NEW, &out);
	assert_only_rewrite(&p, &out, IN);
	assert_sums(&out, true);
	assert_int_equal(pkt_daddr(&out), ip(BE2));

	/* Replies, with and without a checksum. */
	udp(&p, BE2, BE_PORT, CLIENT, 5353);
	run(OUT, &p, NP_SNAT, &out);
	assert_sums(&out, false);
	assert_int_equal(pkt_saddr(&out), ip(VIP));
	assert_int_equal(pkt_sport(&out), 53);
	udp(&p, BE2, BE_PORT, CLIENT, 5354);
	seal(&p, true);
	run(OUT, &p, NP_SNAT, &out);
	assert_sums(&out, true);
	assert_int_equal(pkt_saddr(&out), ip(VIP));
}

/*
 * Payloads chosen so the rewritten UDP checksum folds to zero must be
 * sent as 0xffff, never as 0 (which would mean "none"). Search over
 * one payload word for a packet whose translated sum is 0.
 */
static void test_udp_checksum_never_zero(void **state)
{
	struct pkt p, out;
	unsigned int w;
	bool found = false;

	(void)state;
	backend(31, 3, BE2);
	service(3, 0, VIP, 53, P_UDP, (const uint32_t[]){ 31 }, 1);
	for (w = 0; w <= 0xffff && !found; w++) {
		struct pkt t;

		udp(&p, CLIENT, 5353, VIP, 53);
		put16(p.b + p.len - 2, (uint16_t)w);
		seal(&p, false);
		/* What the translated packet's checksum would be. */
		t = p;
		put32(t.b + ETH_LEN + 16, ip(BE2));
		put16(t.b + t.l4 + 2, BE_PORT);
		seal(&t, false);
		found = get16(t.b + csum_off(&t)) == 0xffff &&
			get16(p.b + csum_off(&p)) != 0xffff;
	}
	assert_true(found);
	run(IN, &p, NP_DNAT_NEW, &out);
	assert_int_equal(get16(out.b + csum_off(&out)), 0xffff);
	assert_sums(&out, false);
}

static void test_ip_options(void **state)
{
	struct pkt p;

	(void)state;
	vip_service();
	pkt_build(&p, P_TCP, CLIENT, 40000, VIP, 80, 8, 20, 5);
	run_dnat(&p, NP_DNAT_NEW, BE_PORT);
}

static void test_no_backend(void **state)
{
	struct pkt p;

	(void)state;
	service(4, 0, VIP, 80, P_TCP, NULL, 0);
	tcp(&p, CLIENT, 40000, VIP, 80);
	run_untouched(IN, &p, NP_DROP_NO_BACKEND);
	assert_int_equal(lb_selected(sstats_fd, 4, true), 1);
	assert_int_equal(lb_selected(sstats_fd, 4, false), 0);
	/* Nothing recorded: a later backend gets the flow. */
	backend(41, 4, BE1);
	service(4, 1, VIP, 80, P_TCP, (const uint32_t[]){ 41 }, 1);
	assert_int_equal(run_dnat(&p, NP_DNAT_NEW, BE_PORT), ip(BE1));
}

static void test_backend_changes(void **state)
{
	uint32_t be, other_id, keep_id;
	struct pkt p;

	(void)state;
	vip_service();
	tcp(&p, CLIENT, 40000, VIP, 80);
	be = run_dnat(&p, NP_DNAT_NEW, BE_PORT);
	keep_id = be == ip(BE1) ? 11 : 12;
	other_id = be == ip(BE1) ? 12 : 11;

	/*
	 * Revision 1 selects only the other backend, ours still exists:
	 * the flow stays where it is, new flows go to the other one.
	 */
	service(1, 1, VIP, 80, P_TCP, &other_id, 1);
	assert_int_equal(run_dnat(&p, NP_DNAT_FLOW, BE_PORT), be);
	tcp(&p, CLIENT, 40001, VIP, 80);
	assert_int_not_equal(run_dnat(&p, NP_DNAT_NEW, BE_PORT), be);

	/* Our backend removed (as xnicctl deletes it): the flow moves. */
	assert_int_equal(bpf_map_delete_elem(be_fd, &keep_id), 0);
	tcp(&p, CLIENT, 40000, VIP, 80);
	assert_int_not_equal(run_dnat(&p, NP_DNAT_NEW, BE_PORT), be);
	assert_int_equal(run_dnat(&p, NP_DNAT_FLOW, BE_PORT),
			 be == ip(BE1) ? ip(BE2) : ip(BE1));

	/* Replies of the removed backend: no longer translated. */
	tcp(&p, be == ip(BE1) ? BE1 : BE2, BE_PORT, CLIENT, 40000);
	run_untouched(OUT, &p, NP_PASS_OTHER);
}

static void test_service_deleted(void **state)
{
	struct lb_svc_key k;
	uint32_t id = 11;
	struct pkt p;

	(void)state;
	vip_service();
	tcp(&p, CLIENT, 40000, VIP, 80);
	run_dnat(&p, NP_DNAT_NEW, BE_PORT);
	/* As `service del`: the service, its slots, its backends. */
	svc_key(&k, VIP, 80, P_TCP);
	assert_int_equal(bpf_map_delete_elem(svc_fd, &k), 0);
	assert_int_equal(bpf_map_delete_elem(be_fd, &id), 0);
	id = 12;
	assert_int_equal(bpf_map_delete_elem(be_fd, &id), 0);
	run_untouched(IN, &p, NP_PASS_OTHER);
}

static void test_malformed(void **state)
{
	struct pkt p;
	uint32_t be;

	(void)state;
	vip_service();
	/* A service flow whose TCP/UDP header is cut short: dropped. */
	pkt_build(&p, P_TCP, CLIENT, 40000, VIP, 80, 5, 19, 0);
	run_untouched(IN, &p, NP_DROP_MALFORMED);
	pkt_build(&p, P_TCP, CLIENT, 40000, VIP, 80, 5, 4, 0);
	run_untouched(IN, &p, NP_DROP_MALFORMED);
	backend(31, 3, BE2);
	service(3, 0, VIP, 53, P_UDP, (const uint32_t[]){ 31 }, 1);
	pkt_build(&p, P_UDP, CLIENT, 5353, VIP, 53, 5, 7, 0);
	run_untouched(IN, &p, NP_DROP_MALFORMED);
	/* Cut short but not to a service: none of our business. */
	pkt_build(&p, P_TCP, CLIENT, 40000, VIP, 81, 5, 10, 0);
	run_untouched(IN, &p, NP_PASS_OTHER);
	/* Not even ports: nothing to match. */
	pkt_build(&p, P_TCP, CLIENT, 40000, VIP, 80, 5, 3, 0);
	run_untouched(IN, &p, NP_PASS_MALFORMED);
	pkt_build(&p, P_TCP, CLIENT, 40000, VIP, 80, 5, 0, 0);
	run_untouched(IN, &p, NP_PASS_MALFORMED);
	/* IHL < 5, version 6 in an IPv4 frame, IHL beyond the packet. */
	tcp(&p, CLIENT, 40000, VIP, 80);
	p.b[ETH_LEN] = 0x44;
	run_untouched(IN, &p, NP_PASS_MALFORMED);
	p.b[ETH_LEN] = 0x65;
	run_untouched(IN, &p, NP_PASS_MALFORMED);
	pkt_build(&p, P_TCP, CLIENT, 40000, VIP, 80, 5, 0, 30);
	p.b[ETH_LEN] = 0x4f;
	run_untouched(IN, &p, NP_PASS_MALFORMED);
	/* The same at egress, for a recorded reply. */
	tcp(&p, CLIENT, 40000, VIP, 80);
	be = run_dnat(&p, NP_DNAT_NEW, BE_PORT);
	pkt_build(&p, P_TCP, be == ip(BE1) ? BE1 : BE2, BE_PORT, CLIENT, 40000,
		  5, 12, 0);
	run_untouched(OUT, &p, NP_DROP_MALFORMED);
	pkt_build(&p, P_TCP, be == ip(BE1) ? BE1 : BE2, BE_PORT, CLIENT, 40000,
		  5, 3, 0);
	run_untouched(OUT, &p, NP_PASS_MALFORMED);
	assert_int_equal(lb_selected(sstats_fd, 1, false), 1);
}

static void test_fragments(void **state)
{
	struct pkt p;

	(void)state;
	vip_service();
	/* First fragment (MF, offset 0) of a service flow: dropped. */
	tcp(&p, CLIENT, 40000, VIP, 80);
	put16(p.b + ETH_LEN + 6, 0x2000);
	seal(&p, false);
	run_untouched(IN, &p, NP_DROP_FRAGMENT);
	/* ... of another flow: untouched. */
	tcp(&p, CLIENT, 40000, VIP, 81);
	put16(p.b + ETH_LEN + 6, 0x2000);
	seal(&p, false);
	run_untouched(IN, &p, NP_PASS_OTHER);
	/* Non-first fragments, with or without MF: no ports, passed. */
	tcp(&p, CLIENT, 40000, VIP, 80);
	put16(p.b + ETH_LEN + 6, 0x2003);
	seal(&p, false);
	run_untouched(IN, &p, NP_PASS_FRAGMENT);
	put16(p.b + ETH_LEN + 6, 0x0003);
	seal(&p, false);
	run_untouched(IN, &p, NP_PASS_FRAGMENT);
	run_untouched(OUT, &p, NP_PASS_FRAGMENT);
	/* DF is not a fragment. */
	tcp(&p, CLIENT, 40000, VIP, 80);
	put16(p.b + ETH_LEN + 6, 0x4000);
	seal(&p, false);
	run_dnat(&p, NP_DNAT_NEW, BE_PORT);
	assert_int_equal(lb_selected(sstats_fd, 1, false), 1);
}

/* ---- np_xdp ------------------------------------------------------------ */

/* Service 3: VIP:80/tcp with the one backend @id at @addr. */
static void one_backend(uint32_t id, const char *addr)
{
	backend(id, 3, addr);
	service(3, 0, VIP, 80, P_TCP, &id, 1);
}

/* @out is @in but for MACs, addresses, ports and the two checksums. */
static void assert_only_xdp_rewrite(const struct pkt *in,
				    const struct pkt *out)
{
	const size_t span[][2] = {
		{ 0, 2 * ETH_ALEN },
		{ ETH_LEN + 10, 10 },	/* IPv4 checksum and addresses */
		{ in->l4, 4 },
		{ csum_off(in), 2 },
	};
	struct pkt a = *in, b = *out;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(span); i++) {
		memset(a.b + span[i][0], 0, span[i][1]);
		memset(b.b + span[i][0], 0, span[i][1]);
	}
	assert_memory_equal(a.b, b.b, in->len);
}

/* XDP_TX of @in as src:sport -> dst:dport to @dmac, from np0's MAC. */
static void run_tx(const struct pkt *in, int reason, const char *dmac,
		   const char *src, uint16_t sport, const char *dst,
		   uint16_t dport, bool udp_zero)
{
	struct pkt out;

	run(XDP, in, reason, &out);
	assert_only_xdp_rewrite(in, &out);
	assert_sums(&out, udp_zero);
	assert_memory_equal(out.b, dmac, ETH_ALEN);
	assert_memory_equal(out.b + ETH_ALEN, np0_mac, ETH_ALEN);
	assert_int_equal(pkt_saddr(&out), ip(src));
	assert_int_equal(pkt_sport(&out), sport);
	assert_int_equal(pkt_daddr(&out), ip(dst));
	assert_int_equal(pkt_dport(&out), dport);
}

static void test_xdp_flow_and_reply(void **state)
{
	struct pkt p;
	int i;

	(void)state;
	node_addr(NODE);
	one_backend(31, BE1);
	tcp(&p, CLIENT, 40000, VIP, 80);
	run_tx(&p, NP_XDP_TX_NEW, BE1_MAC, NODE, 40000, BE1, BE_PORT, false);
	for (i = 0; i < 5; i++) {
		p.b[p.l4 + 13] = 0x10;
		p.b[p.len - 1] = (uint8_t)i;
		seal(&p, false);
		run_tx(&p, NP_XDP_TX_FLOW, BE1_MAC, NODE, 40000, BE1, BE_PORT,
		       false);
	}
	assert_int_equal(lb_selected(sstats_fd, 3, false), 1);
	assert_int_equal(lb_selected(bstats_fd, 31, false), 1);

	/* The backend's SYN-ACK to the node: back to the client from VIP. */
	tcp(&p, BE1, BE_PORT, NODE, 40000);
	p.b[p.l4 + 13] = 0x12;
	seal(&p, false);
	run_tx(&p, NP_XDP_TX_REPLY, CLIENT_MAC, VIP, 80, CLIENT, 40000, false);
	/* Another port of the node, another backend port: not a reply. */
	tcp(&p, BE1, BE_PORT, NODE, 40001);
	run_untouched(XDP, &p, NP_XDP_PASS);
	tcp(&p, BE1, BE_PORT + 1, NODE, 40000);
	run_untouched(XDP, &p, NP_XDP_PASS);

	/* A NodePort: the reply comes from the node address and port. */
	backend(41, 4, BE1);
	service(4, 0, "0.0.0.0", 30080, P_TCP, (const uint32_t[]){ 41 }, 1);
	tcp(&p, CLIENT, 40001, NODE, 30080);
	run_tx(&p, NP_XDP_TX_NEW, BE1_MAC, NODE, 40001, BE1, BE_PORT, false);
	tcp(&p, BE1, BE_PORT, NODE, 40001);
	run_tx(&p, NP_XDP_TX_REPLY, CLIENT_MAC, NODE, 30080, CLIENT, 40001,
	       false);
}

static void test_xdp_udp_and_options(void **state)
{
	struct pkt p;

	(void)state;
	node_addr(NODE);
	backend(51, 5, BE1);
	service(5, 0, VIP, 53, P_UDP, (const uint32_t[]){ 51 }, 1);
	udp(&p, CLIENT, 5353, VIP, 53);
	run_tx(&p, NP_XDP_TX_NEW, BE1_MAC, NODE, 5353, BE1, BE_PORT, false);
	udp(&p, BE1, BE_PORT, NODE, 5353);
	run_tx(&p, NP_XDP_TX_REPLY, CLIENT_MAC, VIP, 53, CLIENT, 5353, false);
	/* No checksum (0): stays 0 both ways. */
	udp(&p, CLIENT, 5354, VIP, 53);
	seal(&p, true);
	run_tx(&p, NP_XDP_TX_NEW, BE1_MAC, NODE, 5354, BE1, BE_PORT, true);
	udp(&p, BE1, BE_PORT, NODE, 5354);
	seal(&p, true);
	run_tx(&p, NP_XDP_TX_REPLY, CLIENT_MAC, VIP, 53, CLIENT, 5354, true);
	/* IPv4 options (IHL 15): the L4 header found behind them. */
	one_backend(31, BE1);
	pkt_build(&p, P_TCP, CLIENT, 40000, VIP, 80, 15, 20, 9);
	run_tx(&p, NP_XDP_TX_NEW, BE1_MAC, NODE, 40000, BE1, BE_PORT, false);
}

static void test_xdp_pass_to_tc(void **state)
{
	struct pkt p;

	(void)state;
	one_backend(31, BE1);
	/* No node address to SNAT to: tc's flow, on XDP's pick. */
	tcp(&p, CLIENT, 40000, VIP, 80);
	run_untouched(XDP, &p, NP_XDP_PASS_NO_NODE);
	assert_int_equal(run_dnat(&p, NP_DNAT_FLOW, BE_PORT), ip(BE1));
	assert_int_equal(lb_selected(sstats_fd, 3, false), 1);
	/* And tc's for good, node address or not. */
	node_addr(NODE);
	run_untouched(XDP, &p, NP_XDP_PASS_TC_FLOW);

	/* No neighbour for BE2 yet: the stack resolves it, tc's flow. */
	backend(61, 6, BE2);
	service(6, 0, VIP, 81, P_TCP, (const uint32_t[]){ 61 }, 1);
	tcp(&p, CLIENT, 40000, VIP, 81);
	run_untouched(XDP, &p, NP_XDP_PASS_NO_NEIGH);
	run_untouched(XDP, &p, NP_XDP_PASS_TC_FLOW);
	assert_int_equal(run_dnat(&p, NP_DNAT_FLOW, BE_PORT), ip(BE2));

	/* The backend is out of another port. */
	backend(71, 7, BE_OTHER);
	service(7, 0, VIP, 82, P_TCP, (const uint32_t[]){ 71 }, 1);
	tcp(&p, CLIENT, 40000, VIP, 82);
	run_untouched(XDP, &p, NP_XDP_PASS_ROUTE);
	/* No forwarding on the node: the FIB says so. */
	tcp(&p, CLIENT, 40002, VIP, 80);
	assert_int_equal(system("sysctl -qw net.ipv4.conf.all.forwarding=0"),
			 0);
	run_untouched(XDP, &p, NP_XDP_PASS_ROUTE);
	assert_int_equal(system("sysctl -qw net.ipv4.conf.all.forwarding=1"),
			 0);
	/* Picked at XDP all the same: tc keeps the backend. */
	assert_int_equal(run_dnat(&p, NP_DNAT_FLOW, BE_PORT), ip(BE1));
	assert_int_equal(lb_selected(sstats_fd, 3, false), 2);

	/* Not a service, not IPv4, not parseable: tc decides. */
	tcp(&p, CLIENT, 40000, VIP, 9999);
	run_untouched(XDP, &p, NP_XDP_PASS);
	run_foreign(XDP, NP_XDP_PASS);
	tcp(&p, CLIENT, 40003, VIP, 80);
	p.b[ETH_LEN] = 0x44;
	run_untouched(XDP, &p, NP_XDP_PASS);
	pkt_build(&p, P_TCP, CLIENT, 40003, VIP, 80, 5, 3, 0);
	run_untouched(XDP, &p, NP_XDP_PASS);
	pkt_build(&p, P_TCP, CLIENT, 40003, VIP, 80, 5, 0, 30);
	p.b[ETH_LEN] = 0x4f;
	run_untouched(XDP, &p, NP_XDP_PASS);
	/* Service flows tc drops (and sends the event for). */
	pkt_build(&p, P_TCP, CLIENT, 40003, VIP, 80, 5, 19, 0);
	run_untouched(XDP, &p, NP_XDP_PASS);
	run_untouched(IN, &p, NP_DROP_MALFORMED);
	tcp(&p, CLIENT, 40004, VIP, 80);
	put16(p.b + ETH_LEN + 6, 0x2000);	/* MF, offset 0 */
	seal(&p, false);
	run_untouched(XDP, &p, NP_XDP_PASS);
	run_untouched(IN, &p, NP_DROP_FRAGMENT);
	put16(p.b + ETH_LEN + 6, 0x0003);	/* a later fragment */
	seal(&p, false);
	run_untouched(XDP, &p, NP_XDP_PASS);
	/* None of these picked a backend. */
	assert_int_equal(lb_selected(sstats_fd, 3, false), 2);
}

static void test_xdp_port_busy(void **state)
{
	struct pkt p;

	(void)state;
	node_addr(NODE);
	one_backend(31, BE1);
	tcp(&p, CLIENT, 40000, VIP, 80);
	run_tx(&p, NP_XDP_TX_NEW, BE1_MAC, NODE, 40000, BE1, BE_PORT, false);
	/* Another client, same port, same backend: the SNAT would clash. */
	tcp(&p, CLIENT2, 40000, VIP, 80);
	run_untouched(XDP, &p, NP_XDP_PASS_PORT_BUSY);
	assert_int_equal(run_dnat(&p, NP_DNAT_FLOW, BE_PORT), ip(BE1));
	/* The reply still goes to the first client. */
	tcp(&p, BE1, BE_PORT, NODE, 40000);
	run_tx(&p, NP_XDP_TX_REPLY, CLIENT_MAC, VIP, 80, CLIENT, 40000, false);
}

static void test_xdp_drops(void **state)
{
	struct pkt p;

	(void)state;
	node_addr(NODE);
	service(8, 0, VIP, 83, P_TCP, NULL, 0);
	tcp(&p, CLIENT, 40000, VIP, 83);
	run_untouched(XDP, &p, NP_DROP_NO_BACKEND);
	assert_int_equal(lb_selected(sstats_fd, 8, true), 1);

	/* An XDP flow whose backend stops being reachable out of np0. */
	one_backend(31, BE1);
	tcp(&p, CLIENT, 40000, VIP, 80);
	run_tx(&p, NP_XDP_TX_NEW, BE1_MAC, NODE, 40000, BE1, BE_PORT, false);
	assert_int_equal(system("ip neigh del " BE1 " dev np0"), 0);
	run_untouched(XDP, &p, NP_DROP_XDP_ROUTE);
	assert_int_equal(system("ip neigh add " BE1
				" lladdr 02:00:00:00:01:02 dev np0 nud permanent"),
			 0);
	run_tx(&p, NP_XDP_TX_FLOW, BE1_MAC, NODE, 40000, BE1, BE_PORT, false);
	/* Its reply, when the client is gone. */
	assert_int_equal(system("ip neigh del " CLIENT " dev np0"), 0);
	tcp(&p, BE1, BE_PORT, NODE, 40000);
	run_untouched(XDP, &p, NP_DROP_XDP_ROUTE);
	assert_int_equal(system("ip neigh add " CLIENT
				" lladdr 02:00:00:00:00:05 dev np0 nud permanent"),
			 0);
	/* A reply cut short: tc could not translate it either. */
	pkt_build(&p, P_TCP, BE1, BE_PORT, NODE, 40000, 5, 12, 0);
	run_untouched(XDP, &p, NP_DROP_MALFORMED);
}

/* ---- setup ------------------------------------------------------------- */

/*
 * A network namespace of our own: np0 (the node port, NODE/24, routes to
 * 10.0.0.0/16 with CLIENT, CLIENT2 and BE1 as neighbours, BE2 none) and
 * its peer np1 (10.9.0.0/16, BE_OTHER), forwarding on.
 */
static int setup_netns(void)
{
	static const char *const cmds[] = {
		"ip link add np0 address 02:00:00:00:00:01 type veth peer name np1",
		"ip link set lo up",
		"ip link set np0 up",
		"ip link set np1 up",
		"ip addr add " NODE "/24 dev np0",
		"ip route add 10.0.0.0/16 dev np0",
		"ip route add 10.9.0.0/16 dev np1",
		"ip neigh add " CLIENT " lladdr 02:00:00:00:00:05 dev np0 nud permanent",
		"ip neigh add " CLIENT2 " lladdr 02:00:00:00:00:06 dev np0 nud permanent",
		"ip neigh add " BE1 " lladdr 02:00:00:00:01:02 dev np0 nud permanent",
		"ip neigh add " BE_OTHER " lladdr 02:00:00:00:09:02 dev np1 nud permanent",
		"sysctl -qw net.ipv4.conf.all.forwarding=1",
	};
	size_t i;

	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "nodeport: unshare(CLONE_NEWNET): %s\n",
			strerror(errno));
		return -1;
	}
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (system(cmds[i])) {
			fprintf(stderr, "nodeport: '%s' failed\n", cmds[i]);
			return -1;
		}
	}
	memcpy(np0_mac, "\x02\x00\x00\x00\x00\x01", ETH_ALEN);
	lo_ifindex = (int)if_nametoindex("lo");
	np0_ifindex = (int)if_nametoindex("np0");
	return lo_ifindex && np0_ifindex ? 0 : -1;
}

static int group_setup(void **state)
{
	(void)state;
	if (setup_netns())
		return -1;
	libbpf_set_print(quiet_print);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0)
		return -1;
	skel = nodeport__open();
	if (!skel) {
		fprintf(stderr, "nodeport: open failed: %s\n", strerror(errno));
		return -1;
	}
	/* libbpf before 1.3 does not know the "tc/ingress" section names. */
	bpf_program__set_type(skel->progs.np_ingress, BPF_PROG_TYPE_SCHED_CLS);
	bpf_program__set_type(skel->progs.np_egress, BPF_PROG_TYPE_SCHED_CLS);
	if (nodeport__load(skel)) {
		fprintf(stderr, "nodeport: load failed: %s\n", strerror(errno));
		return -1;
	}
	prog_fd[IN] = bpf_program__fd(skel->progs.np_ingress);
	prog_fd[OUT] = bpf_program__fd(skel->progs.np_egress);
	prog_fd[XDP] = bpf_program__fd(skel->progs.np_xdp);
	svc_fd = bpf_map__fd(skel->maps.lb_svc);
	sel_fd = bpf_map__fd(skel->maps.lb_sel);
	be_fd = bpf_map__fd(skel->maps.lb_be);
	sstats_fd = bpf_map__fd(skel->maps.lb_svc_stats);
	bstats_fd = bpf_map__fd(skel->maps.lb_be_stats);
	ct_fd = bpf_map__fd(skel->maps.np_ct);
	rev_fd = bpf_map__fd(skel->maps.np_rev);
	xrev_fd = bpf_map__fd(skel->maps.np_xrev);
	config_fd = bpf_map__fd(skel->maps.np_config);
	stats_fd = bpf_map__fd(skel->maps.np_stats);
	if (ev_open(skel->obj)) {
		fprintf(stderr, "nodeport: cannot bind the drop event maps\n");
		return -1;
	}
	ev_unlimited();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	ev_close();
	nodeport__destroy(skel);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_syn_to_vip, reset),
		cmocka_unit_test_setup(test_flow_sticks, reset),
		cmocka_unit_test_setup(test_reply_snat, reset),
		cmocka_unit_test_setup(test_nodeport, reset),
		cmocka_unit_test_setup(test_non_service_untouched, reset),
		cmocka_unit_test_setup(test_udp_checksums, reset),
		cmocka_unit_test_setup(test_udp_checksum_never_zero, reset),
		cmocka_unit_test_setup(test_ip_options, reset),
		cmocka_unit_test_setup(test_no_backend, reset),
		cmocka_unit_test_setup(test_backend_changes, reset),
		cmocka_unit_test_setup(test_service_deleted, reset),
		cmocka_unit_test_setup(test_malformed, reset),
		cmocka_unit_test_setup(test_fragments, reset),
		cmocka_unit_test_setup(test_xdp_flow_and_reply, reset),
		cmocka_unit_test_setup(test_xdp_udp_and_options, reset),
		cmocka_unit_test_setup(test_xdp_pass_to_tc, reset),
		cmocka_unit_test_setup(test_xdp_port_busy, reset),
		cmocka_unit_test_setup(test_xdp_drops, reset),
	};

	return cmocka_run_group_tests_name("nodeport", tests, group_setup,
					   group_teardown);
}
