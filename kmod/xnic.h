/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xnic: a virtual NIC pair that behaves like DMA hardware.
 *
 * Private header shared by the driver's files. The "hardware" model:
 *
 *  - every queue index i is one channel: a TX descriptor ring, an RX
 *    descriptor ring, one NAPI context and one emulated interrupt vector
 *    (causes: RX, TX completion);
 *  - the driver posts empty page_pool pages on the RX ring and moves the
 *    RX tail register (doorbell); the device fills posted buffers from the
 *    head and hands each descriptor back by setting XNIC_DESC_DD;
 *  - on transmit the driver writes a TX descriptor and moves the TX tail
 *    register (doorbell); the DMA engine (xnic_dma.c) copies the frame into
 *    the peer's next posted RX buffers, completes the TX descriptor and
 *    raises the peer's RX and its own TX-completion interrupt.
 *
 * Locking summary (each field below repeats the rule that protects it):
 *  - configuration (ring sizes, channel count, coalescing writes, RSS
 *    replacement, peer pointer): RTNL;
 *  - priv->chans: RTNL for writers, RCU for the peer's DMA engine and the
 *    watchdog;
 *  - RX descriptors and RX head: the peer's DMA engine, serialized by
 *    rx.dma_lock; RX tail and next_to_clean: this queue's NAPI;
 *  - TX tail and TX head: the netdev TX queue lock (ndo_start_xmit and the
 *    DMA engine it runs); TX next_to_clean: this queue's NAPI.
 */
#ifndef _XNIC_H
#define _XNIC_H

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/bpf.h>
#include <linux/etherdevice.h>
#include <linux/hrtimer.h>
#include <linux/smp.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/xdp.h>

#include <uapi/xnic.h>

#include "xnic_compat.h"
#include "xnic_ring.h"

#define XNIC_DRV_NAME		"xnic"
/* XNIC_DRV_VERSION comes from dkms.conf, through kmod/Kbuild. */
#ifndef XNIC_DRV_VERSION
#error "XNIC_DRV_VERSION is set by kmod/Kbuild from dkms.conf"
#endif

#define XNIC_MAX_QUEUES		XNIC_MAX_CHANNELS
#define XNIC_DEF_RING_SIZE	512
#define XNIC_MIN_RING_SIZE	64
#define XNIC_MAX_RING_SIZE	4096

#define XNIC_MIN_MTU		ETH_MIN_MTU
#define XNIC_MAX_MTU		9000

/* Every RX buffer is one page: XDP headroom, frame data, skb_shared_info. */
#define XNIC_RX_HEADROOM	XDP_PACKET_HEADROOM
#define XNIC_RX_BUF_LEN		(PAGE_SIZE - XNIC_RX_HEADROOM - \
				 SKB_DATA_ALIGN(sizeof(struct skb_shared_info)))
/* Largest frame the device accepts: MTU plus Ethernet and one VLAN tag. */
#define XNIC_MAX_FRAME(mtu)	((mtu) + ETH_HLEN + VLAN_HLEN)

#define XNIC_RSS_KEY_SIZE	40
#define XNIC_RSS_INDIR_SIZE	128

#define XNIC_WATCHDOG_MS	100

/* Coalescing limits accepted by ethtool -C. */
#define XNIC_MAX_COAL_USECS	100000
#define XNIC_MAX_COAL_FRAMES	XNIC_MAX_RING_SIZE

struct xnic_rx_desc {
	struct page *page;	/* buffer, posted by the driver */
	u64 tstamp;		/* device, first buffer: arrival, ns (realtime) */
	u32 len;		/* bytes written by the device */
	u32 rss_hash;		/* device, first buffer of a frame */
	u32 status;		/* device; DD of the first buffer published last */
	u16 gso_size;		/* device, first buffer of a coalesced frame */
	u16 csum_start;		/* device, same: offset of its TCP header */
	u16 vlan_tci;		/* device, first buffer: the stripped tag */
};

/* What the first descriptor of a frame says about it, read once by NAPI. */
struct xnic_rx_meta {
	u64 tstamp;		/* with XNIC_DESC_TSTAMP */
	u32 rss_hash;		/* with XNIC_DESC_RSS_L3 or _L4 */
	u32 bits;		/* the descriptor's status */
	u16 vlan_tci;		/* with XNIC_DESC_VLAN */
};

enum xnic_tx_type {
	XNIC_TX_SKB,		/* from the stack: BQL-accounted */
	XNIC_TX_XDP,		/* XDP_TX or ndo_xdp_xmit */
};

