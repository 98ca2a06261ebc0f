// SPDX-License-Identifier: GPL-2.0
/*
 * Per-packet service translation on a node device, NodePort-style: the
 * Service row of the datapath's objects (tc, step 8). Clients in another
 * host or namespace send to a service address; np_ingress rewrites the
 * destination to a backend picked as sock_lb picks it (same maps,
 * bpf/service.bpf.h), and routing (ip_forward=1 on the node) takes the
 * packet there; np_egress rewrites the backend's replies on their way
 * back out of the same device so they come from the address the client
 * sent to. A connection table (np_ct, np_rev: LRU maps keyed by the
 * 5-tuple) keeps every packet of a flow on one backend. Contract and
 * map layouts: bpf/nodeport.h.
 *
 * Why per packet when sock_lb exists: sock_lb only sees sockets of the
 * node's own cgroups at connect(); a packet from elsewhere never passes
 * a connect() on this node, so it must be translated itself.
 *
 * Checksums are fixed incrementally: the IPv4 header's with
 * bpf_l3_csum_replace, the TCP/UDP checksum with bpf_l4_csum_replace
 * (BPF_F_PSEUDO_HDR for the address, which only the pseudo-header
 * covers). A UDP checksum of zero (none) stays zero, and one that
 * becomes zero is written as 0xffff (BPF_F_MARK_MANGLED_0).
 *
 * Verdicts: TC_ACT_UNSPEC for everything that passes, translated or not,
 * so a filter at a later priority on the same hook (the tc policy at
 * 0x786e) still sees the packet; with none, the stack takes it. Drops
 * are TC_ACT_SHOT. Headers are read with bpf_skb_load_bytes() ("cut
 * short" means beyond skb->len). IPv4 only, untagged Ethernet only:
 *   Ethernet < 14 bytes, non-IPv4 ethertype (IPv6,
 *     ARP, VLAN tags, ...)                             PASS OTHER
 *   IPv4 < 20 bytes, version != 4, IHL < 5, or
 *     IHL * 4 beyond the packet                        PASS MALFORMED (not
 *                                                      a flow we can tell;
 *                                                      ip_rcv drops it)
 *   not TCP or UDP                                     PASS OTHER
 *   non-first fragment (offset != 0)                   PASS FRAGMENT (no ports)
 *   TCP/UDP with < 4 bytes of L4 header (no ports)     PASS MALFORMED
 *   ports not a service (ingress) or a recorded
 *     backend reply (egress)                           PASS OTHER, untouched
 * For a service flow (or a reply of one):
 *   first fragment (MF set, offset 0)                  DROP FRAGMENT (its
 *                                                      other fragments carry
 *                                                      no ports to follow it)
 *   TCP < 20 or UDP < 8 bytes of header                DROP MALFORMED
 *   a service with no backend (new flow)               DROP NO_BACKEND
 *   a rewrite helper failing                           DROP REWRITE
 *   otherwise                                          PASS DNAT_NEW,
 *                                                      DNAT_FLOW or SNAT
 * Every packet is counted once per reason in np_stats. ICMP errors
 * about a translated flow are not translated (they pass as OTHER).
 *
 * Only UAPI headers and libbpf's bpf_helpers.h (no vmlinux.h).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "nodeport.h"
#include "service.bpf.h"

#define NP_ETH_HLEN		14
#define NP_IP_MF		0x2000
#define NP_IP_OFFSET		0x1fff

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NP_CT_ENTRIES);
	__type(key, struct np_tuple);
	__type(value, struct np_ct);
} np_ct SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NP_CT_ENTRIES);
	__type(key, struct np_tuple);
	__type(value, struct np_rev);
} np_rev SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct np_config);
} np_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NP_REASON_MAX);
	__type(key, __u32);
	__type(value, struct np_stat);
} np_stats SEC(".maps");

/* A parsed IPv4 TCP/UDP packet. */
struct np_pkt {
	struct np_tuple t;
	__u32 l3;		/* offset of the IPv4 header */
	__u32 l4;		/* offset of the TCP/UDP header */
	__u8 l4_whole;		/* the whole TCP (20) / UDP (8) header is there */
	__u8 first_frag;	/* MF set, offset 0 */
};

