// SPDX-License-Identifier: GPL-2.0
/*
 * Per-queue statistics for the netdev netlink family (`ynl --family
 * netdev --dump qstats-get`, 6.9+): the same counters ethtool -S names
 * rx_queue_N_* and tx_queue_N_*, so both tools agree. Counters live in the
 * private area and survive `ethtool -L`: queues beyond the current count
 * are reported as the device's base, so the queues plus the base always
 * add up to ip -s link.
 *
 * Built only where kmod/Kbuild finds struct netdev_stat_ops.
 */
#include "xnic.h"

static void xnic_qstats_rx(const struct xnic_queue_stats *s,
			   struct netdev_queue_stats_rx *rx)
{
	rx->packets = s->rx.packets;
	rx->bytes = s->rx.bytes;
	rx->alloc_fail = s->rx.refill_fail;
	/* Dropped by the device before the ring: no buffer, too long. */
	rx->hw_drops = s->dma.missed + s->dma.oversize;
	rx->hw_drop_overruns = s->dma.missed;
	rx->csum_unnecessary = s->rx.csum_unnecessary;
	rx->csum_none = s->rx.csum_none;
	rx->hw_gro_packets = s->rx.gro_hw;
}

static void xnic_qstats_tx(const struct xnic_queue_stats *s,
			   struct netdev_queue_stats_tx *tx)
{
	tx->packets = s->tx.packets;
	tx->bytes = s->tx.bytes;
	tx->hw_drops = s->tx.dropped + s->tx.fault_drops;
	tx->hw_gso_packets = s->tx.tso;
	tx->wake = s->txc.wakes;
}

static void xnic_get_queue_stats_rx(struct net_device *dev, int idx,
				    struct netdev_queue_stats_rx *rx)
{
	struct xnic_queue_stats s;

	xnic_get_queue_stats(netdev_priv(dev), idx, &s);
	xnic_qstats_rx(&s, rx);
}

static void xnic_get_queue_stats_tx(struct net_device *dev, int idx,
				    struct netdev_queue_stats_tx *tx)
{
	struct xnic_queue_stats s;

	xnic_get_queue_stats(netdev_priv(dev), idx, &s);
	xnic_qstats_tx(&s, tx);
}

/*
 * Add the fields a queue reports to @sum; fields left at all ones are
 * "not reported", as the core treats them.
 */
static void xnic_qstats_add(u64 *sum, const u64 *add, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (add[i] == U64_MAX)
			continue;
		if (sum[i] == U64_MAX)
			sum[i] = 0;
		sum[i] += add[i];
	}
}

/*
 * The queues ethtool -L took away: their counts are the device's base.
 * The core hands both structures in filled with all ones.
 */
static void xnic_get_base_stats(struct net_device *dev,
				struct netdev_queue_stats_rx *rx,
				struct netdev_queue_stats_tx *tx)
{
	struct netdev_queue_stats_rx qrx;
	struct netdev_queue_stats_tx qtx;
	struct xnic_queue_stats s;
	u32 i;

	/* Zero even with no queue gone, so the base is reported. */
	memset(&s, 0, sizeof(s));
	xnic_qstats_rx(&s, rx);
	xnic_qstats_tx(&s, tx);
	for (i = dev->real_num_rx_queues; i < XNIC_MAX_QUEUES; i++) {
		xnic_get_queue_stats(netdev_priv(dev), i, &s);
		memset(&qrx, 0xff, sizeof(qrx));
		memset(&qtx, 0xff, sizeof(qtx));
		xnic_qstats_rx(&s, &qrx);
		xnic_qstats_tx(&s, &qtx);
		xnic_qstats_add((u64 *)rx, (const u64 *)&qrx,
				sizeof(qrx) / sizeof(u64));
		xnic_qstats_add((u64 *)tx, (const u64 *)&qtx,
				sizeof(qtx) / sizeof(u64));
	}
}

const struct netdev_stat_ops xnic_stat_ops = {
	.get_queue_stats_rx	= xnic_get_queue_stats_rx,
	.get_queue_stats_tx	= xnic_get_queue_stats_tx,
	.get_base_stats		= xnic_get_base_stats,
};
