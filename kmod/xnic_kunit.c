// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for xnic's internals:
 *   xnic_ring - index arithmetic across the 2^32 wrap, descriptor handoff;
 *   xnic_rss  - Toeplitz against the Microsoft RSS verification vectors
 *               and, by table, against its bit-at-a-time definition;
 *               the tuple the DMA engine extracts from frames;
 *   xnic_pair - a real in-kernel pair: frames go through xmit, the DMA
 *               engine, the interrupt and NAPI, and come out of the peer.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/ethtool.h>
#include <linux/in6.h>
#include <linux/inet.h>
#include <linux/kthread.h>
#include <linux/ip.h>
#include <net/ip.h>
#include <linux/ipv6.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/sch_generic.h>

#include "xnic.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* ---- xnic_ring ---------------------------------------------------- */

static void xnic_ring_wrap_test(struct kunit *test)
{
	u32 tail = U32_MAX - 2, clean = U32_MAX - 5;

	KUNIT_EXPECT_EQ(test, xnic_ring_used(tail, clean), 3U);
	KUNIT_EXPECT_EQ(test, xnic_ring_free(64, tail, clean), 61U);
	/* Producer crosses the wrap: still 10 in flight. */
	tail = 4;
	clean = U32_MAX - 5;
	KUNIT_EXPECT_EQ(test, xnic_ring_used(tail, clean), 10U);
	KUNIT_EXPECT_EQ(test, xnic_ring_free(64, tail, clean), 54U);
	KUNIT_EXPECT_EQ(test, xnic_ring_slot(U32_MAX, 63), 63U);
	KUNIT_EXPECT_EQ(test, xnic_ring_slot(U32_MAX + 1U, 63), 0U);
	/* Full ring: tail exactly one size ahead. */
	KUNIT_EXPECT_EQ(test, xnic_ring_free(64, clean + 64, clean), 0U);
}

static void xnic_ring_size_test(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xnic_is_valid_ring_size(64));
	KUNIT_EXPECT_TRUE(test, xnic_is_valid_ring_size(4096));
	KUNIT_EXPECT_FALSE(test, xnic_is_valid_ring_size(32));
	KUNIT_EXPECT_FALSE(test, xnic_is_valid_ring_size(8192));
	KUNIT_EXPECT_FALSE(test, xnic_is_valid_ring_size(100));
	KUNIT_EXPECT_FALSE(test, xnic_is_valid_ring_size(0));
}

static void xnic_desc_handoff_test(struct kunit *test)
{
	struct xnic_rx_desc d = { .status = 0 };
	u32 bits;

	/* Posted buffer: device owns it, driver must not see it done. */
	KUNIT_EXPECT_FALSE(test, xnic_desc_done(&d.status, &bits));
	d.len = 60;
	xnic_desc_publish(&d.status, XNIC_DESC_EOP | XNIC_DESC_RSS_L4);
	KUNIT_EXPECT_TRUE(test, xnic_desc_done(&d.status, &bits));
	KUNIT_EXPECT_EQ(test, bits, XNIC_DESC_DD | XNIC_DESC_EOP |
			XNIC_DESC_RSS_L4);
	/* Refill clears the status: ownership goes back to the device. */
	d.status = 0;
	KUNIT_EXPECT_FALSE(test, xnic_desc_done(&d.status, &bits));
}

static struct kunit_case xnic_ring_cases[] = {
	KUNIT_CASE(xnic_ring_wrap_test),
	KUNIT_CASE(xnic_ring_size_test),
	KUNIT_CASE(xnic_desc_handoff_test),
	{}
};

static struct kunit_suite xnic_ring_suite = {
	.name = "xnic_ring",
	.test_cases = xnic_ring_cases,
};

/* ---- xnic_rss ----------------------------------------------------- */

/* The key of Microsoft's "Verifying the RSS Hash Calculation". */
static const u8 xnic_ms_key[XNIC_RSS_KEY_SIZE] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
	0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
	0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
	0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

struct xnic_rss_vector {
	const char *src, *dst;
	u16 sport, dport;
	u32 hash_l3, hash_l4;
};

static const struct xnic_rss_vector xnic_ms_v4[] = {
	{ "66.9.149.187", "161.142.100.80", 2794, 1766, 0x323e8fc2, 0x51ccc178 },
	{ "199.92.111.2", "65.69.140.83", 14230, 4739, 0xd718262a, 0xc626b0ea },
	{ "24.19.198.95", "12.22.207.184", 12898, 38024, 0xd2d0a5de, 0x5c2b394a },
	{ "38.27.205.30", "209.142.163.6", 48228, 2217, 0x82989176, 0xafc7327f },
	{ "153.39.163.191", "202.188.127.2", 44251, 1303, 0x5d1809c5, 0x10e828a2 },
};

static const struct xnic_rss_vector xnic_ms_v6[] = {
	{ "3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 2794, 1766,
	  0x2cc18cd5, 0x40207d3d },
	{ "3ffe:501:8::260:97ff:fe40:efab", "ff02::1", 14230, 4739,
	  0x0f0c461c, 0xdde51bbf },
	{ "3ffe:1900:4545:3:200:f8ff:fe21:67cf", "fe80::200:f8ff:fe21:67cf",
	  44251, 38024, 0x4b61e985, 0x02d1feef },
};

/* A table built from @key, freed with the test. */
static struct xnic_rss *xnic_test_rss(struct kunit *test, const u8 *key)
{
	struct xnic_rss *rss = kunit_kzalloc(test, sizeof(*rss), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, rss);
	xnic_rss_set_key(rss, key);
	return rss;
}

static void xnic_rss_v4_vectors_test(struct kunit *test)
{
	struct xnic_rss *rss = xnic_test_rss(test, xnic_ms_key);
	u8 in[12];
	int i;

	for (i = 0; i < ARRAY_SIZE(xnic_ms_v4); i++) {
		const struct xnic_rss_vector *v = &xnic_ms_v4[i];
		__be16 sp = htons(v->sport), dp = htons(v->dport);

		KUNIT_ASSERT_EQ(test, in4_pton(v->src, -1, in, -1, NULL), 1);
		KUNIT_ASSERT_EQ(test, in4_pton(v->dst, -1, in + 4, -1, NULL), 1);
		memcpy(in + 8, &sp, 2);
		memcpy(in + 10, &dp, 2);
		KUNIT_EXPECT_EQ_MSG(test, xnic_toeplitz(rss, in, 8),
				    v->hash_l3, "vector %d", i);
		KUNIT_EXPECT_EQ_MSG(test, xnic_toeplitz(rss, in, 12),
				    v->hash_l4, "vector %d", i);
	}
}