/*
 * Parse @skb into @p: -1 when it is an IPv4 TCP/UDP packet with ports,
 * else the reason it passes untouched.
 */
static __always_inline int np_parse(struct __sk_buff *skb, struct np_pkt *p)
{
	struct iphdr iph;
	__be16 proto, ports[2];
	__u32 need;

	if (bpf_skb_load_bytes(skb, 12, &proto, sizeof(proto)) ||
	    proto != bpf_htons(ETH_P_IP))
		return NP_PASS_OTHER;
	p->l3 = NP_ETH_HLEN;
	if (bpf_skb_load_bytes(skb, p->l3, &iph, sizeof(iph)) ||
	    iph.version != 4 || iph.ihl < 5 ||
	    p->l3 + iph.ihl * 4 > skb->len)
		return NP_PASS_MALFORMED;
	if (iph.protocol != IPPROTO_TCP && iph.protocol != IPPROTO_UDP)
		return NP_PASS_OTHER;
	if (iph.frag_off & bpf_htons(NP_IP_OFFSET))
		return NP_PASS_FRAGMENT;
	p->l4 = p->l3 + iph.ihl * 4;
	if (bpf_skb_load_bytes(skb, p->l4, ports, sizeof(ports)))
		return NP_PASS_MALFORMED;
	p->t.saddr = iph.saddr;
	p->t.daddr = iph.daddr;
	p->t.sport = ports[0];
	p->t.dport = ports[1];
	p->t.proto = iph.protocol;
	need = iph.protocol == IPPROTO_TCP ? 20 : 8;
	p->l4_whole = p->l4 + need <= skb->len;
	p->first_frag = !!(iph.frag_off & bpf_htons(NP_IP_MF));
	return -1;
}

/* A service flow that cannot be rewritten as a whole: why, or 0. */
static __always_inline int np_unfit(const struct np_pkt *p)
{
	if (p->first_frag)
		return NP_DROP_FRAGMENT;
	if (!p->l4_whole)
		return NP_DROP_MALFORMED;
	return 0;
}

/*
 * Replace the address at @addr_off (IPv4 saddr or daddr) and the port at
 * @port_off (TCP/UDP sport or dport) with @to_a and @to_p, fixing both
 * checksums. 0, or NP_DROP_REWRITE when a helper failed (the packet may
 * then be half rewritten, so it is dropped).
 */
static __always_inline int np_rewrite(struct __sk_buff *skb,
				      const struct np_pkt *p, __u32 addr_off,
				      __be32 from_a, __be32 to_a,
				      __u32 port_off, __be16 from_p,
				      __be16 to_p)
{
	__u64 udp = p->t.proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;
	__u32 csum = p->l4 + (p->t.proto == IPPROTO_TCP ? 16 : 6);

	if (bpf_l4_csum_replace(skb, csum, from_a, to_a,
				BPF_F_PSEUDO_HDR | udp | sizeof(to_a)) ||
	    bpf_l4_csum_replace(skb, csum, from_p, to_p, udp | sizeof(to_p)) ||
	    bpf_l3_csum_replace(skb, p->l3 + offsetof(struct iphdr, check),
				from_a, to_a, sizeof(to_a)) ||
	    bpf_skb_store_bytes(skb, addr_off, &to_a, sizeof(to_a), 0) ||
	    bpf_skb_store_bytes(skb, port_off, &to_p, sizeof(to_p), 0))
		return NP_DROP_REWRITE;
	return 0;
}

/* lb_be[id] if it still belongs to service @svc_id, IPv4. */
static __always_inline struct lb_be *np_backend(__u32 id, __u32 svc_id)
{
	struct lb_be *be = bpf_map_lookup_elem(&lb_be, &id);

	if (!be || be->svc_id != svc_id || be->family != LB_FAMILY_IPV4)
		return NULL;
	return be;
}

/*
 * The service @p is sent to, its key in @key: the VIP, else on the node
 * address a NodePort (VIP 0.0.0.0). NULL if neither.
 */
static __always_inline struct lb_svc *np_service(const struct np_pkt *p,
						 struct lb_svc_key *key)
{
	struct np_config *cfg;
	struct lb_svc *svc;
	__u32 zero = 0;

