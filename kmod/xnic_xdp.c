// SPDX-License-Identifier: GPL-2.0
/*
 * Native XDP (DATAPATH.md step 2): the program runs in the NAPI poll on the
 * page the DMA engine filled, before any skb exists.
 *
 *   PASS      build the skb around the same page, honouring the head, tail
 *             and metadata the program moved; continue to clean_rx and GRO
 *   DROP      the page goes straight back to the page_pool (direct recycle)
 *   TX        the frame goes out of this channel's TX ring to the peer,
 *             bulked per poll; TX completion returns the page
 *   REDIRECT  xdp_do_redirect(); xdp_do_flush() once per poll
 *   ABORTED   and unknown actions: trace_xdp_exception, dropped, counted
 *
 * ndo_xdp_xmit makes xnic a redirect target: frames from any device are put
 * on a TX ring and DMAed to the peer like XDP_TX frames.
 */
#include <linux/bpf.h>
#include <linux/bpf_trace.h>
#include <linux/filter.h>
#include <net/xdp.h>

#include "xnic.h"

/*
 * Largest MTU @prog can see: a single-buffer program needs every frame in
 * one RX buffer; an xdp.frags program takes frames over several.
 */
u32 xnic_xdp_max_mtu(const struct bpf_prog *prog)
{
	if (prog && !prog->aux->xdp_has_frags)
		return XNIC_RX_BUF_LEN - ETH_HLEN - VLAN_HLEN;
	return XNIC_MAX_MTU;
}

static int xnic_xdp_setup(struct net_device *dev, struct bpf_prog *prog,
			  struct netlink_ext_ack *extack)
{
	struct xnic_priv *priv = netdev_priv(dev);
	struct bpf_prog *old = rtnl_dereference(priv->xdp_prog);

	if (prog && dev->mtu > xnic_xdp_max_mtu(prog)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "MTU too large for a single-buffer XDP program: lower the MTU or use an xdp.frags program");
		return -ERANGE;
	}
	/* NAPI picks the new program up at its next poll. */
	rcu_assign_pointer(priv->xdp_prog, prog);
	/* Freed after an RCU grace period: a running poll keeps its copy. */
	if (old)
		bpf_prog_put(old);
	/* Hardware GRO follows: off with a program, back without. */
	if (!old != !prog)
		netdev_update_features(dev);
	return 0;
}

int xnic_bpf(struct net_device *dev, struct netdev_bpf *bpf)
{
	switch (bpf->command) {
	case XDP_SETUP_PROG:
		return xnic_xdp_setup(dev, bpf->prog, bpf->extack);
	default:
		return -EINVAL;
	}
}

/*
 * Put frames on @q's TX ring; the caller holds the TX queue lock and rings
 * the doorbell. Returns how many fitted.
 */
static int xnic_xdp_enqueue(struct xnic_queue *q, struct xdp_frame **frames,
			    int n)
{
	struct xnic_tx_ring *tx = &q->tx;
	int i;

	for (i = 0; i < n; i++) {
		struct xnic_tx_desc *d;
		u32 clean;

		/* The slot is free once NAPI published it reaped. */
		clean = smp_load_acquire(&tx->next_to_clean);

		if (!xnic_ring_free(tx->size, tx->tail, clean))
			break;
		d = &tx->desc[xnic_ring_slot(tx->tail, tx->mask)];
		d->xdpf = frames[i];
		d->len = xdp_get_frame_len(frames[i]);
		d->type = XNIC_TX_XDP;
		d->status = 0;
		/* The descriptor before the tail; pairs with xnic_clean_tx(). */
		smp_store_release(&tx->tail, tx->tail + 1);
	}
	return i;
}