static void xnic_rss_v6_vectors_test(struct kunit *test)
{
	struct xnic_rss *rss = xnic_test_rss(test, xnic_ms_key);
	u8 in[36];
	int i;

	for (i = 0; i < ARRAY_SIZE(xnic_ms_v6); i++) {
		const struct xnic_rss_vector *v = &xnic_ms_v6[i];
		__be16 sp = htons(v->sport), dp = htons(v->dport);

		KUNIT_ASSERT_EQ(test, in6_pton(v->src, -1, in, -1, NULL), 1);
		KUNIT_ASSERT_EQ(test, in6_pton(v->dst, -1, in + 16, -1, NULL), 1);
		memcpy(in + 32, &sp, 2);
		memcpy(in + 34, &dp, 2);
		KUNIT_EXPECT_EQ_MSG(test, xnic_toeplitz(rss, in, 32),
				    v->hash_l3, "vector %d", i);
		KUNIT_EXPECT_EQ_MSG(test, xnic_toeplitz(rss, in, 36),
				    v->hash_l4, "vector %d", i);
	}
}

/* Build an Ethernet frame with an optional VLAN tag and IPv4/UDP inside. */
static struct sk_buff *xnic_test_udp4(struct kunit *test,
				      const struct xnic_rss_vector *v,
				      bool vlan, bool fragment)
{
	unsigned int l2 = ETH_HLEN + (vlan ? VLAN_HLEN : 0);
	struct sk_buff *skb = alloc_skb(l2 + 28 + 16, GFP_KERNEL);
	struct ethhdr *eth;
	struct udphdr *uh;
	struct iphdr *iph;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	eth = skb_put_zero(skb, ETH_HLEN);
	eth_broadcast_addr(eth->h_dest);
	if (vlan) {
		__be16 *tag = skb_put(skb, VLAN_HLEN);

		eth->h_proto = htons(ETH_P_8021Q);
		tag[0] = htons(7);
		tag[1] = htons(ETH_P_IP);
	} else {
		eth->h_proto = htons(ETH_P_IP);
	}
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->protocol = IPPROTO_UDP;
	iph->tot_len = htons(28 + 16);
	if (fragment)
		iph->frag_off = htons(IP_MF);
	in4_pton(v->src, -1, (u8 *)&iph->saddr, -1, NULL);
	in4_pton(v->dst, -1, (u8 *)&iph->daddr, -1, NULL);
	uh = skb_put_zero(skb, sizeof(*uh));
	uh->source = htons(v->sport);
	uh->dest = htons(v->dport);
	skb_put_zero(skb, 16);
	return skb;
}

/*
 * Toeplitz by its definition, a bit at a time: for every set bit j of the
 * input, XOR in key bits [j, j + 32).
 */
static u32 xnic_test_toeplitz_bits(const u8 *key, const u8 *data,
				   unsigned int len)
{
	unsigned int j, k;
	u32 hash = 0;

	for (j = 0; j < len * 8; j++) {
		u32 window = 0;

		if (!(data[j / 8] & BIT(7 - j % 8)))
			continue;
		for (k = j; k < j + 32; k++)
			window = window << 1 |
				 !!(key[k / 8] & BIT(7 - k % 8));
		hash ^= window;
	}
	return hash;
}

/* The table agrees with the definition for random keys and inputs. */
static void xnic_rss_table_test(struct kunit *test)
{
	u8 key[XNIC_RSS_KEY_SIZE], in[XNIC_RSS_TUPLE_MAX];
	struct xnic_rss *rss;
	unsigned int len;
	int round;

	for (round = 0; round < 8; round++) {
		get_random_bytes(key, sizeof(key));
		rss = xnic_test_rss(test, key);
		for (len = 0; len <= XNIC_RSS_TUPLE_MAX; len++) {
			get_random_bytes(in, sizeof(in));
			KUNIT_EXPECT_EQ_MSG(test, xnic_toeplitz(rss, in, len),
					    xnic_test_toeplitz_bits(key, in, len),
					    "round %d, %u bytes", round, len);
		}
		/* All-ones exercises every key bit a tuple can reach. */
		memset(in, 0xff, sizeof(in));
		KUNIT_EXPECT_EQ(test,
				xnic_toeplitz(rss, in, XNIC_RSS_TUPLE_MAX),
				xnic_test_toeplitz_bits(key, in,
							XNIC_RSS_TUPLE_MAX));
	}
}

static void xnic_rss_skb_test(struct kunit *test)
{
	struct xnic_rss *rss = xnic_test_rss(test, xnic_ms_key);
	const struct xnic_rss_vector *v = &xnic_ms_v4[1];
	struct sk_buff *skb;
	u32 flags;

	skb = xnic_test_udp4(test, v, false, false);
	KUNIT_EXPECT_EQ(test, xnic_rss_hash_skb(rss, skb, &flags), v->hash_l4);
	KUNIT_EXPECT_EQ(test, flags, XNIC_DESC_RSS_L4 | XNIC_DESC_RSS_UDP);
	kfree_skb(skb);

	skb = xnic_test_udp4(test, v, true, false);
	KUNIT_EXPECT_EQ(test, xnic_rss_hash_skb(rss, skb, &flags), v->hash_l4);
	kfree_skb(skb);

	/* A fragment has no trustworthy ports: address hash only. */
	skb = xnic_test_udp4(test, v, false, true);
	KUNIT_EXPECT_EQ(test, xnic_rss_hash_skb(rss, skb, &flags), v->hash_l3);
	KUNIT_EXPECT_EQ(test, flags, XNIC_DESC_RSS_L3);
	kfree_skb(skb);

	/* Truncated IP header and non-IP frames hash to 0, no flags. */
	skb = xnic_test_udp4(test, v, false, false);
	skb_trim(skb, ETH_HLEN + 10);
	KUNIT_EXPECT_EQ(test, xnic_rss_hash_skb(rss, skb, &flags), 0U);
	KUNIT_EXPECT_EQ(test, flags, 0U);
	((struct ethhdr *)skb->data)->h_proto = htons(ETH_P_ARP);
	KUNIT_EXPECT_EQ(test, xnic_rss_hash_skb(rss, skb, &flags), 0U);
	kfree_skb(skb);
}

static void xnic_rss_default_indir_test(struct kunit *test)
{
	struct xnic_rss *rss = xnic_rss_alloc_default(3);
	u32 seen[3] = { 0 };
	int i;

	KUNIT_ASSERT_NOT_NULL(test, rss);
	for (i = 0; i < XNIC_RSS_INDIR_SIZE; i++) {
		KUNIT_ASSERT_LT(test, rss->indir[i], 3U);
		seen[rss->indir[i]]++;
	}
	/* Spread evenly: 128 entries over 3 queues is 43/43/42. */
	KUNIT_EXPECT_GE(test, seen[2], 42U);
	KUNIT_EXPECT_LE(test, seen[0], 43U);
	kvfree(rss);
}

static struct kunit_case xnic_rss_cases[] = {
	KUNIT_CASE(xnic_rss_v4_vectors_test),
	KUNIT_CASE(xnic_rss_v6_vectors_test),
	KUNIT_CASE(xnic_rss_table_test),
	KUNIT_CASE(xnic_rss_skb_test),
	KUNIT_CASE(xnic_rss_default_indir_test),
	{}
};

static struct kunit_suite xnic_rss_suite = {
	.name = "xnic_rss",
	.test_cases = xnic_rss_cases,
};

