// SPDX-License-Identifier: GPL-2.0
/*
 * tc ingress (step 8): read the classification the XDP prefilter left in
 * the metadata (step 2) and count frames per class, so the end-to-end
 * test sees the metadata survive skb construction on xnic (native) and
 * in generic XDP. Counts frames without valid metadata in slot
 * PFM_NO_META.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "prefilter.h"

#define PFM_NO_META	4

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PFM_NO_META + 1);
	__type(key, __u32);
	__type(value, __u64);
} pfm_seen SEC(".maps");

SEC("tc")
int tc_pf_meta(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	struct pf_meta *m = (void *)(long)skb->data_meta;
	__u32 slot = PFM_NO_META;
	__u64 *n;

	if ((void *)(m + 1) <= data && m->magic == PF_META_MAGIC &&
	    m->class < PFM_NO_META)
		slot = m->class;
	n = bpf_map_lookup_elem(&pfm_seen, &slot);
	if (n)
		__sync_fetch_and_add(n, 1);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
