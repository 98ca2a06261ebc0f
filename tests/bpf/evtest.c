// SPDX-License-Identifier: GPL-2.0
/* Drop events in the BPF program tests; see evtest.h. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "evtest.h"

struct xnic_drop_event ev_got[EV_KEEP];
unsigned int ev_n, ev_bad;

static struct ring_buffer *rb;
static int config_fd = -1, stats_fd = -1, bucket_fd = -1;
static int ncpus;

static int on_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size != sizeof(struct xnic_drop_event))
		ev_bad++;
	else if (ev_n < EV_KEEP)
		memcpy(&ev_got[ev_n], data, size);
	ev_n++;
	return 0;
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__fd(m) : -ENOENT;
}

int ev_open(struct bpf_object *obj)
{
	int ring_fd = map_fd(obj, "xnic_events");

	ncpus = libbpf_num_possible_cpus();
	config_fd = map_fd(obj, "xnic_ev_config");
	stats_fd = map_fd(obj, "xnic_ev_stats");
	bucket_fd = map_fd(obj, "xnic_ev_bucket");
	if (ncpus <= 0 || ring_fd < 0 || config_fd < 0 || stats_fd < 0 ||
	    bucket_fd < 0)
		return -ENOENT;
	rb = ring_buffer__new(ring_fd, on_event, NULL, NULL);
	return rb ? 0 : -errno;
}

void ev_close(void)
{
	ring_buffer__free(rb);
	rb = NULL;
}

void ev_take(void)
{
	ev_n = 0;
	ev_bad = 0;
	assert_true(ring_buffer__consume(rb) >= 0);
}

void ev_limit(uint32_t rate, uint32_t burst)
{
	struct xnic_ev_config c = { .rate = rate, .burst = burst };
	struct xnic_ev_bucket zero[ncpus];
	uint32_t k = 0;

	memset(zero, 0, sizeof(zero));
	assert_int_equal(bpf_map_update_elem(config_fd, &k, &c, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(bucket_fd, &k, zero, BPF_ANY), 0);
}

void ev_unlimited(void)
{
	ev_limit(XNIC_EV_RATE_UNLIMITED, 0);
}

void ev_stats(struct xnic_ev_stats *sum)
{
	struct xnic_ev_stats v[ncpus];
	uint32_t k = 0;
	int i;

	assert_int_equal(bpf_map_lookup_elem(stats_fd, &k, v), 0);
	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < ncpus; i++) {
		sum->emitted += v[i].emitted;
		sum->rate_limited += v[i].rate_limited;
		sum->ringbuf_full += v[i].ringbuf_full;
	}
}

void ev_stats_zero(void)
{
	struct xnic_ev_stats zero[ncpus];
	uint32_t k = 0;

	memset(zero, 0, sizeof(zero));
	assert_int_equal(bpf_map_update_elem(stats_fd, &k, zero, BPF_ANY), 0);
}

static cpu_set_t unpinned;

int ev_pin_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0 || sched_getaffinity(0, sizeof(unpinned), &unpinned))
		return -errno;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

void ev_unpin_cpu(void)
{
	sched_setaffinity(0, sizeof(unpinned), &unpinned);
}

uint64_t ev_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void ev_want(struct xnic_drop_event *e, uint8_t hook, uint8_t prog,
	     uint8_t reason, uint32_t ifindex, uint32_t len)
{
	memset(e, 0, sizeof(*e));
	e->version = XNIC_EV_VERSION;
	e->hook = hook;
	e->prog = prog;
	e->reason = reason;
	e->ifindex = ifindex;
	e->len = len;
}

static void hex(char *out, const uint8_t *a)
{
	int i;

	for (i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", a[i]);
}

const char *ev_diff(const struct xnic_drop_event *got,
		    const struct xnic_drop_event *want, uint64_t t0,
		    uint64_t t1)
{
	static char why[512];
	char gs[33], gd[33], ws[33], wd[33];
	struct xnic_drop_event g = *got;

	if (g.ts_ns < t0 || g.ts_ns > t1) {
		snprintf(why, sizeof(why), "event time %" PRIu64 " outside the run [%" PRIu64 ", %" PRIu64 "]",
			 (uint64_t)g.ts_ns, t0, t1);
		return why;
	}
	g.ts_ns = want->ts_ns;
	if (!memcmp(&g, want, sizeof(g)))
		return NULL;
	hex(gs, g.saddr);
	hex(gd, g.daddr);
	hex(ws, want->saddr);
	hex(wd, want->daddr);
	snprintf(why, sizeof(why),
		 "event {ver hook prog reason ifindex len ethertype family proto sport dport rule flags pad} "
		 "{%u %u %u %u %u %u %#x %u %u %u %u %u %#x %u} %s %s, want "
		 "{%u %u %u %u %u %u %#x %u %u %u %u %u %#x %u} %s %s",
		 g.version, g.hook, g.prog, g.reason, g.ifindex, g.len, g.ethertype,
		 g.family, g.proto, g.sport, g.dport, g.rule, g.flags, g.pad, gs, gd,
		 want->version, want->hook, want->prog, want->reason, want->ifindex,
		 want->len, want->ethertype, want->family, want->proto, want->sport,
		 want->dport, want->rule, want->flags, want->pad, ws, wd);
	return why;
}

const char *ev_check(bool drop, const struct xnic_drop_event *want,
		     uint64_t t0, uint64_t t1)
{
	static char why[64];

	if (ev_bad) {
		snprintf(why, sizeof(why), "%u event(s) of the wrong size", ev_bad);
		return why;
	}
	if (ev_n != (drop ? 1u : 0u)) {
		snprintf(why, sizeof(why), "%u events, want %u", ev_n, drop ? 1 : 0);
		return why;
	}
	return drop ? ev_diff(&ev_got[0], want, t0, t1) : NULL;
}

const struct xnic_drop_event *ev_one(uint8_t hook, uint8_t prog,
				     uint8_t reason, uint32_t ifindex,
				     uint32_t len, uint64_t t0, uint64_t t1)
{
	const struct xnic_drop_event *e = &ev_got[0];

	assert_int_equal(ev_bad, 0);
	assert_int_equal(ev_n, 1);
	assert_true(e->ts_ns >= t0 && e->ts_ns <= t1);
	assert_int_equal(e->version, XNIC_EV_VERSION);
	assert_int_equal(e->hook, hook);
	assert_int_equal(e->prog, prog);
	assert_int_equal(e->reason, reason);
	assert_int_equal(e->ifindex, ifindex);
	assert_int_equal(e->len, len);
	assert_int_equal(e->pad, 0);
	return e;
}

void ev_assert_addr(const uint8_t *got, const char *want)
{
	uint8_t a[16] = { 0 };

	assert_int_equal(inet_pton(strchr(want, ':') ? AF_INET6 : AF_INET, want, a), 1);
	assert_memory_equal(got, a, 16);
}
