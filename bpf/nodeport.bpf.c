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
 * np_xdp (native XDP, in front of np_ingress; flows: bpf/nodeport.h).
 * Direct packet access; the checksums fixed by RFC 1624 arithmetic
 * (no skb, no CHECKSUM_PARTIAL: xnic completes offloaded checksums on
 * the wire). XDP_PASS leaves the packet untouched for tc:
 *   not IPv4 TCP/UDP with ports, a later fragment, a broken header,
 *     not a service, a service flow tc drops (first fragment, cut
 *     short)                                           XDP_PASS
 *   no np_config.node_addr to SNAT to                  XDP_PASS_NO_NODE
 *   a flow tc owns (its first packet went to tc)       XDP_PASS_TC_FLOW
 *   FIB: another port, not forwarded, no forwarding    XDP_PASS_ROUTE
 *   FIB: neighbour unresolved (the stack resolves it)  XDP_PASS_NO_NEIGH
 *   np_xrev's tuple held by another live flow          XDP_PASS_PORT_BUSY
 *   first packet / later packet / backend's reply      XDP_TX_NEW / _FLOW /
 *                                                      _REPLY (XDP_TX)
 *   a service without backends                         DROP_NO_BACKEND
 *   an XDP flow (or reply) the FIB no longer sends
 *     back out of this port                            DROP_XDP_ROUTE
 *   a reply of an XDP flow cut short / a first fragment DROP_MALFORMED /
 *                                                      DROP_FRAGMENT
 * Every drop, tc or XDP, also sends a drop event (XNIC_EV_PROG_NODEPORT).
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

#include "drop_event.bpf.h"
#include "nodeport.h"
#include "service.bpf.h"

#define NP_ETH_HLEN		14
#define NP_IP_MF		0x2000
#define NP_IP_OFFSET		0x1fff
#define NP_AF_INET		2	/* no UAPI header defines it */

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
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NP_CT_ENTRIES);
	__type(key, struct np_tuple);
	__type(value, struct np_xrev);
} np_xrev SEC(".maps");

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

/*
 * The backend of @p's flow: np_ct's while it is valid, else a new pick
 * for the service @p is sent to, recorded both ways. NULL with *reason
 * PASS_OTHER (not a service) or a drop reason; else *reason is
 * DNAT_FLOW or DNAT_NEW and *be_id the backend's id.
 */
static __always_inline struct lb_be *np_flow(const struct np_pkt *p,
					     __u32 *be_id, int *reason)
{
	struct lb_svc_key key = {};
	struct np_tuple rt = {};
	struct np_rev rv = {};
	struct np_ct nc = {};
	struct lb_be *be = NULL;
	struct lb_svc *svc;
	struct np_ct *ct;

	ct = bpf_map_lookup_elem(&np_ct, &p->t);
	if (ct) {
		*be_id = ct->be_id;
		be = np_backend(*be_id, ct->svc_id);
	}
	if (be) {
		*reason = np_unfit(p) ?: NP_DNAT_FLOW;
		return *reason == NP_DNAT_FLOW ? be : NULL;
	}
	svc = np_service(p, &key);
	if (!svc) {
		*reason = NP_PASS_OTHER;
		return NULL;
	}
	*reason = np_unfit(p);
	if (*reason)
		return NULL;
	be = lb_pick(&key, svc, be_id);
	if (!be || be->family != LB_FAMILY_IPV4) {
		lb_count(&lb_svc_stats, svc->id, 1);
		*reason = NP_DROP_NO_BACKEND;
		return NULL;
	}
	lb_count(&lb_svc_stats, svc->id, 0);
	lb_count(&lb_be_stats, *be_id, 0);
	nc.be_id = *be_id;
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
	rv.be_id = *be_id;
	rv.svc_id = be->svc_id;
	bpf_map_update_elem(&np_rev, &rt, &rv, BPF_ANY);
	*reason = NP_DNAT_NEW;
	return be;
}

