// SPDX-License-Identifier: GPL-2.0
/*
 * Channel bundle lifetime: rings, page_pools, NAPI and vectors exist only
 * while the device is up. Opening builds a complete bundle and publishes
 * it with one RCU pointer; closing unpublishes it, waits for every reader
 * (the peer's DMA engine, our own xmit) and tears it down. Ring and channel
 * changes are a close and an open under RTNL, as a NIC reset would be.
 */
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "xnic.h"

bool xnic_is_valid_ring_size(u32 size)
{
	return is_power_of_2(size) && size >= XNIC_MIN_RING_SIZE &&
	       size <= XNIC_MAX_RING_SIZE;
}
EXPORT_SYMBOL_IF_KUNIT(xnic_is_valid_ring_size);

static int xnic_rx_ring_alloc(struct xnic_queue *q, u32 size)
{
	struct xnic_priv *priv = q->priv;
	struct page_pool_params pp = {
		.order		= 0,
		.pool_size	= size,
		.nid		= NUMA_NO_NODE,
	};
	struct xnic_rx_ring *rx = &q->rx;
	int err;

	xnic_page_pool_set_owner(&pp, priv->dev, &q->napi);
	/*
	 * Rings and the first buffers are charged to the memcg of whoever
	 * brings the device up: pairs can be made in a user namespace.
	 */
	rx->desc = kvcalloc(size, sizeof(*rx->desc), GFP_KERNEL_ACCOUNT);
	if (!rx->desc)
		return -ENOMEM;
	rx->size = size;
	rx->mask = size - 1;
	spin_lock_init(&rx->dma_lock);

	rx->pp = page_pool_create(&pp);
	if (IS_ERR(rx->pp)) {
		err = PTR_ERR(rx->pp);
		rx->pp = NULL;
		goto err_desc;
	}

	/* frag_size: the room bpf_xdp_adjust_tail() may grow a frag into. */
	err = __xdp_rxq_info_reg(&rx->xdp_rxq, priv->dev, q->index,
				 q->napi.napi_id,
				 XNIC_RX_HEADROOM + XNIC_RX_BUF_LEN);
	if (err)
		goto err_pool;
	err = xdp_rxq_info_reg_mem_model(&rx->xdp_rxq, MEM_TYPE_PAGE_POOL,
					 rx->pp);
	if (err)
		goto err_rxq;
	return 0;

err_rxq:
	xdp_rxq_info_unreg(&rx->xdp_rxq);
err_pool:
	page_pool_destroy(rx->pp);
err_desc:
	kvfree(rx->desc);
	rx->desc = NULL;
	return err;
}

/* Return every posted or filled buffer to the pool, then the pool. */
static void xnic_rx_ring_free(struct xnic_queue *q)
{
	struct xnic_rx_ring *rx = &q->rx;
	u32 i;

	if (!rx->desc)
		return;
	for (i = rx->next_to_clean; i != rx->tail; i++) {
		struct xnic_rx_desc *d = &rx->desc[xnic_ring_slot(i, rx->mask)];

		if (d->page)
			page_pool_put_full_page(rx->pp, d->page, false);
		d->page = NULL;
	}
	/* Unregistering the memory model drops its reference on the pool. */
	xdp_rxq_info_unreg(&rx->xdp_rxq);
	page_pool_destroy(rx->pp);
	kvfree(rx->desc);
	rx->desc = NULL;
}

static int xnic_tx_ring_alloc(struct xnic_queue *q, u32 size)
{
	struct xnic_tx_ring *tx = &q->tx;

	tx->desc = kvcalloc(size, sizeof(*tx->desc), GFP_KERNEL_ACCOUNT);
	if (!tx->desc)
		return -ENOMEM;
	tx->size = size;
	tx->mask = size - 1;
	return 0;
}

/* Frames still on the ring (not DMAed or not reaped) are dropped. */
static void xnic_tx_ring_free(struct xnic_queue *q)
{
	struct xnic_tx_ring *tx = &q->tx;
	u32 i;

	if (!tx->desc)
		return;
	for (i = tx->next_to_clean; i != tx->tail; i++) {
		struct xnic_tx_desc *d = &tx->desc[xnic_ring_slot(i, tx->mask)];

		if (d->type == XNIC_TX_SKB)
			dev_kfree_skb_any(d->skb);
		else
			xdp_return_frame(d->xdpf);
		d->skb = NULL;
	}
	netdev_tx_reset_queue(netdev_get_tx_queue(q->priv->dev, q->index));
	kvfree(tx->desc);
	tx->desc = NULL;
}

static void xnic_queue_free(struct xnic_queue *q)
{
	xnic_tx_ring_free(q);
	xnic_rx_ring_free(q);
	netif_napi_del(&q->napi);
}