/* ---- xnic_dma: rx-vlan-offload ------------------------------------ */

/*
 * A tagged frame: the tag is found, and the copy the receiver gets, cut
 * into chunks of every size, is the frame without those four bytes.
 */
static void xnic_dma_vlan_strip_test(struct kunit *test)
{
	struct sk_buff *skb = xnic_test_udp4(test, &xnic_ms_v4[0], true, false);
	struct xnic_pkt pkt = { .skb = skb, .len = skb->len };
	u32 len = skb->len - VLAN_HLEN, chunk, off;
	struct xnic_rx_meta meta = { 0 };
	u8 *want, *got;

	want = kunit_kzalloc(test, len, GFP_KERNEL);
	got = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	KUNIT_ASSERT_NOT_NULL(test, got);
	memcpy(want, skb->data, 2 * ETH_ALEN);
	memcpy(want + 2 * ETH_ALEN, skb->data + 2 * ETH_ALEN + VLAN_HLEN,
	       len - 2 * ETH_ALEN);

	xnic_dma_vlan_strip(&pkt, &meta);
	KUNIT_EXPECT_TRUE(test, meta.bits & XNIC_DESC_VLAN);
	KUNIT_EXPECT_EQ(test, meta.vlan_tci, 7);
	for (chunk = 1; chunk <= len; chunk++) {
		memset(got, 0, len);
		for (off = 0; off < len; off += chunk)
			KUNIT_ASSERT_EQ(test, xnic_pkt_copy_rx(&pkt, off, got + off,
							       min(chunk, len - off),
							       VLAN_HLEN), 0);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(got, want, len), 0,
				    "chunk %u", chunk);
	}
	/* Nothing past the frame's end. */
	KUNIT_EXPECT_NE(test, xnic_pkt_copy_rx(&pkt, len - 1, got, 2, VLAN_HLEN),
			0);
	kfree_skb(skb);
}

/* What is not one 802.1Q tag stays in the frame. */
static void xnic_dma_vlan_keep_test(struct kunit *test)
{
	struct sk_buff *skb = xnic_test_udp4(test, &xnic_ms_v4[0], false, false);
	struct xnic_pkt pkt = { .skb = skb, .len = skb->len };
	struct xnic_rx_meta meta = { 0 };

	xnic_dma_vlan_strip(&pkt, &meta);
	KUNIT_EXPECT_EQ(test, meta.bits, 0U);
	kfree_skb(skb);

	skb = xnic_test_udp4(test, &xnic_ms_v4[0], true, false);
	((struct ethhdr *)skb->data)->h_proto = htons(ETH_P_8021AD);
	pkt = (struct xnic_pkt){ .skb = skb, .len = skb->len };
	xnic_dma_vlan_strip(&pkt, &meta);
	KUNIT_EXPECT_EQ(test, meta.bits, 0U);

	/* A tag with nothing after it is no frame to strip. */
	skb_trim(skb, VLAN_ETH_HLEN - 1);
	((struct ethhdr *)skb->data)->h_proto = htons(ETH_P_8021Q);
	pkt = (struct xnic_pkt){ .skb = skb, .len = skb->len };
	xnic_dma_vlan_strip(&pkt, &meta);
	KUNIT_EXPECT_EQ(test, meta.bits, 0U);
	kfree_skb(skb);
}

static struct kunit_case xnic_dma_cases[] = {
	KUNIT_CASE(xnic_dma_vlan_strip_test),
	KUNIT_CASE(xnic_dma_vlan_keep_test),
	{}
};

static struct kunit_suite xnic_dma_suite = {
	.name = "xnic_dma",
	.test_cases = xnic_dma_cases,
};

/* ---- xnic_pair ---------------------------------------------------- */

#define XNIC_TEST_ETHERTYPE	0x88b5	/* IEEE local experimental */
#define XNIC_TEST_RING		64
#define XNIC_TEST_MTU		1000	/* < IPV6_MIN_MTU */
#define XNIC_TEST_CYCLES	16	/* close/open rounds under traffic */

struct xnic_pair_ctx {
	struct net_device *a, *b;
	struct packet_type pt;
	atomic_t received;
	atomic_t bad_payload;
	u32 last_len;
	u32 last_hash;
	u16 last_queue;
};

static int xnic_test_rcv(struct sk_buff *skb, struct net_device *dev,
			 struct packet_type *pt, struct net_device *orig)
{
	struct xnic_pair_ctx *ctx = container_of(pt, struct xnic_pair_ctx, pt);
	u8 buf[64];
	u32 off, i;

	/* Payload byte i is (i & 0xff); check it all, across frags too. */
	for (off = 0; off < skb->len; off += sizeof(buf)) {
		u32 n = min_t(u32, sizeof(buf), skb->len - off);

		if (skb_copy_bits(skb, off, buf, n))
			atomic_inc(&ctx->bad_payload);
		for (i = 0; i < n; i++)
			if (buf[i] != (u8)(off + i + ETH_HLEN))
				atomic_inc(&ctx->bad_payload);
	}
	WRITE_ONCE(ctx->last_len, skb->len + ETH_HLEN);
	WRITE_ONCE(ctx->last_hash, skb->hash);
	WRITE_ONCE(ctx->last_queue, skb_get_rx_queue(skb));
	atomic_inc(&ctx->received);
	kfree_skb(skb);
	return NET_RX_SUCCESS;
}

static bool xnic_link_ready(struct net_device *dev)
{
	return netif_carrier_ok(dev) && !qdisc_tx_is_noop(dev);
}

static int xnic_pair_init(struct kunit *test)
{
	struct xnic_pair_ctx *ctx;
	struct xnic_priv *pa, *pb;
	int err, i;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	rtnl_lock();
	ctx->a = xnic_kunit_create_pair(&init_net, "xnkt%d");
	if (IS_ERR(ctx->a)) {
		rtnl_unlock();
		return PTR_ERR(ctx->a);
	}
	pa = netdev_priv(ctx->a);
	ctx->b = rtnl_dereference(pa->peer);
	pb = netdev_priv(ctx->b);
	/* One small channel each, so exhaustion is easy to reach. */
	err = xnic_reconfigure(pa, 1, XNIC_TEST_RING, XNIC_TEST_RING, NULL);
	if (!err)
		err = xnic_reconfigure(pb, 1, XNIC_TEST_RING, XNIC_TEST_RING,
				       NULL);
	/*
	 * Below IPV6_MIN_MTU the stack keeps IPv6 off the devices: no MLD or
	 * router solicitation frames mix with the ones a test counts.
	 */
	if (!err)
		err = dev_set_mtu(ctx->a, XNIC_TEST_MTU);
	if (!err)
		err = dev_set_mtu(ctx->b, XNIC_TEST_MTU);
	if (!err)
		err = dev_open(ctx->a, NULL);
	if (!err)
		err = dev_open(ctx->b, NULL);
	if (err) {
		xnic_kunit_destroy_pair(ctx->a);
		rtnl_unlock();
		return err;
	}
	rtnl_unlock();

	/*
	 * Carrier on activates the qdisc from the linkwatch work, up to a
	 * second later; until then the noop qdisc refuses every frame.
	 */
	for (i = 0; i < 150 && !(xnic_link_ready(ctx->a) &&
				 xnic_link_ready(ctx->b)); i++)
		msleep(20);
	if (!xnic_link_ready(ctx->a) || !xnic_link_ready(ctx->b)) {
		rtnl_lock();
		xnic_kunit_destroy_pair(ctx->a);
		rtnl_unlock();
		return -ETIMEDOUT;
	}

	ctx->pt.type = htons(XNIC_TEST_ETHERTYPE);
	ctx->pt.dev = ctx->b;
	ctx->pt.func = xnic_test_rcv;
	dev_add_pack(&ctx->pt);
	test->priv = ctx;
	return 0;
}

