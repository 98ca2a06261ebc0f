/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tc policy program's contract with user space: map names, keys,
 * values, the statistics index. Included by bpf/tc_policy.bpf.c and by
 * user space (tests, control plane), so it uses only <linux/types.h>.
 *
 * One object, two programs: tc_ingress (attach to clsact ingress) and
 * tc_egress (clsact egress) of an endpoint device. Load the object once
 * per device (`bpftool prog loadall ... type classifier pinmaps DIR`) and
 * attach both pinned programs (`tc filter add ... bpf da pinned FILE`):
 * they then share one set of maps. (`tc filter add ... obj` loads a new
 * copy of the maps on every call, so each direction would get its own.)
 * The maps (find them with `bpftool map show name pol_rules`):
 *   pol_rules       ARRAY  POL_KEY(dir, i)        -> struct pol_rule
 *   pol_config      ARRAY  0                      -> struct pol_config
 *   pol_rule_stats  PERCPU_ARRAY POL_KEY(dir, i)  -> struct pol_stat
 *   pol_stats       PERCPU_ARRAY POL_STAT_KEY(dir, reason) -> struct pol_stat
 *   pol_redirects   ARRAY  POL_KEY(dir, i)        -> struct pol_redirect
 *   pol_redir_stats PERCPU_ARRAY POL_KEY(dir, i)  -> struct pol_redir_stat
 *   pol_meta_stats  PERCPU_ARRAY dir              -> struct pol_meta_stat
 *
 * Rules of a direction are pol_rules[POL_KEY(dir, 0)], [POL_KEY(dir, 1)],
 * ... tried in that order; the first that matches decides. The list ends
 * at the first rule whose action is POL_ACT_END (an all-zero entry), or
 * after POL_MAX_RULES. Nothing matched: pol_config's default for the
 * direction. Allowed traffic gets skb->mark = pol_config.identity.
 *
 * Redirects come after the verdict: a packet the policy allowed (by a
 * rule or by the default; never ARP, other ethertypes or anything
 * denied) is tried against pol_redirects[POL_KEY(dir, 0)], [.. 1], ...
 * the same way, first match wins, and the one that matches sends it to
 * its target instead of on its way (see struct pol_redirect). So a
 * redirect never lets through what the policy denies, and a redirected
 * packet carries the identity mark like any allowed one.
 */
#ifndef XNIC_POLICY_H
#define XNIC_POLICY_H

#include <linux/types.h>

#define POL_MAX_RULES		64	/* per direction */
/* IPv6 extension headers walked before the verdict is POL_DROP_EXTHDR */
#define POL_V6_EXT_MAX		8

enum pol_dir {
	POL_INGRESS,
	POL_EGRESS,
	POL_DIRS,
};

#define POL_KEY(dir, i)		((dir) * POL_MAX_RULES + (i))

enum pol_action {
	POL_ACT_END,	/* ends the rule list; as a default: allow */
	POL_ACT_ALLOW,
	POL_ACT_DENY,
};

#define POL_FAMILY_IPV4		4
#define POL_FAMILY_IPV6		6

/*
 * A packet matches when every field matches:
 *   family    POL_FAMILY_IPV4 or _IPV6; anything else never matches
 *   src/dst   the first plen bits equal (bits past plen are ignored);
 *             plen 0 = any; plen > 32 (IPv4) or > 128 (IPv6) never matches
 *   proto     0 = any, else the L4 protocol (IPv4 protocol, IPv6 last
 *             next header: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...)
 *   dport     dport_lo <= port <= dport_hi, host order. [0, 65535] = any,
 *             and only that range matches packets without a destination
 *             port (not TCP/UDP, or a non-first fragment).
 */
struct pol_rule {
	__u8 action;	/* enum pol_action */
	__u8 family;
	__u8 proto;
	__u8 src_plen;
	__u8 dst_plen;
	__u8 pad[3];	/* zero */
	__u16 dport_lo;
	__u16 dport_hi;
	__u8 src[16];	/* network order; IPv4 in src[0..3] */
	__u8 dst[16];
};

