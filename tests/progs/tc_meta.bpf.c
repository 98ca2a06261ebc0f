// SPDX-License-Identifier: GPL-2.0
/* tc ingress: count skbs whose metadata carries xdp_meta's magic. */
#include "progs.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} meta_seen SEC(".maps");

SEC("tc")
int tc_meta(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *meta = (void *)(long)skb->data_meta;
	__u32 key = 0;
	__u64 *n;

	if (meta + 4 > data || *(__u32 *)meta != XNIC_TEST_META_MAGIC)
		return TC_ACT_OK;
	n = bpf_map_lookup_elem(&meta_seen, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	return TC_ACT_OK;
}
