// SPDX-License-Identifier: GPL-2.0
/*
 * xnic: module entry, link type and netdev operations.
 *
 * A pair is created like veth: `ip link add xnic0 type xnic` (peer named
 * xnic%d) or through IFLA_XNIC_PEER with the peer's own attributes.
 * Deleting either end deletes both.
 */
#include <linux/module.h>
#include <linux/idr.h>
#include <linux/if_vlan.h>
#include <net/rtnetlink.h>
#include <kunit/visibility.h>
#include <uapi/xnic.h>

#include "xnic.h"

#define CREATE_TRACE_POINTS
#include "xnic_trace.h"

static DEFINE_IDA(xnic_ida);

static int xnic_open(struct net_device *dev)
{
	struct xnic_priv *priv = netdev_priv(dev);
	struct net_device *peer = rtnl_dereference(priv->peer);
	int err;

	err = xnic_channels_open(priv);
	if (err)
		return err;

	/* Carrier follows the peer: link is up when both ends are open. */
	if (peer && netif_running(peer)) {
		netif_carrier_on(dev);
		netif_carrier_on(peer);
	}
	return 0;
}

static int xnic_stop(struct net_device *dev)
{
	struct xnic_priv *priv = netdev_priv(dev);
	struct net_device *peer = rtnl_dereference(priv->peer);

	netif_carrier_off(dev);
	if (peer)
		netif_carrier_off(peer);
	xnic_channels_close(priv);
	return 0;
}

static void xnic_tx_drop(struct xnic_priv *priv, u16 qid, struct sk_buff *skb)
{
	struct xnic_tx_stats *ts = &priv->stats[qid].tx;

	u64_stats_update_begin(&ts->syncp);
	ts->dropped++;
	u64_stats_update_end(&ts->syncp);
	dev_kfree_skb_any(skb);
}

/*
 * True if @tx has a free slot. Otherwise stop @nq and look again: the
 * barrier pairs with the one in xnic_clean_tx(), so either this sees the
 * slots NAPI freed or NAPI sees the stopped queue and wakes it. Restarts
 * the queue if the second look finds room.
 */
static bool xnic_tx_ring_room(struct xnic_tx_ring *tx, struct netdev_queue *nq)
{
	/* Reaped slots before reuse; pairs with xnic_clean_tx(). */
	u32 clean = smp_load_acquire(&tx->next_to_clean);

	if (xnic_ring_free(tx->size, tx->tail, clean))
		return true;
	netif_tx_stop_queue(nq);
	/* Stop before re-reading next_to_clean. */
	smp_mb();
	/* As above: reaped slots before reuse. */
	clean = smp_load_acquire(&tx->next_to_clean);
	if (!xnic_ring_free(tx->size, tx->tail, clean))
		return false;
	netif_tx_start_queue(nq);
	return true;
}

/*
 * Write one TX descriptor and, unless the stack promises more frames
 * (xmit_more), ring the doorbell, which runs the DMA engine for this
 * queue. Runs under the TX queue lock with BH disabled, in RCU-BH.
 */
static netdev_tx_t xnic_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct xnic_priv *priv = netdev_priv(dev);
	u16 qid = skb_get_queue_mapping(skb);
	struct xnic_channels *chans;
	struct netdev_queue *nq;
	struct xnic_tx_desc *desc;
	struct xnic_tx_ring *tx;
	struct xnic_queue *q;

	chans = rcu_dereference_bh(priv->chans);
	if (unlikely(!chans || qid >= chans->num)) {
		xnic_tx_drop(priv, qid % XNIC_MAX_QUEUES, skb);
		return NETDEV_TX_OK;
	}
	q = &chans->q[qid];
	tx = &q->tx;
	nq = netdev_get_tx_queue(dev, qid);

	/*
	 * XDP_TX and ndo_xdp_xmit share the ring and never stop the queue,
	 * so it can be full here. Stopping then needs the same barrier and
	 * re-check as below: NAPI may have reaped the whole ring, and seen
	 * the queue running, just before the stop.
	 */
	if (unlikely(!xnic_tx_ring_room(tx, nq))) {
		struct xnic_tx_stats *ts = &q->stats->tx;

		u64_stats_update_begin(&ts->syncp);
		ts->ring_full++;
		u64_stats_update_end(&ts->syncp);
		return NETDEV_TX_BUSY;
	}

	desc = &tx->desc[xnic_ring_slot(tx->tail, tx->mask)];
	desc->skb = skb;
	desc->len = skb->len;
	desc->type = XNIC_TX_SKB;
	desc->status = 0;
	/* The descriptor before the tail; pairs with xnic_clean_tx(). */
	smp_store_release(&tx->tail, tx->tail + 1);
	skb_tx_timestamp(skb);

	/* Stop before the ring is full; NAPI's completion wakes the queue. */
	xnic_tx_ring_room(tx, nq);

	if (__netdev_tx_sent_queue(nq, desc->len, netdev_xmit_more()))
		xnic_dma_tx(priv, q);
	return NETDEV_TX_OK;
}

