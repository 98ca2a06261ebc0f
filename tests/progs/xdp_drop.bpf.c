// SPDX-License-Identifier: GPL-2.0
/* Every frame: XDP_DROP. */
#include "progs.h"

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}
