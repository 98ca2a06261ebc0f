/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF side of drop events (the contract is bpf/drop_event.h): the
 * shared maps, the per-CPU token bucket and sending. Included by every
 * program that drops, after <bpf/bpf_helpers.h>; the maps are defined
 * identically in each object, so a loader can pin them once and make
 * every object reuse them (libbpf's pin path).
 *
 * Only ever called on the drop path: a packet that passes costs nothing.
 * Callers first ask xnic_ev_admit() (cheap, before filling anything),
 * then fill a struct xnic_drop_event on the stack and xnic_ev_send() it.
 */
#ifndef XNIC_DROP_EVENT_BPF_H
#define XNIC_DROP_EVENT_BPF_H

#include "drop_event.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XNIC_EV_RING_BYTES);
} xnic_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xnic_ev_config);
} xnic_ev_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xnic_ev_stats);
} xnic_ev_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xnic_ev_bucket);
} xnic_ev_bucket SEC(".maps");

#define XNIC_EV_NSEC	1000000000ull

/*
 * May this CPU send an event now? Takes a token if so; counts the
 * refusal in xnic_ev_stats.rate_limited if not. Per CPU, so no atomics:
 * tc and XDP programs do not preempt each other on one CPU.
 */
static __always_inline int xnic_ev_admit(void)
{
	__u64 rate = XNIC_EV_RATE_DEFAULT, burst = XNIC_EV_BURST_DEFAULT;
	__u64 cost, cap, now, credit;
	struct xnic_ev_config *cfg;
	struct xnic_ev_bucket *b;
	struct xnic_ev_stats *st;
	__u32 key = 0;

	b = bpf_map_lookup_elem(&xnic_ev_bucket, &key);
	st = bpf_map_lookup_elem(&xnic_ev_stats, &key);
	if (!b || !st)
		return 0;
	cfg = bpf_map_lookup_elem(&xnic_ev_config, &key);
	if (cfg) {
		if (cfg->rate)
			rate = cfg->rate;
		if (cfg->burst)
			burst = cfg->burst;
	}
	/* Above 10^9 per second the cost is 0: every event goes. */
	cost = XNIC_EV_NSEC / rate;
	cap = burst * cost;	/* < 2^32 * 10^9: no overflow */
	now = bpf_ktime_get_ns();
	credit = b->credit_ns + (now - b->last_ns);
	/* Full after a long pause (or on the first drop: last_ns 0). */
	if (credit > cap || credit < b->credit_ns)
		credit = cap;
	b->last_ns = now;
	if (credit < cost) {
		b->credit_ns = credit;
		st->rate_limited++;
		return 0;
	}
	b->credit_ns = credit - cost;
	return 1;
}

/* Start an event: everything zero but the header fields. */
static __always_inline void xnic_ev_init(struct xnic_drop_event *e,
					 __u8 hook, __u8 prog, __u8 reason,
					 __u32 ifindex, __u32 len)
{
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->ifindex = ifindex;
	e->len = len;
	e->version = XNIC_EV_VERSION;
	e->hook = hook;
	e->prog = prog;
	e->reason = reason;
}

/* Into the ring, or counted as lost to a full ring. */
static __always_inline void xnic_ev_send(struct xnic_drop_event *e)
{
	struct xnic_ev_stats *st;
	__u32 key = 0;
	long ret;

	ret = bpf_ringbuf_output(&xnic_events, e, sizeof(*e), 0);
	st = bpf_map_lookup_elem(&xnic_ev_stats, &key);
	if (!st)
		return;
	if (ret)
		st->ringbuf_full++;
	else
		st->emitted++;
}

#endif /* XNIC_DROP_EVENT_BPF_H */
