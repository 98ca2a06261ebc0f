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
 *
 * Needs root (CAP_BPF + CAP_NET_ADMIN). CMOCKA_MESSAGE_OUTPUT=TAP for
 * TAP output, as the test harness uses.
 */
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
#include <linux/pkt_cls.h>

#include "bpftest.h"
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

enum dir { IN, OUT };

static struct nodeport *skel;
static int prog_fd[2], svc_fd, sel_fd, be_fd, sstats_fd, bstats_fd;
static int ct_fd, rev_fd, config_fd, stats_fd;
static int ncpus;
static struct np_stat tally[NP_REASON_MAX];

static const char *const reason_name[NP_REASON_MAX] = {
	[NP_PASS_OTHER] = "PASS_OTHER",
	[NP_PASS_MALFORMED] = "PASS_MALFORMED",
	[NP_PASS_FRAGMENT] = "PASS_FRAGMENT",
	[NP_DNAT_NEW] = "DNAT_NEW",
	[NP_DNAT_FLOW] = "DNAT_FLOW",
	[NP_SNAT] = "SNAT",
	[NP_DROP_NO_BACKEND] = "DROP_NO_BACKEND",
	[NP_DROP_MALFORMED] = "DROP_MALFORMED",
	[NP_DROP_FRAGMENT] = "DROP_FRAGMENT",
	[NP_DROP_REWRITE] = "DROP_REWRITE",
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

/*
 * Run @in through direction @d; the output in @out. Asserts the verdict
 * the reason implies and that only that reason's counter moved.
 */
static void run(enum dir d, const struct pkt *in, int reason, struct pkt *out)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = in->b,
		.data_size_in = (uint32_t)in->len,
		.data_out = out->b,
		.data_size_out = sizeof(out->b),
	);
	int want = NP_REASON_IS_DROP(reason) ? TC_ACT_SHOT : TC_ACT_UNSPEC;

	memset(out, 0, sizeof(*out));
	assert_int_equal(bpf_prog_test_run_opts(prog_fd[d], &opts), 0);
	out->len = opts.data_size_out;
	out->l4 = in->l4;
	assert_int_equal(out->len, in->len);
	if ((int)opts.retval != want)
		fail_msg("%s: verdict %d, want %d (%s)", d == IN ? "ingress" :
			 "egress", (int)opts.retval, want, reason_name[reason]);
	tally[reason].packets++;
	tally[reason].bytes += in->len;
	if (!stats_match())
		fail_msg("counters differ after a packet of reason %s",
			 reason_name[reason]);
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
	run_untouched(IN, &p, NP_PASS_OTHER);
	run_untouched(OUT, &p, NP_PASS_OTHER);

	/* ARP and IPv6 (IPv4 only): passed as they are. */
	tcp(&p, CLIENT, 40000, VIP, 80);
	put16(p.b + 12, 0x0806);
	run_untouched(IN, &p, NP_PASS_OTHER);
	put16(p.b + 12, 0x86dd);
	run_untouched(IN, &p, NP_PASS_OTHER);
	/* A VLAN tag: not parsed, passed. */
	put16(p.b + 12, 0x8100);
	run_untouched(IN, &p, NP_PASS_OTHER);
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

/* ---- setup ------------------------------------------------------------- */

static int group_setup(void **state)
{
	(void)state;
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
	svc_fd = bpf_map__fd(skel->maps.lb_svc);
	sel_fd = bpf_map__fd(skel->maps.lb_sel);
	be_fd = bpf_map__fd(skel->maps.lb_be);
	sstats_fd = bpf_map__fd(skel->maps.lb_svc_stats);
	bstats_fd = bpf_map__fd(skel->maps.lb_be_stats);
	ct_fd = bpf_map__fd(skel->maps.np_ct);
	rev_fd = bpf_map__fd(skel->maps.np_rev);
	config_fd = bpf_map__fd(skel->maps.np_config);
	stats_fd = bpf_map__fd(skel->maps.np_stats);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
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
	};

	return cmocka_run_group_tests_name("nodeport", tests, group_setup,
					   group_teardown);
}
