// SPDX-License-Identifier: GPL-2.0
/*
 * Emulated interrupts: one maskable vector per channel with two causes
 * (RX, TX completion), ethtool coalescing, and a CPU affinity.
 *
 * Raising a cause fires the vector unless it is masked (NAPI is already
 * polling) or coalescing delays it. Firing masks the vector and delivers
 * it to the vector's CPU with an IPI (smp_call_function_single_async), whose
 * handler schedules NAPI there: receive work runs on the CPU the user
 * chose, whatever CPU the sender runs on. NAPI unmasks after
 * napi_complete_done() and re-checks the rings, so work that raced with
 * the unmask is never left behind.
 */
#include <kunit/visibility.h>

#include "xnic.h"
#include "xnic_trace.h"

/* IPI handler on the vector's CPU: the "interrupt service routine". */
static void xnic_irq_handler(void *info)
{
	struct xnic_queue *q = info;

	napi_schedule_irqoff(&q->napi);
	atomic_dec(&q->irq.inflight);
}

static void xnic_irq_deliver(struct xnic_queue *q)
{
	int cpu = READ_ONCE(q->priv->irq_cpu[q->index]);
	int err;

	if (cpu < 0 || cpu == raw_smp_processor_id()) {
		napi_schedule(&q->napi);
		return;
	}
	/*
	 * No cpu_online() test first: it could only race with hotplug. The
	 * IPI call makes the one authoritative check and says -ENXIO.
	 */
	atomic_inc(&q->irq.inflight);
	err = smp_call_function_single_async(cpu, &q->irq.csd);
	if (!err)
		return;
	atomic_dec(&q->irq.inflight);
	/*
	 * -EBUSY: the previous IPI is still queued and will schedule NAPI.
	 * Anything else (-ENXIO: the CPU is offline) delivered nothing: take
	 * the interrupt on this CPU and count it, or it is lost.
	 */
	if (err != -EBUSY) {
		atomic64_inc(&q->stats->irq.cpu_offline);
		napi_schedule(&q->napi);
	}
}

static void xnic_irq_fire(struct xnic_queue *q, enum xnic_irq_cause cause)
{
	struct xnic_irq_stats *st = &q->stats->irq;

	atomic_set(&q->irq.frames, 0);
	if (READ_ONCE(q->priv->faults.irq_suppress)) {
		atomic64_inc(&st->suppressed);
		trace_xnic_irq(q->priv->dev, q->index, cause, "suppressed");
		return;
	}
	if (test_and_set_bit(XNIC_IRQ_MASKED, &q->irq.state)) {
		atomic64_inc(&st->masked);
		return;
	}
	atomic64_inc(&st->fired);
	trace_xnic_irq(q->priv->dev, q->index, cause, "fired");
	xnic_irq_deliver(q);
}

static enum hrtimer_restart xnic_irq_timer(struct hrtimer *t)
{
	struct xnic_queue *q = container_of(t, struct xnic_queue, irq.timer);

	clear_bit(XNIC_IRQ_TIMER, &q->irq.state);
	xnic_irq_fire(q, XNIC_IRQ_RX);
	return HRTIMER_NORESTART;
}

void xnic_irq_init(struct xnic_queue *q)
{
	q->irq.state = 0;
	atomic_set(&q->irq.frames, 0);
	atomic_set(&q->irq.inflight, 0);
	INIT_CSD(&q->irq.csd, xnic_irq_handler, q);
	hrtimer_init(&q->irq.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	q->irq.timer.function = xnic_irq_timer;
}

/* Wait until no timer or IPI can touch the queue any more. */
void xnic_irq_quiesce(struct xnic_queue *q)
{
	hrtimer_cancel(&q->irq.timer);
	while (atomic_read(&q->irq.inflight))
		cpu_relax();
}

/*
 * A cause is pending. @frames: RX frames delivered (for rx-frames) or TX
 * descriptors completed. Callers run with BH disabled.
 */
void xnic_irq_raise(struct xnic_queue *q, enum xnic_irq_cause cause,
		    u32 frames)
{
	const struct xnic_coalesce *coal = &q->priv->coal;
	struct xnic_irq_stats *st = &q->stats->irq;
	u32 usecs, max_frames;

	atomic64_inc(&st->raised);
	/* Order the descriptor writes before reading the mask (see unmask). */
	smp_mb();
	if (test_bit(XNIC_IRQ_MASKED, &q->irq.state)) {
		atomic64_inc(&st->masked);
		return;
	}

	if (cause == XNIC_IRQ_RX) {
		usecs = READ_ONCE(coal->rx_usecs);
		max_frames = READ_ONCE(coal->rx_frames);
		if (usecs && max_frames &&
		    atomic_add_return(frames, &q->irq.frames) >= max_frames)
			usecs = 0;
	} else {
		usecs = READ_ONCE(coal->tx_usecs);
	}

	if (!usecs) {
		xnic_irq_fire(q, cause);
		return;
	}
	atomic64_inc(&st->coalesced);
	if (!test_and_set_bit(XNIC_IRQ_TIMER, &q->irq.state))
		hrtimer_start(&q->irq.timer, ns_to_ktime((u64)usecs * NSEC_PER_USEC),
			      HRTIMER_MODE_REL_SOFT);
}

/*
 * NAPI is done: re-enable the vector. Work that arrived while masked did
 * not fire, so look at the rings once more: as on hardware, a cause still
 * pending at unmask fires the vector (and a lost-interrupt fault loses it).
 */
void xnic_irq_unmask(struct xnic_queue *q)
{
	clear_bit(XNIC_IRQ_MASKED, &q->irq.state);
	/* Unmask before looking at the rings; pairs with xnic_irq_raise(). */
	smp_mb__after_atomic();
	if (xnic_rx_pending(q))
		xnic_irq_fire(q, XNIC_IRQ_RX);
	else if (xnic_tx_pending(q))
		xnic_irq_fire(q, XNIC_IRQ_TX);
}

/*
 * Watchdog recovery: act as if the vector had fired, ignoring faults, on
 * the vector's CPU like any interrupt.
 */
void xnic_irq_force(struct xnic_queue *q)
{
	local_bh_disable();
	/*
	 * Only whoever masks the vector may use its csd: if it was already
	 * masked, an IPI may be queued on it, and queueing the same csd
	 * twice corrupts the IPI list. NAPI is scheduled or about to be;
	 * scheduling it here as well is harmless.
	 */
	if (test_and_set_bit(XNIC_IRQ_MASKED, &q->irq.state))
		napi_schedule(&q->napi);
	else
		xnic_irq_deliver(q);
	local_bh_enable();
}
EXPORT_SYMBOL_IF_KUNIT(xnic_irq_force);