struct xnic_tx_desc {
	union {			/* driver, before the doorbell */
		struct sk_buff *skb;
		struct xdp_frame *xdpf;
	};
	u32 len;		/* driver */
	u32 status;		/* device sets DD (release) on completion */
	u8 type;		/* driver: enum xnic_tx_type */
};

/* Largest wire frame in RX buffers: MTU 9000 + 18 over XNIC_RX_BUF_LEN each. */
#define XNIC_JUMBO_FRAME_BUFS	DIV_ROUND_UP(XNIC_MAX_FRAME(XNIC_MAX_MTU), \
				     XNIC_RX_BUF_LEN)
/*
 * Hardware GRO: a TSO frame delivered whole is one skb frag per buffer,
 * its headers copied into a small head, within 64 KB: no BIG TCP across
 * the pair where a kernel has more frags. The largest frame the device
 * writes.
 */
#if MAX_SKB_FRAGS > 17
#define XNIC_GSO_MAX_BUFS	17
#else
#define XNIC_GSO_MAX_BUFS	MAX_SKB_FRAGS
#endif
#define XNIC_GSO_MAX_FRAME	(XNIC_GSO_MAX_BUFS * XNIC_RX_BUF_LEN)
#define XNIC_MAX_FRAME_BUFS	XNIC_GSO_MAX_BUFS

/* XDP_TX frames of one poll, sent with one doorbell. */
#define XNIC_XDP_TX_BULK	16

struct xnic_xdp_ctx {			/* one NAPI poll, on its stack */
	struct xdp_frame *tx[XNIC_XDP_TX_BULK];
	int tx_n;
	bool redirect;
};

/*
 * The xdp_buff a program runs on, with the descriptor fields the XDP
 * metadata kfuncs (xnic_xdp_meta.c) read back: ctx points at @xdp.
 */
struct xnic_xdp_buff {
	struct xdp_buff xdp;
	const struct xnic_rx_meta *meta;
};

/* What the DMA engine reads a frame from: an skb or an xdp_frame. */
struct xnic_pkt {
	const struct sk_buff *skb;
	const struct xdp_frame *xdpf;
	u32 len;
};

struct xnic_rx_ring {
	struct xnic_rx_desc *desc;
	u32 size;
	u32 mask;
	u32 tail;		/* NAPI: buffers posted (release: doorbell) */
	u32 next_to_clean;	/* NAPI only */
	u32 head;		/* device: next buffer to fill; dma_lock */
	spinlock_t dma_lock;	/* serializes the peer's TX queues' DMA */
	struct page_pool *pp;
	struct xdp_rxq_info xdp_rxq;
};

struct xnic_tx_ring {
	struct xnic_tx_desc *desc;
	u32 size;
	u32 mask;
	u32 tail;		/* TX queue lock: descriptors written */
	u32 head;		/* TX queue lock: descriptors DMAed */
	u32 next_to_clean;	/* NAPI only */
	bool stalled;		/* fault injection: DMA engine stuck */
};

enum xnic_irq_cause {
	XNIC_IRQ_RX,
	XNIC_IRQ_TX,
};

/* Bits of xnic_irq.state. */
enum {
	XNIC_IRQ_MASKED,	/* interrupt off: NAPI owns the queue */
	XNIC_IRQ_TIMER,		/* coalescing timer armed */
};

/* One emulated MSI-X vector. */
struct xnic_irq {
	unsigned long state;		/* XNIC_IRQ_* bits, atomic */
	atomic_t frames;		/* RX frames since the last interrupt */
	atomic_t inflight;		/* IPIs sent and not yet handled */
	call_single_data_t csd;		/* delivers the IPI to irq_cpu */
	struct hrtimer timer;		/* coalescing delay */
};

/* Counters. Each group has a single writer context, named per group. */
struct xnic_rx_stats {			/* this queue's NAPI */
	struct u64_stats_sync syncp;
	u64 packets;
	u64 bytes;
	u64 frags;
	u64 csum_unnecessary;
	u64 csum_none;
	u64 polls;
	u64 build_skb_fail;
	u64 refill_fail;
	u64 refill_injected;
	u64 xdp_packets;
	u64 xdp_bytes;
	u64 xdp_pass;
	u64 xdp_drop;
	u64 xdp_tx;
	u64 xdp_tx_errors;
	u64 xdp_redirect;
	u64 xdp_redirect_errors;
	u64 xdp_aborted;
	u64 gro_hw;			/* TSO frames received whole */
	u64 gro_hw_drops;		/* ... that XDP, attached since, cannot see */
	u64 vlan_stripped;		/* frames the device took a tag off */
};

