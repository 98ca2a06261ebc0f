/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drop events: the contract between every datapath program that drops
 * (bpf/xdp_prefilter.bpf.c, bpf/tc_policy.bpf.c, bpf/edt.bpf.c) and
 * whoever reads the events (`xnicctl monitor`, tests). Included by BPF programs and by user
 * space, so it uses only <linux/types.h>. The BPF side (map definitions,
 * the limiter, sending) is bpf/drop_event.bpf.h.
 *
 * Every drop, whatever its reason (malformed included), tries to send one
 * struct xnic_drop_event into ONE ring buffer shared by all programs of
 * all devices; a per-CPU token bucket decides first whether it may. The
 * verdict never depends on it: a packet that is dropped is dropped
 * whether its event was sent, rate-limited or lost to a full ring.
 * Nothing is done for packets that pass.
 *
 * Maps (their names are the interface; every name starts with "xnic_",
 * so loaders pin them once for all programs, at /sys/fs/bpf/xnic/<name>
 * with xnicctl):
 *   xnic_events     RINGBUF       XNIC_EV_RING_BYTES of struct xnic_drop_event
 *   xnic_ev_config  ARRAY         0 -> struct xnic_ev_config (the limiter)
 *   xnic_ev_stats   PERCPU_ARRAY  0 -> struct xnic_ev_stats (what happened
 *                                 to each drop's event)
 *   xnic_ev_bucket  PERCPU_ARRAY  0 -> struct xnic_ev_bucket (the limiter's
 *                                 state; not an interface, reset by zeroing)
 *
 * The limiter: each CPU may send `rate` events per second on average and
 * up to `burst` at once (a token bucket holding at most `burst` tokens,
 * refilled at `rate` per second, one token per event). A zero field means
 * its default, XNIC_EV_RATE_DEFAULT / XNIC_EV_BURST_DEFAULT; a rate above
 * 10^9 per second (e.g. XNIC_EV_RATE_UNLIMITED) sends every event. Changes
 * apply to the next drop, without reloading any program.
 */
#ifndef XNIC_DROP_EVENT_H
#define XNIC_DROP_EVENT_H

#include <linux/types.h>

#define XNIC_EV_MAP_PREFIX	"xnic_"	/* maps shared by every program */

/* 256 KiB: 3640 events of 64 bytes plus the ring's 8-byte record header. */
#define XNIC_EV_RING_BYTES	(256 * 1024)

#define XNIC_EV_RATE_DEFAULT	1000	/* events per second, per CPU */
#define XNIC_EV_BURST_DEFAULT	100	/* events at once, per CPU */
#define XNIC_EV_RATE_UNLIMITED	0xffffffffu

/* struct xnic_drop_event.version: changes with the layout. */
#define XNIC_EV_VERSION		1

/* Where the drop happened. */
enum xnic_ev_hook {
	XNIC_EV_HOOK_XDP = 1,
	XNIC_EV_HOOK_TC_INGRESS = 2,
	XNIC_EV_HOOK_TC_EGRESS = 3,
};

/* Which program dropped: says which enum the reason is. */
enum xnic_ev_prog {
	XNIC_EV_PROG_PREFILTER = 1,	/* reason: enum pf_reason (prefilter.h) */
	XNIC_EV_PROG_POLICY = 2,	/* reason: enum pol_reason (policy.h) */
	XNIC_EV_PROG_EDT = 3,		/* reason: enum edt_reason (shaping.h) */
	XNIC_EV_PROG_NODEPORT = 4,	/* reason: enum np_reason (nodeport.h) */
};

/* Which address fields are filled. */
enum xnic_ev_family {
	XNIC_EV_FAMILY_NONE = 0,	/* no L3 header could be read */
	XNIC_EV_FAMILY_ARP = 1,		/* Ethernet/IPv4 ARP: sender, target */
	XNIC_EV_FAMILY_IPV4 = 4,
	XNIC_EV_FAMILY_IPV6 = 6,
};

#define XNIC_EV_F_VLAN		0x01	/* one 802.1Q/802.1ad tag was parsed */
#define XNIC_EV_F_PORTS		0x02	/* sport and dport are set */
#define XNIC_EV_F_RULE		0x04	/* rule is set: a policy rule matched */

/*
 * One drop, 64 bytes, host byte order unless said otherwise. Fields a
 * drop cannot fill are zero. What is filled:
 *   family IPV4/IPV6  when the L3 header was read and valid (version,
 *                     IHL >= 5 and within the packet): proto and both
 *                     addresses; a header too broken for that leaves
 *                     family NONE, but ethertype says what it claimed
 *   proto             IPv4 protocol; IPv6: the prefilter and EDT report
 *                     the fixed header's next header, the policy the one
 *                     after the extension headers it walked (0 when the
 *                     walk failed); ARP: the operation (1 request,
 *                     2 reply)
 *   sport, dport      TCP and UDP with their first 4 bytes in the packet,
 *                     never non-first fragments (XNIC_EV_F_PORTS); the
 *                     prefilter reads them only right behind the IPv4
 *                     header (options included) or the IPv6 fixed header;
 *                     EDT (which drops by length alone) fills none
 *   rule              the policy's rule index within its direction, for
 *                     POL_DROP_RULE (XNIC_EV_F_RULE)
 *   len               the packet length the program saw: XDP data_end -
 *                     data, tc skb->len (the pf_stats / pol_stats bytes)
 */
struct xnic_drop_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 ifindex;		/* XDP ingress_ifindex, tc skb->ifindex */
	__u32 len;
	__u8 version;		/* XNIC_EV_VERSION */
	__u8 hook;		/* enum xnic_ev_hook */
	__u8 prog;		/* enum xnic_ev_prog */
	__u8 reason;		/* enum pf_reason, pol_reason or edt_reason */
	__u16 ethertype;	/* after one VLAN tag; 0: Ethernet header cut short */
	__u8 family;		/* enum xnic_ev_family */
	__u8 proto;
	__u16 sport;
	__u16 dport;
	__u16 rule;
	__u8 flags;		/* XNIC_EV_F_* */
	__u8 pad;		/* zero */
	__u8 saddr[16];		/* network order; IPv4 and ARP in the first 4 */
	__u8 daddr[16];		/* ARP: saddr is ar_sip, daddr ar_tip */
};

struct xnic_ev_config {
	__u32 rate;		/* events per second per CPU; 0: the default */
	__u32 burst;		/* bucket size in events; 0: the default */
};

/* Per CPU, summed by readers. Every drop counts in exactly one. */
struct xnic_ev_stats {
	__u64 emitted;		/* sent into the ring */
	__u64 rate_limited;	/* suppressed by the token bucket */
	__u64 ringbuf_full;	/* admitted, but the ring had no room */
};

/* Per CPU: credit in nanoseconds of refill (one event costs 10^9 / rate). */
struct xnic_ev_bucket {
	__u64 credit_ns;
	__u64 last_ns;		/* bpf_ktime_get_ns() of the last drop */
};

#endif /* XNIC_DROP_EVENT_H */
