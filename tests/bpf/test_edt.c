// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the EDT program (bpf/edt.bpf.c) through BPF_PROG_TEST_RUN on
 * whatever kernel runs them (the VM case 92-shaping runs them on
 * Debian's 6.1): a device without a limit is untouched; consecutive
 * packets of a limited device get departure times spaced by len / rate
 * on one schedule, starting no earlier than the run; a later tstamp on
 * the packet is kept; a packet that would leave beyond the horizon is
 * dropped and counted without moving the schedule; a changed rate
 * applies to the next packet; packets of any length (a bare Ethernet
 * header, odd sizes, garbage bytes) are paced by their length; and every
 * packet
 * is counted once per device and reason. A horizon drop, and only a
 * drop, sends one drop event (bpf/drop_event.h) with its reason and the
 * IPv4/IPv6 addresses when the header reads valid, under the shared
 * rate limit. (BPF_PROG_TEST_RUN refuses
 * frames shorter than an Ethernet header, so 14 bytes is the shortest.)
 *
 * Test runs see skb->ifindex of the loopback device (the kernel runs
 * them on it), so the limit is keyed by lo's ifindex. Needs root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/pkt_cls.h>

#include "bpftest.h"
#include "edt.skel.h"
#include "evtest.h"
#include "shaping.h"

#define PKT_MAX	1600

static struct edt *skel;
static int prog_fd, limit_fd, state_fd, stats_fd, ncpus;
static uint32_t lo;

struct run {
	int verdict;
	uint64_t tstamp;
	uint64_t t0, t1;	/* CLOCK_MONOTONIC around the run */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Run @pkt (@len bytes) once; ev_take() then has what it sent. */
static void run_pkt(const uint8_t *pkt, uint32_t len, uint64_t tstamp_in,
		    struct run *r)
{
	struct __sk_buff ctx_in = { .tstamp = tstamp_in }, ctx_out = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = pkt,
		.data_size_in = len,
		.ctx_in = &ctx_in,
		.ctx_size_in = sizeof(ctx_in),
		.ctx_out = &ctx_out,
		.ctx_size_out = sizeof(ctx_out),
		.repeat = 1,
	);

	r->t0 = now_ns();
	assert_int_equal(bpf_prog_test_run_opts(prog_fd, &opts), 0);
	r->t1 = now_ns();
	r->verdict = (int)opts.retval;
	r->tstamp = ctx_out.tstamp;
	ev_take();
}

/* @len garbage bytes (0xa5: ethertype 0xa5a5, nothing to parse). */
static void run(uint32_t len, uint64_t tstamp_in, struct run *r)
{
	static uint8_t pkt[PKT_MAX];

	assert_true(len <= PKT_MAX);
	memset(pkt, 0xa5, len);
	run_pkt(pkt, len, tstamp_in, r);
}

static void set_limit(uint64_t rate, uint64_t horizon)
{
	struct edt_limit l = { .rate = rate, .horizon_ns = horizon };

	assert_int_equal(bpf_map_update_elem(limit_fd, &lo, &l, BPF_ANY), 0);
}

static struct edt_stats stats(void)
{
	struct edt_stats per[ncpus], sum;
	int c, r;

	memset(&sum, 0, sizeof(sum));
	if (bpf_map_lookup_elem(stats_fd, &lo, per))
		return sum;
	for (c = 0; c < ncpus; c++)
		for (r = 0; r < EDT_REASON_MAX; r++) {
			sum.r[r].packets += per[c].r[r].packets;
			sum.r[r].bytes += per[c].r[r].bytes;
		}
	return sum;
}

static uint64_t t_last(void)
{
	struct edt_state st;

	assert_int_equal(bpf_map_lookup_elem(state_fd, &lo, &st), 0);
	return st.t_last;
}

static int reset(void **state)
{
	(void)state;
	bpf_map_delete_elem(limit_fd, &lo);
	bpf_map_delete_elem(state_fd, &lo);
	bpf_map_delete_elem(stats_fd, &lo);
	return 0;
}

static void test_no_limit_untouched(void **state)
{
	struct edt_stats s;
	struct run r;

	(void)state;
	run(100, 0, &r);
	assert_int_equal(r.verdict, TC_ACT_UNSPEC);
	assert_int_equal(r.tstamp, 0);
	run(60, 12345, &r);
	assert_int_equal(r.verdict, TC_ACT_UNSPEC);
	assert_int_equal(r.tstamp, 12345);
	/* A limit of 0 is no limit. */
	set_limit(0, 0);
	run(80, 0, &r);
	assert_int_equal(r.tstamp, 0);
	s = stats();
	assert_int_equal(s.r[EDT_PASS_NOLIMIT].packets, 3);
	assert_int_equal(s.r[EDT_PASS_NOLIMIT].bytes, 240);
	assert_int_equal(s.r[EDT_PASS_PACED].packets, 0);
	assert_int_equal(s.r[EDT_DROP_HORIZON].packets, 0);
	/* The program made no schedule. */
	assert_int_not_equal(bpf_map_lookup_elem(state_fd, &lo, &(struct edt_state){ 0 }), 0);
}

/*
 * Slots long against one run (TCG can take milliseconds per run) and a
 * horizon far away: the schedule stays ahead of the clock, so the gaps
 * are exact.
 */
#define FAR	(1000ull * 1000000000ull)

/* 1000 bytes at 10 kB/s: 100 ms apart, one after the other. */
static void test_spacing(void **state)
{
	const uint64_t rate = 10000, len = 1000, gap = len * 1000000000ull / rate;
	uint64_t prev = 0;
	struct edt_stats s;
	struct run r;
	int i;

	(void)state;
	set_limit(rate, FAR);
	for (i = 0; i < 20; i++) {
		run(len, 0, &r);
		assert_int_equal(r.verdict, TC_ACT_UNSPEC);
		if (!i) {
			/* max(now, 0) + gap, now taken during the run */
			assert_true(r.tstamp >= r.t0 + gap);
			assert_true(r.tstamp <= r.t1 + gap);
		} else {
			/* The schedule is ahead of the clock: exactly gap. */
			assert_int_equal(r.tstamp - prev, gap);
		}
		assert_int_equal(t_last(), r.tstamp);
		prev = r.tstamp;
	}
	s = stats();
	assert_int_equal(s.r[EDT_PASS_PACED].packets, 20);
	assert_int_equal(s.r[EDT_PASS_PACED].bytes, 20 * len);
}

/* Different lengths take their own share of the schedule. */
static void test_len_and_rate_change(void **state)
{
	const uint32_t lens[] = { 14, 15, 64, 1500, 777 };
	uint64_t prev, rate = 10000;	/* 10 kB/s: 100 us per byte */
	struct run r;
	size_t i;

	(void)state;
	set_limit(rate, FAR);
	run(1000, 0, &r);
	prev = r.tstamp;
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		run(lens[i], 0, &r);
		assert_int_equal(r.verdict, TC_ACT_UNSPEC);
		assert_int_equal(r.tstamp - prev, (uint64_t)lens[i] * 100000);
		prev = r.tstamp;
	}
	/* A new rate applies to the very next packet. */
	set_limit(rate / 10, FAR);
	run(1000, 0, &r);
	assert_int_equal(r.tstamp - prev, 1000000000);
	/* Rounded down: 14 bytes at 3000 B/s = 4666666.67 ns. */
	prev = r.tstamp;
	set_limit(3000, FAR);
	run(14, 0, &r);
	assert_int_equal(r.tstamp - prev, 4666666);
}

