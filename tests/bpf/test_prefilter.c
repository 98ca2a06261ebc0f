// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the XDP prefilter (bpf/xdp_prefilter.bpf.c) through
 * BPF_PROG_TEST_RUN, on whatever kernel runs them (the VM case runs them
 * on Debian's 6.1, whose verifier is the one that matters): crafted
 * frames for every branch with exact verdicts, metadata and per-CPU
 * counters, then a seeded random run against a reference model that
 * parses frames with its own code. Every run's drop event (bpf/drop_event.h)
 * is read back: exactly one per drop with the fields a model computes
 * from the frame, none per pass; then the limiter and a full ring.
 *
 * Needs root (CAP_BPF + CAP_NET_ADMIN). Environment:
 *   PREFILTER_SEED=N    seed of the random run (default: time and pid;
 *                       always printed, so any failure can be replayed)
 *   PREFILTER_ITERS=N   frames in the random run (default 100000)
 *   CMOCKA_MESSAGE_OUTPUT=TAP   TAP output, as the test harness uses
 *
 * Frames shorter than what the program must see (< 14 bytes) are made by
 * passing a context whose data_end is below the input size: the kernel
 * puts the rest in a fragment the single-buffer program never reads.
 * 6.1 accepts that; a kernel that refuses it skips those cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpftest.h"
#include "evtest.h"
#include "prefilter.h"
#include "xdp_prefilter.skel.h"

#define PKT_MAX		256
#define ETH_LEN		14
#define META_LEN	((uint32_t)sizeof(struct pf_meta))

#define T_IPV4		0x0800
#define T_IPV6		0x86dd
#define T_ARP		0x0806
#define T_8021Q		0x8100
#define T_8021AD	0x88a8

static struct xdp_prefilter *skel;
static int prog_fd, stats_fd;
static int ncpus;
static bool split_ok;	/* the kernel runs a frame whose linear part is short */
static uint32_t lo_ifindex;	/* test runs see the loopback device */

/* What the counters must read: every run frame is added here. */
static struct pf_stat tally[PF_REASON_MAX];

static const char * const reason_name[PF_REASON_MAX] = {
	[PF_PASS_IPV4] = "PASS_IPV4",
	[PF_PASS_IPV6] = "PASS_IPV6",
	[PF_PASS_ARP] = "PASS_ARP",
	[PF_PASS_OTHER] = "PASS_OTHER",
	[PF_DROP_V4_CIDR] = "DROP_V4_CIDR",
	[PF_DROP_V6_CIDR] = "DROP_V6_CIDR",
	[PF_DROP_V4_EXACT] = "DROP_V4_EXACT",
	[PF_DROP_V6_EXACT] = "DROP_V6_EXACT",
	[PF_DROP_ARP_SENDER] = "DROP_ARP_SENDER",
	[PF_DROP_MALFORMED] = "DROP_MALFORMED",
};

/* ---- frames ----------------------------------------------------------- */

struct pkt {
	uint8_t b[PKT_MAX];
	size_t len;	/* bytes handed to the kernel */
	size_t linear;	/* bytes the program sees; the rest is a fragment */
	size_t l3;	/* offset of the network header */
};

static void append(struct pkt *p, const void *d, size_t n)
{
	assert_true(p->len + n <= PKT_MAX);
	memcpy(p->b + p->len, d, n);
	p->len += n;
	p->linear = p->len;
}

static void append_zero(struct pkt *p, size_t n)
{
	assert_true(p->len + n <= PKT_MAX);
	memset(p->b + p->len, 0, n);
	p->len += n;
	p->linear = p->len;
}

static void pkt_eth(struct pkt *p, uint16_t type)
{
	static const uint8_t macs[12] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0x02,	/* dst */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01,	/* src */
	};

	memset(p, 0, sizeof(*p));
	append(p, macs, sizeof(macs));
	append_zero(p, 2);
	put16(p->b + 12, type);
	p->l3 = p->len;
}

/* Insert a tag before the current ethertype (first call: outermost). */
static void pkt_tag(struct pkt *p, uint16_t tpid)
{
	uint16_t inner = get16(p->b + p->len - 2);

	put16(p->b + p->len - 2, tpid);
	append_zero(p, 4);
	put16(p->b + p->len - 4, 100);	/* VID 100 */
	put16(p->b + p->len - 2, inner);
	p->l3 = p->len;
}

static void addr4(const char *s, uint8_t out[4])
{
	assert_int_equal(inet_pton(AF_INET, s, out), 1);
}

static void addr6(const char *s, uint8_t out[16])
{
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

/* IPv4 header without options and 8 bytes of payload. */
static void pkt_ipv4(struct pkt *p, const char *src, const char *dst,
		     uint8_t proto)
{
	uint8_t *h;

	p->l3 = p->len;
	append_zero(p, 28);
	h = p->b + p->l3;
	h[0] = 0x45;
	put16(h + 2, 28);
	h[8] = 64;
	h[9] = proto;
	addr4(src, h + 12);
	addr4(dst, h + 16);
}

static void pkt_ipv6(struct pkt *p, const char *src, const char *dst,
		     uint8_t nexthdr)
{
	uint8_t *h;

	p->l3 = p->len;
	append_zero(p, 48);
	h = p->b + p->l3;
	h[0] = 0x60;
	put16(h + 4, 8);
	h[6] = nexthdr;
	h[7] = 64;
	addr6(src, h + 8);
	addr6(dst, h + 24);
}

static void pkt_arp(struct pkt *p, uint16_t op, const char *sip,
		    const char *tip)
{
	uint8_t *h;

	p->l3 = p->len;
	append_zero(p, 28);
	h = p->b + p->l3;
	put16(h, 1);
	put16(h + 2, T_IPV4);
	h[4] = 6;
	h[5] = 4;
	put16(h + 6, op);
	memset(h + 8, 0x11, 6);
	addr4(sip, h + 14);
	if (op == 2)
		memset(h + 18, 0x22, 6);
	addr4(tip, h + 24);
}

/*
 * The program sees only the first n bytes. Below the kernel's 14-byte
 * input minimum the rest becomes a fragment; returns false if this
 * kernel does not allow that.
 */
static bool pkt_cut(struct pkt *p, size_t n)
{
	assert_true(n <= p->len);
	if (n >= ETH_LEN) {
		p->len = n;
		p->linear = n;
		return true;
	}
	if (p->len < ETH_LEN)
		append_zero(p, ETH_LEN - p->len);
	p->linear = n;
	return split_ok;
}

/* ---- running the program ---------------------------------------------- */

struct run {
	int err;
	uint32_t verdict;
	uint32_t meta_len;	/* ctx_out.data: metadata in front of the frame */
	uint32_t out_len;
	uint64_t t0, t1;	/* CLOCK_MONOTONIC around the run */
	uint8_t out[PKT_MAX + 256];
};

/*
 * Run one frame, with old_meta bytes of metadata already in front,
 * repeat times in one call (0 is once).
 */
static void run_core(const struct pkt *p, const uint8_t *old_meta,
		     uint32_t old_len, uint32_t repeat, struct run *r)
{
	uint8_t in[PKT_MAX + 256];
	struct xdp_md ctx_in = {
		.data = old_len,
		.data_end = old_len + (uint32_t)p->linear,
	};
	struct xdp_md ctx_out = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = in,
		.data_size_in = old_len + (uint32_t)p->len,
		.data_out = r->out,
		.data_size_out = sizeof(r->out),
		.ctx_in = &ctx_in,
		.ctx_size_in = sizeof(ctx_in),
		.ctx_out = &ctx_out,
		.ctx_size_out = sizeof(ctx_out),
		.repeat = repeat,
	);

	if (old_len)
		memcpy(in, old_meta, old_len);
	memcpy(in + old_len, p->b, p->len);
	r->t0 = ev_now();
	r->err = bpf_prog_test_run_opts(prog_fd, &opts) ? -errno : 0;
	r->t1 = ev_now();
	r->verdict = opts.retval;
	r->meta_len = ctx_out.data;
	r->out_len = opts.data_size_out;
	/* This run's events, and only this run's, in ev_got. */
	ev_take();
}

static void run_meta(const struct pkt *p, const uint8_t *old_meta,
		     uint32_t old_len, struct run *r)
{
	run_core(p, old_meta, old_len, 0, r);
}

static void run(const struct pkt *p, struct run *r)
{
	run_core(p, NULL, 0, 0, r);
}

static int read_stat(uint32_t key, struct pf_stat *sum)
{
	struct pf_stat vals[ncpus];
	int i;

	if (bpf_map_lookup_elem(stats_fd, &key, vals))
		return -errno;
	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < ncpus; i++) {
		sum->packets += vals[i].packets;
		sum->bytes += vals[i].bytes;
	}
	return 0;
}

/*
 * Every counter, summed over CPUs, must equal the tally; with the limiter
 * off (as reset() leaves it) every drop's event was emitted.
 */
static bool stats_match(const char *what)
{
	struct pf_stat got[PF_REASON_MAX];
	struct xnic_ev_stats ev;
	uint64_t drops = 0;
	bool ok = true;
	uint32_t k;

	ev_stats(&ev);
	for (k = 0; k < PF_REASON_MAX; k++)
		if (PF_REASON_IS_DROP(k))
			drops += tally[k].packets;
	if (ev.emitted != drops || ev.rate_limited || ev.ringbuf_full) {
		print_error("%s: xnic_ev_stats emitted %" PRIu64 " rate_limited %" PRIu64
			    " ringbuf_full %" PRIu64 ", want %" PRIu64 " 0 0\n", what,
			    (uint64_t)ev.emitted, (uint64_t)ev.rate_limited,
			    (uint64_t)ev.ringbuf_full, drops);
		ok = false;
	}

	for (k = 0; k < PF_REASON_MAX; k++) {
		assert_int_equal(read_stat(k, &got[k]), 0);
		if (got[k].packets != tally[k].packets ||
		    got[k].bytes != tally[k].bytes)
			ok = false;
	}
	if (ok)
		return true;
	print_error("%s: pf_stats differ\n", what);
	for (k = 0; k < PF_REASON_MAX; k++)
		print_error("  %-16s packets %" PRIu64 " (want %" PRIu64
			    ") bytes %" PRIu64 " (want %" PRIu64 ")\n",
			    reason_name[k], (uint64_t)got[k].packets,
			    (uint64_t)tally[k].packets, (uint64_t)got[k].bytes,
			    (uint64_t)tally[k].bytes);
	return false;
}

static uint8_t class_of(enum pf_reason r)
{
	switch (r) {
	case PF_PASS_IPV4:
		return PF_CLASS_IPV4;
	case PF_PASS_IPV6:
		return PF_CLASS_IPV6;
	case PF_PASS_ARP:
		return PF_CLASS_ARP;
	default:
		return PF_CLASS_OTHER;
	}
}

