// SPDX-License-Identifier: GPL-2.0
/*
 * NAPI poll (DATAPATH.md step 1, then clean_rx and GRO, steps 3-4): reap
 * TX completions, receive up to the budget by building skbs around the
 * page_pool pages the DMA engine filled, hand them to GRO, refill the RX
 * ring, and unmask the vector when the ring is drained.
 */
#include <linux/filter.h>
#include <linux/if_vlan.h>
#include <linux/tcp.h>

#include "xnic.h"
#include "xnic_trace.h"

bool xnic_rx_pending(const struct xnic_queue *q)
{
	const struct xnic_rx_ring *rx = &q->rx;
	u32 bits;

	/* NAPI's own indices; the watchdog peeks at them too. */
	if (READ_ONCE(rx->next_to_clean) == READ_ONCE(rx->tail))
		return false;	/* nothing posted */
	return xnic_desc_done(&rx->desc[xnic_ring_slot(rx->next_to_clean,
						       rx->mask)].status, &bits);
}

bool xnic_tx_pending(const struct xnic_queue *q)
{
	const struct xnic_tx_ring *tx = &q->tx;
	u32 bits;

	/* The tail before the slot's status, as in xnic_clean_tx(). */
	if (tx->next_to_clean == smp_load_acquire(&tx->tail))
		return false;
	return xnic_desc_done(&tx->desc[xnic_ring_slot(tx->next_to_clean,
						       tx->mask)].status, &bits);
}

static struct page *xnic_alloc_page(struct xnic_queue *q, gfp_t gfp)
{
	struct xnic_rx_stats *rs = &q->stats->rx;

	/* Fault injection: the next N allocations fail; N <= 0 is off. */
	if (atomic_dec_if_positive(&q->priv->faults.fail_rx_alloc) >= 0) {
		u64_stats_update_begin(&rs->syncp);
		rs->refill_injected++;
		u64_stats_update_end(&rs->syncp);
		return NULL;
	}
	return page_pool_alloc_pages(q->rx.pp, gfp | __GFP_NOWARN);
}

/* Post buffers on every free slot, then ring the RX doorbell. */
void xnic_rx_refill(struct xnic_queue *q, gfp_t gfp)
{
	struct xnic_rx_stats *rs = &q->stats->rx;
	struct xnic_rx_ring *rx = &q->rx;
	u32 tail = rx->tail;

	while (xnic_ring_free(rx->size, tail, rx->next_to_clean)) {
		struct xnic_rx_desc *d = &rx->desc[xnic_ring_slot(tail, rx->mask)];
		struct page *page = xnic_alloc_page(q, gfp);

		if (!page) {
			u64_stats_update_begin(&rs->syncp);
			rs->refill_fail++;
			u64_stats_update_end(&rs->syncp);
			break;
		}
		d->page = page;
		d->status = 0;
		tail++;
	}
	if (tail != rx->tail)
		/* Buffers before tail; pairs with the DMA engine's acquire. */
		smp_store_release(&rx->tail, tail);
}

static void xnic_rx_csum(struct xnic_queue *q, struct sk_buff *skb, u32 bits)
{
	struct xnic_rx_stats *rs = &q->stats->rx;

	if ((bits & XNIC_DESC_L4_CSUM_OK) &&
	    (q->priv->dev->features & NETIF_F_RXCSUM)) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		rs->csum_unnecessary++;
	} else {
		skb_checksum_none_assert(skb);
		rs->csum_none++;
	}
}

/*
 * A TSO frame the device delivered whole (hardware GRO): describe it as
 * GRO would have built it, so TCP sizes its ACKs by the segment size and
 * forwarding can cut it again. The checksum field holds the pseudo-header
 * sum, so the frame goes up CHECKSUM_PARTIAL; one segment's worth goes up
 * without GSO, which a cut could not handle. @hdr_len: the headers, TCP's
 * included, all in the skb head. False if the descriptor gives no segment
 * size or the frame no payload.
 */