/* An idle device starts from now, not from its old schedule. */
static void test_idle_restarts_at_now(void **state)
{
	struct run r;

	(void)state;
	set_limit(1000000000, 0);	/* 1 GB/s: 1 ns per byte */
	run(100, 0, &r);
	run(100, 0, &r);
	/* 2 ms later the schedule (200 ns ahead) is in the past. */
	nanosleep(&(struct timespec){ .tv_nsec = 2000000 }, NULL);
	run(500, 0, &r);
	assert_true(r.tstamp >= r.t0 + 500);
	assert_true(r.tstamp <= r.t1 + 500);
}

/* A tstamp later than the schedule (TCP's own pacing) is kept. */
static void test_later_tstamp_kept(void **state)
{
	uint64_t later;
	struct run r;

	(void)state;
	set_limit(1000000, 0);
	later = now_ns() + 50000000;	/* 50 ms ahead; the slot is 1 ms */
	run(1000, later, &r);
	assert_int_equal(r.tstamp, later);
	/* The schedule still advanced by the packet's own slot only. */
	assert_true(t_last() < later);
}

/* Beyond the horizon: dropped, counted, the schedule not moved. */
static void test_horizon_drop(void **state)
{
	const uint64_t horizon = 50000000;	/* 50 ms */
	const uint64_t slot = 14000000;		/* 14 bytes at 1000 B/s */
	uint64_t before, last;
	struct edt_stats s;
	struct run r;
	int i, paced = 0, dropped = 0;

	(void)state;
	/* 1000 B/s: 1000 bytes is a whole second, past a 50 ms horizon. */
	set_limit(1000, horizon);
	run(1000, 0, &r);
	assert_int_equal(r.verdict, TC_ACT_SHOT);
	s = stats();
	assert_int_equal(s.r[EDT_DROP_HORIZON].packets, 1);
	assert_int_equal(s.r[EDT_DROP_HORIZON].bytes, 1000);
	assert_int_equal(s.r[EDT_PASS_PACED].packets, 0);
	/* 14 ms slots: three fit in 50 ms, then the schedule is full. */
	for (i = 0; i < 6; i++) {
		before = now_ns();
		run(14, 0, &r);
		if (r.verdict == TC_ACT_SHOT) {
			dropped++;
			/* Only a slot that would end past now + horizon. */
			last = t_last();
			assert_true(last + slot > before + horizon);
		} else {
			paced++;
			assert_int_equal(r.verdict, TC_ACT_UNSPEC);
			assert_true(r.tstamp - r.t0 <= horizon);
			assert_int_equal(t_last(), r.tstamp);
		}
	}
	assert_true(paced >= 1);
	assert_true(dropped >= 2);
	s = stats();
	assert_int_equal(s.r[EDT_DROP_HORIZON].packets, 1 + dropped);
	assert_int_equal(s.r[EDT_PASS_PACED].packets, paced);
	assert_int_equal(s.r[EDT_PASS_PACED].bytes, 14 * paced);
	/* The default horizon (2 s) lets a 1 s slot through. */
	bpf_map_delete_elem(state_fd, &lo);
	set_limit(1000, 0);
	run(1000, 0, &r);
	assert_int_equal(r.verdict, TC_ACT_UNSPEC);
	run(1500, 0, &r);	/* would end 2.5 s from now */
	assert_int_equal(r.verdict, TC_ACT_SHOT);
}