struct verdict {
	enum pf_reason reason;
	uint8_t class, flags, proto;	/* the metadata of a pass */
};

/*
 * The event a drop of frame f (len bytes seen) must send, from the
 * layout in bpf/drop_event.h, parsed here with byte offsets.
 */
static void event_model(const uint8_t *f, size_t len, enum pf_reason reason,
			struct xnic_drop_event *e)
{
	size_t o = ETH_LEN, l4 = 0, ihl;
	uint16_t type;

	ev_want(e, XNIC_EV_HOOK_XDP, XNIC_EV_PROG_PREFILTER, reason,
		lo_ifindex, (uint32_t)len);
	if (len < ETH_LEN)
		return;
	type = get16(f + 12);
	if (type == T_8021Q || type == T_8021AD) {
		if (len < ETH_LEN + 4) {
			e->ethertype = type;
			return;
		}
		type = get16(f + 16);
		o += 4;
		e->flags |= XNIC_EV_F_VLAN;
	}
	e->ethertype = type;
	if (type == T_IPV4) {
		ihl = (f[o] & 15) * 4u;
		if (len < o + 20 || f[o] >> 4 != 4 || ihl < 20 || len < o + ihl)
			return;
		e->family = XNIC_EV_FAMILY_IPV4;
		e->proto = f[o + 9];
		memcpy(e->saddr, f + o + 12, 4);
		memcpy(e->daddr, f + o + 16, 4);
		if (!(get16(f + o + 6) & 0x1fff))
			l4 = o + ihl;
	} else if (type == T_IPV6) {
		if (len < o + 40 || f[o] >> 4 != 6)
			return;
		e->family = XNIC_EV_FAMILY_IPV6;
		e->proto = f[o + 6];
		memcpy(e->saddr, f + o + 8, 16);
		memcpy(e->daddr, f + o + 24, 16);
		l4 = o + 40;
	} else if (type == T_ARP) {
		if (len < o + 28 || get16(f + o) != 1 || get16(f + o + 2) != T_IPV4 ||
		    f[o + 4] != 6 || f[o + 5] != 4)
			return;
		e->family = XNIC_EV_FAMILY_ARP;
		e->proto = (uint8_t)get16(f + o + 6);
		memcpy(e->saddr, f + o + 14, 4);
		memcpy(e->daddr, f + o + 24, 4);
	}
	if (l4 && (e->proto == IPPROTO_TCP || e->proto == IPPROTO_UDP) &&
	    len >= l4 + 4) {
		e->sport = get16(f + l4);
		e->dport = get16(f + l4 + 2);
		e->flags |= XNIC_EV_F_PORTS;
	}
}

/* One event per drop, as the model says; none per pass. */
static const char *check_event(const struct pkt *p, const struct run *r,
			       enum pf_reason want)
{
	struct xnic_drop_event e;

	event_model(p->b, p->linear, want, &e);
	return ev_check(PF_REASON_IS_DROP(want), &e, r->t0, r->t1);
}

/*
 * Check one run against the expected verdict: XDP action, and for a pass
 * the metadata and the frame left untouched. Returns a description of
 * the first difference, or NULL.
 */
static const char *check_run(const struct pkt *p, const struct run *r,
			     const struct verdict *v)
{
	enum pf_reason want = v->reason;
	static char why[256];
	struct pf_meta m;

	if (r->err) {
		snprintf(why, sizeof(why), "test_run failed: %s",
			 strerror(-r->err));
		return why;
	}
	if (PF_REASON_IS_DROP(want)) {
		if (r->verdict != XDP_DROP) {
			snprintf(why, sizeof(why), "verdict %u, want XDP_DROP (%s)",
				 r->verdict, reason_name[want]);
			return why;
		}
		return check_event(p, r, want);
	}
	if (r->verdict != XDP_PASS) {
		snprintf(why, sizeof(why), "verdict %u, want XDP_PASS (%s)",
			 r->verdict, reason_name[want]);
		return why;
	}
	if (r->meta_len != META_LEN || r->out_len != META_LEN + p->len) {
		snprintf(why, sizeof(why), "metadata length %u, output %u, want %u and %zu",
			 r->meta_len, r->out_len, META_LEN, META_LEN + p->len);
		return why;
	}
	memcpy(&m, r->out, sizeof(m));
	if (m.magic != PF_META_MAGIC || m.class != v->class ||
	    m.flags != v->flags || m.proto != v->proto || m.pad) {
		snprintf(why, sizeof(why),
			 "metadata {magic class flags proto pad} {%#x %u %#x %u %u}, want {%#x %u %#x %u 0}",
			 m.magic, m.class, m.flags, m.proto, m.pad,
			 PF_META_MAGIC, v->class, v->flags, v->proto);
		return why;
	}
	if (memcmp(r->out + META_LEN, p->b, p->len)) {
		snprintf(why, sizeof(why), "the program changed the frame");
		return why;
	}
	return check_event(p, r, want);
}

static void tally_add(enum pf_reason r, size_t bytes)
{
	tally[r].packets++;
	tally[r].bytes += bytes;
}

/* Run p, expect reason `want`, then every counter exactly. */
static void expect_meta(const struct pkt *p, enum pf_reason want,
			uint8_t flags, uint8_t proto, const char *what)
{
	struct verdict v = { want, class_of(want), flags, proto };
	const char *why;
	struct run r;

	run(p, &r);
	why = check_run(p, &r, &v);
	if (why)
		fail_msg("%s: %s", what, why);
	tally_add(want, p->linear);
	if (!stats_match(what))
		fail_msg("%s: counters", what);
}

static void expect(const struct pkt *p, enum pf_reason want, const char *what)
{
	uint8_t proto = 0;

	if (want == PF_PASS_IPV4)
		proto = p->b[p->l3 + 9];
	else if (want == PF_PASS_IPV6)
		proto = p->b[p->l3 + 6];
	expect_meta(p, want, 0, proto, what);
}

/* ---- maps ------------------------------------------------------------- */

static const uint8_t one = 1;

static void map_clear(struct bpf_map *map)
{
	uint8_t key[64];
	int fd = bpf_map__fd(map);

	assert_true(bpf_map__key_size(map) <= sizeof(key));
	while (!bpf_map_get_next_key(fd, NULL, key))
		assert_int_equal(bpf_map_delete_elem(fd, key), 0);
}

static void v4_lpm_key(const char *a, int plen, struct pf_v4_lpm_key *k)
{
	memset(k, 0, sizeof(*k));
	k->prefixlen = plen;
	addr4(a, (uint8_t *)&k->addr);
}

static void block_v4_cidr(const char *a, int plen)
{
	struct pf_v4_lpm_key k;

	v4_lpm_key(a, plen, &k);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.pf_v4_lpm),
					     &k, &one, BPF_ANY), 0);
}

static void unblock_v4_cidr(const char *a, int plen)
{
	struct pf_v4_lpm_key k;

	v4_lpm_key(a, plen, &k);
	assert_int_equal(bpf_map_delete_elem(bpf_map__fd(skel->maps.pf_v4_lpm),
					     &k), 0);
}

static void block_v6_cidr(const char *a, int plen)
{
	struct pf_v6_lpm_key k = { .prefixlen = plen };

	addr6(a, k.addr.addr);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.pf_v6_lpm),
					     &k, &one, BPF_ANY), 0);
}

static void block_v4_exact(const char *a)
{
	uint8_t k[4];

	addr4(a, k);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.pf_v4_exact),
					     k, &one, BPF_ANY), 0);
}

static void block_v6_exact(const char *a)
{
	struct pf_v6_addr k;

	addr6(a, k.addr);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.pf_v6_exact),
					     &k, &one, BPF_ANY), 0);
}

static void block_arp(const char *a)
{
	uint8_t k[4];

	addr4(a, k);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.pf_arp),
					     k, &one, BPF_ANY), 0);
}

static void stats_zero(void)
{
	struct pf_stat zero[ncpus];
	uint32_t k;

	memset(zero, 0, sizeof(zero));
	for (k = 0; k < PF_REASON_MAX; k++)
		assert_int_equal(bpf_map_update_elem(stats_fd, &k, zero, BPF_ANY), 0);
	memset(tally, 0, sizeof(tally));
}

/* Before every test: empty blocklists, zero counters. */
static int reset(void **state)
{
	(void)state;
	map_clear(skel->maps.pf_v4_lpm);
	map_clear(skel->maps.pf_v6_lpm);
	map_clear(skel->maps.pf_v4_exact);
	map_clear(skel->maps.pf_v6_exact);
	map_clear(skel->maps.pf_arp);
	stats_zero();
	ev_unlimited();
	ev_stats_zero();
	ev_take();
	return 0;
}

static int group_setup(void **state)
{
	struct pkt p;
	struct run r;

	(void)state;
	libbpf_set_print(quiet_print);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0)
		return -1;
	skel = xdp_prefilter__open_and_load();
	if (!skel) {
		fprintf(stderr, "xdp_prefilter: load failed: %s\n", strerror(errno));
		return -1;
	}
	prog_fd = bpf_program__fd(skel->progs.xdp_prefilter);
	stats_fd = bpf_map__fd(skel->maps.pf_stats);
	lo_ifindex = if_nametoindex("lo");
	if (ev_open(skel->obj)) {
		fprintf(stderr, "xdp_prefilter: no drop event maps\n");
		return -1;
	}
	ev_unlimited();

	/* Can the linear part be shorter than the kernel's 14-byte minimum? */
	pkt_eth(&p, T_IPV4);
	p.linear = 10;
	split_ok = true;
	run(&p, &r);
	split_ok = r.err == 0;
	if (!split_ok)
		printf("# this kernel refuses a short linear part (%s): frames < 14 bytes are skipped\n",
		       strerror(-r.err));
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	ev_close();
	xdp_prefilter__destroy(skel);
	return 0;
}

/* ---- passes ------------------------------------------------------------ */