struct xnic_dma_stats {			/* peer's DMA engine, rx.dma_lock */
	struct u64_stats_sync syncp;
	u64 frames;
	u64 bytes;
	u64 missed;			/* no posted buffer */
	u64 oversize;			/* frame longer than MTU allows */
};

struct xnic_tx_stats {			/* TX queue lock */
	struct u64_stats_sync syncp;
	u64 packets;
	u64 bytes;
	u64 doorbells;
	u64 csum_offload;
	u64 ring_full;
	u64 dropped;			/* peer down, bad frame */
	u64 fault_drops;		/* debugfs dma_drop_every */
	u64 resets;			/* watchdog recovered a stall */
	u64 xdp_xmit;			/* frames taken by ndo_xdp_xmit */
	u64 xdp_xmit_errors;		/* frames ndo_xdp_xmit refused */
	u64 tso;			/* TSO frames taken from the stack */
	u64 tso_segments;		/* wire frames cut from them for a peer
					 * that could not take them whole
					 */
};

struct xnic_txc_stats {			/* this queue's NAPI */
	struct u64_stats_sync syncp;
	u64 completions;
	u64 wakes;
};

struct xnic_irq_stats {			/* any context: atomics */
	atomic64_t raised;
	atomic64_t fired;
	atomic64_t masked;
	atomic64_t coalesced;
	atomic64_t suppressed;
	atomic64_t recovered;
	atomic64_t refill_kicks;
	atomic64_t cpu_offline;		/* affinity CPU offline: taken locally */
};

/*
 * Statistics live in the private area, not in the channel bundle, so
 * counters survive ring and channel reconfiguration.
 */
struct xnic_queue_stats {
	struct xnic_rx_stats rx;
	struct xnic_dma_stats dma;
	struct xnic_tx_stats tx;
	struct xnic_txc_stats txc;
	struct xnic_irq_stats irq;
};

struct xnic_priv;

/* One channel: a queue pair with its vector and NAPI context. */
struct xnic_queue {
	struct xnic_priv *priv;
	u16 index;
	struct napi_struct napi;
	struct xnic_rx_ring rx;
	struct xnic_tx_ring tx;
	struct xnic_irq irq;
	struct xnic_queue_stats *stats;
	/* Watchdog only: progress seen at its previous run. */
	u32 wd_tx_head;
	u32 wd_rx_clean;
	u32 wd_tx_clean;
	u32 wd_rx_tail;
	bool wd_pending;	/* completed work was waiting for NAPI */
};

/* Everything that exists only while the device is up. */
struct xnic_channels {
	u32 num;
	struct xnic_queue q[];
};

/* The longest hash input: IPv6 source and destination, then the ports. */
#define XNIC_RSS_TUPLE_MAX	(2 * sizeof(struct in6_addr) + 2 * sizeof(__be16))

/*
 * Written whole by RTNL before it is published (xnic_rss_set_key() builds
 * lut from key), then read-only: the peer's DMA engine reads it under RCU.
 */
struct xnic_rss {
	u8 key[XNIC_RSS_KEY_SIZE];
	u32 indir[XNIC_RSS_INDIR_SIZE];
	struct rcu_head rcu;	/* kvfree_rcu(): within the first 4 KB */
	/* lut[i][v]: the Toeplitz hash of byte value v at input byte i. */
	u32 lut[XNIC_RSS_TUPLE_MAX][256];
};

struct xnic_coalesce {			/* RTNL writes, READ_ONCE readers */
	u32 rx_usecs;
	u32 rx_frames;
	u32 tx_usecs;
};

struct xnic_faults {			/* debugfs writes, any reader */
	atomic_t fail_rx_alloc;		/* fail this many page allocations */
	u32 dma_drop_every;		/* drop 1 in N DMA transfers, 0: off */
	atomic_t dma_count;
	bool irq_suppress;		/* lose every interrupt while set */
};

struct xnic_priv {
	struct net_device *dev;
	struct net_device __rcu *peer;		/* RTNL; RCU readers */
	struct xnic_channels __rcu *chans;	/* RTNL; RCU readers */
	struct xnic_rss __rcu *rss;		/* RTNL; RCU readers */
	struct bpf_prog __rcu *xdp_prog;	/* RTNL; RCU: NAPI, peer DMA */
	u32 num_channels;			/* RTNL */
	u32 rx_ring_size;			/* RTNL */
	u32 tx_ring_size;			/* RTNL */
	bool rx_tstamp;				/* RTNL; READ_ONCE: peer DMA */
	struct xnic_coalesce coal;
	struct xnic_faults faults;
	int irq_cpu[XNIC_MAX_QUEUES];		/* debugfs; READ_ONCE */
	struct xnic_queue_stats stats[XNIC_MAX_QUEUES];
	struct delayed_work watchdog;
	u32 id;					/* debugfs dir, bus-info */
	struct dentry *debugfs;
};