struct pol_config {
	__u32 identity;		/* skb->mark of allowed traffic; 0: mark untouched */
	__u8 dflt[POL_DIRS];	/* enum pol_action per direction; END = allow */
	__u8 pad[2];
};

/*
 * Why each packet got its verdict, per direction: every packet a program
 * sees is counted in exactly one. Passes first, then drops
 * (POL_REASON_IS_DROP relies on the order).
 */
enum pol_reason {
	POL_PASS_RULE,		/* an allow rule matched */
	POL_PASS_DEFAULT,	/* no rule matched, default allow */
	POL_PASS_ARP,		/* ARP: never filtered, neighbours must resolve */
	POL_PASS_OTHER,		/* not IPv4/IPv6/ARP, or a second VLAN tag */
	POL_DROP_RULE,		/* a deny rule matched */
	POL_DROP_DEFAULT,	/* no rule matched, default deny */
	POL_DROP_MALFORMED,	/* truncated or invalid L2/L3/L4 header */
	POL_DROP_EXTHDR,	/* more than POL_V6_EXT_MAX IPv6 extension headers */
	POL_REASON_MAX,
};

#define POL_REASON_IS_DROP(r)	((r) >= POL_DROP_RULE)
#define POL_STAT_KEY(dir, r)	((dir) * POL_REASON_MAX + (r))

/* Bytes are skb->len as tc sees it (from the Ethernet header). */
struct pol_stat {
	__u64 packets;
	__u64 bytes;
};

/*
 * Where a redirect sends a packet (struct pol_redirect's match.action):
 *   EGRESS   bpf_redirect(ifindex, 0): out of the target device
 *   INGRESS  bpf_redirect(ifindex, BPF_F_INGRESS): into the target's
 *            receive path, as if it had arrived there
 *   PEER     bpf_redirect_peer(ifindex, 0): into the receive path of the
 *            target's peer (the other end of a veth pair) in the peer's
 *            network namespace, skipping the backlog queue. Only from
 *            tc ingress; the target's driver must implement
 *            ndo_get_peer_dev (veth does, xnic does not) and the peer
 *            must be up and in another namespace, else the stack drops
 *            the packet after the program returned. In a tc_egress list
 *            a PEER entry never matches.
 */
enum pol_redir_mode {
	POL_REDIR_END,		/* ends the redirect list */
	POL_REDIR_EGRESS,
	POL_REDIR_INGRESS,
	POL_REDIR_PEER,
	POL_REDIR_MODES,
};

/*
 * One redirect: the match fields of a policy rule (same meaning, same
 * matcher), the mode in match.action (0 ends the list; an unknown mode
 * never matches), and the target's ifindex in the namespace of the
 * device the programs are attached to.
 *
 * A target that no longer exists (ifindex 0 or not found with
 * bpf_check_mtu(), which looks the ifindex up) is not redirected to: the
 * packet keeps the policy's verdict and goes on its way, counted in the
 * rule's `gone`. A target removed in the instant between that look-up
 * and the redirect (same RCU section) is dropped by the stack, uncounted.
 */
struct pol_redirect {
	struct pol_rule match;
	__u32 ifindex;
};

/* Per redirect, per CPU. Bytes as in struct pol_stat. */
struct pol_redir_stat {
	struct pol_stat redirected;	/* handed to bpf_redirect*() */
	struct pol_stat gone;	/* matched, target missing: passed on */
};

/*
 * The XDP prefilter's metadata (bpf/prefilter.h, struct pf_meta) as the
 * policy found it, per direction, per CPU; bytes as in struct pol_stat.
 * Only tc_ingress reads metadata (XDP runs on receive), so the egress
 * entry stays zero. The metadata is a hint checked against the packet,
 * never a verdict's input: see bpf/tc_policy.bpf.c.
 */
struct pol_meta_stat {
	struct pol_stat seen;		/* valid metadata: in bounds, magic */
	struct pol_stat mismatch;	/* of those, class, protocol or flags
					 * differ from what tc parsed */
};

#endif /* XNIC_POLICY_H */
