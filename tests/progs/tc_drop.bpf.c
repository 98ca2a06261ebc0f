// SPDX-License-Identifier: GPL-2.0
/* Every skb at tc (clsact ingress or egress): TC_ACT_SHOT. */
#include "progs.h"

SEC("tc")
int tc_drop(struct __sk_buff *skb)
{
	return TC_ACT_SHOT;
}