static void xnic_pair_exit(struct kunit *test)
{
	struct xnic_pair_ctx *ctx = test->priv;

	dev_remove_pack(&ctx->pt);
	rtnl_lock();
	xnic_kunit_destroy_pair(ctx->a);
	rtnl_unlock();
}

/* A test frame from a to b: our ethertype, payload byte i is (i & 0xff). */
static void xnic_test_frame_fill(struct xnic_pair_ctx *ctx, u8 *p, u32 len)
{
	struct ethhdr *eth = (struct ethhdr *)p;
	u32 i;

	for (i = 0; i < len; i++)
		p[i] = i;
	ether_addr_copy(eth->h_dest, ctx->b->dev_addr);
	ether_addr_copy(eth->h_source, ctx->a->dev_addr);
	eth->h_proto = htons(XNIC_TEST_ETHERTYPE);
}

static int xnic_test_send(struct xnic_pair_ctx *ctx, u32 len)
{
	struct sk_buff *skb = alloc_skb(len, GFP_KERNEL);
	u8 *p;

	if (!skb)
		return -ENOMEM;
	p = skb_put(skb, len);
	xnic_test_frame_fill(ctx, p, len);
	skb->dev = ctx->a;
	skb->protocol = htons(XNIC_TEST_ETHERTYPE);
	skb_reset_mac_header(skb);
	return dev_queue_xmit(skb);
}

static bool xnic_wait_received(struct xnic_pair_ctx *ctx, int n)
{
	int i;

	for (i = 0; i < 150 && atomic_read(&ctx->received) < n; i++)
		msleep(20);
	return atomic_read(&ctx->received) == n;
}

static struct xnic_queue_stats xnic_q0_stats(struct net_device *dev)
{
	struct xnic_queue_stats s;

	xnic_get_queue_stats(netdev_priv(dev), 0, &s);
	return s;
}

/* Buffers currently posted or filled on @dev's queue 0. */
static u32 xnic_rx_posted(struct net_device *dev)
{
	struct xnic_priv *priv = netdev_priv(dev);
	struct xnic_channels *chans;
	u32 n = 0;

	rcu_read_lock();
	chans = rcu_dereference(priv->chans);
	if (chans)
		n = xnic_ring_used(READ_ONCE(chans->q[0].rx.tail),
				   READ_ONCE(chans->q[0].rx.next_to_clean));
	rcu_read_unlock();
	return n;
}

/* Wait until @dev's DMA engine has seen @n frames (delivered or missed). */
static void xnic_wait_dma(struct net_device *dev, u64 n)
{
	struct xnic_queue_stats s;
	int i;

	for (i = 0; i < 50; i++) {
		s = xnic_q0_stats(dev);
		if (s.dma.frames + s.dma.missed >= n)
			return;
		msleep(20);
	}
}

static void xnic_pair_deliver_test(struct kunit *test)
{
	struct xnic_pair_ctx *ctx = test->priv;
	struct xnic_queue_stats sa, sb;
	int i;

	for (i = 0; i < 10; i++)
		KUNIT_ASSERT_EQ(test, xnic_test_send(ctx, 100), NET_XMIT_SUCCESS);
	KUNIT_ASSERT_TRUE(test, xnic_wait_received(ctx, 10));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad_payload), 0);
	KUNIT_EXPECT_EQ(test, ctx->last_len, 100U);

	sa = xnic_q0_stats(ctx->a);
	sb = xnic_q0_stats(ctx->b);
	KUNIT_EXPECT_EQ(test, sa.tx.packets, 10ULL);
	KUNIT_EXPECT_EQ(test, sa.tx.bytes, 1000ULL);
	KUNIT_EXPECT_EQ(test, sb.dma.frames, 10ULL);
	KUNIT_EXPECT_EQ(test, sb.rx.packets, 10ULL);
	KUNIT_EXPECT_EQ(test, sb.dma.missed, 0ULL);
	KUNIT_EXPECT_GE(test, atomic64_read(&sb.irq.fired), 1LL);
	KUNIT_EXPECT_GE(test, sb.rx.polls, 1ULL);

	/* Every consumed buffer was replaced: the ring is full again. */
	KUNIT_EXPECT_EQ(test, xnic_rx_posted(ctx->b), (u32)XNIC_TEST_RING);

	/* TX completions are reaped by the sender's NAPI. */
	for (i = 0; i < 50 && xnic_q0_stats(ctx->a).txc.completions < 10; i++)
		msleep(20);
	KUNIT_EXPECT_EQ(test, xnic_q0_stats(ctx->a).txc.completions, 10ULL);
}

static void xnic_pair_jumbo_test(struct kunit *test)
{
	struct xnic_pair_ctx *ctx = test->priv;

	rtnl_lock();
	KUNIT_ASSERT_EQ(test, dev_set_mtu(ctx->a, XNIC_MAX_MTU), 0);
	KUNIT_ASSERT_EQ(test, dev_set_mtu(ctx->b, XNIC_MAX_MTU), 0);
	rtnl_unlock();

	KUNIT_ASSERT_EQ(test, xnic_test_send(ctx, XNIC_MAX_MTU + ETH_HLEN),
			NET_XMIT_SUCCESS);
	KUNIT_ASSERT_TRUE(test, xnic_wait_received(ctx, 1));
	KUNIT_EXPECT_EQ(test, ctx->last_len, (u32)(XNIC_MAX_MTU + ETH_HLEN));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad_payload), 0);
	/* 9014 bytes span three buffers: two of them arrive as frags. */
	KUNIT_EXPECT_EQ(test, xnic_q0_stats(ctx->b).rx.frags,
			(u64)DIV_ROUND_UP(XNIC_MAX_MTU + ETH_HLEN,
					  XNIC_RX_BUF_LEN) - 1);

	/* Above the receiver's MTU the frame is refused and counted. */
	rtnl_lock();
	KUNIT_ASSERT_EQ(test, dev_set_mtu(ctx->b, XNIC_TEST_MTU), 0);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, xnic_test_send(ctx, 4000), NET_XMIT_SUCCESS);
	msleep(50);
	KUNIT_EXPECT_EQ(test, xnic_q0_stats(ctx->b).dma.oversize, 1ULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->received), 1);
}

