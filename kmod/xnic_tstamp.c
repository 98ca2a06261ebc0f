// SPDX-License-Identifier: GPL-2.0
/*
 * RX hardware timestamps. With SIOCSHWTSTAMP rx_filter other than NONE,
 * the DMA engine writes each frame's arrival time into its first RX
 * descriptor, and the frame carries it up: skb_hwtstamps() for
 * SO_TIMESTAMPING's raw hardware stamp, or the XDP rx_timestamp kfunc.
 *
 * The device has one clock, CLOCK_REALTIME, and no PHC of its own
 * (ethtool -T says "PTP Hardware Clock: none"). It stamps every frame,
 * so any filter asked for is answered as HWTSTAMP_FILTER_ALL, and it
 * stamps no transmitted frames.
 */
#include <linux/net_tstamp.h>
#include <linux/uaccess.h>

#include "xnic.h"

static int xnic_hwtstamp_get(struct net_device *dev, struct ifreq *ifr)
{
	struct xnic_priv *priv = netdev_priv(dev);
	struct hwtstamp_config cfg = {
		.tx_type = HWTSTAMP_TX_OFF,
		.rx_filter = priv->rx_tstamp ? HWTSTAMP_FILTER_ALL :
					       HWTSTAMP_FILTER_NONE,
	};

	return copy_to_user(ifr->ifr_data, &cfg, sizeof(cfg)) ? -EFAULT : 0;
}

static int xnic_hwtstamp_set(struct net_device *dev, struct ifreq *ifr)
{
	struct xnic_priv *priv = netdev_priv(dev);
	struct hwtstamp_config cfg;

	if (copy_from_user(&cfg, ifr->ifr_data, sizeof(cfg)))
		return -EFAULT;
	/* The core checked the ranges; what the device cannot do is -ERANGE. */
	if (cfg.flags)
		return -EINVAL;
	if (cfg.tx_type != HWTSTAMP_TX_OFF)
		return -ERANGE;
	if (cfg.rx_filter != HWTSTAMP_FILTER_NONE)
		cfg.rx_filter = HWTSTAMP_FILTER_ALL;
	WRITE_ONCE(priv->rx_tstamp, cfg.rx_filter == HWTSTAMP_FILTER_ALL);
	return copy_to_user(ifr->ifr_data, &cfg, sizeof(cfg)) ? -EFAULT : 0;
}

/*
 * SIOC[GS]HWTSTAMP through ndo_eth_ioctl, under RTNL. Both target kernels
 * route them here (6.6+ only when ndo_hwtstamp_set is absent).
 */
int xnic_eth_ioctl(struct net_device *dev, struct ifreq *ifr, int cmd)
{
	switch (cmd) {
	case SIOCSHWTSTAMP:
		return xnic_hwtstamp_set(dev, ifr);
	case SIOCGHWTSTAMP:
		return xnic_hwtstamp_get(dev, ifr);
	default:
		return -EOPNOTSUPP;
	}
}

int xnic_get_ts_info(struct net_device *dev, struct xnic_ts_info *info)
{
	info->so_timestamping = SOF_TIMESTAMPING_TX_SOFTWARE |
				SOF_TIMESTAMPING_RX_SOFTWARE |
				SOF_TIMESTAMPING_SOFTWARE |
				SOF_TIMESTAMPING_RX_HARDWARE |
				SOF_TIMESTAMPING_RAW_HARDWARE;
	info->phc_index = -1;
	info->tx_types = BIT(HWTSTAMP_TX_OFF);
	info->rx_filters = BIT(HWTSTAMP_FILTER_NONE) | BIT(HWTSTAMP_FILTER_ALL);
	return 0;
}
