// SPDX-License-Identifier: GPL-2.0
/*
 * Receive side scaling as the DMA engine does it: a Toeplitz hash over the
 * IPv4/IPv6 addresses and, for TCP and UDP, the ports, in the order the
 * Microsoft RSS specification gives (source address, destination address,
 * source port, destination port); the low bits index the receiver's
 * indirection table. Other frames hash to 0 and land on the table's first
 * entry.
 */
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/ethtool.h>
#include <net/ip.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <kunit/visibility.h>

#include "xnic.h"

/* Key bits [@bit, @bit + 32), numbered from the first byte's top bit. */
static u32 xnic_key_window(const u8 *key, unsigned int bit)
{
	u64 w = 0;
	unsigned int i;

	/* Five bytes hold any 32 bits that start inside the first. */
	for (i = 0; i < 5; i++) {
		unsigned int k = bit / 8 + i;

		w = w << 8 | (k < XNIC_RSS_KEY_SIZE ? key[k] : 0);
	}
	return (u32)(w >> (8 - bit % 8));
}

/*
 * Toeplitz XORs, for every set bit j of the input, the 32 key bits that
 * start at bit j. The hash of one input byte at a given position depends
 * only on its value, so the table holds all 256 of them for each position
 * and hashing costs one lookup per byte instead of a loop over its bits:
 * the software DMA engine hashes every frame it copies.
 */
void xnic_rss_set_key(struct xnic_rss *rss, const u8 *key)
{
	unsigned int i, b, v;

	BUILD_BUG_ON(XNIC_RSS_TUPLE_MAX * 8 + 31 > XNIC_RSS_KEY_SIZE * 8);
	memcpy(rss->key, key, XNIC_RSS_KEY_SIZE);
	for (i = 0; i < XNIC_RSS_TUPLE_MAX; i++) {
		u32 *t = rss->lut[i];

		t[0] = 0;
		for (b = 0; b < 8; b++)
			t[BIT(b)] = xnic_key_window(key, 8 * i + 7 - b);
		/* Every other value: its lowest set bit, XOR the rest. */
		for (v = 3; v < 256; v++)
			if (v & (v - 1))
				t[v] = t[v & (v - 1)] ^ t[v & -v];
	}
}
EXPORT_SYMBOL_IF_KUNIT(xnic_rss_set_key);

/* @len is at most XNIC_RSS_TUPLE_MAX, as xnic_rss_tuple() writes. */
u32 xnic_toeplitz(const struct xnic_rss *rss, const u8 *data,
		  unsigned int len)
{
	unsigned int i;
	u32 hash = 0;

	for (i = 0; i < len; i++)
		hash ^= rss->lut[i][data[i]];
	return hash;
}
EXPORT_SYMBOL_IF_KUNIT(xnic_toeplitz);

