/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parts of the kernel's "netdev" generic netlink family that netdev_nl
 * reads. The build host's <linux/netdev.h> (linux-libc-dev 6.1) predates
 * queues, NAPIs, page pools and qstats, so the values are copied here from
 * include/uapi/linux/netdev.h of Linux 6.12 (generated from
 * Documentation/netlink/specs/netdev.yaml). They are uapi, a stable ABI:
 * numbers are only ever added, never changed. The XNIC_ prefix keeps them
 * apart from <linux/netdev.h>, which must not be included with this file.
 */
#ifndef XNIC_NETDEV_UAPI_H
#define XNIC_NETDEV_UAPI_H

#define XNIC_NETDEV_FAMILY_NAME		"netdev"
#define XNIC_NETDEV_FAMILY_VERSION	1

/* enum netdev_queue_type */
#define XNIC_NETDEV_QUEUE_TYPE_RX	0
#define XNIC_NETDEV_QUEUE_TYPE_TX	1

/* enum netdev_qstats_scope (a flag set; no flag means the device) */
#define XNIC_NETDEV_QSTATS_SCOPE_QUEUE	1

/* Commands */
#define XNIC_NETDEV_CMD_DEV_GET		1
#define XNIC_NETDEV_CMD_PAGE_POOL_GET	5
#define XNIC_NETDEV_CMD_QUEUE_GET	10
#define XNIC_NETDEV_CMD_NAPI_GET	11
#define XNIC_NETDEV_CMD_QSTATS_GET	12

/* Attribute set "dev" */
#define XNIC_NETDEV_A_DEV_IFINDEX			1
#define XNIC_NETDEV_A_DEV_PAD				2
#define XNIC_NETDEV_A_DEV_XDP_FEATURES			3
#define XNIC_NETDEV_A_DEV_XDP_ZC_MAX_SEGS		4
#define XNIC_NETDEV_A_DEV_XDP_RX_METADATA_FEATURES	5
#define XNIC_NETDEV_A_DEV_XSK_FEATURES			6
#define XNIC_NETDEV_A_DEV_MAX				6

/* Attribute set "page-pool" */
#define XNIC_NETDEV_A_PAGE_POOL_ID		1
#define XNIC_NETDEV_A_PAGE_POOL_IFINDEX		2
#define XNIC_NETDEV_A_PAGE_POOL_NAPI_ID		3
#define XNIC_NETDEV_A_PAGE_POOL_INFLIGHT	4
#define XNIC_NETDEV_A_PAGE_POOL_INFLIGHT_MEM	5
#define XNIC_NETDEV_A_PAGE_POOL_DETACH_TIME	6
#define XNIC_NETDEV_A_PAGE_POOL_DMABUF		7
#define XNIC_NETDEV_A_PAGE_POOL_MAX		7

/* Attribute set "napi" */
#define XNIC_NETDEV_A_NAPI_IFINDEX	1
#define XNIC_NETDEV_A_NAPI_ID		2
#define XNIC_NETDEV_A_NAPI_IRQ		3
#define XNIC_NETDEV_A_NAPI_PID		4
#define XNIC_NETDEV_A_NAPI_MAX		4

/* Attribute set "queue" */
#define XNIC_NETDEV_A_QUEUE_ID		1
#define XNIC_NETDEV_A_QUEUE_IFINDEX	2
#define XNIC_NETDEV_A_QUEUE_TYPE	3
#define XNIC_NETDEV_A_QUEUE_NAPI_ID	4
#define XNIC_NETDEV_A_QUEUE_DMABUF	5
#define XNIC_NETDEV_A_QUEUE_MAX		5

/* Attribute set "qstats"; 5 to 7 are unused */
#define XNIC_NETDEV_A_QSTATS_IFINDEX			1
#define XNIC_NETDEV_A_QSTATS_QUEUE_TYPE			2
#define XNIC_NETDEV_A_QSTATS_QUEUE_ID			3
#define XNIC_NETDEV_A_QSTATS_SCOPE			4
#define XNIC_NETDEV_A_QSTATS_RX_PACKETS			8
#define XNIC_NETDEV_A_QSTATS_RX_BYTES			9
#define XNIC_NETDEV_A_QSTATS_TX_PACKETS			10
#define XNIC_NETDEV_A_QSTATS_TX_BYTES			11
#define XNIC_NETDEV_A_QSTATS_RX_ALLOC_FAIL		12
#define XNIC_NETDEV_A_QSTATS_RX_HW_DROPS		13
#define XNIC_NETDEV_A_QSTATS_RX_HW_DROP_OVERRUNS	14
#define XNIC_NETDEV_A_QSTATS_RX_CSUM_COMPLETE		15
#define XNIC_NETDEV_A_QSTATS_RX_CSUM_UNNECESSARY	16
#define XNIC_NETDEV_A_QSTATS_RX_CSUM_NONE		17
#define XNIC_NETDEV_A_QSTATS_RX_CSUM_BAD		18
#define XNIC_NETDEV_A_QSTATS_RX_HW_GRO_PACKETS		19
#define XNIC_NETDEV_A_QSTATS_RX_HW_GRO_BYTES		20
#define XNIC_NETDEV_A_QSTATS_RX_HW_GRO_WIRE_PACKETS	21
#define XNIC_NETDEV_A_QSTATS_RX_HW_GRO_WIRE_BYTES	22
#define XNIC_NETDEV_A_QSTATS_RX_HW_DROP_RATELIMITS	23
#define XNIC_NETDEV_A_QSTATS_TX_HW_DROPS		24
#define XNIC_NETDEV_A_QSTATS_TX_HW_DROP_ERRORS		25
#define XNIC_NETDEV_A_QSTATS_TX_CSUM_NONE		26
#define XNIC_NETDEV_A_QSTATS_TX_NEEDS_CSUM		27
#define XNIC_NETDEV_A_QSTATS_TX_HW_GSO_PACKETS		28
#define XNIC_NETDEV_A_QSTATS_TX_HW_GSO_BYTES		29
#define XNIC_NETDEV_A_QSTATS_TX_HW_GSO_WIRE_PACKETS	30
#define XNIC_NETDEV_A_QSTATS_TX_HW_GSO_WIRE_BYTES	31
#define XNIC_NETDEV_A_QSTATS_TX_HW_DROP_RATELIMITS	32
#define XNIC_NETDEV_A_QSTATS_TX_STOP			33
#define XNIC_NETDEV_A_QSTATS_TX_WAKE			34
#define XNIC_NETDEV_A_QSTATS_MAX			34

#endif /* XNIC_NETDEV_UAPI_H */