int xnic_xdp_xmit(struct net_device *dev, int n, struct xdp_frame **frames,
		  u32 flags)
{
	struct xnic_priv *priv = netdev_priv(dev);
	struct xnic_channels *chans;
	struct netdev_queue *nq;
	struct xnic_tx_stats *ts;
	struct xnic_queue *q;
	int cpu, sent;

	if (unlikely(flags & ~XDP_XMIT_FLAGS_MASK))
		return -EINVAL;
	/* A devmap flush calls us without an RCU read lock of its own. */
	rcu_read_lock();
	chans = rcu_dereference(priv->chans);
	if (unlikely(!chans || !netif_carrier_ok(dev))) {
		rcu_read_unlock();
		return -ENETDOWN;
	}

	/* One TX ring per CPU where possible, as physical drivers do. */
	cpu = smp_processor_id();
	q = &chans->q[cpu % chans->num];
	nq = netdev_get_tx_queue(dev, q->index);
	ts = &q->stats->tx;

	__netif_tx_lock(nq, cpu);
	sent = xnic_xdp_enqueue(q, frames, n);
	if (flags & XDP_XMIT_FLUSH)
		xnic_dma_tx(priv, q);
	u64_stats_update_begin(&ts->syncp);
	ts->xdp_xmit += sent;
	ts->xdp_xmit_errors += n - sent;
	u64_stats_update_end(&ts->syncp);
	__netif_tx_unlock(nq);
	rcu_read_unlock();

	/* The caller frees the frames that did not fit. */
	return sent;
}

/* Send the poll's XDP_TX frames out of this channel's TX ring at once. */
static void xnic_xdp_tx_flush(struct xnic_queue *q, struct xnic_xdp_ctx *ctx)
{
	struct netdev_queue *nq = netdev_get_tx_queue(q->priv->dev, q->index);
	struct xnic_rx_stats *rs = &q->stats->rx;
	int sent, i;

	if (!ctx->tx_n)
		return;
	__netif_tx_lock(nq, smp_processor_id());
	sent = xnic_xdp_enqueue(q, ctx->tx, ctx->tx_n);
	if (sent)
		xnic_dma_tx(q->priv, q);
	__netif_tx_unlock(nq);

	for (i = sent; i < ctx->tx_n; i++)
		xdp_return_frame_rx_napi(ctx->tx[i]);
	rs->xdp_tx += sent;
	rs->xdp_tx_errors += ctx->tx_n - sent;
	ctx->tx_n = 0;
}

/* Describe the frame's extra buffers as xdp frags. */
static void xnic_xdp_add_frags(struct xdp_buff *xdp, struct page **pages,
			       const u32 *lens, u32 n)
{
	struct skb_shared_info *sinfo = xdp_get_shared_info_from_buff(xdp);
	u32 i;

	sinfo->nr_frags = 0;
	sinfo->xdp_frags_size = 0;
	for (i = 1; i < n; i++) {
		skb_frag_t *frag = &sinfo->frags[sinfo->nr_frags++];

		xnic_skb_frag_fill(frag, pages[i], XNIC_RX_HEADROOM, lens[i]);
		sinfo->xdp_frags_size += lens[i];
		/* The stack must not keep a reserve page on a socket. */
		if (page_is_pfmemalloc(pages[i]))
			xdp_buff_set_frag_pfmemalloc(xdp);
	}
	xdp_buff_set_frags_flag(xdp);
}

/* XDP_PASS: the skb is built on the program's view of the frame. */
static struct sk_buff *xnic_xdp_build_skb(struct xnic_queue *q,
					  struct xdp_buff *xdp)
{
	struct xnic_rx_stats *rs = &q->stats->rx;
	u32 nr_frags = 0, frags_size = 0, metasize;
	struct sk_buff *skb;