static void test_load(void **state)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	(void)state;
	/* The verifier accepted it (group setup); it is an XDP program. */
	assert_int_equal(bpf_obj_get_info_by_fd(prog_fd, &info, &len), 0);
	assert_int_equal(info.type, BPF_PROG_TYPE_XDP);
	assert_int_equal(bpf_map__max_entries(skel->maps.pf_v4_lpm), PF_LPM_ENTRIES);
	assert_int_equal(bpf_map__max_entries(skel->maps.pf_v6_lpm), PF_LPM_ENTRIES);
	assert_int_equal(bpf_map__max_entries(skel->maps.pf_v4_exact), PF_EXACT_ENTRIES);
	assert_int_equal(bpf_map__max_entries(skel->maps.pf_v6_exact), PF_EXACT_ENTRIES);
	assert_int_equal(bpf_map__max_entries(skel->maps.pf_arp), PF_ARP_ENTRIES);
	assert_int_equal(bpf_map__max_entries(skel->maps.pf_stats), PF_REASON_MAX);
	assert_int_equal(bpf_map__type(skel->maps.pf_v4_lpm), BPF_MAP_TYPE_LPM_TRIE);
	assert_int_equal(bpf_map__type(skel->maps.pf_stats), BPF_MAP_TYPE_PERCPU_ARRAY);
}

static void test_ipv4_pass(void **state)
{
	struct pkt p;

	(void)state;
	pkt_eth(&p, T_IPV4);
	pkt_ipv4(&p, "192.0.2.1", "198.51.100.1", IPPROTO_UDP);
	expect(&p, PF_PASS_IPV4, "udp");
	pkt_eth(&p, T_IPV4);
	pkt_ipv4(&p, "192.0.2.1", "198.51.100.1", IPPROTO_TCP);
	append_zero(&p, 100);
	expect(&p, PF_PASS_IPV4, "tcp, 142 bytes");
}

static void test_ipv6_pass(void **state)
{
	struct pkt p;

	(void)state;
	pkt_eth(&p, T_IPV6);
	pkt_ipv6(&p, "2001:db8::1", "2001:db8::2", IPPROTO_UDP);
	expect(&p, PF_PASS_IPV6, "udp");
	pkt_eth(&p, T_IPV6);
	pkt_ipv6(&p, "fe80::1", "ff02::1", IPPROTO_ICMPV6);
	expect(&p, PF_PASS_IPV6, "icmpv6");
}

static void test_arp_pass(void **state)
{
	struct pkt p;

	(void)state;
	pkt_eth(&p, T_ARP);
	pkt_arp(&p, 1, "192.0.2.1", "192.0.2.2");
	expect(&p, PF_PASS_ARP, "request");
	pkt_eth(&p, T_ARP);
	pkt_arp(&p, 2, "192.0.2.2", "192.0.2.1");
	append_zero(&p, 60 - p.len);	/* Ethernet minimum, padded */
	expect(&p, PF_PASS_ARP, "padded reply");
}

static void test_other_pass(void **state)
{
	static const uint16_t types[] = { 0x88cc, 0x8847, 0x88b5, 0x0600, 0xffff };
	struct pkt p;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		pkt_eth(&p, types[i]);
		append_zero(&p, 46);
		expect(&p, PF_PASS_OTHER, "ethertype");
	}
	/* 802.3 length field (LLC/SNAP). */
	pkt_eth(&p, 46);
	append_zero(&p, 46);
	expect(&p, PF_PASS_OTHER, "802.3 length");
	/* Exactly an Ethernet header. */
	pkt_eth(&p, 0x88cc);
	expect(&p, PF_PASS_OTHER, "header only");
}

/* ---- IPv4 blocklists --------------------------------------------------- */

static void v4_frame(struct pkt *p, const char *src, const char *dst)
{
	pkt_eth(p, T_IPV4);
	pkt_ipv4(p, src, dst, IPPROTO_UDP);
}

static void expect_v4(const char *src, enum pf_reason want)
{
	struct pkt p;

	v4_frame(&p, src, "198.51.100.1");
	expect(&p, want, src);
}

static void test_v4_cidr(void **state)
{
	struct pkt p;

	(void)state;
	block_v4_cidr("192.0.2.0", 24);
	expect_v4("192.0.2.0", PF_DROP_V4_CIDR);
	expect_v4("192.0.2.77", PF_DROP_V4_CIDR);
	expect_v4("192.0.2.255", PF_DROP_V4_CIDR);
	expect_v4("192.0.1.255", PF_PASS_IPV4);
	expect_v4("192.0.3.0", PF_PASS_IPV4);
	/* Only the source matters. */
	v4_frame(&p, "203.0.113.1", "192.0.2.1");
	expect(&p, PF_PASS_IPV4, "blocked destination");
}

static void test_v4_prefix_32(void **state)
{
	(void)state;
	block_v4_cidr("198.51.100.7", 32);
	expect_v4("198.51.100.7", PF_DROP_V4_CIDR);
	expect_v4("198.51.100.6", PF_PASS_IPV4);
	expect_v4("198.51.100.8", PF_PASS_IPV4);
}

static void test_v4_prefix_0(void **state)
{
	struct pkt p;

	(void)state;
	block_v4_cidr("0.0.0.0", 0);
	expect_v4("0.0.0.0", PF_DROP_V4_CIDR);
	expect_v4("127.255.255.255", PF_DROP_V4_CIDR);
	expect_v4("128.0.0.0", PF_DROP_V4_CIDR);
	expect_v4("255.255.255.255", PF_DROP_V4_CIDR);
	/* IPv4 lists apply to IPv4 only: not to IPv6, not to ARP senders. */
	pkt_eth(&p, T_IPV6);
	pkt_ipv6(&p, "::ffff:192.0.2.1", "2001:db8::1", IPPROTO_UDP);
	expect(&p, PF_PASS_IPV6, "v4-mapped IPv6 source");
	pkt_eth(&p, T_ARP);
	pkt_arp(&p, 1, "192.0.2.1", "192.0.2.2");
	expect(&p, PF_PASS_ARP, "ARP");
}

/*
 * Every prefix length: the first and last address inside drop, the
 * addresses just outside pass.
 */
static void test_v4_every_prefix_length(void **state)
{
	const uint32_t base = 0xa5c3e10fu;	/* 165.195.225.15 */
	int fd = bpf_map__fd(skel->maps.pf_v4_lpm);
	int plen;

	(void)state;
	for (plen = 0; plen <= 32; plen++) {
		uint32_t mask = plen ? ~0u << (32 - plen) : 0;
		uint32_t first = base & mask, last = first | ~mask;
		struct pf_v4_lpm_key k = { .prefixlen = plen, .addr = htonl(first) };
		const uint32_t probes[4] = { first, last, first - 1, last + 1 };
		char what[64], a[INET_ADDRSTRLEN];
		struct pkt p;
		int i;

		assert_int_equal(bpf_map_update_elem(fd, &k, &one, BPF_ANY), 0);
		for (i = 0; i < 4; i++) {
			uint32_t be = htonl(probes[i]);
			bool inside = i < 2;

			/* No address outside a /0; outside a /32 wraps at 0 and ~0. */
			if (!inside && plen == 0)
				continue;
			inet_ntop(AF_INET, &be, a, sizeof(a));
			v4_frame(&p, a, "198.51.100.1");
			snprintf(what, sizeof(what), "/%d, %s", plen, a);
			expect(&p, inside ? PF_DROP_V4_CIDR : PF_PASS_IPV4, what);
		}
		assert_int_equal(bpf_map_delete_elem(fd, &k), 0);
	}
}

static void test_v4_overlapping(void **state)
{
	(void)state;
	block_v4_cidr("10.0.0.0", 8);
	block_v4_cidr("10.1.2.0", 24);
	expect_v4("10.1.2.3", PF_DROP_V4_CIDR);
	expect_v4("10.9.9.9", PF_DROP_V4_CIDR);
	unblock_v4_cidr("10.0.0.0", 8);
	expect_v4("10.1.2.3", PF_DROP_V4_CIDR);
	expect_v4("10.9.9.9", PF_PASS_IPV4);
	unblock_v4_cidr("10.1.2.0", 24);
	expect_v4("10.1.2.3", PF_PASS_IPV4);
}

static void test_v4_exact(void **state)
{
	(void)state;
	block_v4_exact("203.0.113.9");
	expect_v4("203.0.113.9", PF_DROP_V4_EXACT);
	expect_v4("203.0.113.8", PF_PASS_IPV4);
	expect_v4("203.0.113.10", PF_PASS_IPV4);
}

/* Exact hash first, then the trie: the reason says which list hit. */
static void test_v4_exact_before_lpm(void **state)
{
	(void)state;
	block_v4_exact("203.0.113.9");
	block_v4_cidr("203.0.113.0", 24);
	expect_v4("203.0.113.9", PF_DROP_V4_EXACT);
	expect_v4("203.0.113.10", PF_DROP_V4_CIDR);
}

/* Policy is data: the same loaded program changes verdicts. */
static void test_v4_unblock(void **state)
{
	(void)state;
	expect_v4("192.0.2.1", PF_PASS_IPV4);
	block_v4_cidr("192.0.2.1", 32);
	expect_v4("192.0.2.1", PF_DROP_V4_CIDR);
	unblock_v4_cidr("192.0.2.1", 32);
	expect_v4("192.0.2.1", PF_PASS_IPV4);
}

/* ---- IPv6 blocklists --------------------------------------------------- */

static void expect_v6(const char *src, enum pf_reason want)
{
	struct pkt p;

	pkt_eth(&p, T_IPV6);
	pkt_ipv6(&p, src, "2001:db8:ffff::1", IPPROTO_UDP);
	expect(&p, want, src);
}

static void test_v6_cidr(void **state)
{
	struct pkt p;

	(void)state;
	block_v6_cidr("2001:db8:1::", 48);
	expect_v6("2001:db8:1::", PF_DROP_V6_CIDR);
	expect_v6("2001:db8:1:ffff:ffff:ffff:ffff:ffff", PF_DROP_V6_CIDR);
	expect_v6("2001:db8:0:ffff:ffff:ffff:ffff:ffff", PF_PASS_IPV6);
	expect_v6("2001:db8:2::", PF_PASS_IPV6);
	pkt_eth(&p, T_IPV6);
	pkt_ipv6(&p, "2001:db8:9::1", "2001:db8:1::1", IPPROTO_UDP);
	expect(&p, PF_PASS_IPV6, "blocked destination");
}

static void test_v6_prefix_128(void **state)
{
	(void)state;
	block_v6_cidr("2001:db8::7", 128);
	expect_v6("2001:db8::7", PF_DROP_V6_CIDR);
	expect_v6("2001:db8::6", PF_PASS_IPV6);
	expect_v6("2001:db8::8", PF_PASS_IPV6);
}

static void test_v6_prefix_0(void **state)
{
	(void)state;
	block_v6_cidr("::", 0);
	expect_v6("::", PF_DROP_V6_CIDR);
	expect_v6("fe80::1", PF_DROP_V6_CIDR);
	expect_v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", PF_DROP_V6_CIDR);
	expect_v4("192.0.2.1", PF_PASS_IPV4);
}

