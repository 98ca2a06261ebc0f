// SPDX-License-Identifier: GPL-2.0
/*
 * ethtool: per-queue statistics (-S), rings (-g/-G), channels (-l/-L),
 * interrupt coalescing (-c/-C), RSS key and indirection table (-x/-X) and
 * driver info (-i; bus-info names the debugfs directory).
 */
#include <linux/ethtool.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "xnic.h"

struct xnic_stat_desc {
	const char *name;
	size_t offset;
};

#define XNIC_STAT_NAMED(name, group, field) \
	{ name, offsetof(struct xnic_queue_stats, group.field) }
#define XNIC_STAT(group, field) XNIC_STAT_NAMED(#field, group, field)

static const struct xnic_stat_desc xnic_rx_stats_desc[] = {
	XNIC_STAT(rx, packets),
	XNIC_STAT(rx, bytes),
	XNIC_STAT(rx, frags),
	XNIC_STAT(rx, csum_unnecessary),
	XNIC_STAT(rx, csum_none),
	XNIC_STAT(rx, polls),
	XNIC_STAT(rx, build_skb_fail),
	XNIC_STAT(rx, refill_fail),
	XNIC_STAT(rx, refill_injected),
	XNIC_STAT(rx, xdp_packets),
	XNIC_STAT(rx, xdp_bytes),
	XNIC_STAT(rx, xdp_pass),
	XNIC_STAT(rx, xdp_drop),
	XNIC_STAT(rx, xdp_tx),
	XNIC_STAT(rx, xdp_tx_errors),
	XNIC_STAT(rx, xdp_redirect),
	XNIC_STAT(rx, xdp_redirect_errors),
	XNIC_STAT(rx, xdp_aborted),
	XNIC_STAT(rx, gro_hw),
	XNIC_STAT(rx, gro_hw_drops),
	XNIC_STAT(rx, vlan_stripped),
	XNIC_STAT_NAMED("dma_frames", dma, frames),
	XNIC_STAT_NAMED("dma_bytes", dma, bytes),
	XNIC_STAT(dma, missed),
	XNIC_STAT_NAMED("oversize", dma, oversize),
};

static const struct xnic_stat_desc xnic_tx_stats_desc[] = {
	XNIC_STAT(tx, packets),
	XNIC_STAT(tx, bytes),
	XNIC_STAT(tx, doorbells),
	XNIC_STAT(tx, csum_offload),
	XNIC_STAT(tx, ring_full),
	XNIC_STAT(tx, dropped),
	XNIC_STAT(tx, fault_drops),
	XNIC_STAT(tx, resets),
	XNIC_STAT(tx, xdp_xmit),
	XNIC_STAT(tx, xdp_xmit_errors),
	XNIC_STAT(tx, tso),
	XNIC_STAT(tx, tso_segments),
	XNIC_STAT(txc, completions),
	XNIC_STAT(txc, wakes),
};

/* The irq group is atomic64_t, read with atomic64_read. */
static const struct xnic_stat_desc xnic_irq_stats_desc[] = {
	XNIC_STAT(irq, raised),
	XNIC_STAT(irq, fired),
	XNIC_STAT(irq, masked),
	XNIC_STAT(irq, coalesced),
	XNIC_STAT(irq, suppressed),
	XNIC_STAT(irq, recovered),
	XNIC_STAT(irq, refill_kicks),
	XNIC_STAT(irq, cpu_offline),
};

#define XNIC_RX_NSTATS ARRAY_SIZE(xnic_rx_stats_desc)
#define XNIC_TX_NSTATS ARRAY_SIZE(xnic_tx_stats_desc)
#define XNIC_IRQ_NSTATS ARRAY_SIZE(xnic_irq_stats_desc)
#define XNIC_Q_NSTATS (XNIC_RX_NSTATS + XNIC_TX_NSTATS + XNIC_IRQ_NSTATS)