static bool xnic_rx_gso(struct sk_buff *skb, u32 bits, u16 gso_size,
			u16 csum_start, u32 hdr_len)
{
	struct skb_shared_info *sh = skb_shinfo(skb);

	if (!gso_size || hdr_len >= skb->len ||
	    !skb_partial_csum_set(skb, csum_start,
				  offsetof(struct tcphdr, check)))
		return false;
	if (skb->len - hdr_len <= gso_size)
		return true;
	sh->gso_size = gso_size;
	sh->gso_type = bits & XNIC_DESC_GSO_TCPV4 ? SKB_GSO_TCPV4 :
						    SKB_GSO_TCPV6;
	sh->gso_segs = DIV_ROUND_UP(skb->len - hdr_len, gso_size);
	return true;
}

/*
 * Take the frame at next_to_clean off the ring: its pages and lengths. The
 * device published every buffer of the frame with the first one.
 */
static u32 xnic_rx_take(struct xnic_rx_ring *rx, struct page **pages,
			u32 *lens)
{
	u32 ntc = rx->next_to_clean, n = 0;

	BUILD_BUG_ON(XNIC_JUMBO_FRAME_BUFS > XNIC_MAX_FRAME_BUFS);
	BUILD_BUG_ON(XNIC_GSO_MAX_FRAME > GSO_LEGACY_MAX_SIZE);
	for (;;) {
		struct xnic_rx_desc *d = &rx->desc[xnic_ring_slot(ntc + n,
								  rx->mask)];

		u32 status = READ_ONCE(d->status);

		pages[n] = d->page;
		lens[n] = d->len;
		d->page = NULL;
		/*
		 * A taken slot must not look done: once the ring drains (refill
		 * failed), next_to_clean points at it again before any buffer
		 * is posted there.
		 */
		d->status = 0;
		n++;
		if ((status & XNIC_DESC_EOP) || n == XNIC_MAX_FRAME_BUFS)
			break;
	}
	rx->next_to_clean = ntc + n;
	return n;
}

/* Give a frame's pages straight back to the page_pool. */
static void xnic_rx_put_pages(struct xnic_queue *q, struct page **pages,
			      u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		page_pool_put_full_page(q->rx.pp, pages[i], true);
}

/* No XDP program: build the skb around the pages, recycled on free. */
static struct sk_buff *xnic_rx_build_skb(struct xnic_queue *q,
					 struct page **pages, const u32 *lens,
					 u32 n)
{
	struct xnic_rx_stats *rs = &q->stats->rx;
	struct sk_buff *skb;
	u32 i;

	skb = napi_build_skb(page_address(pages[0]), PAGE_SIZE);
	if (unlikely(!skb)) {
		rs->build_skb_fail++;
		xnic_rx_put_pages(q, pages, n);
		return NULL;
	}
	skb_reserve(skb, XNIC_RX_HEADROOM);
	__skb_put(skb, lens[0]);
	skb_mark_for_recycle(skb);
	for (i = 1; i < n; i++)
		skb_add_rx_frag(skb, i - 1, pages[i], XNIC_RX_HEADROOM, lens[i],
				PAGE_SIZE);
	rs->frags += n - 1;
	return skb;
}

/*
 * A whole TSO frame: its headers copied into a small head, every page a
 * frag, as drivers with hardware GRO build it. GRO may chain it behind
 * another frame of the flow (frag_list), and skb_segment() BUG()s on a
 * chained skb whose linear part is longer than the segment size: a
 * router cutting such a chain for a port without TSO hit it when the
 * head was the whole first buffer. NULL (pages freed, counted) if the
 * descriptor does not describe a TCP header in the first buffer.
 */
