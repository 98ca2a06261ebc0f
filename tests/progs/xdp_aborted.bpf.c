// SPDX-License-Identifier: GPL-2.0
/* Every frame: XDP_ABORTED. */
#include "progs.h"

SEC("xdp")
int xdp_aborted(struct xdp_md *ctx)
{
	return XDP_ABORTED;
}
