// SPDX-License-Identifier: GPL-2.0
/*
 * XDP RX metadata kfuncs (a dev-bound program's bpf_xdp_metadata_rx_*):
 * what the device wrote in the first RX descriptor, read back from the
 * xnic_xdp_buff the program runs on (xnic_xdp_run()).
 *
 *   rx_hash       the RSS hash and what it covered, as skb->hash gets it
 *   rx_timestamp  the arrival time, with hardware timestamps on
 *   rx_vlan_tag   the 802.1Q tag the device stripped (rx-vlan-offload)
 *
 * Each returns -ENODATA when the descriptor has no such field. Built only
 * where kmod/Kbuild finds the typed rx_hash op (6.5+); rx_vlan_tag from
 * 6.8.
 */
#include <linux/if_vlan.h>

#include "xnic.h"

static const struct xnic_rx_meta *xnic_xdp_meta(const struct xdp_md *ctx)
{
	return ((const struct xnic_xdp_buff *)ctx)->meta;
}

static int xnic_xdp_rx_hash(const struct xdp_md *ctx, u32 *hash,
			    enum xdp_rss_hash_type *rss_type)
{
	const struct xnic_rx_meta *meta = xnic_xdp_meta(ctx);
	u32 bits = meta->bits;
	enum xdp_rss_hash_type type;

	if (!(bits & (XNIC_DESC_RSS_L4 | XNIC_DESC_RSS_L3)))
		return -ENODATA;
	type = bits & XNIC_DESC_RSS_IPV6 ? XDP_RSS_L3_IPV6 : XDP_RSS_L3_IPV4;
	if (bits & XNIC_DESC_RSS_L4)
		type |= XDP_RSS_L4 | (bits & XNIC_DESC_RSS_TCP ?
				      XDP_RSS_L4_TCP : XDP_RSS_L4_UDP);
	*hash = meta->rss_hash;
	*rss_type = type;
	return 0;
}

static int xnic_xdp_rx_timestamp(const struct xdp_md *ctx, u64 *timestamp)
{
	const struct xnic_rx_meta *meta = xnic_xdp_meta(ctx);

	if (!(meta->bits & XNIC_DESC_TSTAMP))
		return -ENODATA;
	*timestamp = meta->tstamp;
	return 0;
}

static int __maybe_unused xnic_xdp_rx_vlan_tag(const struct xdp_md *ctx,
					       __be16 *vlan_proto,
					       u16 *vlan_tci)
{
	const struct xnic_rx_meta *meta = xnic_xdp_meta(ctx);

	if (!(meta->bits & XNIC_DESC_VLAN))
		return -ENODATA;
	*vlan_proto = htons(ETH_P_8021Q);
	*vlan_tci = meta->vlan_tci;
	return 0;
}

const struct xdp_metadata_ops xnic_xdp_metadata_ops = {
	.xmo_rx_hash		= xnic_xdp_rx_hash,
	.xmo_rx_timestamp	= xnic_xdp_rx_timestamp,
	XNIC_XMO_RX_VLAN_TAG(xnic_xdp_rx_vlan_tag)
};
