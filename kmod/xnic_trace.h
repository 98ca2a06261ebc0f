/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints under xnic: where a physical NIC's would be: each DMA
 * transfer, each interrupt decision, each NAPI poll.
 *   echo 1 > /sys/kernel/tracing/events/xnic/enable
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM xnic

#if !defined(_XNIC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _XNIC_TRACE_H

#include <linux/netdevice.h>
#include <linux/tracepoint.h>

#include "xnic_compat.h"

TRACE_EVENT(xnic_dma,
	TP_PROTO(const struct net_device *dev, u16 txq, u16 rxq, u32 len,
		 int result),
	TP_ARGS(dev, txq, rxq, len, result),
	TP_STRUCT__entry(
		__string(name, dev->name)
		__field(u16, txq)
		__field(u16, rxq)
		__field(u32, len)
		__field(int, result)
	),
	TP_fast_assign(
		xnic_assign_str(name, dev->name);
		__entry->txq = txq;
		__entry->rxq = rxq;
		__entry->len = len;
		__entry->result = result;
	),
	TP_printk("dev=%s txq=%u peer_rxq=%u len=%u result=%s",
		  __get_str(name), __entry->txq, __entry->rxq, __entry->len,
		  __print_symbolic(__entry->result,
				   { 0, "ok" }, { 1, "no_peer" },
				   { 2, "missed" }, { 3, "oversize" },
				   { 4, "fault_drop" }))
);

TRACE_EVENT(xnic_irq,
	TP_PROTO(const struct net_device *dev, u16 queue, int cause,
		 const char *action),
	TP_ARGS(dev, queue, cause, action),
	TP_STRUCT__entry(
		__string(name, dev->name)
		__field(u16, queue)
		__field(int, cause)
		__string(action, action)
	),
	TP_fast_assign(
		xnic_assign_str(name, dev->name);
		__entry->queue = queue;
		__entry->cause = cause;
		xnic_assign_str(action, action);
	),
	TP_printk("dev=%s queue=%u cause=%s action=%s", __get_str(name),
		  __entry->queue, __entry->cause ? "tx" : "rx",
		  __get_str(action))
);

TRACE_EVENT(xnic_napi_poll,
	TP_PROTO(const struct net_device *dev, u16 queue, int budget,
		 int rx_done, int tx_done),
	TP_ARGS(dev, queue, budget, rx_done, tx_done),
	TP_STRUCT__entry(
		__string(name, dev->name)
		__field(u16, queue)
		__field(int, budget)
		__field(int, rx_done)
		__field(int, tx_done)
	),
	TP_fast_assign(
		xnic_assign_str(name, dev->name);
		__entry->queue = queue;
		__entry->budget = budget;
		__entry->rx_done = rx_done;
		__entry->tx_done = tx_done;
	),
	TP_printk("dev=%s queue=%u budget=%d rx=%d tx_completed=%d",
		  __get_str(name), __entry->queue, __entry->budget,
		  __entry->rx_done, __entry->tx_done)
);

#endif /* _XNIC_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE xnic_trace
#include <trace/define_trace.h>