static void v6_set_bits(uint8_t a[16], int from, bool on)
{
	int i;

	for (i = from; i < 128; i++) {
		if (on)
			a[i / 8] |= 0x80 >> (i % 8);
		else
			a[i / 8] &= ~(0x80 >> (i % 8));
	}
}

/* a += d (d = +1 or -1) as a 128-bit big-endian number. */
static void v6_step(uint8_t a[16], int d)
{
	int i;

	for (i = 15; i >= 0; i--) {
		a[i] += d;
		if ((d > 0 && a[i] != 0) || (d < 0 && a[i] != 0xff))
			break;
	}
}

static void test_v6_every_prefix_length(void **state)
{
	int fd = bpf_map__fd(skel->maps.pf_v6_lpm);
	uint8_t base[16];
	int plen;

	(void)state;
	addr6("2001:db8:a5c3:e10f:5a3c:1ef0:9d2b:7e41", base);
	for (plen = 0; plen <= 128; plen++) {
		struct pf_v6_lpm_key k = { .prefixlen = plen };
		uint8_t probes[4][16];
		char what[80], a[INET6_ADDRSTRLEN];
		struct pkt p;
		int i;

		memcpy(probes[0], base, 16);
		v6_set_bits(probes[0], plen, false);
		memcpy(probes[1], base, 16);
		v6_set_bits(probes[1], plen, true);
		memcpy(probes[2], probes[0], 16);
		v6_step(probes[2], -1);
		memcpy(probes[3], probes[1], 16);
		v6_step(probes[3], 1);
		memcpy(k.addr.addr, probes[0], 16);
		assert_int_equal(bpf_map_update_elem(fd, &k, &one, BPF_ANY), 0);
		for (i = 0; i < 4; i++) {
			bool inside = i < 2;

			if (!inside && plen == 0)
				continue;
			inet_ntop(AF_INET6, probes[i], a, sizeof(a));
			pkt_eth(&p, T_IPV6);
			pkt_ipv6(&p, a, "2001:db8:ffff::1", IPPROTO_UDP);
			snprintf(what, sizeof(what), "/%d, %s", plen, a);
			expect(&p, inside ? PF_DROP_V6_CIDR : PF_PASS_IPV6, what);
		}
		assert_int_equal(bpf_map_delete_elem(fd, &k), 0);
	}
}

static void test_v6_exact(void **state)
{
	(void)state;
	block_v6_exact("2001:db8::99");
	expect_v6("2001:db8::99", PF_DROP_V6_EXACT);
	expect_v6("2001:db8::98", PF_PASS_IPV6);
	expect_v6("2001:db8::199", PF_PASS_IPV6);
}

static void test_v6_exact_before_lpm(void **state)
{
	(void)state;
	block_v6_exact("2001:db8::99");
	block_v6_cidr("2001:db8::", 64);
	expect_v6("2001:db8::99", PF_DROP_V6_EXACT);
	expect_v6("2001:db8::98", PF_DROP_V6_CIDR);
}

/* ---- ARP --------------------------------------------------------------- */

static void expect_arp(uint16_t op, const char *sip, const char *tip,
		       enum pf_reason want, const char *what)
{
	struct pkt p;

	pkt_eth(&p, T_ARP);
	pkt_arp(&p, op, sip, tip);
	expect(&p, want, what);
}

static void test_arp_sender_blocked(void **state)
{
	(void)state;
	block_arp("192.0.2.66");
	expect_arp(1, "192.0.2.66", "192.0.2.1", PF_DROP_ARP_SENDER, "request");
	expect_arp(2, "192.0.2.66", "192.0.2.1", PF_DROP_ARP_SENDER, "reply");
	/* Gratuitous ARP: sender and target both the blocked address. */
	expect_arp(1, "192.0.2.66", "192.0.2.66", PF_DROP_ARP_SENDER, "gratuitous");
	/* RARP-style opcodes carry ar_sip at the same place. */
	expect_arp(3, "192.0.2.66", "192.0.2.1", PF_DROP_ARP_SENDER, "opcode 3");
	expect_arp(1, "192.0.2.67", "192.0.2.1", PF_PASS_ARP, "neighbour");
}

/* The classic mistake is to look up the target: only the sender counts. */
static void test_arp_target_blocked(void **state)
{
	(void)state;
	block_arp("192.0.2.1");
	expect_arp(1, "192.0.2.66", "192.0.2.1", PF_PASS_ARP, "request to blocked target");
	expect_arp(2, "192.0.2.66", "192.0.2.1", PF_PASS_ARP, "reply to blocked target");
}

/* pf_arp is for ARP; the IP lists are for IP. */
static void test_arp_lists_separate(void **state)
{
	(void)state;
	block_v4_exact("192.0.2.66");
	block_v4_cidr("192.0.2.0", 24);
	expect_arp(1, "192.0.2.66", "192.0.2.1", PF_PASS_ARP, "sender on IPv4 lists");
	reset(NULL);
	block_arp("192.0.2.66");
	expect_v4("192.0.2.66", PF_PASS_IPV4);
}

static void test_arp_not_ether_ipv4(void **state)
{
	static const struct {
		uint16_t hrd, pro;
		uint8_t hln, pln;
		const char *what;
	} cases[] = {
		{ 6, T_IPV4, 6, 4, "hardware type IEEE 802" },
		{ 1, T_IPV6, 6, 4, "protocol IPv6" },
		{ 1, T_IPV4, 8, 4, "hardware length 8" },
		{ 1, T_IPV4, 6, 16, "protocol length 16" },
	};
	struct pkt p;
	size_t i;

	(void)state;
	block_arp("192.0.2.66");
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		pkt_eth(&p, T_ARP);
		pkt_arp(&p, 1, "192.0.2.66", "192.0.2.1");
		put16(p.b + p.l3, cases[i].hrd);
		put16(p.b + p.l3 + 2, cases[i].pro);
		p.b[p.l3 + 4] = cases[i].hln;
		p.b[p.l3 + 5] = cases[i].pln;
		expect(&p, PF_PASS_OTHER, cases[i].what);
	}
	/* Not Ethernet/IPv4, and too short even for that: nothing to read. */
	pkt_eth(&p, T_ARP);
	pkt_arp(&p, 1, "192.0.2.66", "192.0.2.1");
	put16(p.b + p.l3, 6);
	pkt_cut(&p, p.l3 + 8);
	expect(&p, PF_PASS_OTHER, "IEEE 802, fixed part only");
}

/* ---- VLAN -------------------------------------------------------------- */

static void test_vlan(void **state)
{
	static const uint16_t tpids[] = { T_8021Q, T_8021AD };
	struct pkt p;
	size_t i;

	(void)state;
	block_v4_cidr("192.0.2.0", 24);
	block_v6_exact("2001:db8::66");
	block_arp("192.0.2.66");
	for (i = 0; i < ARRAY_SIZE(tpids); i++) {
		const char *tag = i ? "802.1ad" : "802.1Q";

		pkt_eth(&p, T_IPV4);
		pkt_tag(&p, tpids[i]);
		pkt_ipv4(&p, "192.0.2.1", "198.51.100.1", IPPROTO_UDP);
		expect(&p, PF_DROP_V4_CIDR, tag);
		pkt_eth(&p, T_IPV4);
		pkt_tag(&p, tpids[i]);
		pkt_ipv4(&p, "192.0.3.1", "198.51.100.1", IPPROTO_UDP);
		expect_meta(&p, PF_PASS_IPV4, PF_META_VLAN, IPPROTO_UDP, tag);

		pkt_eth(&p, T_IPV6);
		pkt_tag(&p, tpids[i]);
		pkt_ipv6(&p, "2001:db8::66", "2001:db8::1", IPPROTO_TCP);
		expect(&p, PF_DROP_V6_EXACT, tag);
		pkt_eth(&p, T_IPV6);
		pkt_tag(&p, tpids[i]);
		pkt_ipv6(&p, "2001:db8::67", "2001:db8::1", IPPROTO_TCP);
		expect_meta(&p, PF_PASS_IPV6, PF_META_VLAN, IPPROTO_TCP, tag);

		pkt_eth(&p, T_ARP);
		pkt_tag(&p, tpids[i]);
		pkt_arp(&p, 1, "192.0.2.66", "192.0.2.1");
		expect(&p, PF_DROP_ARP_SENDER, tag);
		pkt_eth(&p, T_ARP);
		pkt_tag(&p, tpids[i]);
		pkt_arp(&p, 2, "192.0.2.67", "192.0.2.1");
		expect_meta(&p, PF_PASS_ARP, PF_META_VLAN, 0, tag);

		pkt_eth(&p, 0x88cc);
		pkt_tag(&p, tpids[i]);
		append_zero(&p, 46);
		expect_meta(&p, PF_PASS_OTHER, PF_META_VLAN, 0, tag);
	}
}

/* One tag is parsed; a second one is not looked into. */
static void test_vlan_double_tag(void **state)
{
	struct pkt p;

	(void)state;
	block_v4_cidr("192.0.2.0", 24);
	pkt_eth(&p, T_IPV4);
	pkt_tag(&p, T_8021AD);
	pkt_tag(&p, T_8021Q);
	pkt_ipv4(&p, "192.0.2.1", "198.51.100.1", IPPROTO_UDP);
	expect_meta(&p, PF_PASS_OTHER, PF_META_VLAN, 0, "QinQ");
	pkt_eth(&p, T_IPV4);
	pkt_tag(&p, T_8021Q);
	pkt_tag(&p, T_8021Q);
	pkt_ipv4(&p, "192.0.2.1", "198.51.100.1", IPPROTO_UDP);
	expect_meta(&p, PF_PASS_OTHER, PF_META_VLAN, 0, "two 802.1Q tags");
}

/* ---- IPv4 details and malformed IPv4 ---------------------------------- */

static void test_ipv4_fragments(void **state)
{
	static const struct {
		uint16_t frag_off;
		const char *what;
	} frags[] = {
		{ 0x2000, "first fragment (MF)" },
		{ 0x2000 | 185, "middle fragment" },
		{ 185, "last fragment" },
		{ 0x6000 | 1, "DF and MF" },
	};
	struct pkt p;
	size_t i;

	(void)state;
	block_v4_cidr("192.0.2.0", 24);
	for (i = 0; i < ARRAY_SIZE(frags); i++) {
		v4_frame(&p, "192.0.2.1", "198.51.100.1");
		put16(p.b + p.l3 + 6, frags[i].frag_off);
		expect(&p, PF_DROP_V4_CIDR, frags[i].what);
		v4_frame(&p, "192.0.3.1", "198.51.100.1");
		put16(p.b + p.l3 + 6, frags[i].frag_off);
		expect_meta(&p, PF_PASS_IPV4, PF_META_FRAG, IPPROTO_UDP, frags[i].what);
	}
	/* DF alone is not a fragment. */
	v4_frame(&p, "192.0.3.1", "198.51.100.1");
	put16(p.b + p.l3 + 6, 0x4000);
	expect_meta(&p, PF_PASS_IPV4, 0, IPPROTO_UDP, "DF");
}