/* xnic_main.c */
extern struct rtnl_link_ops xnic_link_ops;
struct net_device *xnic_kunit_create_pair(struct net *net, const char *name);
void xnic_kunit_destroy_pair(struct net_device *dev);

/* xnic_queue.c: channel bundle lifetime, all under RTNL */
int xnic_channels_open(struct xnic_priv *priv);
void xnic_channels_close(struct xnic_priv *priv);
int xnic_reconfigure(struct xnic_priv *priv, u32 channels, u32 rx_size,
		     u32 tx_size, struct netlink_ext_ack *extack);
bool xnic_is_valid_ring_size(u32 size);

/* xnic_dma.c */
void xnic_dma_tx(struct xnic_priv *priv, struct xnic_queue *q);
const void *xnic_pkt_header(const struct xnic_pkt *pkt, u32 off, u32 len,
			    void *buf);
int xnic_pkt_copy_rx(const struct xnic_pkt *pkt, u32 off, u8 *to, u32 len,
		     u32 skip);
void xnic_dma_vlan_strip(const struct xnic_pkt *pkt, struct xnic_rx_meta *meta);

/* xnic_xdp.c */
int xnic_bpf(struct net_device *dev, struct netdev_bpf *bpf);
int xnic_xdp_xmit(struct net_device *dev, int n, struct xdp_frame **frames,
		  u32 flags);
u32 xnic_xdp_max_mtu(const struct bpf_prog *prog);
struct sk_buff *xnic_xdp_run(struct xnic_queue *q, struct bpf_prog *prog,
			     struct xnic_xdp_ctx *ctx, struct page **pages,
			     const u32 *lens, u32 n,
			     const struct xnic_rx_meta *meta);
void xnic_xdp_finish(struct xnic_queue *q, struct xnic_xdp_ctx *ctx);

/* xnic_irq.c */
void xnic_irq_init(struct xnic_queue *q);
void xnic_irq_quiesce(struct xnic_queue *q);
void xnic_irq_raise(struct xnic_queue *q, enum xnic_irq_cause cause,
		    u32 frames);
void xnic_irq_unmask(struct xnic_queue *q);
void xnic_irq_force(struct xnic_queue *q);

/* xnic_napi.c */
int xnic_poll(struct napi_struct *napi, int budget);
void xnic_rx_refill(struct xnic_queue *q, gfp_t gfp);
bool xnic_rx_pending(const struct xnic_queue *q);
bool xnic_tx_pending(const struct xnic_queue *q);

/* xnic_rss.c */
void xnic_rss_set_key(struct xnic_rss *rss, const u8 *key);
u32 xnic_toeplitz(const struct xnic_rss *rss, const u8 *data,
		  unsigned int len);
u32 xnic_rss_hash(const struct xnic_rss *rss, const struct xnic_pkt *pkt,
		  u32 *desc_flags);
u32 xnic_rss_hash_skb(const struct xnic_rss *rss, const struct sk_buff *skb,
		      u32 *desc_flags);
struct xnic_rss *xnic_rss_alloc_default(u32 channels);
struct xnic_rss *xnic_rss_dup(const struct xnic_rss *old);
void xnic_rss_fill_indir(struct xnic_rss *rss, u32 channels);

/* xnic_ethtool.c */
extern const struct ethtool_ops xnic_ethtool_ops;
void xnic_get_queue_stats(struct xnic_priv *priv, u32 qid,
			  struct xnic_queue_stats *out);

/* xnic_tstamp.c: RX hardware timestamps (SIOCSHWTSTAMP, ethtool -T) */
int xnic_eth_ioctl(struct net_device *dev, struct ifreq *ifr, int cmd);
int xnic_get_ts_info(struct net_device *dev, struct xnic_ts_info *info);

/* xnic_debugfs.c */
void xnic_debugfs_init(void);
void xnic_debugfs_exit(void);
void xnic_debugfs_add(struct xnic_priv *priv);
void xnic_debugfs_del(struct xnic_priv *priv);

/* xnic_watchdog.c */
void xnic_watchdog_start(struct xnic_priv *priv);
void xnic_watchdog_stop(struct xnic_priv *priv);
void xnic_watchdog_init(struct xnic_priv *priv);

#endif /* _XNIC_H */