/* A consistent snapshot of one queue's counters. */
void xnic_get_queue_stats(struct xnic_priv *priv, u32 qid,
			  struct xnic_queue_stats *out)
{
	const struct xnic_queue_stats *s = &priv->stats[qid];
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&s->rx.syncp);
		out->rx = s->rx;
	} while (u64_stats_fetch_retry(&s->rx.syncp, start));
	do {
		start = u64_stats_fetch_begin(&s->dma.syncp);
		out->dma = s->dma;
	} while (u64_stats_fetch_retry(&s->dma.syncp, start));
	do {
		start = u64_stats_fetch_begin(&s->tx.syncp);
		out->tx = s->tx;
	} while (u64_stats_fetch_retry(&s->tx.syncp, start));
	do {
		start = u64_stats_fetch_begin(&s->txc.syncp);
		out->txc = s->txc;
	} while (u64_stats_fetch_retry(&s->txc.syncp, start));
	atomic64_set(&out->irq.raised, atomic64_read(&s->irq.raised));
	atomic64_set(&out->irq.fired, atomic64_read(&s->irq.fired));
	atomic64_set(&out->irq.masked, atomic64_read(&s->irq.masked));
	atomic64_set(&out->irq.coalesced, atomic64_read(&s->irq.coalesced));
	atomic64_set(&out->irq.suppressed, atomic64_read(&s->irq.suppressed));
	atomic64_set(&out->irq.recovered, atomic64_read(&s->irq.recovered));
	atomic64_set(&out->irq.refill_kicks,
		     atomic64_read(&s->irq.refill_kicks));
	atomic64_set(&out->irq.cpu_offline,
		     atomic64_read(&s->irq.cpu_offline));
}
EXPORT_SYMBOL_IF_KUNIT(xnic_get_queue_stats);

static int xnic_get_sset_count(struct net_device *dev, int sset)
{
	struct xnic_priv *priv = netdev_priv(dev);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return priv->num_channels * XNIC_Q_NSTATS +
	       page_pool_ethtool_stats_get_count();
}

static void xnic_get_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	struct xnic_priv *priv = netdev_priv(dev);
	u32 q, i;

	if (sset != ETH_SS_STATS)
		return;
	for (q = 0; q < priv->num_channels; q++) {
		for (i = 0; i < XNIC_RX_NSTATS; i++)
			ethtool_sprintf(&buf, "rx_queue_%u_%s", q,
					xnic_rx_stats_desc[i].name);
		for (i = 0; i < XNIC_TX_NSTATS; i++)
			ethtool_sprintf(&buf, "tx_queue_%u_%s", q,
					xnic_tx_stats_desc[i].name);
		for (i = 0; i < XNIC_IRQ_NSTATS; i++)
			ethtool_sprintf(&buf, "irq_%u_%s", q,
					xnic_irq_stats_desc[i].name);
	}
	page_pool_ethtool_stats_get_strings(buf);
}

/*
 * page_pool recycling, summed over the RX queues' pools, where the kernel
 * keeps the counters (CONFIG_PAGE_POOL_STATS; not in Debian's 6.1).
 */
static u64 *xnic_get_page_pool_stats(struct xnic_priv *priv, u64 *data)
{
#ifdef CONFIG_PAGE_POOL_STATS
	struct xnic_channels *chans = rtnl_dereference(priv->chans);
	struct page_pool_stats pps = {};
	u32 q;

	for (q = 0; chans && q < chans->num; q++)
		page_pool_get_stats(chans->q[q].rx.pp, &pps);
	return page_pool_ethtool_stats_get(data, &pps);
#else
	return data;
#endif
}

static void xnic_get_ethtool_stats(struct net_device *dev,
				   struct ethtool_stats *stats, u64 *data)
{
	struct xnic_priv *priv = netdev_priv(dev);
	struct xnic_queue_stats s;
	const u8 *base = (const u8 *)&s;
	u32 q, i;

	for (q = 0; q < priv->num_channels; q++) {
		xnic_get_queue_stats(priv, q, &s);
		for (i = 0; i < XNIC_RX_NSTATS; i++)
			*data++ = *(const u64 *)(base +
						 xnic_rx_stats_desc[i].offset);
		for (i = 0; i < XNIC_TX_NSTATS; i++)
			*data++ = *(const u64 *)(base +
						 xnic_tx_stats_desc[i].offset);
		for (i = 0; i < XNIC_IRQ_NSTATS; i++)
			*data++ = atomic64_read((const atomic64_t *)(base +
						xnic_irq_stats_desc[i].offset));
	}
	xnic_get_page_pool_stats(priv, data);
}