static void xnic_pair_exhaustion_test(struct kunit *test)
{
	struct xnic_pair_ctx *ctx = test->priv;
	struct xnic_priv *pb = netdev_priv(ctx->b);
	struct xnic_queue_stats sb;
	int i;

	/*
	 * Interrupts lost: nobody drains the ring, posted buffers run out.
	 * The watchdog is paused meanwhile: under emulation the burst can
	 * outlast its period, and it would recover the ring mid-burst.
	 */
	xnic_watchdog_stop(pb);
	WRITE_ONCE(pb->faults.irq_suppress, true);
	for (i = 0; i < XNIC_TEST_RING + 8; i++)
		KUNIT_ASSERT_EQ(test, xnic_test_send(ctx, 80), NET_XMIT_SUCCESS);
	xnic_wait_dma(ctx->b, XNIC_TEST_RING + 8);
	sb = xnic_q0_stats(ctx->b);
	KUNIT_EXPECT_EQ(test, sb.dma.frames, (u64)XNIC_TEST_RING);
	KUNIT_EXPECT_EQ(test, sb.dma.missed, 8ULL);
	KUNIT_EXPECT_GE(test, atomic64_read(&sb.irq.suppressed), 1LL);

	/* The watchdog notices the stuck ring and fires the vector. */
	WRITE_ONCE(pb->faults.irq_suppress, false);
	xnic_watchdog_start(pb);
	KUNIT_EXPECT_TRUE(test, xnic_wait_received(ctx, XNIC_TEST_RING));
	sb = xnic_q0_stats(ctx->b);
	KUNIT_EXPECT_GE(test, atomic64_read(&sb.irq.recovered), 1LL);
	/* And traffic flows normally again. */
	KUNIT_ASSERT_EQ(test, xnic_test_send(ctx, 80), NET_XMIT_SUCCESS);
	KUNIT_EXPECT_TRUE(test, xnic_wait_received(ctx, XNIC_TEST_RING + 1));
}

static void xnic_pair_refill_fault_test(struct kunit *test)
{
	struct xnic_pair_ctx *ctx = test->priv;
	struct xnic_priv *pb = netdev_priv(ctx->b);
	struct xnic_queue_stats sb;
	int i;

	/* Every refill fails for a while: the ring drains, frames are missed. */
	atomic_set(&pb->faults.fail_rx_alloc, 1000000);
	for (i = 0; i < XNIC_TEST_RING + 4; i++) {
		KUNIT_ASSERT_EQ(test, xnic_test_send(ctx, 80), NET_XMIT_SUCCESS);
		if (i % 8 == 7)
			msleep(20);
	}
	xnic_wait_dma(ctx->b, XNIC_TEST_RING + 4);
	KUNIT_EXPECT_TRUE(test, xnic_wait_received(ctx, XNIC_TEST_RING));
	KUNIT_EXPECT_GE(test, xnic_q0_stats(ctx->b).dma.missed, 4ULL);
	KUNIT_EXPECT_GE(test, xnic_q0_stats(ctx->b).rx.refill_fail, 1ULL);

	/* Allocation works again: the watchdog's kick refills the ring. */
	atomic_set(&pb->faults.fail_rx_alloc, 0);
	for (i = 0; i < 50 && xnic_rx_posted(ctx->b) < XNIC_TEST_RING; i++)
		msleep(20);
	KUNIT_EXPECT_EQ(test, xnic_rx_posted(ctx->b), (u32)XNIC_TEST_RING);
	KUNIT_ASSERT_EQ(test, xnic_test_send(ctx, 80), NET_XMIT_SUCCESS);
	KUNIT_EXPECT_TRUE(test, xnic_wait_received(ctx, XNIC_TEST_RING + 1));
	sb = xnic_q0_stats(ctx->b);
	KUNIT_EXPECT_GE(test, atomic64_read(&sb.irq.refill_kicks), 1LL);
}

/* Sends frames from @data (the pair) until stopped; errors are expected. */
static int xnic_test_flood(void *data)
{
	struct xnic_pair_ctx *ctx = data;

	while (!kthread_should_stop()) {
		xnic_test_send(ctx, 80);
		cond_resched();
	}
	return 0;
}

/*
 * Close and reopen each end while frames flow and both vectors target
 * the other CPU: a poll still unmasking, a coalescing timer or an IPI in
 * flight at close must never reach the freed rings (KASAN would report
 * it; on the stock kernel a freed csd hung the VM).
 */
static void xnic_pair_close_under_traffic_test(struct kunit *test)
{
	struct xnic_pair_ctx *ctx = test->priv;
	struct xnic_priv *pa = netdev_priv(ctx->a);
	struct xnic_priv *pb = netdev_priv(ctx->b);
	struct task_struct *flood;
	int i, j, n, flowing = 0;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	WRITE_ONCE(pa->irq_cpu[0], 1);
	WRITE_ONCE(pb->irq_cpu[0], 1);
	flood = kthread_create(xnic_test_flood, ctx, "xnic-flood");
	KUNIT_ASSERT_FALSE(test, IS_ERR(flood));
	kthread_bind(flood, 0);
	wake_up_process(flood);
	for (i = 0; i < XNIC_TEST_CYCLES; i++) {
		struct net_device *dev = i & 1 ? ctx->a : ctx->b;

		/* Close only while frames are arriving (carrier is async). */
		n = atomic_read(&ctx->received);
		for (j = 0; j < 150 && atomic_read(&ctx->received) == n; j++)
			msleep(20);
		flowing += atomic_read(&ctx->received) != n;
		rtnl_lock();
		dev_close(dev);
		n = dev_open(dev, NULL);
		rtnl_unlock();
		KUNIT_EXPECT_EQ(test, n, 0);
	}
	kthread_stop(flood);
	KUNIT_EXPECT_EQ(test, flowing, XNIC_TEST_CYCLES);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad_payload), 0);

	/* Both ends still work. */
	for (i = 0; i < 150 && !(xnic_link_ready(ctx->a) &&
				 xnic_link_ready(ctx->b)); i++)
		msleep(20);
	n = atomic_read(&ctx->received);
	KUNIT_ASSERT_EQ(test, xnic_test_send(ctx, 80), NET_XMIT_SUCCESS);
	for (i = 0; i < 150 && atomic_read(&ctx->received) == n; i++)
		msleep(20);
	KUNIT_EXPECT_GT(test, atomic_read(&ctx->received), n);
}

#define XNIC_TSO_MSS	400
#define XNIC_TSO_SEGS	3

/* What a TCP/IPv4 receiver on b saw of the TSO test frames. */
struct xnic_tso_rx {
	struct packet_type pt;
	atomic_t frames;
	atomic_t csum_ok;	/* cut frames whose TCP checksum verifies */
	u32 ip_len;		/* of the last frame */
	u32 headlen;		/* its linear part, from the IP header */
	u16 gso_size;
	u16 gso_segs;
	u8 ip_summed;
};

