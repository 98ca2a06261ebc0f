/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ring index arithmetic. Indices are free-running u32 "registers": they
 * only ever increase and wrap at 2^32; the slot is index & (size - 1).
 * With a power-of-two size, unsigned subtraction gives the distance
 * between two indices across the wrap.
 */
#ifndef _XNIC_RING_H
#define _XNIC_RING_H

#include <linux/bits.h>
#include <linux/types.h>
#include <asm/barrier.h>

/* Descriptor status bits, written by the device. */
#define XNIC_DESC_DD		BIT(0)	/* done: descriptor owned by driver */
#define XNIC_DESC_EOP		BIT(1)	/* last buffer of a frame */
#define XNIC_DESC_L4_CSUM_OK	BIT(2)	/* device completed the L4 checksum */
#define XNIC_DESC_RSS_L4	BIT(3)	/* rss_hash covers the 4-tuple */
#define XNIC_DESC_RSS_L3	BIT(4)	/* rss_hash covers the addresses only */
#define XNIC_DESC_ERR		BIT(5)	/* TX: frame was not delivered */
#define XNIC_DESC_GSO_TCPV4	BIT(6)	/* RX: a TCP/IPv4 TSO frame, whole */
#define XNIC_DESC_GSO_TCPV6	BIT(7)	/* RX: a TCP/IPv6 TSO frame, whole */
/* What the RSS hash read, for the XDP rx_hash kfunc's type. */
#define XNIC_DESC_RSS_IPV6	BIT(8)	/* RX: IPv6 addresses (else IPv4) */
#define XNIC_DESC_RSS_TCP	BIT(9)	/* RX: with RSS_L4, TCP ports */
#define XNIC_DESC_RSS_UDP	BIT(10)	/* RX: with RSS_L4, UDP ports */
#define XNIC_DESC_VLAN		BIT(11)	/* RX: 802.1Q tag stripped to vlan_tci */
#define XNIC_DESC_TSTAMP	BIT(12)	/* RX: tstamp holds the arrival time */

/* Descriptors between @from and @to (@to is ahead of @from). */
static inline u32 xnic_ring_used(u32 to, u32 from)
{
	return to - from;
}

/* Slots the producer at @tail may still fill before reaching @clean. */
static inline u32 xnic_ring_free(u32 size, u32 tail, u32 clean)
{
	return size - xnic_ring_used(tail, clean);
}

static inline u32 xnic_ring_slot(u32 index, u32 mask)
{
	return index & mask;
}

/*
 * Descriptor ownership handoff. The device fills a descriptor, then
 * publishes it with a release store of its status carrying DD; the driver
 * acquires the status and only then reads the rest of the descriptor.
 */
static inline void xnic_desc_publish(u32 *status, u32 bits)
{
	/* Descriptor contents before DD; pairs with xnic_desc_done(). */
	smp_store_release(status, bits | XNIC_DESC_DD);
}

static inline bool xnic_desc_done(const u32 *status, u32 *bits)
{
	/* DD before the contents; pairs with xnic_desc_publish(). */
	u32 s = smp_load_acquire(status);

	*bits = s;
	return s & XNIC_DESC_DD;
}

#endif /* _XNIC_RING_H */