/*
 * A packet of @len bytes: Ethernet, then an IPv4 (@v6 false) or IPv6
 * header from @src to @dst carrying UDP, the rest zero.
 */
static void ip_pkt(uint8_t *pkt, uint32_t len, bool v6, const char *src,
		   const char *dst)
{
	memset(pkt, 0, len);
	pkt[12] = v6 ? 0x86 : 0x08;
	pkt[13] = v6 ? 0xdd : 0x00;
	if (v6) {
		pkt[14] = 0x60;
		pkt[14 + 6] = IPPROTO_UDP;
		pkt[14 + 7] = 64;
		assert_int_equal(inet_pton(AF_INET6, src, pkt + 14 + 8), 1);
		assert_int_equal(inet_pton(AF_INET6, dst, pkt + 14 + 24), 1);
		return;
	}
	pkt[14] = 0x45;
	pkt[14 + 8] = 64;
	pkt[14 + 9] = IPPROTO_UDP;
	assert_int_equal(inet_pton(AF_INET, src, pkt + 14 + 12), 1);
	assert_int_equal(inet_pton(AF_INET, dst, pkt + 14 + 16), 1);
}

/* A dropped IP packet's event: its header's addresses and protocol. */
static void drop_ip(uint32_t len, bool v6, const char *src, const char *dst)
{
	static uint8_t pkt[PKT_MAX];
	const struct xnic_drop_event *e;
	struct run r;

	ip_pkt(pkt, len, v6, src, dst);
	run_pkt(pkt, len, 0, &r);
	assert_int_equal(r.verdict, TC_ACT_SHOT);
	e = ev_one(XNIC_EV_HOOK_TC_EGRESS, XNIC_EV_PROG_EDT, EDT_DROP_HORIZON,
		   lo, len, r.t0, r.t1);
	assert_int_equal(e->ethertype, v6 ? 0x86dd : 0x0800);
	assert_int_equal(e->family, v6 ? XNIC_EV_FAMILY_IPV6 :
			 XNIC_EV_FAMILY_IPV4);
	assert_int_equal(e->proto, IPPROTO_UDP);
	assert_int_equal(e->flags, 0);
	ev_assert_addr(e->saddr, src);
	ev_assert_addr(e->daddr, dst);
}

