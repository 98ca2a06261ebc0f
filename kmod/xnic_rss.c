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
#include <asm/unaligned.h>
#include <kunit/visibility.h>

#include "xnic.h"

/*
 * For every set bit of the input, XOR in the 32 key bits that start at
 * that bit position. @key is XNIC_RSS_KEY_SIZE bytes, enough for the
 * longest tuple (36 bytes for IPv6 with ports).
 */
u32 xnic_toeplitz(const u8 *key, const u8 *data, unsigned int len)
{
	u64 window = get_unaligned_be64(key);	/* key bits [8i, 8i + 64) */
	unsigned int i, next = sizeof(u64);
	u32 hash = 0;
	int b;

	for (i = 0; i < len; i++) {
		for (b = 7; b >= 0; b--) {
			if (data[i] & BIT(b))
				hash ^= upper_32_bits(window);
			window <<= 1;
		}
		/* Refill the 8 bits just shifted out at the bottom. */
		if (next < XNIC_RSS_KEY_SIZE)
			window |= key[next];
		next++;
	}
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
	} else {
		return 0;
	}

	if (l4proto == IPPROTO_TCP || l4proto == IPPROTO_UDP) {
		const void *ports = xnic_pkt_header(pkt, l4off, 4, tuple + alen);

		if (ports) {
			if (ports != tuple + alen)
				memcpy(tuple + alen, ports, 4);
			*flags = XNIC_DESC_RSS_L4;
			return alen + 4;
		}
	}
	*flags = XNIC_DESC_RSS_L3;
	return alen;
}

u32 xnic_rss_hash(const struct xnic_rss *rss, const struct xnic_pkt *pkt,
		  u32 *desc_flags)
{
	u8 tuple[2 * sizeof(struct in6_addr) + 4];
	unsigned int len;

	*desc_flags = 0;
	len = xnic_rss_tuple(pkt, tuple, desc_flags);
	if (!len)
		return 0;
	return xnic_toeplitz(rss->key, tuple, len);
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

struct xnic_rss *xnic_rss_alloc_default(u32 channels)
{
	struct xnic_rss *rss = kzalloc(sizeof(*rss), GFP_KERNEL);

	if (!rss)
		return NULL;
	netdev_rss_key_fill(rss->key, sizeof(rss->key));
	xnic_rss_fill_indir(rss, channels);
	return rss;
}
EXPORT_SYMBOL_IF_KUNIT(xnic_rss_alloc_default);
