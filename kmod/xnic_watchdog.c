// SPDX-License-Identifier: GPL-2.0
/*
 * Hang detection, run every XNIC_WATCHDOG_MS while the device is up. A
 * real driver has this because hardware loses interrupts and wedges; here
 * the debugfs faults cause exactly that, and this recovers it:
 *
 *  - a TX queue whose DMA engine made no progress with descriptors
 *    pending is reset (stall cleared, doorbell rung again);
 *  - a queue whose completed work has waited a whole period with NAPI
 *    not moving lost its interrupt: the vector is fired by hand;
 *  - an RX ring left short of buffers (allocation failed, and with no
 *    buffers no frame arrives to raise an interrupt) gets NAPI scheduled
 *    to refill it.
 *
 * The core's netdev watchdog is not used (no ndo_tx_timeout): in 6.1 it
 * reports a timeout with WARN_ONCE, which is right for real hardware bugs
 * but not for faults injected on purpose.
 */
#include <kunit/visibility.h>

#include "xnic.h"

static void xnic_watchdog_tx(struct xnic_priv *priv, struct xnic_queue *q)
{
	struct netdev_queue *nq = netdev_get_tx_queue(priv->dev, q->index);
	u32 head = READ_ONCE(q->tx.head);
	struct xnic_tx_stats *ts = &q->stats->tx;

	if (head == READ_ONCE(q->tx.tail) || head != q->wd_tx_head) {
		q->wd_tx_head = head;
		return;
	}

	/* Reset the queue's DMA engine the way xmit would run it. */
	local_bh_disable();
	__netif_tx_lock(nq, smp_processor_id());
	WRITE_ONCE(q->tx.stalled, false);
	u64_stats_update_begin(&ts->syncp);
	ts->resets++;
	u64_stats_update_end(&ts->syncp);
	xnic_dma_tx(priv, q);
	__netif_tx_unlock(nq);
	local_bh_enable();
	q->wd_tx_head = READ_ONCE(q->tx.head);
}

static void xnic_watchdog_queue(struct xnic_priv *priv, struct xnic_queue *q)
{
	struct xnic_irq_stats *st = &q->stats->irq;
	u32 rx_ntc = READ_ONCE(q->rx.next_to_clean);
	u32 tx_ntc = READ_ONCE(q->tx.next_to_clean);
	u32 rx_tail = READ_ONCE(q->rx.tail);
	bool idle = rx_ntc == q->wd_rx_clean && tx_ntc == q->wd_tx_clean;
	bool pending = xnic_rx_pending(q) || xnic_tx_pending(q);

	xnic_watchdog_tx(priv, q);

	/*
	 * Lost only if work was already waiting one period ago and NAPI has
	 * not moved since: a frame that arrived just now may have its
	 * interrupt on the way (an IPI can take a while under emulation).
	 */
	if (idle && pending && q->wd_pending) {
		atomic64_inc(&st->recovered);
		xnic_irq_force(q);
	} else if (xnic_ring_free(q->rx.size, rx_tail, rx_ntc) &&
		   rx_tail == q->wd_rx_tail) {
		atomic64_inc(&st->refill_kicks);
		xnic_irq_force(q);
	}
	q->wd_rx_clean = rx_ntc;
	q->wd_tx_clean = tx_ntc;
	q->wd_rx_tail = rx_tail;
	q->wd_pending = pending;
}

static void xnic_watchdog_work(struct work_struct *work)
{
	struct xnic_priv *priv = container_of(to_delayed_work(work),
					      struct xnic_priv, watchdog);
	struct xnic_channels *chans;
	u32 i;

	/* Close cancels this work before it frees the channels. */
	rcu_read_lock();
	chans = rcu_dereference(priv->chans);
	for (i = 0; chans && i < chans->num; i++)
		xnic_watchdog_queue(priv, &chans->q[i]);
	rcu_read_unlock();

	schedule_delayed_work(&priv->watchdog,
			      msecs_to_jiffies(XNIC_WATCHDOG_MS));
}

void xnic_watchdog_init(struct xnic_priv *priv)
{
	INIT_DELAYED_WORK(&priv->watchdog, xnic_watchdog_work);
}

void xnic_watchdog_start(struct xnic_priv *priv)
{
	schedule_delayed_work(&priv->watchdog,
			      msecs_to_jiffies(XNIC_WATCHDOG_MS));
}
EXPORT_SYMBOL_IF_KUNIT(xnic_watchdog_start);

void xnic_watchdog_stop(struct xnic_priv *priv)
{
	cancel_delayed_work_sync(&priv->watchdog);
}
EXPORT_SYMBOL_IF_KUNIT(xnic_watchdog_stop);
