// SPDX-License-Identifier: GPL-2.0
/*
 * XDP prefilter: step 2 of the receive path (native XDP in the NAPI poll
 * on xnic, generic XDP elsewhere), the earliest and cheapest place to drop.
 *
 * Drops frames whose IPv4 or IPv6 source is blocklisted (exact-match hash
 * first, then the CIDR LPM trie) and Ethernet/IPv4 ARP whose *sender*
 * protocol address (ar_sip) is on the ARP blocklist; everything else
 * passes, classified in XDP metadata for the tc program (step 8). The
 * blocklists are maps, so policy changes while the program keeps running.
 * One 802.1Q or 802.1ad tag is parsed.
 *
 * Verdicts for input that is not a well-formed header (the frame length
 * is what the program sees, data_end - data):
 *   Ethernet header < 14 bytes                         DROP  MALFORMED
 *   VLAN TPID with < 4 bytes of tag                    DROP  MALFORMED
 *   a second VLAN tag inside the first                 PASS  OTHER (not parsed)
 *   IPv4: < 20 bytes, version != 4, IHL < 5,
 *         or IHL * 4 beyond the frame                  DROP  MALFORMED
 *   IPv4 fragment (MF or offset)                       by source (every
 *                                                      fragment carries it)
 *   IPv4 total length                                  not checked: the
 *                                                      stack validates it
 *   IPv6: < 40 bytes or version != 6                   DROP  MALFORMED
 *   IPv6 extension headers                             by source (it is in
 *                                                      the fixed header; no
 *                                                      extension is walked)
 *   ARP: < 8 bytes (fixed part)                        DROP  MALFORMED
 *   ARP not Ethernet/IPv4 (hrd 1, pro 0x0800,
 *       hln 6, pln 4)                                  PASS  OTHER (no ar_sip
 *                                                      where we look; the
 *                                                      stack drops it)
 *   Ethernet/IPv4 ARP < 28 bytes                       DROP  MALFORMED
 *   802.3 length field or any other ethertype          PASS  OTHER
 * Every drop, malformed included, also sends an event into the shared
 * xnic_events ring buffer (rate-limited per CPU; bpf/drop_event.h) with
 * the reason, addresses and ports; the verdict does not depend on it.
 *
 * A frame that cannot be parsed as far as its verdict needs is dropped
 * rather than passed, so a truncated header can never carry a blocklisted
 * source past the filter. A second tag is the exception, by design: the
 * stack delivers such a frame only to a configured QinQ device, where
 * the outer tag is gone and the prefilter (generic XDP on that device)
 * sees one tag again.
 *
 * Only UAPI headers and libbpf's bpf_helpers.h: no vmlinux.h, so the
 * object loads on any kernel with these map types (Debian's 6.1 is the
 * target verifier).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "prefilter.h"
#include "drop_event.bpf.h"

/*
 * IP_MF and IP_OFFSET are kernel-internal (net/ip.h); ARPHRD_ETHER is UAPI
 * but <linux/if_arp.h> drags in libc's socket headers.
 */
#define PF_IP_MF		0x2000
#define PF_IP_OFFSET		0x1fff
#define PF_ARPHRD_ETHER		1

struct pf_vlan_hdr {
	__be16 tci;
	__be16 proto;	/* the encapsulated ethertype */
};

/* The fixed part of an ARP header (struct arphdr in <linux/if_arp.h>). */
struct pf_arphdr {
	__be16 hrd;
	__be16 pro;
	__u8 hln;
	__u8 pln;
	__be16 op;
};

/* Ethernet/IPv4 ARP body: sha[6] sip[4] tha[6] tip[4]; sip at offset 6. */
#define PF_ARP_BODY_LEN		20
#define PF_ARP_SIP_OFF		6
#define PF_ARP_TIP_OFF		16

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, PF_LPM_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* required for LPM tries */
	__type(key, struct pf_v4_lpm_key);
	__type(value, __u8);
} pf_v4_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, PF_LPM_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct pf_v6_lpm_key);
	__type(value, __u8);
} pf_v6_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PF_EXACT_ENTRIES);
	__type(key, __be32);
	__type(value, __u8);
} pf_v4_exact SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PF_EXACT_ENTRIES);
	__type(key, struct pf_v6_addr);
	__type(value, __u8);
} pf_v6_exact SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PF_ARP_ENTRIES);
	__type(key, __be32);
	__type(value, __u8);
} pf_arp SEC(".maps");

