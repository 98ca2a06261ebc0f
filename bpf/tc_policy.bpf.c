// SPDX-License-Identifier: GPL-2.0
/*
 * tc policy: step 8 of the receive path (tc BPF, clsact ingress) and its
 * twin on transmit (clsact egress) of an endpoint device. An ordered list
 * of allow/deny rules per direction, first match wins, then a default
 * verdict; allowed traffic is marked with the endpoint's identity so
 * netfilter (step 9) and routing (step 13) can select it with
 * `-m mark` / `ip rule fwmark`. Rules, defaults and identity are maps
 * (bpf/policy.h), changed while the programs keep running.
 *
 * Two programs, sections "tc/ingress" and "tc/egress"; the direction is
 * a constant of each, so the verifier sees one rule list per program.
 * Loaded together (bpftool prog loadall), they share the maps; see
 * bpf/policy.h for how to attach them.
 *
 * Headers are read with bpf_skb_load_bytes(), so a header in the skb's
 * paged part is read like a linear one and "truncated" means beyond
 * skb->len. Verdicts for what is not a plain, well-formed packet:
 *   Ethernet header < 14 bytes                       DROP  MALFORMED
 *   VLAN TPID (802.1Q/802.1ad) with < 4 bytes of tag DROP  MALFORMED
 *   a second VLAN tag inside the first               PASS  OTHER (as the
 *                                                    prefilter; the stack
 *                                                    hands it only to a
 *                                                    QinQ device)
 *   ARP, any length                                  PASS  ARP (neighbour
 *                                                    resolution never breaks)
 *   any other ethertype                              PASS  OTHER
 *   IPv4: < 20 bytes, version != 4, IHL < 5, or
 *         IHL * 4 beyond the packet                  DROP  MALFORMED
 *   IPv4 non-first fragment (offset != 0)            rules by addresses and
 *                                                    protocol; no port, so
 *                                                    only rules with port
 *                                                    range [0, 65535] match
 *   IPv4 first fragment (MF, offset 0)               as an unfragmented packet
 *   IPv6: < 40 bytes or version != 6                 DROP  MALFORMED
 *   IPv6 hop-by-hop, routing, destination options,
 *        fragment headers                            walked, up to
 *                                                    POL_V6_EXT_MAX; one
 *                                                    more: DROP EXTHDR
 *   IPv6 extension header beyond the packet          DROP  MALFORMED
 *   IPv6 fragment header with offset != 0            as an IPv4 non-first
 *                                                    fragment; its next
 *                                                    header is the protocol
 *   other IPv6 next headers (AH, ESP, none, ...)     that is the protocol;
 *                                                    no port
 *   TCP < 20, UDP < 8, ICMP/ICMPv6 < 4 bytes
 *       (first fragments and whole packets)          DROP  MALFORMED
 * A malformed packet is dropped rather than passed: a header the policy
 * cannot read could otherwise carry a denied flow past it.
 *
 * A packet the policy allows may then be redirected: the redirect list
 * of its direction (bpf/policy.h, struct pol_redirect) is walked with
 * the same matcher as the rules, and the first entry that matches hands
 * the packet to bpf_redirect() or bpf_redirect_peer() (TC_ACT_REDIRECT)
 * instead of TC_ACT_OK, the identity mark already set. Denied, ARP,
 * other and malformed packets are never redirected. A target that is
 * gone leaves the packet on its way (TC_ACT_OK), counted per entry.
 *
 * On ingress the policy also reads the XDP prefilter's metadata (step 2
 * wrote it in front of the frame, bpf/prefilter.h struct pf_meta; valid
 * when it lies before skb->data and carries PF_META_MAGIC) and compares
 * it with what it parsed itself: counted in pol_meta_stats as seen, and
 * as a mismatch when class, protocol or flags differ. The metadata is a
 * hint and never replaces a read the verdict depends on: any XDP program
 * can write metadata, so a forged class must not carry a flow past the
 * rules, and the frame may change between steps 2 and 8 (the stack takes
 * a VLAN tag off at step 5). So the metadata spares no parsing: its
 * value is the two counters, which show the prefilter ran in front of
 * the policy and saw the same frame. Verdicts and pol_stats are the
 * same with and without metadata.
 *
 * Every drop also sends an event into the xnic_events ring buffer shared
 * with the prefilter (rate-limited per CPU; bpf/drop_event.h): reason,
 * addresses, ports, the rule that matched. The verdict does not depend
 * on it.
 *
 * Only UAPI headers and libbpf's bpf_helpers.h (no vmlinux.h). The rule
 * list is walked with bpf_loop() (kernel 5.17+), so the verifier checks
 * one rule, not POL_MAX_RULES of them.
 */
