// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs, one directory per device: /sys/kernel/debug/xnic/<id>/, where
 * <id> is the number in `ethtool -i DEV` bus-info ("xnic-<id>").
 *
 *   name            current interface name
 *   rings           every ring's registers and occupancy (read)
 *   fail_rx_alloc   fail the next N RX buffer allocations (N <= 0: off)
 *   dma_drop_every  drop 1 in N DMA transfers (0: off)
 *   irq_suppress    lose every interrupt while 1
 *   stall_txq       write a queue index: its DMA engine stops until the
 *                   watchdog resets it; read: stalled queues as a bitmap
 *   irq/<q>/cpu     CPU that vector <q> is delivered to (its NAPI runs
 *                   there), like /proc/irq/N/smp_affinity_list for MSI-X
 *
 * Knobs are root-only (0600). Readers of the knobs in the datapath use
 * READ_ONCE or atomics; `rings` reads the registers locklessly, so it is
 * a snapshot, not an atomic view.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "xnic.h"

static struct dentry *xnic_debugfs_root;

static int xnic_name_show(struct seq_file *m, void *v)
{
	struct xnic_priv *priv = m->private;

	seq_printf(m, "%s\n", netdev_name(priv->dev));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xnic_name);

static int xnic_rings_show(struct seq_file *m, void *v)
{
	struct xnic_priv *priv = m->private;
	struct xnic_channels *chans;
	u32 i;

	rcu_read_lock();
	chans = rcu_dereference(priv->chans);
	if (!chans) {
		seq_puts(m, "down\n");
		goto out;
	}
	seq_puts(m, "queue ring size tail head next_to_clean posted filled irq_masked irq_cpu stalled\n");
	for (i = 0; i < chans->num; i++) {
		struct xnic_queue *q = &chans->q[i];
		u32 rxtail = READ_ONCE(q->rx.tail), rxhead = READ_ONCE(q->rx.head);
		u32 rxntc = READ_ONCE(q->rx.next_to_clean);
		u32 txtail = READ_ONCE(q->tx.tail), txhead = READ_ONCE(q->tx.head);
		u32 txntc = READ_ONCE(q->tx.next_to_clean);
		bool masked = test_bit(XNIC_IRQ_MASKED, &q->irq.state);
		int cpu = READ_ONCE(priv->irq_cpu[i]);

		seq_printf(m, "%u rx %u %u %u %u %u %u %d %d -\n", i,
			   q->rx.size, rxtail, rxhead, rxntc,
			   xnic_ring_used(rxtail, rxhead),
			   xnic_ring_used(rxhead, rxntc), masked, cpu);
		seq_printf(m, "%u tx %u %u %u %u %u %u %d %d %d\n", i,
			   q->tx.size, txtail, txhead, txntc,
			   xnic_ring_used(txtail, txhead),
			   xnic_ring_used(txhead, txntc), masked, cpu,
			   READ_ONCE(q->tx.stalled));
	}
out:
	rcu_read_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xnic_rings);

static int xnic_stall_get(void *data, u64 *val)
{
	struct xnic_priv *priv = data;
	struct xnic_channels *chans;
	u32 i;

	*val = 0;
	rcu_read_lock();
	chans = rcu_dereference(priv->chans);
	for (i = 0; chans && i < chans->num; i++)
		if (READ_ONCE(chans->q[i].tx.stalled))
			*val |= BIT_ULL(i);
	rcu_read_unlock();
	return 0;
}

static int xnic_stall_set(void *data, u64 val)
{
	struct xnic_priv *priv = data;
	struct xnic_channels *chans;
	int err = 0;

	rcu_read_lock();
	chans = rcu_dereference(priv->chans);
	if (!chans)
		err = -ENETDOWN;
	else if (val >= chans->num)
		err = -EINVAL;
	else
		WRITE_ONCE(chans->q[val].tx.stalled, true);
	rcu_read_unlock();
	return err;
}
DEFINE_DEBUGFS_ATTRIBUTE(xnic_stall_fops, xnic_stall_get, xnic_stall_set,
			 "0x%llx\n");

static int xnic_irq_cpu_get(void *data, u64 *val)
{
	*val = READ_ONCE(*(int *)data);
	return 0;
}

static int xnic_irq_cpu_set(void *data, u64 val)
{
	if (val >= nr_cpu_ids || !cpu_online(val))
		return -EINVAL;
	WRITE_ONCE(*(int *)data, (int)val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(xnic_irq_cpu_fops, xnic_irq_cpu_get,
			 xnic_irq_cpu_set, "%llu\n");

void xnic_debugfs_add(struct xnic_priv *priv)
{
	struct dentry *dir, *irq;
	char name[16];
	u32 i;

	snprintf(name, sizeof(name), "%u", priv->id);
	dir = debugfs_create_dir(name, xnic_debugfs_root);
	priv->debugfs = dir;
	debugfs_create_file("name", 0400, dir, priv, &xnic_name_fops);
	debugfs_create_file("rings", 0400, dir, priv, &xnic_rings_fops);
	debugfs_create_atomic_t("fail_rx_alloc", 0600, dir,
				&priv->faults.fail_rx_alloc);
	debugfs_create_u32("dma_drop_every", 0600, dir,
			   &priv->faults.dma_drop_every);
	debugfs_create_bool("irq_suppress", 0600, dir,
			    &priv->faults.irq_suppress);
	debugfs_create_file_unsafe("stall_txq", 0600, dir, priv,
				   &xnic_stall_fops);

	irq = debugfs_create_dir("irq", dir);
	for (i = 0; i < priv->dev->num_tx_queues && i < XNIC_MAX_QUEUES; i++) {
		struct dentry *qd;

		snprintf(name, sizeof(name), "%u", i);
		qd = debugfs_create_dir(name, irq);
		debugfs_create_file_unsafe("cpu", 0600, qd, &priv->irq_cpu[i],
					   &xnic_irq_cpu_fops);
	}
}

void xnic_debugfs_del(struct xnic_priv *priv)
{
	debugfs_remove(priv->debugfs);
	priv->debugfs = NULL;
}

void xnic_debugfs_init(void)
{
	xnic_debugfs_root = debugfs_create_dir(XNIC_DRV_NAME, NULL);
}

void xnic_debugfs_exit(void)
{
	debugfs_remove(xnic_debugfs_root);
}