/* Every horizon drop sends its event; a paced packet sends none. */
static void test_horizon_event(void **state)
{
	static uint8_t pkt[PKT_MAX];
	const struct xnic_drop_event *e;
	struct xnic_ev_stats st;
	struct edt_stats s;
	struct run r;

	(void)state;
	ev_unlimited();
	ev_stats_zero();
	/* Within the horizon: paced, no event. */
	set_limit(1000000000, FAR);
	run(100, 0, &r);
	assert_int_equal(r.verdict, TC_ACT_UNSPEC);
	assert_int_equal(ev_n, 0);
	bpf_map_delete_elem(state_fd, &lo);

	/* 1000 bytes at 1000 B/s: a second, past a 50 ms horizon. */
	set_limit(1000, 50000000);
	run(1000, 0, &r);
	assert_int_equal(r.verdict, TC_ACT_SHOT);
	e = ev_one(XNIC_EV_HOOK_TC_EGRESS, XNIC_EV_PROG_EDT, EDT_DROP_HORIZON,
		   lo, 1000, r.t0, r.t1);
	assert_int_equal(e->ethertype, 0xa5a5);
	assert_int_equal(e->family, XNIC_EV_FAMILY_NONE);
	assert_int_equal(e->proto, 0);
	assert_int_equal(e->flags, 0);

	drop_ip(700, false, "192.0.2.1", "198.51.100.2");
	drop_ip(900, true, "2001:db8::1", "2001:db8::2");

	/* An IPv4 ethertype with a broken header: no addresses. */
	ip_pkt(pkt, 600, false, "192.0.2.1", "198.51.100.2");
	pkt[14] = 0x44;	/* IHL 4 */
	run_pkt(pkt, 600, 0, &r);
	e = ev_one(XNIC_EV_HOOK_TC_EGRESS, XNIC_EV_PROG_EDT, EDT_DROP_HORIZON,
		   lo, 600, r.t0, r.t1);
	assert_int_equal(e->ethertype, 0x0800);
	assert_int_equal(e->family, XNIC_EV_FAMILY_NONE);
	ev_assert_addr(e->saddr, "0.0.0.0");

	ev_stats(&st);
	assert_int_equal(st.emitted, 4);
	assert_int_equal(st.rate_limited, 0);
	s = stats();
	assert_int_equal(s.r[EDT_DROP_HORIZON].packets, 4);
}

/* The shared limiter decides; the drop is counted either way. */
static void test_horizon_event_limited(void **state)
{
	struct xnic_ev_stats st;
	struct edt_stats s;
	unsigned int got = 0;
	struct run r;
	int i;

	(void)state;
	assert_int_equal(ev_pin_cpu(), 0);
	ev_stats_zero();
	ev_limit(1, 2);		/* one a second, two at once */
	set_limit(1000, 50000000);
	for (i = 0; i < 5; i++) {
		run(1000, 0, &r);
		assert_int_equal(r.verdict, TC_ACT_SHOT);
		got += ev_n;
	}
	ev_unpin_cpu();
	ev_unlimited();
	ev_stats(&st);
	assert_int_equal(got, 2);
	assert_int_equal(st.emitted, 2);
	assert_int_equal(st.rate_limited, 3);
	s = stats();
	assert_int_equal(s.r[EDT_DROP_HORIZON].packets, 5);
}

static int group_setup(void **state)
{
	(void)state;
	libbpf_set_print(quiet_print);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0)
		return -1;
	skel = edt__open();
	if (!skel) {
		fprintf(stderr, "edt: open failed: %s\n", strerror(errno));
		return -1;
	}
	/* libbpf before 1.3 does not know the "tc/egress" section name. */
	bpf_program__set_type(skel->progs.edt_egress, BPF_PROG_TYPE_SCHED_CLS);
	if (edt__load(skel)) {
		fprintf(stderr, "edt: load failed: %s\n", strerror(errno));
		return -1;
	}
	prog_fd = bpf_program__fd(skel->progs.edt_egress);
	limit_fd = bpf_map__fd(skel->maps.edt_limit);
	state_fd = bpf_map__fd(skel->maps.edt_state);
	stats_fd = bpf_map__fd(skel->maps.edt_stats);
	lo = if_nametoindex("lo");
	if (ev_open(skel->obj)) {
		fprintf(stderr, "edt: no drop event maps\n");
		return -1;
	}
	ev_unlimited();
	return lo ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	ev_close();
	edt__destroy(skel);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_no_limit_untouched, reset),
		cmocka_unit_test_setup(test_spacing, reset),
		cmocka_unit_test_setup(test_len_and_rate_change, reset),
		cmocka_unit_test_setup(test_idle_restarts_at_now, reset),
		cmocka_unit_test_setup(test_later_tstamp_kept, reset),
		cmocka_unit_test_setup(test_horizon_drop, reset),
		cmocka_unit_test_setup(test_horizon_event, reset),
		cmocka_unit_test_setup(test_horizon_event_limited, reset),
	};

	return cmocka_run_group_tests_name("edt", tests, group_setup,
					   group_teardown);
}
