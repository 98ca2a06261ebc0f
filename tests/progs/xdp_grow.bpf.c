// SPDX-License-Identifier: GPL-2.0
/* Grow every frame's tail by 16 bytes, then shrink the head and grow it
 * back, restoring the Ethernet header: the stack must still accept it. */
#include "progs.h"

SEC("xdp")
int xdp_grow(struct xdp_md *ctx)
{
	struct ethhdr saved, *eth;
	void *data, *data_end;

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	__builtin_memcpy(&saved, eth, sizeof(saved));

	if (bpf_xdp_adjust_tail(ctx, 16))
		return XDP_ABORTED;
	if (bpf_xdp_adjust_head(ctx, (int)sizeof(saved)))
		return XDP_ABORTED;
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(saved)))
		return XDP_ABORTED;

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(eth, &saved, sizeof(saved));
	return XDP_PASS;
}