static void xnic_get_stats64(struct net_device *dev,
			     struct rtnl_link_stats64 *tot)
{
	struct xnic_priv *priv = netdev_priv(dev);
	struct xnic_queue_stats s;
	u32 i;

	for (i = 0; i < dev->num_rx_queues && i < XNIC_MAX_QUEUES; i++) {
		xnic_get_queue_stats(priv, i, &s);
		tot->rx_packets += s.rx.packets;
		tot->rx_bytes += s.rx.bytes;
		tot->rx_dropped += s.rx.build_skb_fail + s.rx.gro_hw_drops;
		tot->rx_missed_errors += s.dma.missed;
		tot->rx_length_errors += s.dma.oversize;
		tot->rx_errors += s.dma.oversize;
		tot->tx_packets += s.tx.packets;
		tot->tx_bytes += s.tx.bytes;
		tot->tx_dropped += s.tx.dropped + s.tx.fault_drops;
	}
}

static int xnic_change_mtu(struct net_device *dev, int new_mtu)
{
	struct xnic_priv *priv = netdev_priv(dev);
	struct bpf_prog *prog = rtnl_dereference(priv->xdp_prog);

	/* Frames above one RX buffer need an xdp.frags program. */
	if (prog && new_mtu > xnic_xdp_max_mtu(prog)) {
		netdev_warn(dev, "MTU %d too large for the attached single-buffer XDP program (max %u)\n",
			    new_mtu, xnic_xdp_max_mtu(prog));
		return -EINVAL;
	}
	WRITE_ONCE(dev->mtu, new_mtu);
	return 0;
}

static int xnic_get_iflink(const struct net_device *dev)
{
	struct xnic_priv *priv = netdev_priv(dev);
	struct net_device *peer;
	int iflink;

	rcu_read_lock();
	peer = rcu_dereference(priv->peer);
	iflink = peer ? peer->ifindex : 0;
	rcu_read_unlock();
	return iflink;
}

static int xnic_dev_init(struct net_device *dev);
static void xnic_dev_uninit(struct net_device *dev);

/*
 * An XDP program must see every frame as it was on the wire, so hardware
 * GRO is off while one is attached, as on NICs with receive coalescing;
 * and `gro off` means no coalescing at all (bnxt and qede do the same).
 * The core drops rx-gro-hw without rx-checksumming itself.
 */
static netdev_features_t xnic_fix_features(struct net_device *dev,
					   netdev_features_t features)
{
	struct xnic_priv *priv = netdev_priv(dev);

	if (rtnl_dereference(priv->xdp_prog) || !(features & NETIF_F_GRO))
		features &= ~NETIF_F_GRO_HW;
	return features;
}

static const struct net_device_ops xnic_netdev_ops = {
	.ndo_init		= xnic_dev_init,
	.ndo_uninit		= xnic_dev_uninit,
	.ndo_open		= xnic_open,
	.ndo_stop		= xnic_stop,
	.ndo_start_xmit		= xnic_start_xmit,
	.ndo_get_stats64	= xnic_get_stats64,
	.ndo_change_mtu		= xnic_change_mtu,
	.ndo_get_iflink		= xnic_get_iflink,
	.ndo_fix_features	= xnic_fix_features,
	.ndo_bpf		= xnic_bpf,
	.ndo_xdp_xmit		= xnic_xdp_xmit,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_eth_ioctl		= xnic_eth_ioctl,
};

#define XNIC_FEATURES (NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_RXCSUM | \
		       NETIF_F_HIGHDMA | NETIF_F_TSO | NETIF_F_TSO6 | \
		       NETIF_F_GRO_HW | NETIF_F_HW_VLAN_CTAG_RX)