	key->addr[0] = p->t.daddr;
	key->port = p->t.dport;
	key->family = LB_FAMILY_IPV4;
	key->proto = p->t.proto;
	svc = bpf_map_lookup_elem(&lb_svc, key);
	if (svc)
		return svc;
	cfg = bpf_map_lookup_elem(&np_config, &zero);
	if (!cfg || !cfg->node_addr || cfg->node_addr != p->t.daddr)
		return NULL;
	key->addr[0] = 0;
	return bpf_map_lookup_elem(&lb_svc, key);
}

/* Client -> service: the flow's backend, or a new one; then DNAT. */
static __always_inline int np_in(struct __sk_buff *skb, struct np_pkt *p)
{
	struct lb_svc_key key = {};
	struct np_tuple rt = {};
	struct np_rev rv = {};
	struct np_ct nc = {};
	struct lb_be *be = NULL;
	struct lb_svc *svc;
	struct np_ct *ct;
	__u32 be_id = 0;
	int reason;

	ct = bpf_map_lookup_elem(&np_ct, &p->t);
	if (ct) {
		be_id = ct->be_id;
		nc.svc_id = ct->svc_id;
		be = np_backend(be_id, nc.svc_id);
	}
	if (be) {
		reason = np_unfit(p);
		if (reason)
			return reason;
		reason = NP_DNAT_FLOW;
	} else {
		svc = np_service(p, &key);
		if (!svc)
			return NP_PASS_OTHER;
		reason = np_unfit(p);
		if (reason)
			return reason;
		be = lb_pick(&key, svc, &be_id);
		if (!be || be->family != LB_FAMILY_IPV4) {
			lb_count(&lb_svc_stats, svc->id, 1);
			return NP_DROP_NO_BACKEND;
		}
		lb_count(&lb_svc_stats, svc->id, 0);
		lb_count(&lb_be_stats, be_id, 0);
		nc.be_id = be_id;
		nc.svc_id = be->svc_id;
		bpf_map_update_elem(&np_ct, &p->t, &nc, BPF_ANY);
		/* The reply as the backend sends it. */
		rt.saddr = be->addr[0];
		rt.daddr = p->t.saddr;
		rt.sport = be->port;
		rt.dport = p->t.sport;
		rt.proto = p->t.proto;
		rv.addr = p->t.daddr;
		rv.port = p->t.dport;
		rv.be_id = be_id;
		rv.svc_id = be->svc_id;
		bpf_map_update_elem(&np_rev, &rt, &rv, BPF_ANY);
		reason = NP_DNAT_NEW;
	}
	return np_rewrite(skb, p, p->l3 + offsetof(struct iphdr, daddr),
			  p->t.daddr, be->addr[0], p->l4 + 2, p->t.dport,
			  be->port) ?: reason;
}

/* Backend -> client: SNAT back to what the client sent to. */
static __always_inline int np_out(struct __sk_buff *skb, struct np_pkt *p)
{
	struct np_rev *rv;
	int reason;

	rv = bpf_map_lookup_elem(&np_rev, &p->t);
	if (!rv || !np_backend(rv->be_id, rv->svc_id))
		return NP_PASS_OTHER;
	reason = np_unfit(p);
	if (reason)
		return reason;
	return np_rewrite(skb, p, p->l3 + offsetof(struct iphdr, saddr),
			  p->t.saddr, rv->addr, p->l4, p->t.sport,
			  rv->port) ?: NP_SNAT;
}

static __always_inline int np_run(struct __sk_buff *skb, int ingress)
{
	struct np_pkt p = {};
	struct np_stat *st;
	__u32 key;
	int reason;

	reason = np_parse(skb, &p);
	if (reason < 0)
		reason = ingress ? np_in(skb, &p) : np_out(skb, &p);
	key = reason;
	st = bpf_map_lookup_elem(&np_stats, &key);
	if (st) {
		st->packets++;
		st->bytes += skb->len;
	}
	return NP_REASON_IS_DROP(reason) ? TC_ACT_SHOT : TC_ACT_UNSPEC;
}

SEC("tc/ingress")
int np_ingress(struct __sk_buff *skb)
{
	return np_run(skb, 1);
}

SEC("tc/egress")
int np_egress(struct __sk_buff *skb)
{
	return np_run(skb, 0);
}

char LICENSE[] SEC("license") = "GPL";
