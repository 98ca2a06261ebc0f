// SPDX-License-Identifier: GPL-2.0
/*
 * XDP RX metadata kfuncs (a dev-bound program's bpf_xdp_metadata_rx_hash):
 * what the device wrote in the first RX descriptor, read back from the
 * xnic_xdp_buff the program runs on (xnic_xdp_run()).
 *
 *   rx_hash       the RSS hash and what it covered, as skb->hash gets it
 *   rx_timestamp  not offered: the device stamps no frames
 *   rx_vlan_tag   not offered: the device strips no tags
 *
 * Built only where kmod/Kbuild finds the typed rx_hash op (6.5+).
 */
#include "xnic.h"

static int xnic_xdp_rx_hash(const struct xdp_md *ctx, u32 *hash,
			    enum xdp_rss_hash_type *rss_type)
{
	const struct xnic_xdp_buff *xb = (const void *)ctx;
	u32 bits = xb->bits;
	enum xdp_rss_hash_type type;

	if (!(bits & (XNIC_DESC_RSS_L4 | XNIC_DESC_RSS_L3)))
		return -ENODATA;
	type = bits & XNIC_DESC_RSS_IPV6 ? XDP_RSS_L3_IPV6 : XDP_RSS_L3_IPV4;
	if (bits & XNIC_DESC_RSS_L4)
		type |= XDP_RSS_L4 | (bits & XNIC_DESC_RSS_TCP ?
				      XDP_RSS_L4_TCP : XDP_RSS_L4_UDP);
	*hash = xb->rss_hash;
	*rss_type = type;
	return 0;
}

const struct xdp_metadata_ops xnic_xdp_metadata_ops = {
	.xmo_rx_hash	= xnic_xdp_rx_hash,
};