static int xnic_tso_rcv(struct sk_buff *skb, struct net_device *dev,
			struct packet_type *pt, struct net_device *orig)
{
	struct xnic_tso_rx *rx = container_of(pt, struct xnic_tso_rx, pt);
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	u32 len = ntohs(iph->tot_len) - sizeof(*iph);

	/* The stack's ip_rcv shares this skb: read it, change nothing. */
	if (!skb_is_gso(skb) &&
	    !csum_tcpudp_magic(iph->saddr, iph->daddr, len, IPPROTO_TCP,
			       skb_checksum(skb, sizeof(*iph), len, 0)))
		atomic_inc(&rx->csum_ok);
	WRITE_ONCE(rx->ip_len, ntohs(iph->tot_len));
	WRITE_ONCE(rx->headlen, skb_headlen(skb));
	WRITE_ONCE(rx->gso_size, skb_shinfo(skb)->gso_size);
	WRITE_ONCE(rx->gso_segs, skb_shinfo(skb)->gso_segs);
	WRITE_ONCE(rx->ip_summed, skb->ip_summed);
	atomic_inc(&rx->frames);
	kfree_skb(skb);
	return NET_RX_SUCCESS;
}

/*
 * A TSO frame as TCP hands it to a device: XNIC_TSO_SEGS segments of
 * payload, CHECKSUM_PARTIAL over the pseudo-header of the whole length.
 */
static int xnic_test_send_tso(struct xnic_pair_ctx *ctx)
{
	u32 tcp_len = sizeof(struct tcphdr) + XNIC_TSO_MSS * XNIC_TSO_SEGS;
	u32 len = ETH_HLEN + sizeof(struct iphdr) + tcp_len;
	struct sk_buff *skb = alloc_skb(len, GFP_KERNEL);
	struct ethhdr *eth;
	struct iphdr *iph;
	struct tcphdr *th;
	u8 *p;
	u32 i;

	if (!skb)
		return -ENOMEM;
	p = skb_put_zero(skb, len);
	for (i = len - tcp_len + sizeof(*th); i < len; i++)
		p[i] = i;
	eth = (struct ethhdr *)p;
	ether_addr_copy(eth->h_dest, ctx->b->dev_addr);
	ether_addr_copy(eth->h_source, ctx->a->dev_addr);
	eth->h_proto = htons(ETH_P_IP);
	iph = (struct iphdr *)(eth + 1);
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = IPPROTO_TCP;
	iph->frag_off = htons(IP_DF);
	iph->tot_len = htons(sizeof(*iph) + tcp_len);
	iph->saddr = htonl(0xc6120001);	/* 198.18.0.1 */
	iph->daddr = htonl(0xc6120002);
	iph->check = ip_fast_csum(iph, iph->ihl);
	th = (struct tcphdr *)(iph + 1);
	th->source = htons(40000);
	th->dest = htons(80);
	th->seq = htonl(1);
	th->doff = sizeof(*th) / 4;
	th->ack = 1;
	th->window = htons(1000);
	th->check = ~csum_tcpudp_magic(iph->saddr, iph->daddr, tcp_len,
				       IPPROTO_TCP, 0);

	skb_reset_mac_header(skb);
	skb_set_network_header(skb, ETH_HLEN);
	skb_set_transport_header(skb, ETH_HLEN + sizeof(*iph));
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
	skb_shinfo(skb)->gso_size = XNIC_TSO_MSS;
	skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;
	skb_shinfo(skb)->gso_segs = XNIC_TSO_SEGS;
	skb->protocol = htons(ETH_P_IP);
	skb->dev = ctx->a;
	return dev_queue_xmit(skb);
}

/* ethtool -K DEV gro on|off rx-gro-hw on|off, together. */
static void xnic_set_gro(struct net_device *dev, bool on)
{
	rtnl_lock();
	if (on)
		dev->wanted_features |= NETIF_F_GRO | NETIF_F_GRO_HW;
	else
		dev->wanted_features &= ~(NETIF_F_GRO | NETIF_F_GRO_HW);
	netdev_update_features(dev);
	rtnl_unlock();
}

static bool xnic_tso_wait(struct xnic_tso_rx *rx, int n)
{
	int i;

	for (i = 0; i < 150 && atomic_read(&rx->frames) < n; i++)
		msleep(20);
	return atomic_read(&rx->frames) == n;
}

/*
 * TSO: whole into a receiver with rx-gro-hw, described as GRO would;
 * cut into checksummed wire frames for one without.
 */
