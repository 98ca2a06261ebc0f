// SPDX-License-Identifier: GPL-2.0
/*
 * The DMA engine. Ringing a TX doorbell runs it for that queue: every TX
 * descriptor between head and tail is copied into the peer's posted RX
 * buffers (the queue chosen by the peer's RSS table), the RX descriptors
 * are written back with length, hash and checksum status, the TX
 * descriptor is completed, and the interrupts are raised: RX on each peer
 * queue that received frames, TX completion on ours.
 *
 * It runs in the sender's context (ndo_start_xmit, XDP_TX, ndo_xdp_xmit,
 * or the watchdog after a stall), under the TX queue lock, and takes its
 * own RCU read-side section. Frames come from skbs or from xdp_frames.
 *
 * TSO: a TCP frame of up to XNIC_GSO_MAX_FRAME bytes is written whole into
 * the peer's buffers when the peer has rx-gro-hw on and no XDP program
 * (hardware GRO, as a NIC's receive-side coalescing does); otherwise the
 * engine cuts it into wire frames first, as a NIC's TSO does on the wire.
 *
 * Receive offloads the peer asked for: with rx-vlan-offload on, an 802.1Q
 * tag is taken out of the frame into the descriptor (XDP sees the frame
 * untagged, as on a NIC that strips); with hardware timestamps on, the
 * descriptor gets the arrival time.
 */
#include <kunit/visibility.h>
#include <linux/if_vlan.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include "xnic.h"
#include "xnic_trace.h"

/* The largest TCP header: doff counts 32-bit words in 4 bits. */
#define XNIC_TCP_MAX_HLEN	(15 * 4)

enum xnic_dma_result {
	XNIC_DMA_OK,
	XNIC_DMA_NO_PEER,
	XNIC_DMA_MISSED,
	XNIC_DMA_OVERSIZE,
	XNIC_DMA_FAULT,
};

/* Copy @len bytes at @off of an xdp_frame, linear part then frags. */
static int xnic_frame_copy(const struct xdp_frame *f, u32 off, u8 *to, u32 len)
{
	struct skb_shared_info *sinfo;
	u32 n, i;

	if (off < f->len) {
		n = min(len, f->len - off);
		memcpy(to, f->data + off, n);
		to += n;
		len -= n;
		off = f->len;
	}
	if (!len)
		return 0;
	if (!xdp_frame_has_frags((struct xdp_frame *)f))
		return -EFAULT;
	sinfo = xdp_get_shared_info_from_frame((struct xdp_frame *)f);
	off -= f->len;
	for (i = 0; i < sinfo->nr_frags && len; i++) {
		const skb_frag_t *frag = &sinfo->frags[i];
		u32 fsz = skb_frag_size(frag);

		if (off >= fsz) {
			off -= fsz;
			continue;
		}
		n = min(len, fsz - off);
		memcpy(to, skb_frag_address(frag) + off, n);
		to += n;
		len -= n;
		off = 0;
	}
	return len ? -EFAULT : 0;
}

static int xnic_pkt_copy(const struct xnic_pkt *pkt, u32 off, void *to,
			 u32 len)
{
	if (pkt->skb)
		return skb_copy_bits(pkt->skb, off, to, len);
	return xnic_frame_copy(pkt->xdpf, off, to, len);
}

/*
 * Copy @len bytes at @off of the frame as the receiver sees it: @skip
 * bytes (a stripped tag) left out after the MAC addresses.
 */
int xnic_pkt_copy_rx(const struct xnic_pkt *pkt, u32 off, u8 *to, u32 len,
		     u32 skip)
{
	u32 n;

	if (skip && off < 2 * ETH_ALEN) {
		n = min_t(u32, len, 2 * ETH_ALEN - off);
		if (xnic_pkt_copy(pkt, off, to, n))
			return -EFAULT;
		to += n;
		len -= n;
		off += n;
	}
	return len ? xnic_pkt_copy(pkt, off + skip, to, len) : 0;
}
EXPORT_SYMBOL_IF_KUNIT(xnic_pkt_copy_rx);

/* Like skb_header_pointer(), for either kind of frame. */
const void *xnic_pkt_header(const struct xnic_pkt *pkt, u32 off, u32 len,
			    void *buf)
{
	if (pkt->skb)
		return skb_header_pointer(pkt->skb, off, len, buf);
	if (off + len <= pkt->xdpf->len)
		return pkt->xdpf->data + off;
	if (off + len > pkt->len || xnic_frame_copy(pkt->xdpf, off, buf, len))
		return NULL;
	return buf;
}

/* Fault injection: drop one in every dma_drop_every transfers. */
static bool xnic_dma_fault(struct xnic_priv *priv)
{
	u32 every = READ_ONCE(priv->faults.dma_drop_every);

	if (!every)
		return false;
	return (u32)atomic_inc_return(&priv->faults.dma_count) % every == 0;
}