static void xnic_setup(struct net_device *dev)
{
	ether_setup(dev);

	/* The DMA engine copies frames, so shared skbs (pktgen) are fine. */
	dev->priv_flags |= IFF_TX_SKB_SHARING;
	/*
	 * No netpoll: its xmit may run with IRQs off and in any context,
	 * while the DMA engine raises IPIs and takes the peer's locks.
	 */
	dev->priv_flags |= IFF_DISABLE_NETPOLL;
	dev->netdev_ops = &xnic_netdev_ops;
	dev->ethtool_ops = &xnic_ethtool_ops;
	xnic_set_stat_ops(dev);
	xnic_set_xdp_metadata_ops(dev);
	dev->features |= XNIC_FEATURES;
	dev->hw_features = XNIC_FEATURES;
	dev->vlan_features = XNIC_FEATURES &
			     ~(NETIF_F_GRO_HW | NETIF_F_HW_VLAN_CTAG_RX);
	/* A TSO frame the peer takes whole must fit its GRO buffers. */
	netif_set_tso_max_size(dev, XNIC_GSO_MAX_FRAME);
	dev->min_mtu = XNIC_MIN_MTU;
	dev->max_mtu = XNIC_MAX_MTU;
	dev->needs_free_netdev = true;
#ifdef XNIC_HAVE_XDP_FEATURES
	dev->xdp_features = NETDEV_XDP_ACT_BASIC | NETDEV_XDP_ACT_REDIRECT |
			    NETDEV_XDP_ACT_NDO_XMIT | NETDEV_XDP_ACT_RX_SG |
			    NETDEV_XDP_ACT_NDO_XMIT_SG;
#endif
}

/* Plain configuration, before registration; cannot fail. */
static void xnic_priv_setup(struct net_device *dev, struct nlattr *tb[])
{
	struct xnic_priv *priv = netdev_priv(dev);
	int i;

	priv->dev = dev;
	/* Without numtxqueues the pair starts with one channel per CPU. */
	priv->num_channels = tb[IFLA_NUM_TX_QUEUES] ? dev->num_tx_queues :
			     min_t(u32, dev->num_tx_queues, num_online_cpus());
	priv->num_channels = min(priv->num_channels, dev->num_rx_queues);
	priv->rx_ring_size = XNIC_DEF_RING_SIZE;
	priv->tx_ring_size = XNIC_DEF_RING_SIZE;
	for (i = 0; i < XNIC_MAX_QUEUES; i++) {
		u64_stats_init(&priv->stats[i].rx.syncp);
		u64_stats_init(&priv->stats[i].dma.syncp);
		u64_stats_init(&priv->stats[i].tx.syncp);
		u64_stats_init(&priv->stats[i].txc.syncp);
		/* Spread vectors over CPUs, as a NIC's MSI-X vectors are. */
		priv->irq_cpu[i] = cpumask_local_spread(i, NUMA_NO_NODE);
	}
	xnic_watchdog_init(priv);
}

/* ndo_init: allocations; undone by ndo_uninit on every later failure. */
static int xnic_dev_init(struct net_device *dev)
{
	struct xnic_priv *priv = netdev_priv(dev);
	struct xnic_rss *rss;
	int id;

	rss = xnic_rss_alloc_default(priv->num_channels);
	if (!rss)
		return -ENOMEM;
	id = ida_alloc(&xnic_ida, GFP_KERNEL);
	if (id < 0) {
		kvfree(rss);
		return id;
	}
	priv->id = id;
	RCU_INIT_POINTER(priv->rss, rss);
	return 0;
}

static void xnic_dev_uninit(struct net_device *dev)
{
	struct xnic_priv *priv = netdev_priv(dev);
	struct bpf_prog *prog = rtnl_dereference(priv->xdp_prog);

	xnic_debugfs_del(priv);
	/* Unregistration waits for RCU readers before the device is freed. */
	kvfree_rcu(rcu_dereference_protected(priv->rss, true), rcu);
	RCU_INIT_POINTER(priv->rss, NULL);
	ida_free(&xnic_ida, priv->id);
	/* The core detaches XDP before uninit; this covers a failed register. */
	if (prog)
		bpf_prog_put(prog);
	RCU_INIT_POINTER(priv->xdp_prog, NULL);
}

static int xnic_set_real_queues(struct xnic_priv *priv)
{
	int err;

	err = netif_set_real_num_tx_queues(priv->dev, priv->num_channels);
	if (err)
		return err;
	return netif_set_real_num_rx_queues(priv->dev, priv->num_channels);
}