static struct sk_buff *xnic_rx_build_gso_skb(struct xnic_queue *q,
					     struct page **pages,
					     const u32 *lens, u32 n, u32 bits,
					     u16 gso_size, u16 csum_start)
{
	const u8 *frame = page_address(pages[0]) + XNIC_RX_HEADROOM;
	struct xnic_rx_stats *rs = &q->stats->rx;
	const struct tcphdr *th;
	struct sk_buff *skb;
	u32 hdr_len, i;

	th = (const struct tcphdr *)(frame + csum_start);
	if (csum_start + sizeof(*th) > lens[0] || th->doff < 5 ||
	    csum_start + th->doff * 4 > lens[0])
		goto drop;
	hdr_len = csum_start + th->doff * 4;
	skb = napi_alloc_skb(&q->napi, hdr_len);
	if (unlikely(!skb)) {
		rs->build_skb_fail++;
		xnic_rx_put_pages(q, pages, n);
		return NULL;
	}
	skb_put_data(skb, frame, hdr_len);
	skb_mark_for_recycle(skb);
	i = 0;
	if (lens[0] > hdr_len)
		skb_add_rx_frag(skb, i++, pages[0], XNIC_RX_HEADROOM + hdr_len,
				lens[0] - hdr_len, PAGE_SIZE);
	else
		page_pool_put_full_page(q->rx.pp, pages[0], true);
	for (; n > 1; n--, pages++, lens++)
		skb_add_rx_frag(skb, i++, pages[1], XNIC_RX_HEADROOM, lens[1],
				PAGE_SIZE);
	rs->frags += i;
	if (unlikely(!xnic_rx_gso(skb, bits, gso_size, csum_start, hdr_len))) {
		/* The pages are the skb's now: freeing it recycles them. */
		kfree_skb(skb);
		rs->gro_hw_drops++;
		return NULL;
	}
	return skb;
drop:
	rs->gro_hw_drops++;
	xnic_rx_put_pages(q, pages, n);
	return NULL;
}

static int xnic_rx(struct xnic_queue *q, int budget)
{
	struct xnic_rx_stats *rs = &q->stats->rx;
	struct net_device *dev = q->priv->dev;
	struct xnic_rx_ring *rx = &q->rx;
	struct xnic_xdp_ctx xdp_ctx;
	struct bpf_prog *prog;
	int done = 0;

	rcu_read_lock();
	prog = rcu_dereference(q->priv->xdp_prog);
	xdp_ctx.tx_n = 0;
	xdp_ctx.redirect = false;

	u64_stats_update_begin(&rs->syncp);
	while (done < budget) {
		struct page *pages[XNIC_MAX_FRAME_BUFS];
		u32 lens[XNIC_MAX_FRAME_BUFS];
		u16 gso_size, csum_start;
		struct xnic_rx_meta meta;
		struct xnic_rx_desc *d;
		struct sk_buff *skb;
		u32 bits, n;
		bool gso;

		if (!xnic_rx_pending(q))
			break;
		d = &rx->desc[xnic_ring_slot(rx->next_to_clean, rx->mask)];
		xnic_desc_done(&d->status, &bits);
		meta.bits = bits;
		meta.rss_hash = d->rss_hash;
		meta.tstamp = d->tstamp;
		meta.vlan_tci = d->vlan_tci;
		gso = bits & (XNIC_DESC_GSO_TCPV4 | XNIC_DESC_GSO_TCPV6);
		gso_size = d->gso_size;
		csum_start = d->csum_start;
		n = xnic_rx_take(rx, pages, lens);
		done++;
		if (bits & XNIC_DESC_VLAN)
			rs->vlan_stripped++;

		/*
		 * A whole TSO frame written before an XDP program was
		 * attached: the program must not miss it, and cannot take
		 * it as one frame, so it goes, counted.
		 */
		if (unlikely(gso && prog)) {
			xnic_rx_put_pages(q, pages, n);
			rs->gro_hw_drops++;
			continue;
		}
		/* Step 2, native XDP, before any skb exists. */
		if (prog)
			skb = xnic_xdp_run(q, prog, &xdp_ctx, pages, lens, n,
					   &meta);
		else if (gso)
			skb = xnic_rx_build_gso_skb(q, pages, lens, n, bits,
						    gso_size, csum_start);
		else
			skb = xnic_rx_build_skb(q, pages, lens, n);
		if (!skb)
			continue;

		/* Step 3, clean_rx: skb metadata from the descriptor. */
		rs->packets++;
		rs->bytes += skb->len;
		skb->protocol = eth_type_trans(skb, dev);
		skb_record_rx_queue(skb, q->index);
		if (bits & (XNIC_DESC_RSS_L4 | XNIC_DESC_RSS_L3))
			skb_set_hash(skb, meta.rss_hash,
				     bits & XNIC_DESC_RSS_L4 ?
				     PKT_HASH_TYPE_L4 : PKT_HASH_TYPE_L3);
		if (bits & XNIC_DESC_VLAN)
			__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q),
					       meta.vlan_tci);
		if (bits & XNIC_DESC_TSTAMP)
			skb_hwtstamps(skb)->hwtstamp = ns_to_ktime(meta.tstamp);
		if (gso)
			rs->gro_hw++;
		else
			xnic_rx_csum(q, skb, bits);
		/* Step 4, GRO. */
		napi_gro_receive(&q->napi, skb);
	}
	if (prog)
		xnic_xdp_finish(q, &xdp_ctx);
	rs->polls++;
	u64_stats_update_end(&rs->syncp);
	rcu_read_unlock();

	xnic_rx_refill(q, GFP_ATOMIC);
	return done;
}