#include <linux/bpf.h>
#include <linux/errno.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "policy.h"
#include "prefilter.h"
#include "drop_event.bpf.h"

#define POL_IP_MF		0x2000	/* kernel-internal (net/ip.h) */
#define POL_IP_OFFSET		0x1fff
#define POL_IP6_OFFSET		0xfff8	/* fragment header offset bits */
#define POL_ETH_HLEN		14
#define POL_VLAN_HLEN		4

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, POL_DIRS * POL_MAX_RULES);
	__type(key, __u32);
	__type(value, struct pol_rule);
} pol_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pol_config);
} pol_config SEC(".maps");

/* Per-CPU: written on every packet without contention. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, POL_DIRS * POL_MAX_RULES);
	__type(key, __u32);
	__type(value, struct pol_stat);
} pol_rule_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, POL_DIRS * POL_REASON_MAX);
	__type(key, __u32);
	__type(value, struct pol_stat);
} pol_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, POL_DIRS * POL_MAX_RULES);
	__type(key, __u32);
	__type(value, struct pol_redirect);
} pol_redirects SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, POL_DIRS * POL_MAX_RULES);
	__type(key, __u32);
	__type(value, struct pol_redir_stat);
} pol_redir_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, POL_DIRS);
	__type(key, __u32);
	__type(value, struct pol_meta_stat);
} pol_meta_stats SEC(".maps");

/* pol_pkt.cls before the parse got as far as a class. */
#define POL_CLASS_NONE		0xff

/*
 * What the rules look at, addresses as network-order words; for a
 * drop's event only, the source port; and the frame as the prefilter
 * describes it in struct pf_meta, to check its metadata against.
 */
struct pol_pkt {
	__u32 src[4];
	__u32 dst[4];
	__u8 family;
	__u8 proto;
	__u8 has_port;
	__u16 dport;
	__u16 sport;
	__u8 cls;	/* enum pf_class, or POL_CLASS_NONE */
	__u8 l3proto;	/* pf_meta.proto */
	__u8 mflags;	/* PF_META_* */
};

/* Bytes an L4 header must have for the packet not to be malformed. */
static __always_inline __u32 pol_l4_min(__u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 20;
	case IPPROTO_UDP:
		return 8;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return 4;
	}
	return 0;
}

/* The L4 header at off of an unfragmented packet or a first fragment. */
static __always_inline int pol_l4(struct __sk_buff *skb, __u32 off,
				  struct pol_pkt *p)
{
	__u32 need = pol_l4_min(p->proto);
	__be16 ports[2];

	if (off + need > skb->len)
		return POL_DROP_MALFORMED;
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
		if (bpf_skb_load_bytes(skb, off, ports, sizeof(ports)))
			return POL_DROP_MALFORMED;
		p->sport = bpf_ntohs(ports[0]);
		p->dport = bpf_ntohs(ports[1]);
		p->has_port = 1;
	}
	return 0;
}

/* IPv4 header fields read at once: ver/ihl ... daddr. */
struct pol_iph {
	__u8 ver_ihl;
	__u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off;
	__u8 ttl;
	__u8 protocol;
	__be16 check;
	__be32 saddr;
	__be32 daddr;
};

static __always_inline int pol_ipv4(struct __sk_buff *skb, __u32 l3,
				    struct pol_pkt *p)
{
	struct pol_iph iph;
	__u32 hlen;

