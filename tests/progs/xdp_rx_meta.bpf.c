// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP RX metadata kfuncs against what the stack sees. A dev-bound XDP
 * program (loaded by xdp_rx_meta.c) records what bpf_xdp_metadata_rx_hash,
 * _rx_timestamp and _rx_vlan_tag return for each test flow, and a tc
 * ingress program on the same device records skb->hash, the skb's
 * hardware timestamp and its VLAN tag: they must agree.
 * Flows: UDP to ports 5400..5419 (slots 0..19), ICMP (slot 20). One
 * 802.1Q tag left in the frame (rx-vlan-offload off) is looked through.
 * The three kfuncs are all there from 6.8; the test runs where they are.
 */
#include "progs.h"
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/in.h>

#define RX_META_PORT0	5400
#define RX_META_SLOTS	21

/* The kernel's type; its values are not needed here. */
enum xdp_rss_hash_type { XDP_RSS_TYPE_NONE = 0 };

extern int bpf_xdp_metadata_rx_hash(const struct xdp_md *ctx, __u32 *hash,
				    enum xdp_rss_hash_type *rss_type) __ksym;
extern int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx,
					 __u64 *timestamp) __ksym;
extern int bpf_xdp_metadata_rx_vlan_tag(const struct xdp_md *ctx,
					__be16 *vlan_proto,
					__u16 *vlan_tci) __ksym;

struct rx_meta_seen {
	__s32 xdp_ret;
	__u32 xdp_hash;
	__u32 xdp_type;
	__u32 skb_hash;
	__u32 xdp_frames;
	__u32 tc_frames;
	__s32 ts_ret;
	__s32 vlan_ret;
	__u64 xdp_ts;
	__u64 skb_ts;
	__u32 xdp_vlan_proto;
	__u32 xdp_vlan_tci;
	__u32 skb_vlan_tci;		/* with skb_vlan_present */
	__u32 skb_vlan_present;
	__u32 xdp_tagged;		/* the tag was still in the frame */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RX_META_SLOTS);
	__type(key, __u32);
	__type(value, struct rx_meta_seen);
} rx_meta_seen SEC(".maps");

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* The slot of an IPv4 frame in [data, end), or -1; *tagged if 802.1Q. */
static __always_inline int rx_meta_slot(void *data, void *end, int *tagged)
{
	struct ethhdr *eth = data;
	struct vlan_hdr *vh = (void *)(eth + 1);
	__be16 proto;
	struct iphdr *iph;
	struct udphdr *udp;
	__u16 port;

	if ((void *)(eth + 1) > end)
		return -1;
	proto = eth->h_proto;
	iph = (void *)(eth + 1);
	*tagged = 0;
	if (proto == bpf_htons(ETH_P_8021Q)) {
		if ((void *)(vh + 1) > end)
			return -1;
		proto = vh->proto;
		iph = (void *)(vh + 1);
		*tagged = 1;
	}
	if ((void *)(iph + 1) > end || proto != bpf_htons(ETH_P_IP) ||
	    iph->ihl != 5)
		return -1;
	if (iph->protocol == IPPROTO_ICMP)
		return RX_META_SLOTS - 1;
	if (iph->protocol != IPPROTO_UDP)
		return -1;
	udp = (void *)(iph + 1);
	if ((void *)(udp + 1) > end)
		return -1;
	port = bpf_ntohs(udp->dest);
	if (port < RX_META_PORT0 || port >= RX_META_PORT0 + RX_META_SLOTS - 1)
		return -1;
	return port - RX_META_PORT0;
}

SEC("xdp")
int xdp_rx_meta(struct xdp_md *ctx)
{
	enum xdp_rss_hash_type type = 0;
	__u32 key, hash = 0;
	struct rx_meta_seen *s;
	__u16 tci = 0;
	__be16 proto = 0;
	__u64 ts = 0;
	int slot, tagged;

	slot = rx_meta_slot((void *)(long)ctx->data,
			    (void *)(long)ctx->data_end, &tagged);
	if (slot < 0)
		return XDP_PASS;
	key = slot;
	s = bpf_map_lookup_elem(&rx_meta_seen, &key);
	if (!s)
		return XDP_PASS;
	s->xdp_ret = bpf_xdp_metadata_rx_hash(ctx, &hash, &type);
	s->xdp_hash = hash;
	s->xdp_type = type;
	s->ts_ret = bpf_xdp_metadata_rx_timestamp(ctx, &ts);
	s->xdp_ts = ts;
	s->vlan_ret = bpf_xdp_metadata_rx_vlan_tag(ctx, &proto, &tci);
	s->xdp_vlan_proto = bpf_ntohs(proto);
	s->xdp_vlan_tci = tci;
	s->xdp_tagged = tagged;
	__sync_fetch_and_add(&s->xdp_frames, 1);
	return XDP_PASS;
}

SEC("tc")
int tc_rx_meta(struct __sk_buff *skb)
{
	struct rx_meta_seen *s;
	int slot, tagged;
	__u32 key;

	/* Tags are out of the data by tc ingress, hardware's or the stack's. */
	slot = rx_meta_slot((void *)(long)skb->data,
			    (void *)(long)skb->data_end, &tagged);
	if (slot < 0)
		return TC_ACT_OK;
	key = slot;
	s = bpf_map_lookup_elem(&rx_meta_seen, &key);
	if (!s)
		return TC_ACT_OK;
	s->skb_hash = skb->hash;
	s->skb_ts = skb->hwtstamp;
	s->skb_vlan_present = skb->vlan_present;
	s->skb_vlan_tci = skb->vlan_tci;
	__sync_fetch_and_add(&s->tc_frames, 1);
	return TC_ACT_OK;
}