static int xnic_queue_alloc(struct xnic_priv *priv, struct xnic_queue *q,
			    u16 index)
{
	int err;

	q->priv = priv;
	q->index = index;
	q->stats = &priv->stats[index];
	netif_napi_add(priv->dev, &q->napi, xnic_poll);
	xnic_irq_init(q);

	err = xnic_rx_ring_alloc(q, priv->rx_ring_size);
	if (err)
		goto err_napi;
	err = xnic_tx_ring_alloc(q, priv->tx_ring_size);
	if (err)
		goto err_rx;

	/* Post a full ring of buffers before the device can see the ring. */
	xnic_rx_refill(q, GFP_KERNEL_ACCOUNT);
	return 0;

err_rx:
	xnic_rx_ring_free(q);
err_napi:
	netif_napi_del(&q->napi);
	return err;
}

int xnic_channels_open(struct xnic_priv *priv)
{
	struct net_device *dev = priv->dev;
	struct xnic_channels *chans;
	u32 i;
	int err;

	ASSERT_RTNL();
	chans = kvzalloc(struct_size(chans, q, priv->num_channels),
			 GFP_KERNEL_ACCOUNT);
	if (!chans)
		return -ENOMEM;
	chans->num = priv->num_channels;

	for (i = 0; i < chans->num; i++) {
		err = xnic_queue_alloc(priv, &chans->q[i], i);
		if (err)
			goto err_queues;
	}
	for (i = 0; i < chans->num; i++) {
		netdev_tx_reset_queue(netdev_get_tx_queue(dev, i));
		napi_enable(&chans->q[i].napi);
		xnic_queue_set_napi(dev, i, &chans->q[i].napi);
	}

	rcu_assign_pointer(priv->chans, chans);
	netif_tx_start_all_queues(dev);
	xnic_watchdog_start(priv);
	return 0;

err_queues:
	while (i--)
		xnic_queue_free(&chans->q[i]);
	kvfree(chans);
	return err;
}

void xnic_channels_close(struct xnic_priv *priv)
{
	struct xnic_channels *chans = rtnl_dereference(priv->chans);
	u32 i;

	if (!chans)
		return;

	/* Stop our xmit and the watchdog before hiding the rings. */
	netif_tx_disable(priv->dev);
	xnic_watchdog_stop(priv);
	RCU_INIT_POINTER(priv->chans, NULL);
	for (i = 0; i < chans->num; i++) {
		xnic_queue_set_napi(priv->dev, i, NULL);
		napi_disable(&chans->q[i].napi);
	}
	/*
	 * One grace period, and no DMA engine (ours or the peer's) can reach
	 * these rings. It also waits out the tail of a poll: napi_disable()
	 * returns once napi_complete_done() ran, but the poll goes on to
	 * unmask and may fire the vector, queueing an IPI at this queue.
	 */
	synchronize_net();

	/* Only now can no timer or IPI be started any more: wait for those. */
	for (i = 0; i < chans->num; i++) {
		struct xnic_queue *q = &chans->q[i];

		xnic_irq_quiesce(q);
		xnic_queue_free(q);
	}
	kvfree(chans);
}

/*
 * Apply new ring sizes or channel count. A running device goes through a
 * close/open cycle; if the new configuration cannot be opened, the old one
 * is restored so the device keeps working.
 */
int xnic_reconfigure(struct xnic_priv *priv, u32 channels, u32 rx_size,
		     u32 tx_size, struct netlink_ext_ack *extack)
{
	u32 old_channels = priv->num_channels;
	u32 old_rx = priv->rx_ring_size, old_tx = priv->tx_ring_size;
	struct net_device *dev = priv->dev;
	bool running = netif_running(dev);
	int err;

	ASSERT_RTNL();
	if (running)
		xnic_channels_close(priv);

	priv->num_channels = channels;
	priv->rx_ring_size = rx_size;
	priv->tx_ring_size = tx_size;
	err = netif_set_real_num_tx_queues(dev, channels);
	if (!err)
		err = netif_set_real_num_rx_queues(dev, channels);
	if (!err && running)
		err = xnic_channels_open(priv);
	if (!err)
		return 0;

	NL_SET_ERR_MSG_MOD(extack, "cannot apply new queues; previous kept");
	priv->num_channels = old_channels;
	priv->rx_ring_size = old_rx;
	priv->tx_ring_size = old_tx;
	netif_set_real_num_tx_queues(dev, old_channels);
	netif_set_real_num_rx_queues(dev, old_channels);
	if (running && xnic_channels_open(priv))
		netdev_err(dev, "cannot restore queues; device stays down\n");
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(xnic_reconfigure);
