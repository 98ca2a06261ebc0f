// SPDX-License-Identifier: GPL-2.0
/* Put a 4-byte magic in front of every frame as XDP metadata. */
#include "progs.h"

SEC("xdp")
int xdp_meta(struct xdp_md *ctx)
{
	void *data, *meta;

	if (bpf_xdp_adjust_meta(ctx, -4))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	meta = (void *)(long)ctx->data_meta;
	if (meta + 4 > data)
		return XDP_ABORTED;
	*(__u32 *)meta = XNIC_TEST_META_MAGIC;
	return XDP_PASS;
}
