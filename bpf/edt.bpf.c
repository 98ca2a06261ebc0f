// SPDX-License-Identifier: GPL-2.0
/*
 * EDT: an aggregate bandwidth limit per endpoint device on tc egress
 * (clsact), the way Cilium's bandwidth manager does it. Rather than
 * queueing in BPF, the program stamps each packet with an earliest
 * departure time (skb->tstamp, CLOCK_MONOTONIC) on one schedule per
 * device, and the device's fq qdisc holds it until then. A packet that
 * would have to wait longer than the horizon is dropped here, counted
 * with its reason, rather than occupying fq: TCP sees the loss and backs
 * off, where a deeper queue would only add latency.
 *
 * Section "tc/egress"; attach to the device's clsact egress hook with fq
 * as its root qdisc (`xnicctl limit add dev DEV RATE` does both). The
 * schedule and the arithmetic are in bpf/shaping.h. Verdicts:
 *   device without an edt_limit entry      TC_ACT_UNSPEC, untouched
 *                                          (NOLIMIT)
 *   limited, within the horizon            TC_ACT_UNSPEC, tstamp set
 *                                          (PACED)
 *   limited, beyond the horizon            TC_ACT_SHOT (DROP_HORIZON)
 *   no room for the device's state or
 *   counters (maps full)                   as if not limited
 * TC_ACT_UNSPEC, not TC_ACT_OK: in direct-action mode OK would end
 * classification, and the tc policy's egress filter (priority 0x786e)
 * must still judge the packet after this one (EDT_TC_PRIO, lower, runs
 * first); with no filter after it, UNSPEC passes the packet. A packet
 * the policy then denies has used its slot of the schedule.
 * Nothing is parsed: any packet, however short or malformed, is paced
 * by skb->len; the tc policy (bpf/tc_policy.bpf.c) judges headers.
 *
 * CPUs transmitting on one device at once share its t_last: it is read
 * and advanced under the entry's bpf_spin_lock, so every packet gets its
 * own slot of len / rate on the schedule and none is lost to a race.
 * skb->tstamp is written as is: on egress 6.1 keeps the mono delivery
 * time bit, so fq compares it with its monotonic clock. A later tstamp
 * already on the packet (TCP's own EDT pacing) is kept.
 *
 * A horizon drop also sends a drop event (bpf/drop_event.h, prog EDT,
 * reason EDT_DROP_HORIZON) into the ring shared with the prefilter and
 * the tc policy, under the same per-CPU limiter; only then are the IP
 * addresses read, so a paced packet still parses nothing.
 *
 * Only UAPI headers and libbpf's bpf_helpers.h (no vmlinux.h).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "drop_event.bpf.h"
#include "shaping.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EDT_MAX_DEVS);
	__type(key, __u32);
	__type(value, struct edt_limit);
} edt_limit SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EDT_MAX_DEVS);
	__type(key, __u32);
	__type(value, struct edt_state);
} edt_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, EDT_MAX_DEVS);
	__type(key, __u32);
	__type(value, struct edt_stats);
} edt_stats SEC(".maps");

/* The entry for @key, created (zeroed) if missing; NULL if full. */
static __always_inline void *lookup_or_init(void *map, __u32 *key, void *zero)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

static __always_inline int count(__u32 ifindex, enum edt_reason r, __u32 len,
				 int verdict)
{
	struct edt_stats zero = {}, *s;

	s = lookup_or_init(&edt_stats, &ifindex, &zero);
	if (s && r < EDT_REASON_MAX) {
		s->r[r].packets++;
		s->r[r].bytes += len;
	}
	return verdict;
}

/*
 * The event of a horizon drop: what the packet claims (skb->protocol)
 * and, when its header reads back valid, the IP addresses and protocol.
 */
static __always_inline void drop_event(struct __sk_buff *skb)
{
	struct xnic_drop_event e;
	struct ipv6hdr ip6;
	struct iphdr ip4;

	if (!xnic_ev_admit())
		return;
	xnic_ev_init(&e, XNIC_EV_HOOK_TC_EGRESS, XNIC_EV_PROG_EDT,
		     EDT_DROP_HORIZON, skb->ifindex, skb->len);
	e.ethertype = bpf_ntohs(skb->protocol);
	if (e.ethertype == ETH_P_IP &&
	    !bpf_skb_load_bytes(skb, ETH_HLEN, &ip4, sizeof(ip4)) &&
	    ip4.version == 4 && ip4.ihl >= 5) {
		e.family = XNIC_EV_FAMILY_IPV4;
		e.proto = ip4.protocol;
		__builtin_memcpy(e.saddr, &ip4.saddr, 4);
		__builtin_memcpy(e.daddr, &ip4.daddr, 4);
	} else if (e.ethertype == ETH_P_IPV6 &&
		   !bpf_skb_load_bytes(skb, ETH_HLEN, &ip6, sizeof(ip6)) &&
		   ip6.version == 6) {
		e.family = XNIC_EV_FAMILY_IPV6;
		e.proto = ip6.nexthdr;
		__builtin_memcpy(e.saddr, &ip6.saddr, 16);
		__builtin_memcpy(e.daddr, &ip6.daddr, 16);
	}
	xnic_ev_send(&e);
}

SEC("tc/egress")
int edt_egress(struct __sk_buff *skb)
{
	struct edt_state zero = {}, *st;
	__u32 ifindex = skb->ifindex;
	__u64 now, start, t, horizon;
	struct edt_limit *lim;
	__u32 len = skb->len;
	int drop = 0;

	lim = bpf_map_lookup_elem(&edt_limit, &ifindex);
	if (!lim || !lim->rate)
		return count(ifindex, EDT_PASS_NOLIMIT, len, TC_ACT_UNSPEC);
	st = lookup_or_init(&edt_state, &ifindex, &zero);
	if (!st)
		return count(ifindex, EDT_PASS_NOLIMIT, len, TC_ACT_UNSPEC);
	horizon = lim->horizon_ns ? lim->horizon_ns : EDT_HORIZON_DEFAULT;
	/* len <= 2^32 and 10^9 < 2^30: the product fits in 64 bits. */
	t = (__u64)len * NSEC_PER_SEC_U / lim->rate;
	now = bpf_ktime_get_ns();

	bpf_spin_lock(&st->lock);
	start = st->t_last > now ? st->t_last : now;
	t += start;
	if (t - now > horizon)
		drop = 1;
	else
		st->t_last = t;
	bpf_spin_unlock(&st->lock);

	if (drop) {
		drop_event(skb);
		return count(ifindex, EDT_DROP_HORIZON, len, TC_ACT_SHOT);
	}
	if (t > skb->tstamp)
		skb->tstamp = t;
	return count(ifindex, EDT_PASS_PACED, len, TC_ACT_UNSPEC);
}

char LICENSE[] SEC("license") = "GPL";