	if (bpf_skb_load_bytes(skb, l3, &iph, sizeof(iph)))
		return POL_DROP_MALFORMED;
	if (iph.ver_ihl >> 4 != 4 || (iph.ver_ihl & 0xf) < 5)
		return POL_DROP_MALFORMED;
	hlen = (iph.ver_ihl & 0xf) * 4;
	if (l3 + hlen > skb->len)
		return POL_DROP_MALFORMED;
	p->family = POL_FAMILY_IPV4;
	p->proto = iph.protocol;
	p->cls = PF_CLASS_IPV4;
	p->l3proto = iph.protocol;
	if (hlen > sizeof(iph))
		p->mflags |= PF_META_IPOPT;
	if (iph.frag_off & bpf_htons(POL_IP_MF | POL_IP_OFFSET))
		p->mflags |= PF_META_FRAG;
	p->src[0] = iph.saddr;
	p->dst[0] = iph.daddr;
	/* A non-first fragment carries no L4 header: no port. */
	if (iph.frag_off & bpf_htons(POL_IP_OFFSET))
		return 0;
	return pol_l4(skb, l3 + hlen, p);
}

struct pol_ip6h {
	__be32 ver_tc_flow;
	__be16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	__u32 saddr[4];
	__u32 daddr[4];
};

static __always_inline int pol_ipv6(struct __sk_buff *skb, __u32 l3,
				    struct pol_pkt *p)
{
	struct pol_ip6h ip6h;
	__u32 off = l3 + sizeof(ip6h);
	__u8 nh, b[4];
	int i;

	if (bpf_skb_load_bytes(skb, l3, &ip6h, sizeof(ip6h)))
		return POL_DROP_MALFORMED;
	if (bpf_ntohl(ip6h.ver_tc_flow) >> 28 != 6)
		return POL_DROP_MALFORMED;
	p->family = POL_FAMILY_IPV6;
	__builtin_memcpy(p->src, ip6h.saddr, sizeof(p->src));
	__builtin_memcpy(p->dst, ip6h.daddr, sizeof(p->dst));
	nh = ip6h.nexthdr;
	p->cls = PF_CLASS_IPV6;
	p->l3proto = nh;
	if (pf_ipv6_is_ext(nh))
		p->mflags |= PF_META_V6EXT;
	if (nh == IPPROTO_FRAGMENT)
		p->mflags |= PF_META_FRAG;

	/* The headers that stand between the fixed header and L4. */
	for (i = 0; i < POL_V6_EXT_MAX; i++) {
		switch (nh) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			/* next header, length in 8 octets not counting the first */
			if (bpf_skb_load_bytes(skb, off, b, 2))
				return POL_DROP_MALFORMED;
			nh = b[0];
			off += (b[1] + 1) * 8;
			if (off > skb->len)
				return POL_DROP_MALFORMED;
			continue;
		case IPPROTO_FRAGMENT:
			/* next header, reserved, offset and flags, id: 8 bytes */
			if (off + 8 > skb->len ||
			    bpf_skb_load_bytes(skb, off, b, sizeof(b)))
				return POL_DROP_MALFORMED;
			nh = b[0];
			off += 8;
			if ((b[2] << 8 | b[3]) & POL_IP6_OFFSET) {
				p->proto = nh;
				return 0;
			}
			continue;
		}
		break;
	}
	switch (nh) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_DSTOPTS:
	case IPPROTO_FRAGMENT:
		return POL_DROP_EXTHDR;
	}
	p->proto = nh;
	return pol_l4(skb, off, p);
}

/* The first plen bits of a and r (network order words) are equal. */
static __always_inline int pol_prefix(const __u32 *a, const __u8 *r,
				      __u32 plen)
{
	__u32 w, rw, bits, mask;
	int i;

	for (i = 0; i < 4; i++) {
		if (plen <= (__u32)i * 32)
			break;
		bits = plen - i * 32;
		mask = bits >= 32 ? ~0u : ~(~0u >> bits);
		__builtin_memcpy(&rw, r + i * 4, sizeof(rw));
		w = bpf_ntohl(a[i]) ^ bpf_ntohl(rw);
		if (w & mask)
			return 0;
	}
	return 1;
}