/* Options: the whole header must be there, then the source decides. */
static void test_ipv4_options(void **state)
{
	struct pkt p;
	int ihl;

	(void)state;
	block_v4_cidr("192.0.2.0", 24);
	for (ihl = 6; ihl <= 15; ihl++) {
		char what[32];

		snprintf(what, sizeof(what), "IHL %d, exact fit", ihl);
		pkt_eth(&p, T_IPV4);
		pkt_ipv4(&p, "192.0.3.1", "198.51.100.1", IPPROTO_TCP);
		p.b[p.l3] = 0x40 | ihl;
		pkt_cut(&p, p.l3 + 20);
		append_zero(&p, (ihl - 5) * 4);
		expect_meta(&p, PF_PASS_IPV4, PF_META_IPOPT, IPPROTO_TCP, what);
		p.b[p.l3 + 12] = 192;
		p.b[p.l3 + 14] = 2;
		expect(&p, PF_DROP_V4_CIDR, what);

		snprintf(what, sizeof(what), "IHL %d, 1 byte short", ihl);
		pkt_cut(&p, p.len - 1);
		expect(&p, PF_DROP_MALFORMED, what);
	}
}

static void test_ipv4_short(void **state)
{
	struct pkt p;
	size_t n;

	(void)state;
	for (n = 0; n < 20; n++) {
		char what[32];

		snprintf(what, sizeof(what), "%zu bytes of IPv4", n);
		v4_frame(&p, "192.0.3.1", "198.51.100.1");
		pkt_cut(&p, p.l3 + n);
		expect(&p, PF_DROP_MALFORMED, what);
	}
	/* 20 bytes and no payload is a whole header. */
	v4_frame(&p, "192.0.3.1", "198.51.100.1");
	pkt_cut(&p, p.l3 + 20);
	expect(&p, PF_PASS_IPV4, "20 bytes");
}

static void test_ipv4_ihl_below_5(void **state)
{
	struct pkt p;
	int ihl;

	(void)state;
	for (ihl = 0; ihl < 5; ihl++) {
		char what[16];

		snprintf(what, sizeof(what), "IHL %d", ihl);
		v4_frame(&p, "192.0.3.1", "198.51.100.1");
		p.b[p.l3] = 0x40 | ihl;
		expect(&p, PF_DROP_MALFORMED, what);
	}
}

static void test_ipv4_ihl_beyond_frame(void **state)
{
	struct pkt p;

	(void)state;
	/* 28 bytes of IPv4 (header and 8 of payload); IHL claims 60. */
	v4_frame(&p, "192.0.3.1", "198.51.100.1");
	p.b[p.l3] = 0x4f;
	expect(&p, PF_DROP_MALFORMED, "IHL 15 in 28 bytes");
	v4_frame(&p, "192.0.3.1", "198.51.100.1");
	p.b[p.l3] = 0x48;
	expect(&p, PF_DROP_MALFORMED, "IHL 8 in 28 bytes");
	v4_frame(&p, "192.0.3.1", "198.51.100.1");
	p.b[p.l3] = 0x47;
	expect_meta(&p, PF_PASS_IPV4, PF_META_IPOPT, IPPROTO_UDP, "IHL 7 in 28 bytes");
}

static void test_ipv4_bad_version(void **state)
{
	static const uint8_t vers[] = { 0x05, 0x65, 0xf5, 0x55 };
	struct pkt p;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(vers); i++) {
		v4_frame(&p, "192.0.3.1", "198.51.100.1");
		p.b[p.l3] = vers[i];
		expect(&p, PF_DROP_MALFORMED, "version");
	}
}

/* ---- IPv6 details and malformed IPv6 ---------------------------------- */

static void test_ipv6_ext_headers(void **state)
{
	static const uint8_t ext[] = { 0, 43, 44, 50, 51, 60, 135, 139, 140, 253, 254 };
	struct pkt p;
	size_t i;

	(void)state;
	block_v6_cidr("2001:db8:66::", 48);
	for (i = 0; i < ARRAY_SIZE(ext); i++) {
		uint8_t flags = PF_META_V6EXT | (ext[i] == 44 ? PF_META_FRAG : 0);
		char what[32];

		snprintf(what, sizeof(what), "next header %u", ext[i]);
		pkt_eth(&p, T_IPV6);
		pkt_ipv6(&p, "2001:db8:66::1", "2001:db8::1", ext[i]);
		expect(&p, PF_DROP_V6_CIDR, what);
		pkt_eth(&p, T_IPV6);
		pkt_ipv6(&p, "2001:db8:67::1", "2001:db8::1", ext[i]);
		expect_meta(&p, PF_PASS_IPV6, flags, ext[i], what);
	}
	/* An extension header claiming more than the frame holds. */
	pkt_eth(&p, T_IPV6);
	pkt_ipv6(&p, "2001:db8:67::1", "2001:db8::1", 0);
	p.b[p.l3 + 40 + 1] = 255;
	expect_meta(&p, PF_PASS_IPV6, PF_META_V6EXT, 0, "truncated hop-by-hop");
	/* No-next-header is not an extension. */
	pkt_eth(&p, T_IPV6);
	pkt_ipv6(&p, "2001:db8:67::1", "2001:db8::1", 59);
	expect_meta(&p, PF_PASS_IPV6, 0, 59, "no next header");
}

static void test_ipv6_short(void **state)
{
	struct pkt p;
	size_t n;

	(void)state;
	block_v6_cidr("::", 0);
	for (n = 0; n < 40; n++) {
		char what[32];

		snprintf(what, sizeof(what), "%zu bytes of IPv6", n);
		pkt_eth(&p, T_IPV6);
		pkt_ipv6(&p, "2001:db8::1", "2001:db8::2", IPPROTO_UDP);
		pkt_cut(&p, p.l3 + n);
		expect(&p, PF_DROP_MALFORMED, what);
	}
	reset(NULL);
	pkt_eth(&p, T_IPV6);
	pkt_ipv6(&p, "2001:db8::1", "2001:db8::2", IPPROTO_UDP);
	pkt_cut(&p, p.l3 + 40);
	expect(&p, PF_PASS_IPV6, "40 bytes");
}

static void test_ipv6_bad_version(void **state)
{
	static const uint8_t vers[] = { 0x40, 0x00, 0x70, 0xf0 };
	struct pkt p;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(vers); i++) {
		pkt_eth(&p, T_IPV6);
		pkt_ipv6(&p, "2001:db8::1", "2001:db8::2", IPPROTO_UDP);
		p.b[p.l3] = vers[i];
		expect(&p, PF_DROP_MALFORMED, "version");
	}
}

/* ---- malformed L2 and ARP --------------------------------------------- */

static void test_eth_short(void **state)
{
	struct pkt p;
	size_t n;

	(void)state;
	if (!split_ok)
		skip();
	for (n = 0; n < ETH_LEN; n++) {
		char what[32];

		snprintf(what, sizeof(what), "%zu-byte frame", n);
		v4_frame(&p, "192.0.3.1", "198.51.100.1");
		assert_true(pkt_cut(&p, n));
		expect(&p, PF_DROP_MALFORMED, what);
	}
}

static void test_vlan_short(void **state)
{
	static const uint16_t tpids[] = { T_8021Q, T_8021AD };
	struct pkt p;
	size_t i, n;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(tpids); i++) {
		for (n = 0; n < 4; n++) {
			char what[40];

			snprintf(what, sizeof(what), "%#x, %zu bytes of tag",
				 tpids[i], n);
			pkt_eth(&p, T_IPV4);
			pkt_tag(&p, tpids[i]);
			pkt_ipv4(&p, "192.0.3.1", "198.51.100.1", IPPROTO_UDP);
			pkt_cut(&p, ETH_LEN + n);
			expect(&p, PF_DROP_MALFORMED, what);
		}
		/* A whole tag and a short header behind it. */
		pkt_eth(&p, T_IPV4);
		pkt_tag(&p, tpids[i]);
		pkt_ipv4(&p, "192.0.3.1", "198.51.100.1", IPPROTO_UDP);
		pkt_cut(&p, p.l3 + 19);
		expect(&p, PF_DROP_MALFORMED, "tag, 19 bytes of IPv4");
		pkt_eth(&p, T_ARP);
		pkt_tag(&p, tpids[i]);
		pkt_arp(&p, 1, "192.0.2.1", "192.0.2.2");
		pkt_cut(&p, p.l3 + 27);
		expect(&p, PF_DROP_MALFORMED, "tag, 27 bytes of ARP");
		/* Tag and nothing else: an empty frame of unknown type. */
		pkt_eth(&p, 0x88cc);
		pkt_tag(&p, tpids[i]);
		expect_meta(&p, PF_PASS_OTHER, PF_META_VLAN, 0, "tag only");
	}
}

static void test_arp_short(void **state)
{
	struct pkt p;
	size_t n;

	(void)state;
	for (n = 0; n < 28; n++) {
		char what[32];

		snprintf(what, sizeof(what), "%zu bytes of ARP", n);
		pkt_eth(&p, T_ARP);
		pkt_arp(&p, 1, "192.0.2.1", "192.0.2.2");
		pkt_cut(&p, p.l3 + n);
		expect(&p, PF_DROP_MALFORMED, what);
	}
	pkt_eth(&p, T_ARP);
	pkt_arp(&p, 1, "192.0.2.1", "192.0.2.2");
	expect(&p, PF_PASS_ARP, "28 bytes");
}

/* ---- metadata and counters -------------------------------------------- */

static void test_meta_layout(void **state)
{
	struct pf_meta m;
	struct pkt p;
	struct run r;

	(void)state;
	v4_frame(&p, "192.0.3.1", "198.51.100.1");
	run(&p, &r);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.verdict, XDP_PASS);
	assert_int_equal(r.meta_len, 8);
	/* The byte layout a tc program reads, independent of the struct. */
	memcpy(&m, r.out, sizeof(m));
	assert_int_equal(sizeof(m), 8);
	assert_int_equal(m.magic, 0x78706631);
	assert_int_equal(r.out[4], PF_CLASS_IPV4);
	assert_int_equal(r.out[5], 0);
	assert_int_equal(r.out[6], IPPROTO_UDP);
	assert_int_equal(r.out[7], 0);
	assert_memory_equal(r.out + 8, p.b, p.len);
}