static int xnic_validate(struct nlattr *tb[], struct nlattr *data[],
			 struct netlink_ext_ack *extack)
{
	if (tb[IFLA_ADDRESS]) {
		if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN) {
			NL_SET_ERR_MSG_MOD(extack, "MAC address must be 6 bytes");
			return -EINVAL;
		}
		if (!is_valid_ether_addr(nla_data(tb[IFLA_ADDRESS]))) {
			NL_SET_ERR_MSG_MOD(extack,
					   "MAC address must be unicast and non-zero");
			return -EADDRNOTAVAIL;
		}
	}
	if ((tb[IFLA_NUM_TX_QUEUES] &&
	     nla_get_u32(tb[IFLA_NUM_TX_QUEUES]) > XNIC_MAX_QUEUES) ||
	    (tb[IFLA_NUM_RX_QUEUES] &&
	     nla_get_u32(tb[IFLA_NUM_RX_QUEUES]) > XNIC_MAX_QUEUES)) {
		NL_SET_ERR_MSG_MOD(extack, "at most 16 queues per device");
		return -EINVAL;
	}
	if (tb[IFLA_MTU]) {
		u32 mtu = nla_get_u32(tb[IFLA_MTU]);

		if (mtu < XNIC_MIN_MTU || mtu > XNIC_MAX_MTU) {
			NL_SET_ERR_MSG_MOD(extack, "MTU out of range 68..9000");
			return -EINVAL;
		}
	}
	return 0;
}

static int xnic_newlink(struct net *src_net, struct net_device *dev,
			struct nlattr *tb[], struct nlattr *data[],
			struct netlink_ext_ack *extack)
{
	struct nlattr *peer_tb[IFLA_MAX + 1], **tbp = tb;
	struct ifinfomsg *ifmp = NULL;
	unsigned char name_assign_type;
	struct xnic_priv *priv, *ppriv;
	char ifname[IFNAMSIZ];
	struct net_device *peer;
	struct net *net;
	int err;

	if (data && data[IFLA_XNIC_PEER]) {
		struct nlattr *nla_peer = data[IFLA_XNIC_PEER];

		ifmp = nla_data(nla_peer);
		err = rtnl_nla_parse_ifinfomsg(peer_tb, nla_peer, extack);
		if (err < 0)
			return err;
		err = xnic_validate(peer_tb, NULL, extack);
		if (err < 0)
			return err;
		tbp = peer_tb;
	}

	if (ifmp && tbp[IFLA_IFNAME]) {
		nla_strscpy(ifname, tbp[IFLA_IFNAME], IFNAMSIZ);
		name_assign_type = NET_NAME_USER;
	} else {
		snprintf(ifname, IFNAMSIZ, XNIC_DRV_NAME "%%d");
		name_assign_type = NET_NAME_ENUM;
	}

	net = rtnl_link_get_net(src_net, tbp);
	if (IS_ERR(net))
		return PTR_ERR(net);

	peer = rtnl_create_link(net, ifname, name_assign_type, &xnic_link_ops,
				tbp, extack);
	if (IS_ERR(peer)) {
		put_net(net);
		return PTR_ERR(peer);
	}

	xnic_priv_setup(peer, tbp);
	if (!ifmp || !tbp[IFLA_ADDRESS])
		eth_hw_addr_random(peer);
	if (ifmp && dev->ifindex)
		peer->ifindex = ifmp->ifi_index;

	err = register_netdevice(peer);
	put_net(net);
	if (err < 0) {
		free_netdev(peer);
		return err;
	}
	/* From here on the peer is freed by its destructor. */
	netif_carrier_off(peer);
	err = xnic_set_real_queues(netdev_priv(peer));
	if (err)
		goto err_unregister_peer;
	err = rtnl_configure_link(peer, ifmp, 0, NULL);
	if (err < 0)
		goto err_unregister_peer;

	xnic_priv_setup(dev, tb);
	if (!tb[IFLA_ADDRESS])
		eth_hw_addr_random(dev);
	if (tb[IFLA_IFNAME])
		nla_strscpy(dev->name, tb[IFLA_IFNAME], IFNAMSIZ);
	else
		snprintf(dev->name, IFNAMSIZ, XNIC_DRV_NAME "%%d");