/* Per-CPU: the counters are written on every frame without contention. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PF_REASON_MAX);
	__type(key, __u32);
	__type(value, struct pf_stat);
} pf_stats SEC(".maps");

static __always_inline int pf_ipv4(void *l3, void *data_end,
				   struct pf_meta *m)
{
	struct pf_v4_lpm_key key;
	struct iphdr *iph = l3;
	__be32 saddr;
	__u32 hlen;

	if ((void *)(iph + 1) > data_end)
		return PF_DROP_MALFORMED;
	if (iph->version != 4 || iph->ihl < 5)
		return PF_DROP_MALFORMED;
	hlen = iph->ihl * 4;
	/* Options are part of the header: cut short, the header is. */
	if (l3 + hlen > data_end)
		return PF_DROP_MALFORMED;

	m->class = PF_CLASS_IPV4;
	m->proto = iph->protocol;
	if (hlen > sizeof(*iph))
		m->flags |= PF_META_IPOPT;
	if (iph->frag_off & bpf_htons(PF_IP_MF | PF_IP_OFFSET))
		m->flags |= PF_META_FRAG;

	/* A single address is a hash hit, cheaper than a trie walk. */
	saddr = iph->saddr;
	if (bpf_map_lookup_elem(&pf_v4_exact, &saddr))
		return PF_DROP_V4_EXACT;
	key.prefixlen = 32;
	key.addr = saddr;
	if (bpf_map_lookup_elem(&pf_v4_lpm, &key))
		return PF_DROP_V4_CIDR;
	return PF_PASS_IPV4;
}

static __always_inline int pf_ipv6(void *l3, void *data_end,
				   struct pf_meta *m)
{
	struct pf_v6_lpm_key key;
	struct ipv6hdr *ip6h = l3;

	if ((void *)(ip6h + 1) > data_end)
		return PF_DROP_MALFORMED;
	if (ip6h->version != 6)
		return PF_DROP_MALFORMED;

	m->class = PF_CLASS_IPV6;
	m->proto = ip6h->nexthdr;
	if (pf_ipv6_is_ext(ip6h->nexthdr))
		m->flags |= PF_META_V6EXT;
	if (ip6h->nexthdr == IPPROTO_FRAGMENT)
		m->flags |= PF_META_FRAG;

	/*
	 * The source is in the fixed header whatever extensions follow, so
	 * the verdict never needs them. One copy serves as the hash key and
	 * as the trie key's address.
	 */
	__builtin_memcpy(&key.addr, &ip6h->saddr, sizeof(key.addr));
	if (bpf_map_lookup_elem(&pf_v6_exact, &key.addr))
		return PF_DROP_V6_EXACT;
	key.prefixlen = 128;
	if (bpf_map_lookup_elem(&pf_v6_lpm, &key))
		return PF_DROP_V6_CIDR;
	return PF_PASS_IPV6;
}

static __always_inline int pf_arp_check(void *l3, void *data_end,
					struct pf_meta *m)
{
	struct pf_arphdr *arp = l3;
	__u8 *body = (void *)(arp + 1);
	__be32 sip;

	if ((void *)(arp + 1) > data_end)
		return PF_DROP_MALFORMED;
	/* Only Ethernet/IPv4 ARP has ar_sip at this offset. */
	if (arp->hrd != bpf_htons(PF_ARPHRD_ETHER) ||
	    arp->pro != bpf_htons(ETH_P_IP) ||
	    arp->hln != ETH_ALEN || arp->pln != 4)
		return PF_PASS_OTHER;
	if ((void *)(body + PF_ARP_BODY_LEN) > data_end)
		return PF_DROP_MALFORMED;

	m->class = PF_CLASS_ARP;
	/* The sender is who the frame claims to be; the target may be us. */
	__builtin_memcpy(&sip, body + PF_ARP_SIP_OFF, sizeof(sip));
	if (bpf_map_lookup_elem(&pf_arp, &sip))
		return PF_DROP_ARP_SENDER;
	return PF_PASS_ARP;
}

static __always_inline void pf_count(__u32 reason, __u64 bytes)
{
	struct pf_stat *st = bpf_map_lookup_elem(&pf_stats, &reason);

	if (st) {
		st->packets++;
		st->bytes += bytes;
	}
}

/*
 * The event of a drop (bpf/drop_event.h), read again from the frame: the
 * parsers above keep nothing of it, so a passing frame pays nothing.
 * @l3 and @proto are where the parse stopped: the header after one VLAN
 * tag and its ethertype (0 if the Ethernet header was cut short).
 */