/* Metadata already there (another program ran first): ours goes in front. */
static void test_meta_prepended(void **state)
{
	static const uint8_t old[4] = { 0xde, 0xad, 0xbe, 0xef };
	struct pf_meta m;
	struct pkt p;
	struct run r;

	(void)state;
	v4_frame(&p, "192.0.3.1", "198.51.100.1");
	run_meta(&p, old, sizeof(old), &r);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.verdict, XDP_PASS);
	assert_int_equal(r.meta_len, 12);
	memcpy(&m, r.out, sizeof(m));
	assert_int_equal(m.magic, PF_META_MAGIC);
	assert_int_equal(m.class, PF_CLASS_IPV4);
	assert_memory_equal(r.out + 8, old, sizeof(old));
	assert_memory_equal(r.out + 12, p.b, p.len);
}

/*
 * No room for metadata: pass anyway, without it. The most metadata the
 * kernel accepts as input leaves no room for ours (6.1: 32 bytes in all;
 * later kernels: what the headroom holds, at most 255).
 */
static void test_meta_no_room(void **state)
{
	uint8_t old[252];
	uint32_t fill;
	struct pkt p;
	struct run r;

	(void)state;
	memset(old, 0xab, sizeof(old));
	v4_frame(&p, "192.0.3.1", "198.51.100.1");
	for (fill = sizeof(old); fill; fill -= 4) {
		run_meta(&p, old, fill, &r);
		if (r.err != -EINVAL)
			break;
	}
	assert_int_not_equal(fill, 0);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.verdict, XDP_PASS);
	assert_int_equal(r.meta_len, fill);
	assert_memory_equal(r.out, old, fill);
	assert_memory_equal(r.out + fill, p.b, p.len);
	tally_add(PF_PASS_IPV4, p.linear);
	assert_true(stats_match("no room"));
	/* A drop with no room is still a drop. */
	block_v4_exact("192.0.3.1");
	run_meta(&p, old, fill, &r);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.verdict, XDP_DROP);
	tally_add(PF_DROP_V4_EXACT, p.linear);
	assert_true(stats_match("no room, drop"));
}

/* Bytes are the frame length; repeated runs add up exactly. */
static void test_stats_bytes(void **state)
{
	static const size_t pads[] = { 0, 1, 17, 100, 200 };
	struct pkt p;
	size_t i;
	int n;

	(void)state;
	block_v4_cidr("192.0.2.0", 24);
	for (n = 0; n < 3; n++) {
		for (i = 0; i < ARRAY_SIZE(pads); i++) {
			v4_frame(&p, "192.0.2.5", "198.51.100.1");
			append_zero(&p, pads[i]);
			expect(&p, PF_DROP_V4_CIDR, "drop bytes");
			v4_frame(&p, "192.0.3.5", "198.51.100.1");
			append_zero(&p, pads[i]);
			expect(&p, PF_PASS_IPV4, "pass bytes");
		}
	}
	assert_int_equal(tally[PF_DROP_V4_CIDR].packets, 15);
	assert_int_equal(tally[PF_DROP_V4_CIDR].bytes, 3 * (5 * 42 + 0 + 1 + 17 + 100 + 200));
}

/* ---- drop events ------------------------------------------------------ */

/* Run p, expect a drop for reason and exactly one event; returns it. */
static const struct xnic_drop_event *drop_event(const struct pkt *p,
						enum pf_reason reason)
{
	struct run r;

	run(p, &r);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.verdict, XDP_DROP);
	return ev_one(XNIC_EV_HOOK_XDP, XNIC_EV_PROG_PREFILTER, reason,
		      lo_ifindex, p->linear, r.t0, r.t1);
}

/* The fields written out by hand, independently of the model. */
static void test_event_fields(void **state)
{
	const struct xnic_drop_event *e;
	struct pkt p;

	(void)state;
	block_v4_exact("192.0.2.1");
	block_v6_cidr("2001:db8:66::", 48);
	block_arp("192.0.2.66");

	/* IPv4 TCP behind a tag and 4 bytes of options: ports after them. */
	pkt_eth(&p, T_IPV4);
	pkt_tag(&p, T_8021Q);
	pkt_ipv4(&p, "192.0.2.1", "198.51.100.2", IPPROTO_TCP);
	p.b[p.l3] = 0x46;
	append_zero(&p, 20);
	put16(p.b + p.l3 + 24, 40000);
	put16(p.b + p.l3 + 26, 22);
	e = drop_event(&p, PF_DROP_V4_EXACT);
	assert_int_equal(e->len, 14 + 4 + 48);
	assert_int_equal(e->ethertype, T_IPV4);
	assert_int_equal(e->flags, XNIC_EV_F_VLAN | XNIC_EV_F_PORTS);
	assert_int_equal(e->family, XNIC_EV_FAMILY_IPV4);
	assert_int_equal(e->proto, IPPROTO_TCP);
	assert_int_equal(e->sport, 40000);
	assert_int_equal(e->dport, 22);
	assert_int_equal(e->rule, 0);
	ev_assert_addr(e->saddr, "192.0.2.1");
	ev_assert_addr(e->daddr, "198.51.100.2");

	/* A later fragment has no ports. */
	put16(p.b + p.l3 + 6, 185);
	e = drop_event(&p, PF_DROP_V4_EXACT);
	assert_int_equal(e->flags, XNIC_EV_F_VLAN);
	assert_int_equal(e->sport, 0);
	assert_int_equal(e->dport, 0);

	/* IPv6 UDP. */
	pkt_eth(&p, T_IPV6);
	pkt_ipv6(&p, "2001:db8:66::5", "2001:db8::1", IPPROTO_UDP);
	put16(p.b + p.l3 + 40, 5353);
	put16(p.b + p.l3 + 42, 53);
	e = drop_event(&p, PF_DROP_V6_CIDR);
	assert_int_equal(e->ethertype, T_IPV6);
	assert_int_equal(e->flags, XNIC_EV_F_PORTS);
	assert_int_equal(e->family, XNIC_EV_FAMILY_IPV6);
	assert_int_equal(e->proto, IPPROTO_UDP);
	assert_int_equal(e->sport, 5353);
	assert_int_equal(e->dport, 53);
	ev_assert_addr(e->saddr, "2001:db8:66::5");
	ev_assert_addr(e->daddr, "2001:db8::1");

	/* ARP reply: sender and target, the operation. */
	pkt_eth(&p, T_ARP);
	pkt_arp(&p, 2, "192.0.2.66", "192.0.2.1");
	e = drop_event(&p, PF_DROP_ARP_SENDER);
	assert_int_equal(e->ethertype, T_ARP);
	assert_int_equal(e->family, XNIC_EV_FAMILY_ARP);
	assert_int_equal(e->proto, 2);
	assert_int_equal(e->flags, 0);
	ev_assert_addr(e->saddr, "192.0.2.66");
	ev_assert_addr(e->daddr, "192.0.2.1");

	/* Malformed: what the header claimed, no addresses. */
	v4_frame(&p, "192.0.3.1", "198.51.100.1");
	p.b[p.l3] = 0x43;
	e = drop_event(&p, PF_DROP_MALFORMED);
	assert_int_equal(e->ethertype, T_IPV4);
	assert_int_equal(e->family, XNIC_EV_FAMILY_NONE);
	assert_int_equal(e->proto, 0);
	ev_assert_addr(e->saddr, "0.0.0.0");
	/* A tag cut short: the ethertype is the tag's. */
	pkt_eth(&p, T_IPV4);
	pkt_tag(&p, T_8021AD);
	pkt_ipv4(&p, "192.0.3.1", "198.51.100.1", IPPROTO_UDP);
	pkt_cut(&p, ETH_LEN + 2);
	e = drop_event(&p, PF_DROP_MALFORMED);
	assert_int_equal(e->ethertype, T_8021AD);
	assert_int_equal(e->flags, 0);
}

/* Each drop reason: one event with it; each pass reason: none. */
static void test_event_every_reason(void **state)
{
	bool seen[PF_REASON_MAX] = { false };
	struct pkt p;
	struct run r;
	int k;

	(void)state;
	block_v4_cidr("192.0.2.0", 24);
	block_v4_exact("203.0.113.9");
	block_v6_cidr("2001:db8:66::", 48);
	block_v6_exact("2001:db8::99");
	block_arp("192.0.2.66");
	for (k = 0; k < PF_REASON_MAX; k++) {
		switch (k) {
		case PF_PASS_IPV4:
			v4_frame(&p, "198.51.100.1", "192.0.2.1");
			break;
		case PF_DROP_V4_CIDR:
			v4_frame(&p, "192.0.2.1", "198.51.100.1");
			break;
		case PF_DROP_V4_EXACT:
			v4_frame(&p, "203.0.113.9", "198.51.100.1");
			break;
		case PF_PASS_IPV6:
		case PF_DROP_V6_CIDR:
		case PF_DROP_V6_EXACT:
			pkt_eth(&p, T_IPV6);
			pkt_ipv6(&p, k == PF_PASS_IPV6 ? "2001:db8::1" :
				 k == PF_DROP_V6_CIDR ? "2001:db8:66::1" : "2001:db8::99",
				 "2001:db8::2", IPPROTO_TCP);
			break;
		case PF_PASS_ARP:
		case PF_DROP_ARP_SENDER:
			pkt_eth(&p, T_ARP);
			pkt_arp(&p, 1, k == PF_PASS_ARP ? "192.0.2.1" : "192.0.2.66",
				"192.0.2.2");
			break;
		case PF_PASS_OTHER:
			pkt_eth(&p, 0x88cc);
			append_zero(&p, 46);
			break;
		case PF_DROP_MALFORMED:
			v4_frame(&p, "198.51.100.1", "192.0.2.1");
			pkt_cut(&p, p.l3 + 19);
			break;
		}
		if (PF_REASON_IS_DROP(k)) {
			drop_event(&p, k);
		} else {
			run(&p, &r);
			assert_int_equal(r.verdict, XDP_PASS);
			assert_int_equal(ev_n, 0);
		}
		tally_add(k, p.linear);
		seen[k] = true;
	}
	for (k = 0; k < PF_REASON_MAX; k++)
		assert_true(seen[k]);
	assert_true(stats_match("every reason"));
}

/*
 * The token bucket: burst events at once, then rate per second; the
 * rest counted as rate_limited, and every frame dropped all the same.
 * One CPU, one bucket: the test stays on the CPU it starts on.
 */
