/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the test programs: UAPI headers and libbpf's helpers only. */
#ifndef XNIC_TEST_PROGS_H
#define XNIC_TEST_PROGS_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Written into XDP metadata by xdp_meta, looked for by tc_meta. */
#define XNIC_TEST_META_MAGIC 0xc0ffee42

char LICENSE[] SEC("license") = "GPL";

#endif
