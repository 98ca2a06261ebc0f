// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP rx_hash kfunc against the hash the stack sees. A dev-bound XDP
 * program (loaded by xdp_rx_hash.c) records what
 * bpf_xdp_metadata_rx_hash() returns for each test flow, and a tc ingress
 * program on the same device records skb->hash for it: they must agree.
 * Flows: UDP to ports 5400..5415 (slots 0..15), ICMP (slot 16).
 */
#include "progs.h"
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/in.h>

#define RX_HASH_PORT0	5400
#define RX_HASH_SLOTS	17

/* The kernel's type; its values are not needed here. */
enum xdp_rss_hash_type { XDP_RSS_TYPE_NONE = 0 };

extern int bpf_xdp_metadata_rx_hash(const struct xdp_md *ctx, __u32 *hash,
				    enum xdp_rss_hash_type *rss_type) __ksym;

struct rx_hash_seen {
	__s32 xdp_ret;
	__u32 xdp_hash;
	__u32 xdp_type;
	__u32 skb_hash;
	__u32 xdp_frames;
	__u32 tc_frames;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RX_HASH_SLOTS);
	__type(key, __u32);
	__type(value, struct rx_hash_seen);
} rx_hash_seen SEC(".maps");

/* The slot of an IPv4 frame in [data, end), or -1. */
static __always_inline int rx_hash_slot(void *data, void *end)
{
	struct ethhdr *eth = data;
	struct iphdr *iph = data + sizeof(*eth);
	struct udphdr *udp;
	__u16 port;

	if ((void *)(iph + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    iph->ihl != 5)
		return -1;
	if (iph->protocol == IPPROTO_ICMP)
		return RX_HASH_SLOTS - 1;
	if (iph->protocol != IPPROTO_UDP)
		return -1;
	udp = (void *)(iph + 1);
	if ((void *)(udp + 1) > end)
		return -1;
	port = bpf_ntohs(udp->dest);
	if (port < RX_HASH_PORT0 || port >= RX_HASH_PORT0 + RX_HASH_SLOTS - 1)
		return -1;
	return port - RX_HASH_PORT0;
}

SEC("xdp")
int xdp_rx_hash(struct xdp_md *ctx)
{
	int slot = rx_hash_slot((void *)(long)ctx->data,
				(void *)(long)ctx->data_end);
	enum xdp_rss_hash_type type = 0;
	struct rx_hash_seen *s;
	__u32 key, hash = 0;

	if (slot < 0)
		return XDP_PASS;
	key = slot;
	s = bpf_map_lookup_elem(&rx_hash_seen, &key);
	if (!s)
		return XDP_PASS;
	s->xdp_ret = bpf_xdp_metadata_rx_hash(ctx, &hash, &type);
	s->xdp_hash = hash;
	s->xdp_type = type;
	__sync_fetch_and_add(&s->xdp_frames, 1);
	return XDP_PASS;
}

SEC("tc")
int tc_rx_hash(struct __sk_buff *skb)
{
	int slot = rx_hash_slot((void *)(long)skb->data,
				(void *)(long)skb->data_end);
	struct rx_hash_seen *s;
	__u32 key;

	if (slot < 0)
		return TC_ACT_OK;
	key = slot;
	s = bpf_map_lookup_elem(&rx_hash_seen, &key);
	if (!s)
		return TC_ACT_OK;
	s->skb_hash = skb->hash;
	__sync_fetch_and_add(&s->tc_frames, 1);
	return TC_ACT_OK;
}