/* Client -> service: the flow's backend, or a new one; then DNAT. */
static __always_inline int np_in(struct __sk_buff *skb, struct np_pkt *p)
{
	struct lb_be *be;
	__u32 be_id = 0;
	int reason;

	be = np_flow(p, &be_id, &reason);
	if (!be)
		return reason;
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

/* Count @p's verdict, and send a drop event for a drop. */
static __always_inline void np_account(const struct np_pkt *p, int reason,
				       __u8 hook, __u32 ifindex, __u32 len)
{
	struct xnic_drop_event e;
	struct np_stat *st;
	__u32 key = reason;

	st = bpf_map_lookup_elem(&np_stats, &key);
	if (st) {
		st->packets++;
		st->bytes += len;
	}
	/* Every drop is of a parsed IPv4 TCP/UDP packet with ports. */
	if (!NP_REASON_IS_DROP(reason) || !xnic_ev_admit())
		return;
	xnic_ev_init(&e, hook, XNIC_EV_PROG_NODEPORT, reason, ifindex, len);
	e.ethertype = ETH_P_IP;
	e.family = XNIC_EV_FAMILY_IPV4;
	e.proto = p->t.proto;
	e.sport = bpf_ntohs(p->t.sport);
	e.dport = bpf_ntohs(p->t.dport);
	e.flags = XNIC_EV_F_PORTS;
	__builtin_memcpy(e.saddr, &p->t.saddr, sizeof(p->t.saddr));
	__builtin_memcpy(e.daddr, &p->t.daddr, sizeof(p->t.daddr));
	xnic_ev_send(&e);
}

static __always_inline int np_run(struct __sk_buff *skb, int ingress)
{
	struct np_pkt p = {};
	int reason;

	reason = np_parse(skb, &p);
	if (reason < 0)
		reason = ingress ? np_in(skb, &p) : np_out(skb, &p);
	np_account(&p, reason, ingress ? XNIC_EV_HOOK_TC_INGRESS :
		   XNIC_EV_HOOK_TC_EGRESS, skb->ifindex, skb->len);
	return NP_REASON_IS_DROP(reason) ? TC_ACT_SHOT : TC_ACT_UNSPEC;
}

/* ---- XDP: the same flows, sent straight back out of the port ---- */

/* np_parse() with direct packet access; NP_XDP_PASS for all it refuses. */
static __always_inline int np_xparse(struct xdp_md *ctx, struct np_pkt *p)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = data + NP_ETH_HLEN;
	__be16 *ports;
	__u32 l4;

	if ((void *)(iph + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    iph->version != 4 || iph->ihl < 5 ||
	    (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP) ||
	    (iph->frag_off & bpf_htons(NP_IP_OFFSET)))
		return NP_XDP_PASS;
	l4 = NP_ETH_HLEN + iph->ihl * 4;
	ports = data + l4;
	if ((void *)(ports + 2) > end)
		return NP_XDP_PASS;
	p->l3 = NP_ETH_HLEN;
	p->l4 = l4;
	p->t.saddr = iph->saddr;
	p->t.daddr = iph->daddr;
	p->t.sport = ports[0];
	p->t.dport = ports[1];
	p->t.proto = iph->protocol;
	p->l4_whole = data + l4 + (iph->protocol == IPPROTO_TCP ? 20 : 8) <=
		      end;
	p->first_frag = !!(iph->frag_off & bpf_htons(NP_IP_MF));
	return -1;
}

/* RFC 1624 (HC' = ~(~HC + ~m + m')): the sum of ~m + m' for one field. */
static __always_inline __u32 np_csum16(__u16 from, __u16 to)
{
	return (__u16)~from + (__u32)to;
}

static __always_inline __u32 np_csum32(__u32 from, __u32 to)
{
	return np_csum16(from, to) + np_csum16(from >> 16, to >> 16);
}

static __always_inline __u16 np_csum_apply(__u16 check, __u32 delta)
{
	__u32 sum = (__u16)~check + delta;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/*
 * Where the FIB sends @daddr for a packet from @saddr that came in on
 * this port: 0 when back out of it with the neighbour known (@fib holds
 * the MACs), else the pass reason.
 */
static __always_inline int np_fib(struct xdp_md *ctx, const struct np_pkt *p,
				  struct bpf_fib_lookup *fib, __be32 saddr,
				  __be16 sport, __be32 daddr, __be16 dport)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + NP_ETH_HLEN;
	long rc;

	if ((void *)(iph + 1) > end)
		return NP_XDP_PASS_ROUTE;
	__builtin_memset(fib, 0, sizeof(*fib));
	fib->family = NP_AF_INET;
	fib->tos = iph->tos;
	fib->l4_protocol = p->t.proto;
	fib->sport = sport;
	fib->dport = dport;
	fib->tot_len = bpf_ntohs(iph->tot_len);
	fib->ipv4_src = saddr;
	fib->ipv4_dst = daddr;
	fib->ifindex = ctx->ingress_ifindex;
	rc = bpf_fib_lookup(ctx, fib, sizeof(*fib), 0);
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
		return NP_XDP_PASS_NO_NEIGH;
	if (rc != BPF_FIB_LKUP_RET_SUCCESS ||
	    fib->ifindex != ctx->ingress_ifindex)
		return NP_XDP_PASS_ROUTE;
	return 0;
}

/*
 * Rewrite @p to saddr:sport -> daddr:dport with @fib's MACs; both
 * checksums fixed incrementally. UDP's "no checksum" (0) stays 0, and
 * one that becomes 0 is written 0xffff.
 */
static __always_inline int np_xrewrite(struct xdp_md *ctx,
				       const struct np_pkt *p,
				       const struct bpf_fib_lookup *fib,
				       __be32 saddr, __be16 sport,
				       __be32 daddr, __be16 dport)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = data + NP_ETH_HLEN;
	int tcp = p->t.proto == IPPROTO_TCP;
	__u32 l4 = p->l4 & 0x7f;	/* bounded for the verifier: <= 74 */
	__u32 d3, d4;
	__u16 *check;
	__be16 *ports;
	__u16 c;

	ports = data + l4;
	check = data + l4 + (tcp ? 16 : 6);
	if ((void *)(iph + 1) > end || (void *)(ports + 2) > end ||
	    (void *)(check + 1) > end)
		return NP_DROP_REWRITE;
	d3 = np_csum32(iph->saddr, saddr) + np_csum32(iph->daddr, daddr);
	d4 = d3 + np_csum16(ports[0], sport) + np_csum16(ports[1], dport);
	iph->check = np_csum_apply(iph->check, d3);
	if (tcp || *check) {
		c = np_csum_apply(*check, d4);
		*check = !tcp && !c ? 0xffff : c;
	}
	iph->saddr = saddr;
	iph->daddr = daddr;
	ports[0] = sport;
	ports[1] = dport;
	__builtin_memcpy(eth->h_dest, fib->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib->smac, ETH_ALEN);
	return 0;
}

