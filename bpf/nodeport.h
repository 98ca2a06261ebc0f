/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-packet service translation (bpf/nodeport.bpf.c): the contract with
 * user space. The connection table, the device's configuration and its
 * counters. Included by bpf/nodeport.bpf.c and by user space (xnicctl
 * service nodeport), so it uses only <linux/types.h>.
 *
 * Socket LB (bpf/sock_lb.bpf.c) translates at connect() for the node's
 * own sockets; this translates the packets of clients elsewhere that
 * enter a node device towards a service. Both read the same services
 * (lb_svc, lb_sel, lb_be and their counters, bpf/service.h), pinned
 * once under /sys/fs/bpf/xnic/lb: one `xnicctl service add`, two ways in.
 *
 * Two tc programs on one node device, loaded together per device:
 *   np_ingress (clsact ingress)  client -> service: DNAT to a backend
 *   np_egress  (clsact egress)   backend -> client: SNAT back to the
 *                                service address the client used
 * and, optionally (attach --xdp), one XDP program in front of them:
 *   np_xdp     (native XDP)      when the backend is reached back out of
 *                                the port the packet came in on: DNAT
 *                                and SNAT to the node address, XDP_TX;
 *                                the reply is reversed and XDP_TX'd to
 *                                the client. Anything else: XDP_PASS to
 *                                the tc programs, untouched.
 * The maps (bpftool map show name np_ct):
 *
 *   np_ct      LRU_HASH struct np_tuple (client -> service)  -> struct np_ct
 *   np_rev     LRU_HASH struct np_tuple (backend -> client)  -> struct np_rev
 *   np_xrev    LRU_HASH struct np_tuple (backend -> node)    -> struct np_xrev
 *   np_config  ARRAY    0                  -> struct np_config (per device)
 *   np_stats   PERCPU_ARRAY enum np_reason -> struct np_stat   (per device)
 *
 * What is a service: a packet to (daddr, dport, proto) with lb_svc entry
 * {daddr, dport, IPv4, proto} (the VIP, ClusterIP-style), or, when daddr
 * is the device's node address (np_config.node_addr, not 0), with entry
 * {0.0.0.0, dport, IPv4, proto}: a NodePort is the service whose VIP is
 * the unspecified address (`xnicctl service add 0.0.0.0:30080/tcp ...`).
 * IPv4 only: IPv6 passes untouched.
 *
 * The first packet of a flow picks a backend as sock_lb does (lb_pick in
 * bpf/service.bpf.h, counted in lb_svc_stats/lb_be_stats) and records
 * the flow both ways; later packets reuse np_ct's backend, even when the
 * service's backends changed meanwhile, as long as that backend id is
 * still in lb_be with the same service id (ids are never reused, so a
 * deleted backend or service never matches). Otherwise the flow picks
 * again. np_rev entries are used under the same condition.
 *
 * XDP flows: np_xdp picks through np_ct too, so a flow has one backend
 * whichever program saw it first. The flow's first packet decides how it
 * is translated for good: when the FIB sends the backend out of the
 * ingress port (with a resolved neighbour), np_xdp records np_xrev and
 * the flow is SNATed to np_config.node_addr keeping the client's source
 * port; otherwise (or when np_xrev's slot belongs to another live flow:
 * two clients with one source port to one backend) the flow is tc's. An
 * XDP flow whose route later stops leading back out of the port is
 * dropped (NP_DROP_XDP_ROUTE): tc alone would not SNAT it.
 */
#ifndef XNIC_NODEPORT_H
#define XNIC_NODEPORT_H

#include <linux/types.h>

#define NP_CT_ENTRIES		65536

/*
 * A flow as one direction's packets carry it. Network order; pad zero.
 * np_ct: client address and port -> the service address and port it
 * sent to. np_rev: the backend's address and port -> the client's.
 */
struct np_tuple {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u8 pad[3];
};

struct np_ct {
	__u32 be_id;		/* lb_be key */
	__u32 svc_id;		/* lb_be[be_id].svc_id when it was picked */
};

struct np_rev {
	__u32 addr;		/* what the client sent to: VIP or node address */
	__u16 port;		/* network order */
	__u16 pad;
	__u32 be_id;		/* valid while lb_be[be_id].svc_id == svc_id */
	__u32 svc_id;
};

/* An XDP flow, keyed by the reply (backend -> node address:client port). */
struct np_xrev {
	__u32 client;		/* the client's address, network order */
	__u32 addr;		/* what the client sent to: VIP or node address */
	__u16 client_port;	/* network order, also the SNAT port */
	__u16 port;
	__u32 be_id;		/* valid while lb_be[be_id].svc_id == svc_id */
	__u32 svc_id;
};

struct np_config {
	__u32 node_addr;	/* network order; 0: no NodePort on this device */
	__u32 pad;
};

/*
 * Why each packet got its verdict, per device: every packet each
 * program sees is counted in exactly one (a packet np_xdp passes is
 * counted again by np_ingress). Passes (TC_ACT_UNSPEC: the next filter
 * or the stack decides; XDP_PASS), then XDP_TX, then drops
 * (TC_ACT_SHOT, XDP_DROP).
 */
enum np_reason {
	/* not IPv4 TCP/UDP to a service (from a backend, at egress) */
	NP_PASS_OTHER,
	NP_PASS_MALFORMED,	/* IPv4 header too broken to tell; ip_rcv drops */
	NP_PASS_FRAGMENT,	/* a non-first fragment: no ports to match */
	NP_DNAT_NEW,		/* ingress: first packet, a backend picked */
	NP_DNAT_FLOW,		/* ingress: the flow's backend from np_ct */
	NP_SNAT,		/* egress: a reply back to the service address */
	NP_XDP_PASS,		/* XDP: not a service flow (or unfit): to tc */
	NP_XDP_PASS_NO_NODE,	/* XDP: no node address to SNAT to */
	NP_XDP_PASS_TC_FLOW,	/* XDP: a flow tc translates */
	NP_XDP_PASS_ROUTE,	/* XDP: the backend is not out of this port */
	NP_XDP_PASS_NO_NEIGH,	/* XDP: FIB has no neighbour yet */
	NP_XDP_PASS_PORT_BUSY,	/* XDP: np_xrev slot held by another flow */
	NP_XDP_TX_NEW,		/* XDP: first packet, DNAT + SNAT, XDP_TX */
	NP_XDP_TX_FLOW,		/* XDP: a later packet of an XDP flow */
	NP_XDP_TX_REPLY,	/* XDP: a reply reversed back to the client */
	NP_DROP_NO_BACKEND,	/* ingress: a service with no backend */
	NP_DROP_MALFORMED,	/* a service flow whose L4 header is cut short */
	/* a first fragment of a service flow: the others cannot follow */
	NP_DROP_FRAGMENT,
	NP_DROP_REWRITE,	/* a helper refused to rewrite the packet */
	NP_DROP_XDP_ROUTE,	/* XDP: an XDP flow no longer out of this port */
	NP_REASON_MAX,
};

#define NP_REASON_IS_DROP(r)	((r) >= NP_DROP_NO_BACKEND)
#define NP_REASON_IS_TX(r)	((r) >= NP_XDP_TX_NEW && (r) <= NP_XDP_TX_REPLY)

/* Bytes are skb->len as tc sees it, data_end - data at XDP. */
struct np_stat {
	__u64 packets;
	__u64 bytes;
};

#endif /* XNIC_NODEPORT_H */