/* Free transmitted skbs, report them to BQL and wake a stopped queue. */
static int xnic_clean_tx(struct xnic_queue *q, int budget)
{
	struct netdev_queue *nq = netdev_get_tx_queue(q->priv->dev, q->index);
	struct xnic_txc_stats *cs = &q->stats->txc;
	struct xnic_tx_ring *tx = &q->tx;
	u32 ntc = tx->next_to_clean, done = 0, pkts = 0, bytes = 0;
	bool woke = false;

	/*
	 * Acquire the tail: a reused slot's cleared status (and new frame)
	 * before its index, so an old DD is never taken for the new frame.
	 */
	while (ntc != smp_load_acquire(&tx->tail)) {
		struct xnic_tx_desc *d = &tx->desc[xnic_ring_slot(ntc, tx->mask)];
		u32 bits;

		if (!xnic_desc_done(&d->status, &bits))
			break;
		if (d->type == XNIC_TX_SKB) {
			/* Only the stack's frames are BQL-accounted. */
			pkts++;
			bytes += d->len;
			napi_consume_skb(d->skb, budget);
		} else {
			xdp_return_frame(d->xdpf);
		}
		d->skb = NULL;
		done++;
		ntc++;
	}
	if (!done)
		return 0;

	/* The slots are reaped before producers may reuse them. */
	smp_store_release(&tx->next_to_clean, ntc);
	netdev_tx_completed_queue(nq, pkts, bytes);
	/* Pairs with the barrier after netif_tx_stop_queue() in xmit. */
	smp_mb();
	if (netif_tx_queue_stopped(nq) &&
	    xnic_ring_free(tx->size, READ_ONCE(tx->tail), ntc) >= tx->size / 4) {
		netif_tx_wake_queue(nq);
		woke = true;
	}

	u64_stats_update_begin(&cs->syncp);
	cs->completions += done;
	cs->wakes += woke;
	u64_stats_update_end(&cs->syncp);
	return done;
}

int xnic_poll(struct napi_struct *napi, int budget)
{
	struct xnic_queue *q = container_of(napi, struct xnic_queue, napi);
	int tx_done, rx_done;

	tx_done = xnic_clean_tx(q, budget);
	rx_done = xnic_rx(q, budget);
	trace_xnic_napi_poll(q->priv->dev, q->index, budget, rx_done, tx_done);

	if (rx_done < budget && napi_complete_done(napi, rx_done))
		xnic_irq_unmask(q);
	return rx_done;
}