	err = register_netdevice(dev);
	if (err < 0)
		goto err_unregister_peer;
	netif_carrier_off(dev);
	err = xnic_set_real_queues(netdev_priv(dev));
	if (err)
		goto err_unregister_dev;

	priv = netdev_priv(dev);
	ppriv = netdev_priv(peer);
	rcu_assign_pointer(priv->peer, peer);
	rcu_assign_pointer(ppriv->peer, dev);
	xnic_debugfs_add(priv);
	xnic_debugfs_add(ppriv);
	return 0;

err_unregister_dev:
	unregister_netdevice(dev);
err_unregister_peer:
	unregister_netdevice(peer);
	return err;
}

static void xnic_dellink(struct net_device *dev, struct list_head *head)
{
	struct xnic_priv *priv = netdev_priv(dev);
	struct net_device *peer = rtnl_dereference(priv->peer);

	/*
	 * Devices are freed after an RCU grace period (netdev_run_todo), so
	 * datapath readers of ->peer never see a freed device.
	 */
	RCU_INIT_POINTER(priv->peer, NULL);
	unregister_netdevice_queue(dev, head);
	if (peer) {
		struct xnic_priv *ppriv = netdev_priv(peer);

		RCU_INIT_POINTER(ppriv->peer, NULL);
		unregister_netdevice_queue(peer, head);
	}
}

static struct net *xnic_get_link_net(const struct net_device *dev)
{
	struct xnic_priv *priv = netdev_priv(dev);
	struct net_device *peer = rtnl_dereference(priv->peer);

	return peer ? dev_net(peer) : dev_net(dev);
}

/* Queues allocated when the user does not say: room for ethtool -L. */
static unsigned int xnic_get_num_queues(void)
{
	return clamp_t(unsigned int, num_possible_cpus(), 1, XNIC_MAX_QUEUES);
}

static const struct nla_policy xnic_policy[IFLA_XNIC_MAX + 1] = {
	[IFLA_XNIC_PEER] = { .len = sizeof(struct ifinfomsg) },
};

struct rtnl_link_ops xnic_link_ops = {
	.kind			= XNIC_LINK_KIND,
	.priv_size		= sizeof(struct xnic_priv),
	.setup			= xnic_setup,
	.validate		= xnic_validate,
	.newlink		= xnic_newlink,
	.dellink		= xnic_dellink,
	.policy			= xnic_policy,
	.maxtype		= IFLA_XNIC_MAX,
	.get_link_net		= xnic_get_link_net,
	.get_num_tx_queues	= xnic_get_num_queues,
	.get_num_rx_queues	= xnic_get_num_queues,
};

#if IS_ENABLED(CONFIG_KUNIT)
/* KUnit: create a pair as an RTM_NEWLINK without attributes would. */
struct net_device *xnic_kunit_create_pair(struct net *net, const char *name)
{
	struct nlattr *tb[IFLA_MAX + 1] = {};
	struct net_device *dev;
	int err;

	ASSERT_RTNL();
	dev = rtnl_create_link(net, name, NET_NAME_USER, &xnic_link_ops, tb,
			       NULL);
	if (IS_ERR(dev))
		return dev;
	err = xnic_newlink(net, dev, tb, NULL, NULL);
	if (err) {
		free_netdev(dev);
		return ERR_PTR(err);
	}
	return dev;
}
EXPORT_SYMBOL_IF_KUNIT(xnic_kunit_create_pair);

void xnic_kunit_destroy_pair(struct net_device *dev)
{
	LIST_HEAD(list);

	ASSERT_RTNL();
	xnic_dellink(dev, &list);
	unregister_netdevice_many(&list);
}
EXPORT_SYMBOL_IF_KUNIT(xnic_kunit_destroy_pair);
#endif

static int __init xnic_init(void)
{
	int err;

	xnic_debugfs_init();
	err = rtnl_link_register(&xnic_link_ops);
	if (err)
		xnic_debugfs_exit();
	return err;
}

static void __exit xnic_exit(void)
{
	rtnl_link_unregister(&xnic_link_ops);
	xnic_debugfs_exit();
	ida_destroy(&xnic_ida);
}

module_init(xnic_init);
module_exit(xnic_exit);

MODULE_DESCRIPTION("xnic: virtual NIC pair with emulated DMA rings, interrupts and NAPI");
MODULE_LICENSE("GPL");
MODULE_VERSION(XNIC_DRV_VERSION);
MODULE_ALIAS_RTNL_LINK(XNIC_LINK_KIND);