static void test_event_limiter(void **state)
{
	struct xnic_ev_stats st;
	unsigned int got = 0;
	struct pkt p;
	struct run r;
	int i;

	(void)state;
	assert_int_equal(ev_pin_cpu(), 0);
	block_v4_exact("192.0.2.1");
	v4_frame(&p, "192.0.2.1", "198.51.100.1");
	ev_limit(1, 3);		/* 1 per second, 3 at once */
	for (i = 0; i < 10; i++) {
		run(&p, &r);
		assert_int_equal(r.err, 0);
		assert_int_equal(r.verdict, XDP_DROP);
		got += ev_n;
	}
	ev_stats(&st);
	assert_int_equal(got, 3);
	assert_int_equal(st.emitted, 3);
	assert_int_equal(st.rate_limited, 7);
	assert_int_equal(st.ringbuf_full, 0);
	/* A second later, one token more: one event, then limited again. */
	usleep(1100 * 1000);
	run(&p, &r);
	assert_int_equal(r.verdict, XDP_DROP);
	assert_int_equal(ev_n, 1);
	run(&p, &r);
	assert_int_equal(r.verdict, XDP_DROP);
	assert_int_equal(ev_n, 0);
	ev_stats(&st);
	assert_int_equal(st.emitted, 4);
	assert_int_equal(st.rate_limited, 8);
	/* The configuration applies to the next drop: no reload. */
	ev_limit(XNIC_EV_RATE_UNLIMITED, 0);
	for (i = 0; i < 5; i++) {
		run(&p, &r);
		assert_int_equal(ev_n, 1);
	}
	ev_unpin_cpu();
}

/* A zero configuration is the documented default: 1000/s, burst 100. */
static void test_event_default_limit(void **state)
{
	const uint32_t n = 3 * XNIC_EV_BURST_DEFAULT / 2;
	struct xnic_ev_stats st;
	struct pf_stat drops;
	uint64_t ms;
	struct pkt p;
	struct run r;

	(void)state;
	assert_int_equal(ev_pin_cpu(), 0);
	block_v4_exact("192.0.2.1");
	v4_frame(&p, "192.0.2.1", "198.51.100.1");
	ev_limit(0, 0);
	run_core(&p, NULL, 0, n, &r);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.verdict, XDP_DROP);
	ev_stats(&st);
	/* The burst, plus what the rate refilled while the runs ran. */
	ms = (r.t1 - r.t0) / 1000000;
	print_message("# default limit: %u drops in %" PRIu64 " ms: %u events\n",
		      n, ms, ev_n);
	assert_true(ev_n >= XNIC_EV_BURST_DEFAULT);
	assert_true(ev_n <= XNIC_EV_BURST_DEFAULT + ms * XNIC_EV_RATE_DEFAULT / 1000 + 1);
	assert_int_equal(st.emitted, ev_n);
	assert_int_equal(st.rate_limited, n - ev_n);
	assert_int_equal(read_stat(PF_DROP_V4_EXACT, &drops), 0);
	assert_int_equal(drops.packets, n);
	ev_unpin_cpu();
}

/*
 * Nobody reading: the ring fills, later events are counted as lost, and
 * every frame is still dropped and counted.
 */
static void test_event_ring_full(void **state)
{
	const uint32_t fit = XNIC_EV_RING_BYTES / (sizeof(struct xnic_drop_event) + 8);
	const uint32_t n = fit + 500;
	struct xnic_ev_stats st;
	struct pf_stat drops;
	struct pkt p;
	struct run r;

	(void)state;
	block_v4_exact("192.0.2.1");
	v4_frame(&p, "192.0.2.1", "198.51.100.1");
	run_core(&p, NULL, 0, n, &r);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.verdict, XDP_DROP);
	assert_int_equal(ev_n, fit);
	ev_stats(&st);
	assert_int_equal(st.emitted, fit);
	assert_int_equal(st.ringbuf_full, n - fit);
	assert_int_equal(st.rate_limited, 0);
	assert_int_equal(read_stat(PF_DROP_V4_EXACT, &drops), 0);
	assert_int_equal(drops.packets, n);
	/* Read, the ring has room again. */
	run(&p, &r);
	assert_int_equal(r.verdict, XDP_DROP);
	assert_int_equal(ev_n, 1);
}

/* ---- random frames against a reference model -------------------------- */

/*
 * The model: its own byte-offset parser and linear-scan matching over
 * host-order copies of the blocklists, written from the verdict table in
 * bpf/xdp_prefilter.bpf.c, not from its code.
 */
#define M_V4_LPM	160
#define M_V6_LPM	160
#define M_EXACT		256

static struct {
	uint32_t v4_net[M_V4_LPM];
	int v4_plen[M_V4_LPM];
	int n_v4;
	uint8_t v6_net[M_V6_LPM][16];
	int v6_plen[M_V6_LPM];
	int n_v6;
	uint32_t v4_exact[M_EXACT];
	uint8_t v6_exact[M_EXACT][16];
	uint32_t arp[M_EXACT];
} model;

static bool model_v4_in(uint32_t a, const uint32_t *set, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (set[i] == a)
			return true;
	return false;
}

static bool model_v4_lpm(uint32_t a)
{
	int i;

	for (i = 0; i < model.n_v4; i++) {
		int plen = model.v4_plen[i];

		if (plen == 0 || (a >> (32 - plen)) == (model.v4_net[i] >> (32 - plen)))
			return true;
	}
	return false;
}

static bool model_v6_lpm(const uint8_t *a)
{
	int i, j;

	for (i = 0; i < model.n_v6; i++) {
		for (j = 0; j < model.v6_plen[i]; j++)
			if (bit(a, j) != bit(model.v6_net[i], j))
				break;
		if (j == model.v6_plen[i])
			return true;
	}
	return false;
}

static bool model_v6_exact(const uint8_t *a)
{
	int i;

	for (i = 0; i < M_EXACT; i++)
		if (!memcmp(model.v6_exact[i], a, 16))
			return true;
	return false;
}

static bool model_v6_ext(uint8_t nh)
{
	static const uint8_t ext[] = { 0, 43, 44, 50, 51, 60, 135, 139, 140, 253, 254 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ext); i++)
		if (ext[i] == nh)
			return true;
	return false;
}

static struct verdict model_run(const uint8_t *f, size_t len)
{
	struct verdict v = { .reason = PF_DROP_MALFORMED };
	uint16_t type;
	size_t o = 14;

	if (len < 14)
		return v;
	type = get16(f + 12);
	if (type == T_8021Q || type == T_8021AD) {
		if (len < 18)
			return v;
		type = get16(f + 16);
		o = 18;
		v.flags |= PF_META_VLAN;
	}
	if (type == T_IPV4) {
		size_t ihl;
		uint32_t src;

		if (len - o < 20 || f[o] >> 4 != 4)
			return v;
		ihl = (f[o] & 15) * 4u;
		if (ihl < 20 || len - o < ihl)
			return v;
		v.class = PF_CLASS_IPV4;
		v.proto = f[o + 9];
		if (ihl > 20)
			v.flags |= PF_META_IPOPT;
		if (get16(f + o + 6) & 0x3fff)
			v.flags |= PF_META_FRAG;
		src = get32(f + o + 12);
		if (model_v4_in(src, model.v4_exact, M_EXACT))
			v.reason = PF_DROP_V4_EXACT;
		else if (model_v4_lpm(src))
			v.reason = PF_DROP_V4_CIDR;
		else
			v.reason = PF_PASS_IPV4;
	} else if (type == T_IPV6) {
		if (len - o < 40 || f[o] >> 4 != 6)
			return v;
		v.class = PF_CLASS_IPV6;
		v.proto = f[o + 6];
		if (model_v6_ext(v.proto))
			v.flags |= PF_META_V6EXT;
		if (v.proto == 44)
			v.flags |= PF_META_FRAG;
		if (model_v6_exact(f + o + 8))
			v.reason = PF_DROP_V6_EXACT;
		else if (model_v6_lpm(f + o + 8))
			v.reason = PF_DROP_V6_CIDR;
		else
			v.reason = PF_PASS_IPV6;
	} else if (type == T_ARP) {
		if (len - o < 8)
			return v;
		if (get16(f + o) != 1 || get16(f + o + 2) != T_IPV4 ||
		    f[o + 4] != 6 || f[o + 5] != 4) {
			v.reason = PF_PASS_OTHER;
			v.class = PF_CLASS_OTHER;
			return v;
		}
		if (len - o < 28)
			return v;
		v.class = PF_CLASS_ARP;
		if (model_v4_in(get32(f + o + 14), model.arp, M_EXACT))
			v.reason = PF_DROP_ARP_SENDER;
		else
			v.reason = PF_PASS_ARP;
	} else {
		v.reason = PF_PASS_OTHER;
	}
	return v;
}

static void model_fill(void)
{
	int fd4 = bpf_map__fd(skel->maps.pf_v4_lpm);
	int fd6 = bpf_map__fd(skel->maps.pf_v6_lpm);
	int i;

	memset(&model, 0, sizeof(model));
	/* Prefixes from /4 up: wide enough to hit, narrow enough to miss. */
	for (i = 0; i < M_V4_LPM; i++) {
		int plen = 4 + rndn(29);
		uint32_t net = (uint32_t)rnd() & (~0u << (32 - plen));
		struct pf_v4_lpm_key k = { .prefixlen = plen, .addr = htonl(net) };

		model.v4_net[i] = net;
		model.v4_plen[i] = plen;
		assert_int_equal(bpf_map_update_elem(fd4, &k, &one, BPF_ANY), 0);
	}
	model.n_v4 = M_V4_LPM;
	for (i = 0; i < M_V6_LPM; i++) {
		struct pf_v6_lpm_key k = { .prefixlen = 8 + rndn(121) };

		rnd_bytes(k.addr.addr, 16);
		v6_set_bits(k.addr.addr, k.prefixlen, false);
		memcpy(model.v6_net[i], k.addr.addr, 16);
		model.v6_plen[i] = k.prefixlen;
		assert_int_equal(bpf_map_update_elem(fd6, &k, &one, BPF_ANY), 0);
	}
	model.n_v6 = M_V6_LPM;
	for (i = 0; i < M_EXACT; i++) {
		uint32_t be;

		model.v4_exact[i] = (uint32_t)rnd();
		be = htonl(model.v4_exact[i]);
		assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.pf_v4_exact),
						     &be, &one, BPF_ANY), 0);
		rnd_bytes(model.v6_exact[i], 16);
		assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.pf_v6_exact),
						     model.v6_exact[i], &one, BPF_ANY), 0);
		model.arp[i] = (uint32_t)rnd();
		be = htonl(model.arp[i]);
		assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.pf_arp),
						     &be, &one, BPF_ANY), 0);
	}
}

