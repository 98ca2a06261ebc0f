/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xnic rtnetlink interface, shared by the kernel module and xnicctl.
 *
 * A pair is created with RTM_NEWLINK, IFLA_LINKINFO { IFLA_INFO_KIND "xnic",
 * IFLA_INFO_DATA { IFLA_XNIC_PEER } }. IFLA_XNIC_PEER carries a struct
 * ifinfomsg followed by IFLA_* attributes for the peer (IFLA_IFNAME,
 * IFLA_NET_NS_FD/IFLA_NET_NS_PID, IFLA_ADDRESS, IFLA_NUM_TX_QUEUES,
 * IFLA_NUM_RX_QUEUES), the same layout veth uses for VETH_INFO_PEER.
 */
#ifndef _UAPI_XNIC_H
#define _UAPI_XNIC_H

#define XNIC_LINK_KIND "xnic"

enum {
	IFLA_XNIC_UNSPEC,
	IFLA_XNIC_PEER,
	__IFLA_XNIC_MAX
};

#define IFLA_XNIC_MAX (__IFLA_XNIC_MAX - 1)

/* Most channels (queue pairs) one xnic device can have. */
#define XNIC_MAX_CHANNELS 16

#endif /* _UAPI_XNIC_H */