static __always_inline int pol_match(const struct pol_rule *r,
				     const struct pol_pkt *p)
{
	__u32 max = p->family == POL_FAMILY_IPV4 ? 32 : 128;

	if (r->family != p->family)
		return 0;
	if (r->src_plen > max || r->dst_plen > max)
		return 0;
	if (r->proto && r->proto != p->proto)
		return 0;
	if (r->dport_lo != 0 || r->dport_hi != 0xffff) {
		if (!p->has_port || p->dport < r->dport_lo ||
		    p->dport > r->dport_hi)
			return 0;
	}
	return pol_prefix(p->src, r->src, r->src_plen) &&
	       pol_prefix(p->dst, r->dst, r->dst_plen);
}

struct pol_walk {
	const struct pol_pkt *pkt;
	__u32 dir;
	__u32 hit;	/* index of the matching rule */
	__u8 action;	/* its action; POL_ACT_END: none matched */
};

/* bpf_loop callback: 0 to go on, 1 to stop. */
static long pol_try_rule(__u32 i, void *ctx)
{
	struct pol_walk *w = ctx;
	__u32 key = POL_KEY(w->dir, i);
	struct pol_rule *r;

	r = bpf_map_lookup_elem(&pol_rules, &key);
	if (!r || r->action == POL_ACT_END)
		return 1;
	if (r->action != POL_ACT_ALLOW && r->action != POL_ACT_DENY)
		return 0;	/* an unknown action never matches */
	if (!pol_match(r, w->pkt))
		return 0;
	w->hit = i;
	w->action = r->action;
	return 1;
}

static __always_inline void pol_add(struct pol_stat *st, __u64 bytes)
{
	st->packets++;
	st->bytes += bytes;
}

static __always_inline void pol_count(void *map, __u32 key, __u64 bytes)
{
	struct pol_stat *st = bpf_map_lookup_elem(map, &key);

	if (st)
		pol_add(st, bytes);
}

/*
 * Parse into @p, walk the rules, decide: the reason, and in @hit the
 * index of the rule that matched (left alone when none did).
 */
static __always_inline int pol_classify(struct __sk_buff *skb, __u32 dir,
					struct pol_pkt *p, __u32 *hit)
{
	struct pol_walk w = { .dir = dir };
	struct pol_config *cfg;
	__u32 key = 0, l3 = POL_ETH_HLEN;
	__be16 proto;
	int reason;

	p->cls = POL_CLASS_NONE;
	if (bpf_skb_load_bytes(skb, 12, &proto, sizeof(proto)))
		return POL_DROP_MALFORMED;
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		if (bpf_skb_load_bytes(skb, l3 + 2, &proto, sizeof(proto)))
			return POL_DROP_MALFORMED;
		l3 += POL_VLAN_HLEN;
		p->mflags |= PF_META_VLAN;
	}
	switch (proto) {
	case bpf_htons(ETH_P_IP):
		reason = pol_ipv4(skb, l3, p);
		break;
	case bpf_htons(ETH_P_IPV6):
		reason = pol_ipv6(skb, l3, p);
		break;
	case bpf_htons(ETH_P_ARP):
		p->cls = PF_CLASS_ARP;
		return POL_PASS_ARP;
	default:
		p->cls = PF_CLASS_OTHER;
		return POL_PASS_OTHER;
	}
	if (reason)
		return reason;

	w.pkt = p;
	bpf_loop(POL_MAX_RULES, pol_try_rule, &w, 0);
	if (w.action != POL_ACT_END) {
		*hit = w.hit;
		pol_count(&pol_rule_stats, POL_KEY(dir, w.hit), skb->len);
		return w.action == POL_ACT_ALLOW ? POL_PASS_RULE : POL_DROP_RULE;
	}
	cfg = bpf_map_lookup_elem(&pol_config, &key);
	if (cfg && cfg->dflt[dir & 1] == POL_ACT_DENY)
		return POL_DROP_DEFAULT;
	return POL_PASS_DEFAULT;
}