static void xnic_pair_tso_test(struct kunit *test)
{
	struct xnic_pair_ctx *ctx = test->priv;
	u32 seg_len = sizeof(struct iphdr) + sizeof(struct tcphdr) +
		      XNIC_TSO_MSS;
	struct xnic_tso_rx *rx;
	struct xnic_queue_stats sa, sb;

	rx = kunit_kzalloc(test, sizeof(*rx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rx);
	KUNIT_ASSERT_TRUE(test, ctx->a->features & NETIF_F_TSO);
	KUNIT_ASSERT_TRUE(test, ctx->b->features & NETIF_F_GRO_HW);
	rx->pt.type = htons(ETH_P_IP);
	rx->pt.dev = ctx->b;
	rx->pt.func = xnic_tso_rcv;
	dev_add_pack(&rx->pt);

	KUNIT_EXPECT_EQ(test, xnic_test_send_tso(ctx), NET_XMIT_SUCCESS);
	KUNIT_EXPECT_TRUE(test, xnic_tso_wait(rx, 1));
	KUNIT_EXPECT_EQ(test, rx->ip_len, seg_len + (XNIC_TSO_SEGS - 1) *
			XNIC_TSO_MSS);
	KUNIT_EXPECT_EQ(test, rx->gso_size, XNIC_TSO_MSS);
	KUNIT_EXPECT_EQ(test, rx->gso_segs, XNIC_TSO_SEGS);
	KUNIT_EXPECT_EQ(test, rx->ip_summed, CHECKSUM_PARTIAL);
	/* Headers only: skb_segment() BUG()s on GRO chains with more. */
	KUNIT_EXPECT_LE(test, rx->headlen, (u32)XNIC_TSO_MSS);
	sa = xnic_q0_stats(ctx->a);
	sb = xnic_q0_stats(ctx->b);
	KUNIT_EXPECT_EQ(test, sa.tx.tso, 1ULL);
	KUNIT_EXPECT_EQ(test, sa.tx.tso_segments, 0ULL);
	KUNIT_EXPECT_EQ(test, sb.rx.gro_hw, 1ULL);
	KUNIT_EXPECT_EQ(test, sb.dma.frames, 1ULL);

	/* Software GRO off too, or it would merge the cut frames again. */
	xnic_set_gro(ctx->b, false);
	KUNIT_EXPECT_FALSE(test, ctx->b->features & NETIF_F_GRO_HW);
	KUNIT_EXPECT_EQ(test, xnic_test_send_tso(ctx), NET_XMIT_SUCCESS);
	KUNIT_EXPECT_TRUE(test, xnic_tso_wait(rx, 1 + XNIC_TSO_SEGS));
	KUNIT_EXPECT_EQ(test, atomic_read(&rx->csum_ok), XNIC_TSO_SEGS);
	KUNIT_EXPECT_EQ(test, rx->ip_len, seg_len);
	KUNIT_EXPECT_EQ(test, rx->gso_size, 0);
	sa = xnic_q0_stats(ctx->a);
	sb = xnic_q0_stats(ctx->b);
	KUNIT_EXPECT_EQ(test, sa.tx.tso, 2ULL);
	KUNIT_EXPECT_EQ(test, sa.tx.tso_segments, (u64)XNIC_TSO_SEGS);
	KUNIT_EXPECT_EQ(test, sb.rx.gro_hw, 1ULL);
	KUNIT_EXPECT_EQ(test, sb.dma.frames, 1ULL + XNIC_TSO_SEGS);

	xnic_set_gro(ctx->b, true);
	KUNIT_EXPECT_TRUE(test, ctx->b->features & NETIF_F_GRO_HW);
	dev_remove_pack(&rx->pt);
}

/* ethtool -S carries the page_pool counters where the kernel keeps them. */
static void xnic_pair_page_pool_stats_test(struct kunit *test)
{
	struct xnic_pair_ctx *ctx = test->priv;
	const struct ethtool_ops *ops = ctx->b->ethtool_ops;
	bool found = false;
	u64 *vals;
	u8 *names;
	int n, i;

	if (!IS_ENABLED(CONFIG_PAGE_POOL_STATS))
		kunit_skip(test, "kernel without CONFIG_PAGE_POOL_STATS");
	rtnl_lock();
	n = ops->get_sset_count(ctx->b, ETH_SS_STATS);
	names = kunit_kcalloc(test, n, ETH_GSTRING_LEN, GFP_KERNEL);
	vals = kunit_kcalloc(test, n, sizeof(*vals), GFP_KERNEL);
	if (names && vals) {
		ops->get_strings(ctx->b, ETH_SS_STATS, names);
		ops->get_ethtool_stats(ctx->b, NULL, vals);
	}
	rtnl_unlock();
	KUNIT_ASSERT_NOT_NULL(test, names);
	KUNIT_ASSERT_NOT_NULL(test, vals);
	for (i = 0; i < n; i++) {
		if (strcmp(names + i * ETH_GSTRING_LEN, "rx_pp_alloc_slow"))
			continue;
		found = true;
		/* Filling the ring at open went through the slow path. */
		KUNIT_EXPECT_GE(test, vals[i], 1ULL);
	}
	KUNIT_EXPECT_TRUE(test, found);
}

/* Device-wide settings: netpoll off, XDP frags may grow to the buffer. */
static void xnic_pair_setup_test(struct kunit *test)
{
	struct xnic_pair_ctx *ctx = test->priv;
	struct xnic_priv *pb = netdev_priv(ctx->b);
	struct xnic_channels *chans;

	KUNIT_EXPECT_TRUE(test, ctx->a->priv_flags & IFF_DISABLE_NETPOLL);
	rtnl_lock();
	chans = rtnl_dereference(pb->chans);
	if (chans)
		KUNIT_EXPECT_EQ(test, chans->q[0].rx.xdp_rxq.frag_size,
				(u32)(XNIC_RX_HEADROOM + XNIC_RX_BUF_LEN));
	rtnl_unlock();
	KUNIT_EXPECT_NOT_NULL(test, chans);
}

/* A negative fault count means "off", not "fail every allocation". */
static void xnic_pair_refill_fault_negative_test(struct kunit *test)
{
	struct xnic_pair_ctx *ctx = test->priv;
	struct xnic_priv *pb = netdev_priv(ctx->b);
	int i, n = 2 * XNIC_TEST_RING;

	atomic_set(&pb->faults.fail_rx_alloc, -1);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, xnic_test_send(ctx, 80), NET_XMIT_SUCCESS);
		if (i % 8 == 7)
			msleep(20);
	}
	KUNIT_EXPECT_TRUE(test, xnic_wait_received(ctx, n));
	KUNIT_EXPECT_EQ(test, xnic_q0_stats(ctx->b).rx.refill_injected, 0ULL);
	KUNIT_EXPECT_EQ(test, xnic_q0_stats(ctx->b).dma.missed, 0ULL);
	KUNIT_EXPECT_EQ(test, xnic_rx_posted(ctx->b), (u32)XNIC_TEST_RING);
	KUNIT_EXPECT_EQ(test, atomic_read(&pb->faults.fail_rx_alloc), -1);
}

/*
 * CHECKSUM_PARTIAL with its checksum field past the first RX buffer: the
 * device cannot complete it there, refuses the frame and counts it.
 */
static void xnic_pair_csum_oversize_test(struct kunit *test)
{
	struct xnic_pair_ctx *ctx = test->priv;
	u32 len = XNIC_RX_BUF_LEN + 400, start = XNIC_RX_BUF_LEN + 80;
	struct rtnl_link_stats64 st = {};
	struct sk_buff *skb;
	int i, err;

	rtnl_lock();
	err = dev_set_mtu(ctx->a, XNIC_MAX_MTU);
	if (!err)
		err = dev_set_mtu(ctx->b, XNIC_MAX_MTU);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);

	skb = alloc_skb(len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	xnic_test_frame_fill(ctx, skb_put(skb, len), len);
	skb->dev = ctx->a;
	skb->protocol = htons(XNIC_TEST_ETHERTYPE);
	skb_reset_mac_header(skb);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_headroom(skb) + start;
	skb->csum_offset = 0;
	KUNIT_ASSERT_EQ(test, dev_queue_xmit(skb), NET_XMIT_SUCCESS);

	for (i = 0; i < 50 && !xnic_q0_stats(ctx->b).dma.oversize; i++)
		msleep(20);
	/* At this MTU IPv6 is up: its own frames may arrive meanwhile. */
	KUNIT_EXPECT_EQ(test, xnic_q0_stats(ctx->b).dma.oversize, 1ULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->received), 0);
	dev_get_stats(ctx->b, &st);
	KUNIT_EXPECT_EQ(test, st.rx_length_errors, 1ULL);
}

/* An xdp_frame of @len bytes in its own page, with the test's payload. */
static struct xdp_frame *xnic_test_xdp_frame(struct xnic_pair_ctx *ctx,
					     struct xdp_rxq_info *rxq, u32 len)
{
	struct page *page = alloc_page(GFP_KERNEL);
	struct xdp_frame *frame;
	struct xdp_buff xdp;

	if (!page)
		return NULL;
	xnic_test_frame_fill(ctx, page_address(page) + XDP_PACKET_HEADROOM, len);
	xdp_init_buff(&xdp, PAGE_SIZE, rxq);
	xdp_prepare_buff(&xdp, page_address(page), XDP_PACKET_HEADROOM, len,
			 false);
	frame = xdp_convert_buff_to_frame(&xdp);
	if (!frame)
		__free_page(page);
	return frame;
}

