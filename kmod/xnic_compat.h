/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where kernel versions differ. kmod/Kbuild probes the
 * target's headers and defines XNIC_HAVE_* for what it finds, so this file
 * tests features, never version numbers; the datapath files include it and
 * stay free of #ifdefs. Targets: Debian 12's 6.1 and 6.12.
 */
#ifndef _XNIC_COMPAT_H
#define _XNIC_COMPAT_H

#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/xdp.h>

/* 6.6 split net/page_pool.h into types.h and helpers.h. */
#ifdef XNIC_HAVE_PAGE_POOL_HELPERS_H
#include <net/page_pool/helpers.h>
#else
#include <net/page_pool.h>
#endif

/* 6.5 moved skb_gso_segment() out of netdevice.h. */
#ifdef XNIC_HAVE_NET_GSO_H
#include <net/gso.h>
#endif

/* 6.10: __assign_str() takes only the field; TP_STRUCT__entry has the source. */
#ifdef XNIC_HAVE_ASSIGN_STR_1ARG
#define xnic_assign_str(dst, src)	__assign_str(dst)
#else
#define xnic_assign_str(dst, src)	__assign_str(dst, src)
#endif

/* 6.5 added skb_frag_fill_page_desc(); 6.7 removed __skb_frag_set_page(). */
static inline void xnic_skb_frag_fill(skb_frag_t *frag, struct page *page,
				      u32 off, u32 size)
{
#ifdef XNIC_HAVE_SKB_FRAG_FILL_PAGE_DESC
	skb_frag_fill_page_desc(frag, page, off, size);
#else
	__skb_frag_set_page(frag, page);
	skb_frag_off_set(frag, off);
	skb_frag_size_set(frag, size);
#endif
}

/* 6.8: netlink shows which NAPI serves each queue (queue-get). */
static inline void xnic_queue_set_napi(struct net_device *dev,
				       unsigned int qid,
				       struct napi_struct *napi)
{
#ifdef XNIC_HAVE_NETIF_QUEUE_SET_NAPI
	netif_queue_set_napi(dev, qid, NETDEV_QUEUE_TYPE_RX, napi);
	netif_queue_set_napi(dev, qid, NETDEV_QUEUE_TYPE_TX, napi);
#endif
}

/*
 * 6.8: a page_pool names its device and NAPI (page-pool-get), and may
 * recycle directly from that NAPI's CPU.
 */
static inline void xnic_page_pool_set_owner(struct page_pool_params *pp,
					    struct net_device *dev,
					    struct napi_struct *napi)
{
#ifdef XNIC_HAVE_PAGE_POOL_NETDEV
	pp->netdev = dev;
	pp->napi = napi;
#endif
}

/* 6.9: per-queue statistics through netlink (qstats-get), xnic_qstats.c. */
#ifdef XNIC_HAVE_NETDEV_STAT_OPS
#include <net/netdev_queues.h>
extern const struct netdev_stat_ops xnic_stat_ops;
#endif
static inline void xnic_set_stat_ops(struct net_device *dev)
{
#ifdef XNIC_HAVE_NETDEV_STAT_OPS
	dev->stat_ops = &xnic_stat_ops;
#endif
}

/* 6.5: XDP RX metadata kfuncs (rx_hash with its type), xnic_xdp_meta.c. */
#ifdef XNIC_HAVE_XDP_METADATA_OPS
extern const struct xdp_metadata_ops xnic_xdp_metadata_ops;
#endif
static inline void xnic_set_xdp_metadata_ops(struct net_device *dev)
{
#ifdef XNIC_HAVE_XDP_METADATA_OPS
	dev->xdp_metadata_ops = &xnic_xdp_metadata_ops;
#endif
}

/* 6.8: the XDP rx_vlan_tag kfunc, one more of xnic_xdp_meta.c's ops. */
#ifdef XNIC_HAVE_XDP_RX_VLAN_TAG
#define XNIC_XMO_RX_VLAN_TAG(fn)	.xmo_rx_vlan_tag = (fn),
#else
#define XNIC_XMO_RX_VLAN_TAG(fn)
#endif

/* 6.11 gave ethtool's get_ts_info a struct of its own. */
#ifdef XNIC_HAVE_KERNEL_ETHTOOL_TS_INFO
#define xnic_ts_info kernel_ethtool_ts_info
#else
#define xnic_ts_info ethtool_ts_info
#endif

/*
 * 6.8 passes RSS settings to ethtool_ops in struct ethtool_rxfh_param. The
 * driver implements xnic_rxfh_get/set once; these adapt them to the ops.
 */
struct net_device;
struct netlink_ext_ack;
int xnic_rxfh_get(struct net_device *dev, u32 *indir, u8 *key, u8 *hfunc);
int xnic_rxfh_set(struct net_device *dev, const u32 *indir, const u8 *key,
		  u8 hfunc);

#ifdef XNIC_HAVE_ETHTOOL_RXFH_PARAM
static inline int xnic_ethtool_get_rxfh(struct net_device *dev,
					struct ethtool_rxfh_param *p)
{
	return xnic_rxfh_get(dev, p->indir, p->key, &p->hfunc);
}

static inline int xnic_ethtool_set_rxfh(struct net_device *dev,
					struct ethtool_rxfh_param *p,
					struct netlink_ext_ack *extack)
{
	/* One context: the core only passes others to drivers that offer them. */
	return xnic_rxfh_set(dev, p->indir, p->key, p->hfunc);
}
#else
static inline int xnic_ethtool_get_rxfh(struct net_device *dev, u32 *indir,
					u8 *key, u8 *hfunc)
{
	return xnic_rxfh_get(dev, indir, key, hfunc);
}

static inline int xnic_ethtool_set_rxfh(struct net_device *dev,
					const u32 *indir, const u8 *key,
					const u8 hfunc)
{
	return xnic_rxfh_set(dev, indir, key, hfunc);
}
#endif

#endif /* _XNIC_COMPAT_H */