/*
 * The event of a drop (bpf/drop_event.h) from what pol_classify() parsed
 * into @p: family is set only once the L3 header proved valid. Only the
 * ethertype is read again, so a passing packet pays nothing.
 */
static __always_inline void pol_event(struct __sk_buff *skb, __u32 dir,
				      int reason, const struct pol_pkt *p,
				      __u32 hit)
{
	struct xnic_drop_event e;
	__be16 proto, inner;

	if (!xnic_ev_admit())
		return;
	xnic_ev_init(&e, dir == POL_EGRESS ? XNIC_EV_HOOK_TC_EGRESS :
					     XNIC_EV_HOOK_TC_INGRESS,
		     XNIC_EV_PROG_POLICY, reason, skb->ifindex, skb->len);
	if (!bpf_skb_load_bytes(skb, 12, &proto, sizeof(proto))) {
		/* A tag cut short: the ethertype says it was a tag. */
		if ((proto == bpf_htons(ETH_P_8021Q) ||
		     proto == bpf_htons(ETH_P_8021AD)) &&
		    !bpf_skb_load_bytes(skb, POL_ETH_HLEN + 2, &inner,
					sizeof(inner))) {
			proto = inner;
			e.flags |= XNIC_EV_F_VLAN;
		}
		e.ethertype = bpf_ntohs(proto);
	}
	if (p->family == POL_FAMILY_IPV4 || p->family == POL_FAMILY_IPV6) {
		e.family = p->family == POL_FAMILY_IPV4 ? XNIC_EV_FAMILY_IPV4 :
							  XNIC_EV_FAMILY_IPV6;
		e.proto = p->proto;
		__builtin_memcpy(e.saddr, p->src, sizeof(e.saddr));
		__builtin_memcpy(e.daddr, p->dst, sizeof(e.daddr));
	}
	if (p->has_port) {
		e.sport = p->sport;
		e.dport = p->dport;
		e.flags |= XNIC_EV_F_PORTS;
	}
	if (reason == POL_DROP_RULE) {
		e.rule = hit;
		e.flags |= XNIC_EV_F_RULE;
	}
	xnic_ev_send(&e);
}

struct pol_redir_walk {
	const struct pol_pkt *pkt;
	__u32 dir;
	__u32 hit;	/* index of the matching redirect */
	__u32 ifindex;	/* its target */
	__u8 mode;	/* its mode; POL_REDIR_END: none matched */
};

/* bpf_loop callback over pol_redirects, as pol_try_rule() over the rules. */
static long pol_try_redirect(__u32 i, void *ctx)
{
	struct pol_redir_walk *w = ctx;
	__u32 key = POL_KEY(w->dir, i);
	struct pol_redirect *r;

	r = bpf_map_lookup_elem(&pol_redirects, &key);
	if (!r || r->match.action == POL_REDIR_END)
		return 1;
	/* An unknown mode, or peer from egress, never matches. */
	if (r->match.action >= POL_REDIR_MODES ||
	    (r->match.action == POL_REDIR_PEER && w->dir != POL_INGRESS))
		return 0;
	if (!pol_match(&r->match, w->pkt))
		return 0;
	w->hit = i;
	w->ifindex = r->ifindex;
	w->mode = r->match.action;
	return 1;
}

/*
 * An allowed packet: TC_ACT_OK, or the verdict of the redirect helper
 * when a redirect matches and its target exists. bpf_check_mtu() is the
 * look-up: it fails with -ENODEV exactly when the ifindex names no
 * device in skb->dev's namespace, the one skb_do_redirect() searches
 * after the program (ifindex 0 would mean skb->dev itself to it, so 0
 * counts as gone without asking).
 */
