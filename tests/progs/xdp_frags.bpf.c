// SPDX-License-Identifier: GPL-2.0
/* Multi-buffer program: pass everything, count frames that span buffers. */
#include "progs.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} multi_buf SEC(".maps");

SEC("xdp.frags")
int xdp_frags(struct xdp_md *ctx)
{
	__u64 linear = ctx->data_end - ctx->data;
	__u32 key = 0;
	__u64 *n;

	if (bpf_xdp_get_buff_len(ctx) > linear) {
		n = bpf_map_lookup_elem(&multi_buf, &key);
		if (n)
			__sync_fetch_and_add(n, 1);
	}
	return XDP_PASS;
}