/*
 * TX checksum offload: the stack left CHECKSUM_PARTIAL with the pseudo
 * header sum seeded in the checksum field; fold the sum from csum_start
 * to the end into that field, as a NIC does on the wire. The copy in
 * @frame is @skip bytes shorter before the field (a stripped tag).
 */
static void xnic_dma_complete_csum(const struct sk_buff *skb, u8 *frame,
				   u32 skip)
{
	int start = skb_checksum_start_offset(skb);
	__wsum csum = skb_checksum(skb, start, skb->len - start, 0);
	__sum16 *field = (__sum16 *)(frame + start - skip + skb->csum_offset);

	*field = csum_fold(csum);
	if (*field == 0 && skb->csum_offset == offsetof(struct udphdr, check))
		*field = CSUM_MANGLED_0;
}

/*
 * Can the peer take this TSO frame whole? Its XDP program, if any, must
 * see wire frames, and its TCP header must lie in the first buffer.
 */
static bool xnic_dma_gso_whole(const struct xnic_priv *ppriv,
			       const struct sk_buff *skb)
{
	u32 gso_type = skb_shinfo(skb)->gso_type;

	return (READ_ONCE(ppriv->dev->features) & NETIF_F_GRO_HW) &&
	       !rcu_access_pointer(ppriv->xdp_prog) &&
	       skb->ip_summed == CHECKSUM_PARTIAL && !skb->encapsulation &&
	       (gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) &&
	       !(gso_type & ~(SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) &&
	       skb->len <= XNIC_GSO_MAX_FRAME &&
	       skb_checksum_start_offset(skb) + XNIC_TCP_MAX_HLEN <=
	       XNIC_RX_BUF_LEN;
}

/* A frame the receiving queue @pq refused as too long for it. */
static enum xnic_dma_result xnic_dma_oversize(struct xnic_queue *pq)
{
	struct xnic_dma_stats *ds = &pq->stats->dma;

	spin_lock(&pq->rx.dma_lock);
	u64_stats_update_begin(&ds->syncp);
	ds->oversize++;
	u64_stats_update_end(&ds->syncp);
	spin_unlock(&pq->rx.dma_lock);
	return XNIC_DMA_OVERSIZE;
}

/*
 * Copy the frame into the peer queue @pq's next posted buffers and write
 * back what @meta says about it.
 */
static enum xnic_dma_result
xnic_dma_copy(struct xnic_queue *pq, const struct xnic_pkt *pkt,
	      const struct xnic_rx_meta *meta, bool gso_whole)
{
	u32 skip = meta->bits & XNIC_DESC_VLAN ? VLAN_HLEN : 0;
	struct xnic_rx_ring *rx = &pq->rx;
	struct xnic_dma_stats *ds = &pq->stats->dma;
	const struct sk_buff *skb = pkt->skb;
	u32 len = pkt->len - skip, nbufs, i, off, csum_flag = 0;
	struct xnic_rx_desc *first;
	bool csum = false;

	if (gso_whole) {
		/*
		 * The checksum field keeps the pseudo-header sum: the
		 * receiver hands the frame up CHECKSUM_PARTIAL, as GRO does.
		 */
		csum_flag = skb_shinfo(skb)->gso_type & SKB_GSO_TCPV4 ?
			    XNIC_DESC_GSO_TCPV4 : XNIC_DESC_GSO_TCPV6;
	} else if (skb && skb->ip_summed == CHECKSUM_PARTIAL) {
		/* The CHECKSUM_PARTIAL field must land in the first buffer. */
		u32 end = skb_checksum_start_offset(skb) - skip +
			  skb->csum_offset + sizeof(__sum16);

		if (end > XNIC_RX_BUF_LEN || end > len)
			return xnic_dma_oversize(pq);
		csum = true;
		csum_flag = XNIC_DESC_L4_CSUM_OK;
	}
	nbufs = DIV_ROUND_UP(len, XNIC_RX_BUF_LEN);

	spin_lock(&rx->dma_lock);
	/* Pairs with the release of the tail in xnic_rx_refill(). */
	if (xnic_ring_used(smp_load_acquire(&rx->tail), rx->head) < nbufs) {
		u64_stats_update_begin(&ds->syncp);
		ds->missed++;
		u64_stats_update_end(&ds->syncp);
		spin_unlock(&rx->dma_lock);
		return XNIC_DMA_MISSED;
	}

	first = &rx->desc[xnic_ring_slot(rx->head, rx->mask)];
	first->gso_size = gso_whole ? skb_shinfo(skb)->gso_size : 0;
	first->csum_start = gso_whole ? skb_checksum_start_offset(skb) - skip :
			    0;
	first->vlan_tci = meta->vlan_tci;
	first->tstamp = meta->tstamp;
	for (i = 0, off = 0; i < nbufs; i++) {
		struct xnic_rx_desc *d =
			&rx->desc[xnic_ring_slot(rx->head + i, rx->mask)];
		u32 chunk = min_t(u32, len - off, XNIC_RX_BUF_LEN);
		u8 *buf = page_address(d->page) + XNIC_RX_HEADROOM;

		/* Cannot fail: the length was checked against the frame. */
		WARN_ON_ONCE(xnic_pkt_copy_rx(pkt, off, buf, chunk, skip));
		if (i == 0 && csum)
			xnic_dma_complete_csum(skb, buf, skip);
		d->len = chunk;
		d->rss_hash = meta->rss_hash;
		off += chunk;
		if (i > 0)
			d->status = XNIC_DESC_DD |
				    (i == nbufs - 1 ? XNIC_DESC_EOP : 0);
	}
	/* Publishing the first descriptor hands the whole frame over. */
	xnic_desc_publish(&first->status, meta->bits | csum_flag |
			  (nbufs == 1 ? XNIC_DESC_EOP : 0));
	WRITE_ONCE(rx->head, rx->head + nbufs);

	u64_stats_update_begin(&ds->syncp);
	ds->frames++;
	ds->bytes += len;
	u64_stats_update_end(&ds->syncp);
	spin_unlock(&rx->dma_lock);
	return XNIC_DMA_OK;
}

/* rx-vlan-offload: take an 802.1Q tag out of the frame into @meta. */
void xnic_dma_vlan_strip(const struct xnic_pkt *pkt, struct xnic_rx_meta *meta)
{
	const struct vlan_ethhdr *veth;
	struct vlan_ethhdr buf;

	veth = xnic_pkt_header(pkt, 0, sizeof(buf), &buf);
	if (!veth || veth->h_vlan_proto != htons(ETH_P_8021Q))
		return;
	meta->vlan_tci = ntohs(veth->h_vlan_TCI);
	meta->bits |= XNIC_DESC_VLAN;
}
EXPORT_SYMBOL_IF_KUNIT(xnic_dma_vlan_strip);

static enum xnic_dma_result
xnic_dma_frame(struct xnic_priv *priv, struct xnic_priv *ppriv,
	       struct xnic_channels *pchans, const struct xnic_pkt *pkt,
	       bool gso_whole, u32 *rxq_out)
{
	struct xnic_rx_meta meta = { 0 };
	struct xnic_rss *rss;
	struct xnic_queue *pq;
	u32 hash, qid, mtu;

	if (!pchans)
		return XNIC_DMA_NO_PEER;
	if (xnic_dma_fault(priv))
		return XNIC_DMA_FAULT;

	rss = rcu_dereference(ppriv->rss);
	hash = xnic_rss_hash(rss, pkt, &meta.bits);
	qid = rss->indir[hash % XNIC_RSS_INDIR_SIZE];
	/* The table may briefly name a queue of the old channel count. */
	if (unlikely(qid >= pchans->num))
		qid %= pchans->num;
	pq = &pchans->q[qid];
	*rxq_out = qid;

	mtu = READ_ONCE(ppriv->dev->mtu);
	if (gso_whole ?
	    !skb_gso_validate_mac_len(pkt->skb, XNIC_MAX_FRAME(mtu)) :
	    pkt->len > XNIC_MAX_FRAME(mtu) || pkt->len < ETH_HLEN)
		return xnic_dma_oversize(pq);

	meta.rss_hash = hash;
	if (READ_ONCE(ppriv->dev->features) & NETIF_F_HW_VLAN_CTAG_RX)
		xnic_dma_vlan_strip(pkt, &meta);
	if (READ_ONCE(ppriv->rx_tstamp)) {
		meta.tstamp = ktime_get_real_ns();
		meta.bits |= XNIC_DESC_TSTAMP;
	}
	return xnic_dma_copy(pq, pkt, &meta, gso_whole);
}

/* What one doorbell's worth of descriptors did, for stats and interrupts. */
struct xnic_dma_tally {
	u64 pkts, bytes, drops, faults, csums, tso, tso_segments;
	u32 rx_frames[XNIC_MAX_QUEUES];	/* TSO cutting: more than descs */
};

/* Deliver one frame; false when it did not reach the peer's ring. */
static bool xnic_dma_one(struct xnic_priv *priv, struct xnic_priv *ppriv,
			 struct xnic_channels *pchans, struct xnic_queue *q,
			 const struct xnic_pkt *pkt, bool gso_whole,
			 struct xnic_dma_tally *t)
{
	enum xnic_dma_result res;
	u32 rxq = 0;

	res = xnic_dma_frame(priv, ppriv, pchans, pkt, gso_whole, &rxq);
	trace_xnic_dma(priv->dev, q->index, rxq, pkt->len, res);
	switch (res) {
	case XNIC_DMA_OK:
		t->pkts++;
		t->bytes += pkt->len;
		/* A whole TSO frame keeps its checksum undone. */
		if (pkt->skb && pkt->skb->ip_summed == CHECKSUM_PARTIAL &&
		    !gso_whole)
			t->csums++;
		t->rx_frames[rxq]++;
		return true;
	case XNIC_DMA_FAULT:
		t->faults++;
		return false;
	case XNIC_DMA_NO_PEER:
		t->drops++;
		return false;
	default:
		/* Missed and oversize frames are the receiver's count. */
		return false;
	}
}

/*
 * TSO for a peer that cannot take the frame whole: cut it into wire
 * frames, each with its checksum completed by the copy. All of them must
 * arrive for the descriptor to complete without error.
 */
static bool xnic_dma_segment(struct xnic_priv *priv, struct xnic_priv *ppriv,
			     struct xnic_channels *pchans, struct xnic_queue *q,
			     struct sk_buff *skb, struct xnic_dma_tally *t)
{
	struct sk_buff *segs, *seg, *next;
	bool ok = true;

	if (!pchans) {
		t->drops++;
		return false;
	}
	segs = skb_gso_segment(skb, NETIF_F_SG | NETIF_F_HW_CSUM);
	if (IS_ERR_OR_NULL(segs)) {
		t->drops++;
		return false;
	}
	skb_list_walk_safe(segs, seg, next) {
		struct xnic_pkt pkt = { .skb = seg, .len = seg->len };

		skb_mark_not_on_list(seg);
		ok &= xnic_dma_one(priv, ppriv, pchans, q, &pkt, false, t);
		t->tso_segments++;
		consume_skb(seg);
	}
	return ok;
}

static void __xnic_dma_tx(struct xnic_priv *priv, struct xnic_queue *q)
{
	struct xnic_tx_stats *ts = &q->stats->tx;
	struct xnic_channels *pchans = NULL;
	struct xnic_dma_tally t = { 0 };
	struct xnic_priv *ppriv = NULL;
	struct xnic_tx_ring *tx = &q->tx;
	struct net_device *peer;
	u32 head, done = 0, i;

	if (READ_ONCE(tx->stalled))
		return;

	peer = rcu_dereference(priv->peer);
	if (peer) {
		ppriv = netdev_priv(peer);
		pchans = rcu_dereference(ppriv->chans);
	}

	for (head = tx->head; head != tx->tail; head++, done++) {
		struct xnic_tx_desc *d = &tx->desc[xnic_ring_slot(head, tx->mask)];
		struct xnic_pkt pkt = { .len = d->len };
		bool ok;

		if (d->type == XNIC_TX_SKB)
			pkt.skb = d->skb;
		else
			pkt.xdpf = d->xdpf;
		if (pkt.skb && skb_is_gso(pkt.skb)) {
			t.tso++;
			if (ppriv && !xnic_dma_gso_whole(ppriv, pkt.skb))
				ok = xnic_dma_segment(priv, ppriv, pchans, q,
						      d->skb, &t);
			else
				ok = xnic_dma_one(priv, ppriv, pchans, q, &pkt,
						  true, &t);
		} else {
			ok = xnic_dma_one(priv, ppriv, pchans, q, &pkt, false,
					  &t);
		}
		xnic_desc_publish(&d->status, ok ? 0 : XNIC_DESC_ERR);
	}
	if (!done)
		return;
	WRITE_ONCE(tx->head, head);

	u64_stats_update_begin(&ts->syncp);
	ts->packets += t.pkts;
	ts->bytes += t.bytes;
	ts->dropped += t.drops;
	ts->fault_drops += t.faults;
	ts->csum_offload += t.csums;
	ts->tso += t.tso;
	ts->tso_segments += t.tso_segments;
	ts->doorbells++;
	u64_stats_update_end(&ts->syncp);

	xnic_irq_raise(q, XNIC_IRQ_TX, done);
	if (!pchans)
		return;
	for (i = 0; i < pchans->num && i < XNIC_MAX_QUEUES; i++)
		if (t.rx_frames[i])
			xnic_irq_raise(&pchans->q[i], XNIC_IRQ_RX,
				       t.rx_frames[i]);
}

/*
 * The peer and its channels are read under RCU. ndo_start_xmit runs under
 * rcu_read_lock_bh() and a devmap flush under no lock of its own, so the
 * engine takes the plain read lock itself rather than trust every caller.
 */
void xnic_dma_tx(struct xnic_priv *priv, struct xnic_queue *q)
{
	rcu_read_lock();
	__xnic_dma_tx(priv, q);
	rcu_read_unlock();
}