static __always_inline int pol_redirect(struct __sk_buff *skb, __u32 dir,
					const struct pol_pkt *p)
{
	struct pol_redir_walk w = { .pkt = p, .dir = dir };
	struct pol_redir_stat *st;
	__u32 key, mtu = 0;

	bpf_loop(POL_MAX_RULES, pol_try_redirect, &w, 0);
	if (w.mode == POL_REDIR_END)
		return TC_ACT_OK;
	key = POL_KEY(dir, w.hit);
	st = bpf_map_lookup_elem(&pol_redir_stats, &key);
	if (!w.ifindex ||
	    bpf_check_mtu(skb, w.ifindex, &mtu, 0, 0) == -ENODEV) {
		if (st)
			pol_add(&st->gone, skb->len);
		return TC_ACT_OK;
	}
	if (st)
		pol_add(&st->redirected, skb->len);
	if (w.mode == POL_REDIR_PEER)
		return bpf_redirect_peer(w.ifindex, 0);
	return bpf_redirect(w.ifindex, w.mode == POL_REDIR_INGRESS ?
				       BPF_F_INGRESS : 0);
}

/*
 * The prefilter's metadata in front of the frame, copied out: 1 if it
 * is there (inside the metadata area) and carries the magic.
 */
static __always_inline int pol_meta_read(struct __sk_buff *skb,
					 struct pf_meta *m)
{
	void *data = (void *)(long)skb->data;
	void *meta = (void *)(long)skb->data_meta;

	if (meta + sizeof(*m) > data)
		return 0;
	__builtin_memcpy(m, meta, sizeof(*m));
	return m->magic == PF_META_MAGIC;
}

/* Does the metadata describe the frame pol_classify() parsed into @p? */
static __always_inline int pol_meta_agrees(struct __sk_buff *skb,
					   const struct pf_meta *m,
					   const struct pol_pkt *p)
{
	__u8 flags = m->flags;

	/*
	 * A tag out of the data (skb->vlan_present: taken off by the stack
	 * after step 2, or by a device before it): XDP may or may not have
	 * seen it.
	 */
	if (skb->vlan_present && !(p->mflags & PF_META_VLAN))
		flags &= ~PF_META_VLAN;
	if (flags != p->mflags || m->proto != p->l3proto)
		return 0;
	/* ARP that is not Ethernet/IPv4 is OTHER to the prefilter. */
	if (p->cls == PF_CLASS_ARP)
		return m->class == PF_CLASS_ARP || m->class == PF_CLASS_OTHER;
	return m->class == p->cls;
}

static __always_inline void pol_meta_count(struct __sk_buff *skb, __u32 dir,
					   const struct pf_meta *m,
					   const struct pol_pkt *p)
{
	struct pol_meta_stat *st = bpf_map_lookup_elem(&pol_meta_stats, &dir);

	if (!st)
		return;
	pol_add(&st->seen, skb->len);
	if (!pol_meta_agrees(skb, m, p))
		pol_add(&st->mismatch, skb->len);
}

static __always_inline int pol_run(struct __sk_buff *skb, __u32 dir)
{
	struct pol_pkt p = {};
	struct pol_config *cfg;
	__u32 key = 0, hit = 0;
	struct pf_meta m = {};
	int has_meta, reason;

	/* XDP runs on receive only: egress frames carry none. */
	has_meta = dir == POL_INGRESS && pol_meta_read(skb, &m);
	reason = pol_classify(skb, dir, &p, &hit);
	pol_count(&pol_stats, POL_STAT_KEY(dir, reason), skb->len);
	if (has_meta)
		pol_meta_count(skb, dir, &m, &p);
	if (POL_REASON_IS_DROP(reason)) {
		/* Whatever becomes of the event, the packet is dropped. */
		pol_event(skb, dir, reason, &p, hit);
		return TC_ACT_SHOT;
	}
	/* Only what the policy allowed carries the identity, not ARP. */
	if (reason != POL_PASS_RULE && reason != POL_PASS_DEFAULT)
		return TC_ACT_OK;
	cfg = bpf_map_lookup_elem(&pol_config, &key);
	if (cfg && cfg->identity)
		skb->mark = cfg->identity;
	return pol_redirect(skb, dir, &p);
}

SEC("tc/ingress")
int tc_ingress(struct __sk_buff *skb)
{
	return pol_run(skb, POL_INGRESS);
}

SEC("tc/egress")
int tc_egress(struct __sk_buff *skb)
{
	return pol_run(skb, POL_EGRESS);
}

char LICENSE[] SEC("license") = "GPL";