/*
 * A backend's reply to an XDP flow (backend -> node:client port): back
 * to the client from the service address, out of this port. -1 if @p
 * is not one. tc could not translate it, so whatever fails drops.
 */
static __always_inline int np_xreply(struct xdp_md *ctx,
				     const struct np_pkt *p)
{
	struct bpf_fib_lookup fib;
	struct np_xrev *xr;
	int reason;

	xr = bpf_map_lookup_elem(&np_xrev, &p->t);
	if (!xr || !np_backend(xr->be_id, xr->svc_id))
		return -1;
	reason = np_unfit(p);
	if (reason)
		return reason;
	if (np_fib(ctx, p, &fib, xr->addr, xr->port, xr->client,
		   xr->client_port))
		return NP_DROP_XDP_ROUTE;
	return np_xrewrite(ctx, p, &fib, xr->addr, xr->port, xr->client,
			   xr->client_port) ?: NP_XDP_TX_REPLY;
}

/*
 * Client -> service: the flow's backend as tc would pick it; an XDP flow
 * (or a new one the FIB sends back out of this port) is DNATed, SNATed
 * to the node address and sent back out. Everything else goes to tc.
 */
static __always_inline int np_xin(struct xdp_md *ctx, const struct np_pkt *p)
{
	struct np_tuple xt = {};
	struct np_xrev xv = {};
	struct bpf_fib_lookup fib;
	struct np_config *cfg;
	struct np_xrev *xr;
	struct lb_be *be;
	__u32 be_id = 0, zero = 0;
	int reason, mine, r;

	be = np_flow(p, &be_id, &reason);
	/* No backend: tc's verdict too, and lb_svc_stats counted it. */
	if (!be)
		return reason == NP_DROP_NO_BACKEND ? reason : NP_XDP_PASS;
	cfg = bpf_map_lookup_elem(&np_config, &zero);
	if (!cfg || !cfg->node_addr)
		return NP_XDP_PASS_NO_NODE;
	xt.saddr = be->addr[0];
	xt.daddr = cfg->node_addr;
	xt.sport = be->port;
	xt.dport = p->t.sport;
	xt.proto = p->t.proto;
	xr = bpf_map_lookup_elem(&np_xrev, &xt);
	mine = xr && xr->client == p->t.saddr &&
	       xr->client_port == p->t.sport && xr->addr == p->t.daddr &&
	       xr->port == p->t.dport && xr->be_id == be_id;
	if (reason == NP_DNAT_FLOW && !mine)
		return NP_XDP_PASS_TC_FLOW;
	if (reason == NP_DNAT_NEW && xr && !mine &&
	    np_backend(xr->be_id, xr->svc_id))
		return NP_XDP_PASS_PORT_BUSY;
	r = np_fib(ctx, p, &fib, cfg->node_addr, p->t.sport, be->addr[0],
		   be->port);
	if (r)
		return reason == NP_DNAT_FLOW ? NP_DROP_XDP_ROUTE : r;
	if (reason == NP_DNAT_NEW) {
		xv.client = p->t.saddr;
		xv.client_port = p->t.sport;
		xv.addr = p->t.daddr;
		xv.port = p->t.dport;
		xv.be_id = be_id;
		xv.svc_id = be->svc_id;
		bpf_map_update_elem(&np_xrev, &xt, &xv, BPF_ANY);
	}
	return np_xrewrite(ctx, p, &fib, cfg->node_addr, p->t.sport,
			   be->addr[0], be->port) ?:
	       (reason == NP_DNAT_NEW ? NP_XDP_TX_NEW : NP_XDP_TX_FLOW);
}

SEC("xdp")
int np_xdp(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	struct np_pkt p = {};
	int reason;

	reason = np_xparse(ctx, &p);
	if (reason < 0)
		reason = np_xreply(ctx, &p);
	if (reason < 0)
		reason = np_xin(ctx, &p);
	np_account(&p, reason, XNIC_EV_HOOK_XDP, ctx->ingress_ifindex, len);
	if (NP_REASON_IS_DROP(reason))
		return XDP_DROP;
	return NP_REASON_IS_TX(reason) ? XDP_TX : XDP_PASS;
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