static void xnic_get_drvinfo(struct net_device *dev,
			     struct ethtool_drvinfo *info)
{
	struct xnic_priv *priv = netdev_priv(dev);

	strscpy(info->driver, XNIC_DRV_NAME, sizeof(info->driver));
	strscpy(info->version, XNIC_DRV_VERSION, sizeof(info->version));
	snprintf(info->bus_info, sizeof(info->bus_info), "xnic-%u", priv->id);
}

static void xnic_get_ringparam(struct net_device *dev,
			       struct ethtool_ringparam *ring,
			       struct kernel_ethtool_ringparam *kring,
			       struct netlink_ext_ack *extack)
{
	struct xnic_priv *priv = netdev_priv(dev);

	ring->rx_max_pending = XNIC_MAX_RING_SIZE;
	ring->tx_max_pending = XNIC_MAX_RING_SIZE;
	ring->rx_pending = priv->rx_ring_size;
	ring->tx_pending = priv->tx_ring_size;
}

static int xnic_set_ringparam(struct net_device *dev,
			      struct ethtool_ringparam *ring,
			      struct kernel_ethtool_ringparam *kring,
			      struct netlink_ext_ack *extack)
{
	struct xnic_priv *priv = netdev_priv(dev);

	if (!xnic_is_valid_ring_size(ring->rx_pending) ||
	    !xnic_is_valid_ring_size(ring->tx_pending)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ring sizes must be powers of two in 64..4096");
		return -EINVAL;
	}
	if (ring->rx_pending == priv->rx_ring_size &&
	    ring->tx_pending == priv->tx_ring_size)
		return 0;
	return xnic_reconfigure(priv, priv->num_channels, ring->rx_pending,
				ring->tx_pending, extack);
}

static void xnic_get_channels(struct net_device *dev,
			      struct ethtool_channels *ch)
{
	struct xnic_priv *priv = netdev_priv(dev);

	ch->max_combined = min3(dev->num_tx_queues, dev->num_rx_queues,
				(unsigned int)XNIC_MAX_QUEUES);
	ch->combined_count = priv->num_channels;
}

/* A table the user never set follows the channel count, as on a NIC. */
static int xnic_rss_follow_channels(struct xnic_priv *priv, u32 channels)
{
	struct xnic_rss *old = rtnl_dereference(priv->rss), *rss;

	if (netif_is_rxfh_configured(priv->dev))
		return 0;
	rss = xnic_rss_dup(old);
	if (!rss)
		return -ENOMEM;
	xnic_rss_fill_indir(rss, channels);
	rcu_assign_pointer(priv->rss, rss);
	kvfree_rcu(old, rcu);
	return 0;
}

static int xnic_set_channels(struct net_device *dev,
			     struct ethtool_channels *ch)
{
	struct xnic_priv *priv = netdev_priv(dev);
	int err;

	/* The core has checked combined_count against max_combined. */
	if (!ch->combined_count || ch->rx_count || ch->tx_count)
		return -EINVAL;
	if (ch->combined_count == priv->num_channels)
		return 0;
	err = xnic_reconfigure(priv, ch->combined_count, priv->rx_ring_size,
			       priv->tx_ring_size, NULL);
	if (err)
		return err;
	return xnic_rss_follow_channels(priv, ch->combined_count);
}

static int xnic_get_coalesce(struct net_device *dev,
			     struct ethtool_coalesce *ec,
			     struct kernel_ethtool_coalesce *kec,
			     struct netlink_ext_ack *extack)
{
	struct xnic_priv *priv = netdev_priv(dev);

	ec->rx_coalesce_usecs = priv->coal.rx_usecs;
	ec->rx_max_coalesced_frames = priv->coal.rx_frames;
	ec->tx_coalesce_usecs = priv->coal.tx_usecs;
	return 0;
}

static int xnic_set_coalesce(struct net_device *dev,
			     struct ethtool_coalesce *ec,
			     struct kernel_ethtool_coalesce *kec,
			     struct netlink_ext_ack *extack)
{
	struct xnic_priv *priv = netdev_priv(dev);