/* An IPv4 address: inside, at the edge of or just outside a listed entry. */
static uint32_t gen_v4(void)
{
	uint32_t r = rndn(100), host;
	int i, plen;

	if (r < 25)
		return (uint32_t)rnd();
	if (r < 40)
		return model.v4_exact[rndn(M_EXACT)];
	if (r < 50)
		return model.arp[rndn(M_EXACT)];
	i = rndn(model.n_v4);
	plen = model.v4_plen[i];
	host = plen == 32 ? 0 : ~0u >> plen;
	switch (rndn(4)) {
	case 0:
		return model.v4_net[i];
	case 1:
		return model.v4_net[i] | host;
	case 2:
		return model.v4_net[i] - 1;
	default:
		return model.v4_net[i] | ((uint32_t)rnd() & host);
	}
}

static void gen_v6(uint8_t *a)
{
	uint32_t r = rndn(100);
	int i;

	if (r < 25) {
		rnd_bytes(a, 16);
		return;
	}
	if (r < 45) {
		memcpy(a, model.v6_exact[rndn(M_EXACT)], 16);
		return;
	}
	i = rndn(model.n_v6);
	memcpy(a, model.v6_net[i], 16);
	switch (rndn(4)) {
	case 0:
		break;
	case 1:
		v6_set_bits(a, model.v6_plen[i], true);
		break;
	case 2:
		v6_step(a, -1);
		break;
	default: {
		uint8_t h[16];
		int b;

		rnd_bytes(h, 16);
		for (b = model.v6_plen[i]; b < 128; b++)
			if (bit(h, b))
				a[b / 8] |= 0x80 >> (b % 8);
	}
	}
}

static uint16_t gen_type(void)
{
	uint32_t r = rndn(100);

	if (r < 35)
		return T_IPV4;
	if (r < 60)
		return T_IPV6;
	if (r < 85)
		return T_ARP;
	if (r < 90)
		return rndn(2) ? T_8021Q : T_8021AD;
	return (uint16_t)rnd();
}

/* A plausible frame, often slightly wrong; returns its length. */
static size_t gen_frame(uint8_t *f)
{
	/* Transport protocols, extension headers, no-next-header. */
	static const uint8_t nexthdrs[] = { 6, 17, 58, 0, 43, 44, 60, 59 };
	size_t o = 14, len, i, n;
	uint16_t type;

	rnd_bytes(f, PKT_MAX);
	if (rndn(20) == 0)
		return rndn(80);	/* pure noise */
	type = gen_type();
	if (rndn(5) == 0) {
		put16(f + 12, rndn(2) ? T_8021Q : T_8021AD);
		put16(f + 16, type);
		o = 18;
	} else {
		put16(f + 12, type);
	}
	switch (type) {
	case T_IPV4: {
		uint8_t ihl = rndn(5) ? 5 : rndn(16);

		f[o] = (rndn(20) ? 0x40 : (uint8_t)(rndn(16) << 4)) | ihl;
		if (rndn(3))
			put16(f + o + 6, rndn(2) ? 0x4000 : 0);
		put32(f + o + 12, gen_v4());
		put32(f + o + 16, gen_v4());
		len = o + ihl * 4u + rndn(40);
		break;
	}
	case T_IPV6:
		f[o] = rndn(20) ? 0x60 | (f[o] & 15) : f[o];
		if (rndn(2))
			f[o + 6] = nexthdrs[rndn(ARRAY_SIZE(nexthdrs))];
		gen_v6(f + o + 8);
		gen_v6(f + o + 24);
		len = o + 40 + rndn(40);
		break;
	case T_ARP:
		put16(f + o, rndn(10) ? 1 : rndn(8));
		put16(f + o + 2, rndn(10) ? T_IPV4 : (uint16_t)rnd());
		f[o + 4] = rndn(10) ? 6 : rndn(10);
		f[o + 5] = rndn(10) ? 4 : rndn(10);
		put16(f + o + 6, 1 + rndn(4));
		put32(f + o + 14, rndn(2) ? model.arp[rndn(M_EXACT)] : gen_v4());
		put32(f + o + 24, rndn(2) ? model.arp[rndn(M_EXACT)] : gen_v4());
		len = o + 28 + rndn(20);
		break;
	default:
		len = o + rndn(60);
		break;
	}
	if (len > PKT_MAX)
		len = PKT_MAX;
	/* Mutations: truncate, flip bytes, or both. */
	switch (rndn(6)) {
	case 0:
		len = rndn(len + 1);
		break;
	case 1:
		n = 1 + rndn(4);
		for (i = 0; i < n; i++)
			f[rndn(len)] ^= 1 + rndn(255);
		break;
	case 2:
		len = rndn(len + 1);
		if (len)
			f[rndn(len)] ^= 1 + rndn(255);
		break;
	default:
		break;
	}
	return len;
}

static void test_random_vs_model(void **state)
{
	unsigned long iters = env_ul("PREFILTER_ITERS", 100000);
	uint64_t seed = env_seed("PREFILTER_SEED");
	unsigned long it, bad = 0, split = 0;
	uint64_t per_reason[PF_REASON_MAX] = { 0 };
	struct timespec t0, t1;
	struct pkt p;
	struct run r;

	(void)state;
	printf("# random_vs_model: PREFILTER_SEED=%" PRIu64 " PREFILTER_ITERS=%lu\n",
	       seed, iters);
	fflush(stdout);
	rnd_seed(seed);
	model_fill();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (it = 0; it < iters; it++) {
		struct pf_stat before, after;
		const char *why;
		struct verdict v;
		size_t len;

		/* The kernel wants 14 bytes unless a fragment pads them. */
		do {
			memset(&p, 0, sizeof(p));
			len = gen_frame(p.b);
		} while (len < ETH_LEN && !split_ok);
		p.len = len;
		p.linear = len;
		/* Sometimes hide the tail in a fragment: the program must
		 * decide on the part it sees.
		 */
		if (split_ok && (len < ETH_LEN || rndn(20) == 0)) {
			p.linear = rndn(len + 1);
			if (p.len < ETH_LEN)
				p.len = ETH_LEN;
			split++;
		}
		v = model_run(p.b, p.linear);
		assert_int_equal(read_stat(v.reason, &before), 0);
		run(&p, &r);
		why = check_run(&p, &r, &v);
		assert_int_equal(read_stat(v.reason, &after), 0);
		if (!why && (after.packets != before.packets + 1 ||
			     after.bytes != before.bytes + p.linear))
			why = "the model's reason counter did not move by this frame";
		tally_add(v.reason, p.linear);
		per_reason[v.reason]++;
		if (why) {
			if (bad++ < 5) {
				print_error("frame %lu (seed %" PRIu64 "), %zu bytes, %zu seen: model %s: %s\n",
					    it, seed, p.len, p.linear,
					    reason_name[v.reason], why);
				hexdump(p.b, p.len);
			}
		}
		/* Nothing else moved: every counter against the model. */
		if ((it + 1) % 4096 == 0 || it + 1 == iters)
			if (!stats_match("random run"))
				fail_msg("counters differ after frame %lu (seed %" PRIu64 ")",
					 it, seed);
	}
	for (it = 0; it < PF_REASON_MAX; it++)
		printf("# random_vs_model: %-16s %" PRIu64 "\n",
		       reason_name[it], per_reason[it]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# random_vs_model: %lu frames (%lu with a short linear part) in %.1f s, %lu mismatches\n",
	       iters, split, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       bad);
	if (bad)
		fail_msg("%lu of %lu frames differ from the model (PREFILTER_SEED=%" PRIu64 ")",
			 bad, iters, seed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_load, reset),
		cmocka_unit_test_setup(test_ipv4_pass, reset),
		cmocka_unit_test_setup(test_ipv6_pass, reset),
		cmocka_unit_test_setup(test_arp_pass, reset),
		cmocka_unit_test_setup(test_other_pass, reset),
		cmocka_unit_test_setup(test_v4_cidr, reset),
		cmocka_unit_test_setup(test_v4_prefix_32, reset),
		cmocka_unit_test_setup(test_v4_prefix_0, reset),
		cmocka_unit_test_setup(test_v4_every_prefix_length, reset),
		cmocka_unit_test_setup(test_v4_overlapping, reset),
		cmocka_unit_test_setup(test_v4_exact, reset),
		cmocka_unit_test_setup(test_v4_exact_before_lpm, reset),
		cmocka_unit_test_setup(test_v4_unblock, reset),
		cmocka_unit_test_setup(test_v6_cidr, reset),
		cmocka_unit_test_setup(test_v6_prefix_128, reset),
		cmocka_unit_test_setup(test_v6_prefix_0, reset),
		cmocka_unit_test_setup(test_v6_every_prefix_length, reset),
		cmocka_unit_test_setup(test_v6_exact, reset),
		cmocka_unit_test_setup(test_v6_exact_before_lpm, reset),
		cmocka_unit_test_setup(test_arp_sender_blocked, reset),
		cmocka_unit_test_setup(test_arp_target_blocked, reset),
		cmocka_unit_test_setup(test_arp_lists_separate, reset),
		cmocka_unit_test_setup(test_arp_not_ether_ipv4, reset),
		cmocka_unit_test_setup(test_vlan, reset),
		cmocka_unit_test_setup(test_vlan_double_tag, reset),
		cmocka_unit_test_setup(test_ipv4_fragments, reset),
		cmocka_unit_test_setup(test_ipv4_options, reset),
		cmocka_unit_test_setup(test_ipv4_short, reset),
		cmocka_unit_test_setup(test_ipv4_ihl_below_5, reset),
		cmocka_unit_test_setup(test_ipv4_ihl_beyond_frame, reset),
		cmocka_unit_test_setup(test_ipv4_bad_version, reset),
		cmocka_unit_test_setup(test_ipv6_ext_headers, reset),
		cmocka_unit_test_setup(test_ipv6_short, reset),
		cmocka_unit_test_setup(test_ipv6_bad_version, reset),
		cmocka_unit_test_setup(test_eth_short, reset),
		cmocka_unit_test_setup(test_vlan_short, reset),
		cmocka_unit_test_setup(test_arp_short, reset),
		cmocka_unit_test_setup(test_meta_layout, reset),
		cmocka_unit_test_setup(test_meta_prepended, reset),
		cmocka_unit_test_setup(test_meta_no_room, reset),
		cmocka_unit_test_setup(test_stats_bytes, reset),
		cmocka_unit_test_setup(test_event_fields, reset),
		cmocka_unit_test_setup(test_event_every_reason, reset),
		cmocka_unit_test_setup(test_event_limiter, reset),
		cmocka_unit_test_setup(test_event_default_limit, reset),
		cmocka_unit_test_setup(test_event_ring_full, reset),
		cmocka_unit_test_setup(test_random_vs_model, reset),
	};

	return cmocka_run_group_tests_name("prefilter", tests, group_setup,
					   group_teardown);
}
