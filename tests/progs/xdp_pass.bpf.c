// SPDX-License-Identifier: GPL-2.0
/* Every frame: XDP_PASS. */
#include "progs.h"

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