	if (xdp_buff_has_frags(xdp)) {
		struct skb_shared_info *sinfo =
			xdp_get_shared_info_from_buff(xdp);

		/* Read before build_skb() clears the shared info head. */
		nr_frags = sinfo->nr_frags;
		frags_size = sinfo->xdp_frags_size;
	}
	skb = napi_build_skb(xdp->data_hard_start, PAGE_SIZE);
	if (unlikely(!skb)) {
		rs->build_skb_fail++;
		xdp_return_buff(xdp);
		return NULL;
	}
	skb_reserve(skb, xdp->data - xdp->data_hard_start);
	__skb_put(skb, xdp->data_end - xdp->data);
	metasize = xdp->data - xdp->data_meta;
	if (metasize)
		skb_metadata_set(skb, metasize);
	skb_mark_for_recycle(skb);
	if (nr_frags) {
		xdp_update_skb_shared_info(skb, nr_frags, frags_size,
					   nr_frags * PAGE_SIZE,
					   xdp_buff_is_frag_pfmemalloc(xdp));
		rs->frags += nr_frags;
	}
	return skb;
}

/*
 * Run @prog on the frame in @pages (@n buffers). Returns the skb to pass
 * up, or NULL when the frame was consumed (dropped, sent or redirected).
 * NAPI context, inside the poll's RCU read-side section.
 */
struct sk_buff *xnic_xdp_run(struct xnic_queue *q, struct bpf_prog *prog,
			     struct xnic_xdp_ctx *ctx, struct page **pages,
			     const u32 *lens, u32 n,
			     const struct xnic_rx_meta *meta)
{
	struct xnic_rx_stats *rs = &q->stats->rx;
	struct net_device *dev = q->priv->dev;
	struct xnic_xdp_buff xb;
	struct xdp_buff *xdp = &xb.xdp;
	struct xdp_frame *xdpf;
	u32 act, i;

	xdp_init_buff(xdp, PAGE_SIZE, &q->rx.xdp_rxq);
	xdp_prepare_buff(xdp, page_address(pages[0]), XNIC_RX_HEADROOM,
			 lens[0], true);
	if (n > 1)
		xnic_xdp_add_frags(xdp, pages, lens, n);
	xb.meta = meta;

	rs->xdp_packets++;
	for (i = 0; i < n; i++)
		rs->xdp_bytes += lens[i];

	/* A single-buffer program must not see a partial frame. */
	if (unlikely(n > 1 && !prog->aux->xdp_has_frags)) {
		rs->xdp_drop++;
		goto drop;
	}

	act = bpf_prog_run_xdp(prog, xdp);
	switch (act) {
	case XDP_PASS:
		rs->xdp_pass++;
		return xnic_xdp_build_skb(q, xdp);
	case XDP_TX:
		xdpf = xdp_convert_buff_to_frame(xdp);
		if (unlikely(!xdpf)) {
			rs->xdp_tx_errors++;
			goto drop;
		}
		ctx->tx[ctx->tx_n++] = xdpf;
		if (ctx->tx_n == XNIC_XDP_TX_BULK)
			xnic_xdp_tx_flush(q, ctx);
		return NULL;
	case XDP_REDIRECT:
		if (unlikely(xdp_do_redirect(dev, xdp, prog))) {
			rs->xdp_redirect_errors++;
			goto drop;
		}
		rs->xdp_redirect++;
		ctx->redirect = true;
		return NULL;
	default:
		bpf_warn_invalid_xdp_action(dev, prog, act);
		fallthrough;
	case XDP_ABORTED:
		trace_xdp_exception(dev, prog, act);
		rs->xdp_aborted++;
		goto drop;
	case XDP_DROP:
		rs->xdp_drop++;
		goto drop;
	}
drop:
	/* Straight back to the page_pool, frags included: no skb ever. */
	xdp_return_buff(xdp);
	return NULL;
}

/* End of the poll: flush bulked XDP_TX frames and redirect maps. */
void xnic_xdp_finish(struct xnic_queue *q, struct xnic_xdp_ctx *ctx)
{
	xnic_xdp_tx_flush(q, ctx);
	if (ctx->redirect) {
		xdp_do_flush();
		ctx->redirect = false;
	}
}