	if (ec->rx_coalesce_usecs > XNIC_MAX_COAL_USECS ||
	    ec->tx_coalesce_usecs > XNIC_MAX_COAL_USECS) {
		NL_SET_ERR_MSG_MOD(extack, "coalescing delay above 100000 usecs");
		return -ERANGE;
	}
	if (ec->rx_max_coalesced_frames > XNIC_MAX_COAL_FRAMES) {
		NL_SET_ERR_MSG_MOD(extack, "rx-frames above 4096");
		return -ERANGE;
	}
	/* Read without locks by the DMA engine; takes effect at once. */
	WRITE_ONCE(priv->coal.rx_usecs, ec->rx_coalesce_usecs);
	WRITE_ONCE(priv->coal.rx_frames, ec->rx_max_coalesced_frames);
	WRITE_ONCE(priv->coal.tx_usecs, ec->tx_coalesce_usecs);
	return 0;
}

static int xnic_get_rxnfc(struct net_device *dev, struct ethtool_rxnfc *info,
			  u32 *rule_locs)
{
	struct xnic_priv *priv = netdev_priv(dev);

	if (info->cmd != ETHTOOL_GRXRINGS)
		return -EOPNOTSUPP;
	info->data = priv->num_channels;
	return 0;
}

static u32 xnic_get_rxfh_key_size(struct net_device *dev)
{
	return XNIC_RSS_KEY_SIZE;
}

static u32 xnic_get_rxfh_indir_size(struct net_device *dev)
{
	return XNIC_RSS_INDIR_SIZE;
}

int xnic_rxfh_get(struct net_device *dev, u32 *indir, u8 *key, u8 *hfunc)
{
	struct xnic_priv *priv = netdev_priv(dev);
	struct xnic_rss *rss = rtnl_dereference(priv->rss);

	if (hfunc)
		*hfunc = ETH_RSS_HASH_TOP;
	if (indir)
		memcpy(indir, rss->indir, sizeof(rss->indir));
	if (key)
		memcpy(key, rss->key, sizeof(rss->key));
	return 0;
}

int xnic_rxfh_set(struct net_device *dev, const u32 *indir, const u8 *key,
		  u8 hfunc)
{
	struct xnic_priv *priv = netdev_priv(dev);
	struct xnic_rss *old = rtnl_dereference(priv->rss), *rss;

	if (hfunc != ETH_RSS_HASH_NO_CHANGE && hfunc != ETH_RSS_HASH_TOP)
		return -EOPNOTSUPP;
	rss = xnic_rss_dup(old);
	if (!rss)
		return -ENOMEM;
	/* The core has checked every entry against the channel count. */
	if (indir)
		memcpy(rss->indir, indir, sizeof(rss->indir));
	if (key)
		xnic_rss_set_key(rss, key);
	/* The peer's DMA engine switches tables between two frames. */
	rcu_assign_pointer(priv->rss, rss);
	kvfree_rcu(old, rcu);
	return 0;
}

const struct ethtool_ops xnic_ethtool_ops = {
	.supported_coalesce_params = ETHTOOL_COALESCE_RX_USECS |
				     ETHTOOL_COALESCE_RX_MAX_FRAMES |
				     ETHTOOL_COALESCE_TX_USECS,
	.get_drvinfo		= xnic_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_sset_count		= xnic_get_sset_count,
	.get_strings		= xnic_get_strings,
	.get_ethtool_stats	= xnic_get_ethtool_stats,
	.get_ringparam		= xnic_get_ringparam,
	.set_ringparam		= xnic_set_ringparam,
	.get_channels		= xnic_get_channels,
	.set_channels		= xnic_set_channels,
	.get_coalesce		= xnic_get_coalesce,
	.set_coalesce		= xnic_set_coalesce,
	.get_rxnfc		= xnic_get_rxnfc,
	.get_rxfh_key_size	= xnic_get_rxfh_key_size,
	.get_rxfh_indir_size	= xnic_get_rxfh_indir_size,
	.get_rxfh		= xnic_ethtool_get_rxfh,
	.set_rxfh		= xnic_ethtool_set_rxfh,
	.get_ts_info		= xnic_get_ts_info,
};