/* Input tuple in specification order; returns its length in bytes. */
static unsigned int xnic_rss_tuple(const struct xnic_pkt *pkt, u8 *tuple,
				   u32 *flags)
{
	unsigned int off = ETH_HLEN, alen, l4off;
	__be16 proto;
	const __be16 *pp;
	u32 l3flag = 0;
	__be16 _p;
	u8 l4proto;

	pp = xnic_pkt_header(pkt, offsetof(struct ethhdr, h_proto), sizeof(_p),
			     &_p);
	if (!pp)
		return 0;
	proto = *pp;
	if (proto == htons(ETH_P_8021Q) || proto == htons(ETH_P_8021AD)) {
		pp = xnic_pkt_header(pkt, off + 2, sizeof(_p), &_p);
		if (!pp)
			return 0;
		proto = *pp;
		off += VLAN_HLEN;
	}

	if (proto == htons(ETH_P_IP)) {
		struct iphdr _iph;
		const struct iphdr *iph;

		iph = xnic_pkt_header(pkt, off, sizeof(_iph), &_iph);
		if (!iph || iph->ihl < 5)
			return 0;
		alen = 2 * sizeof(__be32);
		memcpy(tuple, &iph->saddr, sizeof(iph->saddr));
		memcpy(tuple + sizeof(iph->saddr), &iph->daddr,
		       sizeof(iph->daddr));
		l4proto = iph->protocol;
		l4off = off + iph->ihl * 4;
		/* Fragments carry no ports (or the wrong ones): hash addresses. */
		if (ip_is_fragment(iph))
			l4proto = 0;
	} else if (proto == htons(ETH_P_IPV6)) {
		struct ipv6hdr _ip6h;
		const struct ipv6hdr *ip6h;

		ip6h = xnic_pkt_header(pkt, off, sizeof(_ip6h), &_ip6h);
		if (!ip6h)
			return 0;
		alen = 2 * sizeof(struct in6_addr);
		memcpy(tuple, &ip6h->saddr, sizeof(ip6h->saddr));
		memcpy(tuple + sizeof(ip6h->saddr), &ip6h->daddr,
		       sizeof(ip6h->daddr));
		/* Extension headers are not walked: those hash addresses. */
		l4proto = ip6h->nexthdr;
		l4off = off + sizeof(*ip6h);
		l3flag = XNIC_DESC_RSS_IPV6;
	} else {
		return 0;
	}

	if (l4proto == IPPROTO_TCP || l4proto == IPPROTO_UDP) {
		const void *ports = xnic_pkt_header(pkt, l4off, 4, tuple + alen);

		if (ports) {
			if (ports != tuple + alen)
				memcpy(tuple + alen, ports, 4);
			*flags = XNIC_DESC_RSS_L4 | l3flag |
				 (l4proto == IPPROTO_TCP ? XNIC_DESC_RSS_TCP :
							  XNIC_DESC_RSS_UDP);
			return alen + 4;
		}
	}
	*flags = XNIC_DESC_RSS_L3 | l3flag;
	return alen;
}

u32 xnic_rss_hash(const struct xnic_rss *rss, const struct xnic_pkt *pkt,
		  u32 *desc_flags)
{
	u8 tuple[XNIC_RSS_TUPLE_MAX];
	unsigned int len;

	*desc_flags = 0;
	len = xnic_rss_tuple(pkt, tuple, desc_flags);
	if (!len)
		return 0;
	return xnic_toeplitz(rss, tuple, len);
}

u32 xnic_rss_hash_skb(const struct xnic_rss *rss, const struct sk_buff *skb,
		      u32 *desc_flags)
{
	struct xnic_pkt pkt = { .skb = skb, .len = skb->len };

	return xnic_rss_hash(rss, &pkt, desc_flags);
}
EXPORT_SYMBOL_IF_KUNIT(xnic_rss_hash_skb);

void xnic_rss_fill_indir(struct xnic_rss *rss, u32 channels)
{
	u32 i;

	for (i = 0; i < XNIC_RSS_INDIR_SIZE; i++)
		rss->indir[i] = ethtool_rxfh_indir_default(i, channels);
}

/* The table is 37 KB: kvfree() or kvfree_rcu() it. */
struct xnic_rss *xnic_rss_alloc_default(u32 channels)
{
	struct xnic_rss *rss = kvzalloc(sizeof(*rss), GFP_KERNEL);
	u8 key[XNIC_RSS_KEY_SIZE];

	if (!rss)
		return NULL;
	netdev_rss_key_fill(key, sizeof(key));
	xnic_rss_set_key(rss, key);
	xnic_rss_fill_indir(rss, channels);
	return rss;
}
EXPORT_SYMBOL_IF_KUNIT(xnic_rss_alloc_default);

/* A copy to change and publish in place of @old. */
struct xnic_rss *xnic_rss_dup(const struct xnic_rss *old)
{
	struct xnic_rss *rss = kvmalloc(sizeof(*rss), GFP_KERNEL);

	if (rss)
		memcpy(rss, old, sizeof(*rss));
	return rss;
}
