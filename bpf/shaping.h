/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Traffic shaping's contract with user space: the maps of the EDT
 * program (bpf/edt.bpf.c, tc egress) and of the sock_ops program
 * (bpf/sockops.bpf.c, cgroup). Included by both programs and by user
 * space (xnicctl limit, tests), so it uses only <linux/types.h>.
 * xnicctl pins every map at /sys/fs/bpf/xnic/shaping/NAME; rates are in
 * bytes per second, as the kernel's pacing and fq count them.
 *
 * EDT, an aggregate limit per endpoint device (the way Cilium's
 * bandwidth manager does it): the program on a device's clsact egress
 * gives every packet an earliest departure time in skb->tstamp
 * (CLOCK_MONOTONIC, what fq compares with), and the fq qdisc holds it
 * until then. Maps:
 *   edt_limit  HASH          ifindex -> struct edt_limit (written by
 *                            user space; absent = not limited)
 *   edt_state  HASH          ifindex -> struct edt_state (the program's
 *                            schedule; created by the program)
 *   edt_stats  PERCPU_HASH   ifindex -> struct edt_stats
 * Per packet of a limited device, under edt_state's spin lock:
 *   start = max(now, t_last); t = start + len * 10^9 / rate
 *   t - now > horizon: drop (TC_ACT_SHOT, EDT_DROP_HORIZON), t_last kept
 *   else t_last = t and skb->tstamp = max(t, skb->tstamp), TC_ACT_UNSPEC
 * len is skb->len; no header is parsed, so a short or malformed packet
 * is paced by its length like any other. A packet of a device without a
 * limit is left untouched (EDT_PASS_NOLIMIT, TC_ACT_UNSPEC). A changed
 * rate or horizon applies to the next packet; the schedule already made
 * is kept.
 *
 * sock_ops, a pacing limit per TCP socket: the program is attached to
 * each limited cgroup v2 directory (a bpf_link per cgroup). On the
 * ACTIVE/PASSIVE_ESTABLISHED callbacks it reads the policy of the cgroup
 * it is attached to from cgroup storage (6.1's sock_ops has no
 * bpf_get_current_cgroup_id(), and the passive callback runs in softirq
 * anyway: the attach cgroup is the only cgroup it can know), picks the
 * first rule matching the remote port or prefix, else the cgroup's
 * default, and sets SO_MAX_PACING_RATE (never raising a lower rate a
 * nested cgroup's instance already set). The rate is enforced by fq if
 * the device's qdisc is fq, else by TCP's internal pacing
 * (sk_pacing_status SK_PACING_NEEDED, set by the option itself).
 * Maps:
 *   shp_cg       CGROUP_STORAGE  cgroup inode id (__u64 key) ->
 *                                struct shp_cg_policy
 *   shp_cg_stats PERCPU_HASH     struct shp_stat_key -> struct shp_cg_stat
 *   shp_sk       SK_STORAGE      socket -> struct shp_sk (which policy
 *                                counted it, for its close)
 * A changed policy applies to connections established after it; the
 * existing ones keep their rate.
 */
#ifndef XNIC_SHAPING_H
#define XNIC_SHAPING_H

#include <linux/types.h>
#include <linux/bpf.h>	/* struct bpf_spin_lock */

#define EDT_MAX_DEVS		1024
/* "ed": the filter's handle and priority, before the policy's 0x786e */
#define EDT_TC_HANDLE		0x6564
#define EDT_TC_PRIO		0x6564
#define EDT_HORIZON_DEFAULT	2000000000ull	/* 2 s, in ns */
#define NSEC_PER_SEC_U		1000000000ull

struct edt_limit {
	__u64 rate;		/* bytes per second, > 0 */
	__u64 horizon_ns;	/* 0: EDT_HORIZON_DEFAULT */
};

struct edt_state {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 t_last;		/* departure time of the last packet, ns */
};

enum edt_reason {
	EDT_PASS_NOLIMIT,	/* the device has no limit: untouched */
	EDT_PASS_PACED,		/* skb->tstamp set */
	EDT_DROP_HORIZON,	/* would leave later than the horizon */
	EDT_REASON_MAX,
};

struct edt_stat {
	__u64 packets;
	__u64 bytes;
};

struct edt_stats {
	struct edt_stat r[EDT_REASON_MAX];
};

/* ---- sock_ops ---- */

#define SHP_CG_RULES		8	/* rules narrower than the default */
#define SHP_MAX_CGROUPS		256
#define SHP_SLOT_DEFAULT	0	/* stats slot of the cgroup's default */
/* slot i + 1: rule i */

#define SHP_FAMILY_IPV4		4
#define SHP_FAMILY_IPV6		6

/*
 * A rule matches a connection when its remote port equals port (port
 * != 0), or its remote address is in prefix/plen of family (family !=
 * 0). A slot with rate 0 is empty. Rules are tried in slot order and
 * keep their slot (and stats slot) for their life: deleting one clears
 * its slot, adding one fills the first empty slot.
 */
struct shp_rule {
	__u64 rate;		/* bytes per second */
	__u16 port;		/* remote port, host order; 0: no port rule */
	__u8 family;		/* SHP_FAMILY_*, 0: no prefix rule */
	__u8 plen;
	__u8 pad[4];
	__u8 addr[16];		/* network order; IPv4 in addr[0..3] */
};

struct shp_cg_policy {
	__u64 cgroup_id;	/* the key, repeated: names the stats */
	__u64 rate;		/* default for the cgroup; 0: none */
	struct shp_rule rule[SHP_CG_RULES];
};

struct shp_stat_key {
	__u64 cgroup_id;
	__u32 slot;		/* SHP_SLOT_DEFAULT, or rule index + 1 */
	__u32 pad;
};

/*
 * Per CPU, summed by the reader: live can be negative on one CPU (a
 * socket closed on another CPU than it was established on).
 */
struct shp_cg_stat {
	__u64 established;	/* connections limited */
	__s64 live;		/* established - closed */
	__u64 rtt_sum_us;	/* smoothed RTT at establishment, summed */
	__u64 rtt_samples;
};

struct shp_sk {
	struct shp_stat_key key;
	__u64 rate;
};

#endif /* XNIC_SHAPING_H */