static __always_inline void pf_event(struct xdp_md *ctx, __u32 reason,
				     void *l3, __be16 proto, __u8 vlan,
				     __u64 len)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct xnic_drop_event e;
	__u8 l4proto = 0;
	__be16 *ports;
	void *l4 = (void *)0;

	if (!xnic_ev_admit())
		return;
	xnic_ev_init(&e, XNIC_EV_HOOK_XDP, XNIC_EV_PROG_PREFILTER, reason,
		     ctx->ingress_ifindex, len);
	e.ethertype = bpf_ntohs(proto);
	if (vlan)
		e.flags |= XNIC_EV_F_VLAN;
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = l3;

		if ((void *)(iph + 1) > data_end || iph->version != 4 ||
		    iph->ihl < 5 || l3 + iph->ihl * 4 > data_end)
			goto send;
		e.family = XNIC_EV_FAMILY_IPV4;
		e.proto = iph->protocol;
		__builtin_memcpy(e.saddr, &iph->saddr, 4);
		__builtin_memcpy(e.daddr, &iph->daddr, 4);
		if (!(iph->frag_off & bpf_htons(PF_IP_OFFSET))) {
			l4 = l3 + iph->ihl * 4;
			l4proto = iph->protocol;
		}
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = l3;

		if ((void *)(ip6h + 1) > data_end || ip6h->version != 6)
			goto send;
		e.family = XNIC_EV_FAMILY_IPV6;
		e.proto = ip6h->nexthdr;
		__builtin_memcpy(e.saddr, &ip6h->saddr, 16);
		__builtin_memcpy(e.daddr, &ip6h->daddr, 16);
		l4 = ip6h + 1;
		l4proto = ip6h->nexthdr;
	} else if (proto == bpf_htons(ETH_P_ARP)) {
		struct pf_arphdr *arp = l3;
		__u8 *body = (void *)(arp + 1);

		if ((void *)(body + PF_ARP_BODY_LEN) > data_end ||
		    arp->hrd != bpf_htons(PF_ARPHRD_ETHER) ||
		    arp->pro != bpf_htons(ETH_P_IP) ||
		    arp->hln != ETH_ALEN || arp->pln != 4)
			goto send;
		e.family = XNIC_EV_FAMILY_ARP;
		e.proto = bpf_ntohs(arp->op);
		__builtin_memcpy(e.saddr, body + PF_ARP_SIP_OFF, 4);
		__builtin_memcpy(e.daddr, body + PF_ARP_TIP_OFF, 4);
	}
	if (l4 && (l4proto == IPPROTO_TCP || l4proto == IPPROTO_UDP)) {
		ports = l4;
		if ((void *)(ports + 2) <= data_end) {
			e.sport = bpf_ntohs(ports[0]);
			e.dport = bpf_ntohs(ports[1]);
			e.flags |= XNIC_EV_F_PORTS;
		}
	}
send:
	xnic_ev_send(&e);
}

/* Failure is not fatal: generic XDP or a full metadata area. */
static __always_inline void pf_write_meta(struct xdp_md *ctx,
					  const struct pf_meta *m)
{
	void *data, *meta;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)))
		return;
	data = (void *)(long)ctx->data;
	meta = (void *)(long)ctx->data_meta;
	if (meta + sizeof(*m) > data)
		return;
	__builtin_memcpy(meta, m, sizeof(*m));
}

SEC("xdp")
int xdp_prefilter(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct pf_meta m = { .magic = PF_META_MAGIC };
	__u64 len = data_end - data;
	struct ethhdr *eth = data;
	void *l3 = eth + 1;
	__be16 proto = 0;
	__u32 reason;

	if (l3 > data_end) {
		reason = PF_DROP_MALFORMED;
		goto out;
	}
	proto = eth->h_proto;
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		struct pf_vlan_hdr *vh = l3;

		if ((void *)(vh + 1) > data_end) {
			reason = PF_DROP_MALFORMED;
			goto out;
		}
		proto = vh->proto;
		l3 = vh + 1;
		m.flags |= PF_META_VLAN;
	}

	switch (proto) {
	case bpf_htons(ETH_P_IP):
		reason = pf_ipv4(l3, data_end, &m);
		break;
	case bpf_htons(ETH_P_IPV6):
		reason = pf_ipv6(l3, data_end, &m);
		break;
	case bpf_htons(ETH_P_ARP):
		reason = pf_arp_check(l3, data_end, &m);
		break;
	default:
		/* Includes a second VLAN tag: one tag is what we parse. */
		reason = PF_PASS_OTHER;
		break;
	}

out:
	pf_count(reason, len);
	if (PF_REASON_IS_DROP(reason)) {
		/* Whatever becomes of the event, the frame is dropped. */
		pf_event(ctx, reason, l3, proto, m.flags & PF_META_VLAN, len);
		return XDP_DROP;
	}
	pf_write_meta(ctx, &m);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