/*
 * ndo_xdp_xmit fills the TX ring the stack shares, without stopping the
 * stack's queue: the next skb finds the ring full at entry. The queue
 * stops there and must be woken by the completions of those frames.
 */
static void xnic_pair_tx_full_xdp_test(struct kunit *test)
{
	struct xnic_pair_ctx *ctx = test->priv;
	struct netdev_queue *nq = netdev_get_tx_queue(ctx->a, 0);
	struct xnic_priv *pa = netdev_priv(ctx->a);
	const int nframes = XNIC_TEST_RING + 4;
	struct xdp_rxq_info rxq = {};
	struct xnic_queue_stats s;
	struct xdp_frame **frames;
	struct xnic_channels *chans;
	int i, n, sent, err;

	/*
	 * The receiver takes the whole burst (a full TX ring and the skb)
	 * without a refill in between, or the skb is rightly missed.
	 */
	rtnl_lock();
	err = xnic_reconfigure(netdev_priv(ctx->b), 1, 2 * XNIC_TEST_RING,
			       XNIC_TEST_RING, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, xdp_rxq_info_reg(&rxq, ctx->a, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, xdp_rxq_info_reg_mem_model(&rxq,
							 MEM_TYPE_PAGE_ORDER0,
							 NULL), 0);
	frames = kunit_kcalloc(test, nframes, sizeof(*frames), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, frames);
	for (n = 0; n < nframes; n++) {
		frames[n] = xnic_test_xdp_frame(ctx, &rxq, 80);
		if (!frames[n])
			break;
	}
	KUNIT_ASSERT_EQ(test, n, nframes);

	/* A stalled DMA engine: the frames stay on the ring. */
	xnic_watchdog_stop(pa);
	rtnl_lock();
	chans = rtnl_dereference(pa->chans);
	if (chans)
		WRITE_ONCE(chans->q[0].tx.stalled, true);
	rtnl_unlock();
	KUNIT_ASSERT_NOT_NULL(test, chans);

	local_bh_disable();
	sent = ctx->a->netdev_ops->ndo_xdp_xmit(ctx->a, n, frames,
						XDP_XMIT_FLUSH);
	local_bh_enable();
	for (i = max(sent, 0); i < n; i++)
		xdp_return_frame(frames[i]);
	KUNIT_EXPECT_EQ(test, sent, XNIC_TEST_RING);

	KUNIT_EXPECT_EQ(test, xnic_test_send(ctx, 100), NET_XMIT_SUCCESS);
	KUNIT_EXPECT_TRUE(test, netif_tx_queue_stopped(nq));
	KUNIT_EXPECT_GE(test, xnic_q0_stats(ctx->a).tx.ring_full, 1ULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->received), 0);

	/*
	 * The watchdog resets the engine: frames, then the skb, go out. Two
	 * watchdog periods, two interrupts and a qdisc run: up to 10 s on a
	 * loaded emulated machine.
	 */
	xnic_watchdog_start(pa);
	for (i = 0; i < 500 && atomic_read(&ctx->received) < XNIC_TEST_RING + 1; i++)
		msleep(20);
	s = xnic_q0_stats(ctx->a);
	kunit_info(test, "received %d; sender: resets %llu packets %llu completions %llu wakes %llu ring_full %llu\n",
		   atomic_read(&ctx->received), s.tx.resets, s.tx.packets,
		   s.txc.completions, s.txc.wakes, s.tx.ring_full);
	s = xnic_q0_stats(ctx->b);
	kunit_info(test, "receiver: dma %llu missed %llu rx %llu\n",
		   s.dma.frames, s.dma.missed, s.rx.packets);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->received), XNIC_TEST_RING + 1);
	KUNIT_EXPECT_FALSE(test, netif_tx_queue_stopped(nq));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad_payload), 0);
	xdp_rxq_info_unreg(&rxq);
}

/*
 * The watchdog forcing a vector that is already masked (an IPI may be on
 * its way on the vector's csd) schedules NAPI without a second IPI.
 */
static void xnic_pair_irq_force_test(struct kunit *test)
{
	struct xnic_pair_ctx *ctx = test->priv;
	struct xnic_priv *pb = netdev_priv(ctx->b);
	struct xnic_queue_stats before, after;
	struct xnic_channels *chans;
	struct xnic_queue *q;
	int i;

	xnic_watchdog_stop(pb);
	rtnl_lock();
	chans = rtnl_dereference(pb->chans);
	rtnl_unlock();
	KUNIT_ASSERT_NOT_NULL(test, chans);
	q = &chans->q[0];

	before = xnic_q0_stats(ctx->b);
	set_bit(XNIC_IRQ_MASKED, &q->irq.state);
	xnic_irq_force(q);
	for (i = 0; i < 50 && xnic_q0_stats(ctx->b).rx.polls == before.rx.polls; i++)
		msleep(20);
	after = xnic_q0_stats(ctx->b);
	KUNIT_EXPECT_GT(test, after.rx.polls, before.rx.polls);
	KUNIT_EXPECT_EQ(test, atomic64_read(&after.irq.fired),
			atomic64_read(&before.irq.fired));
	KUNIT_EXPECT_EQ(test, atomic_read(&q->irq.inflight), 0);
	/* The poll completed and unmasked the vector. */
	KUNIT_EXPECT_FALSE(test, test_bit(XNIC_IRQ_MASKED, &q->irq.state));

	/* Unmasked, a forced interrupt fires as it always did. */
	xnic_irq_force(q);
	for (i = 0; i < 50 && test_bit(XNIC_IRQ_MASKED, &q->irq.state); i++)
		msleep(20);
	KUNIT_EXPECT_FALSE(test, test_bit(XNIC_IRQ_MASKED, &q->irq.state));
	xnic_watchdog_start(pb);
}

static struct kunit_case xnic_pair_cases[] = {
	KUNIT_CASE(xnic_pair_deliver_test),
	KUNIT_CASE(xnic_pair_page_pool_stats_test),
	KUNIT_CASE(xnic_pair_jumbo_test),
	KUNIT_CASE(xnic_pair_tso_test),
	KUNIT_CASE(xnic_pair_exhaustion_test),
	KUNIT_CASE(xnic_pair_refill_fault_test),
	KUNIT_CASE(xnic_pair_close_under_traffic_test),
	KUNIT_CASE(xnic_pair_setup_test),
	KUNIT_CASE(xnic_pair_refill_fault_negative_test),
	KUNIT_CASE(xnic_pair_csum_oversize_test),
	KUNIT_CASE(xnic_pair_tx_full_xdp_test),
	KUNIT_CASE(xnic_pair_irq_force_test),
	{}
};

static struct kunit_suite xnic_pair_suite = {
	.name = "xnic_pair",
	.init = xnic_pair_init,
	.exit = xnic_pair_exit,
	.test_cases = xnic_pair_cases,
};

kunit_test_suites(&xnic_ring_suite, &xnic_rss_suite, &xnic_dma_suite,
		  &xnic_pair_suite);

MODULE_DESCRIPTION("KUnit tests for the xnic driver");
MODULE_LICENSE("GPL");
