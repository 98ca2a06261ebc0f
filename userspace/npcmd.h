/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `xnicctl service nodeport`: per-packet service translation on a node
 * device (bpf/nodeport.bpf.c, contract in bpf/nodeport.h). The services
 * are sock_lb's, pinned under PIN_LB; the rest is pinned beside them:
 *
 *   /sys/fs/bpf/xnic/lb/lb_svc ... lb_be_stats   shared with sock_lb
 *   /sys/fs/bpf/xnic/lb/np_ct, np_rev, np_xrev   the connection table,
 *                                                shared by every device
 *   /sys/fs/bpf/xnic/lb/np/DEV/np_config         DEV's node address
 *   /sys/fs/bpf/xnic/lb/np/DEV/np_stats          DEV's counters
 *   /sys/fs/bpf/xnic/lb/np/DEV/xdp_link          np_xdp's native XDP link
 *                                                (attach --xdp)
 *   /sys/fs/bpf/xnic/xnic_events ...             drop events, shared with
 *                                                every program that drops
 *
 * The filters are np_ingress and np_egress, direct-action bpf filters
 * at handle and priority NP_TC_HANDLE/NP_TC_PRIO on DEV's clsact hook:
 * before the tc policy (0x786e), which still sees every packet they
 * pass (they return TC_ACT_UNSPEC). A filter there is xnicctl's when
 * its program uses DEV's pinned np_stats; anything else belongs to
 * another tool and is never replaced or removed. The same goes for the
 * XDP hook: np_xdp is ours when DEV runs the pinned xdp_link's program.
 */
#ifndef XNICCTL_NPCMD_H
#define XNICCTL_NPCMD_H

#include "service_cmd.h"

#define PIN_NP		PIN_LB "/np"
/* "np": our place on both directions of the hook. */
#define NP_TC_HANDLE	0x6e70
#define NP_TC_PRIO	0x6e70

/*
 * The words after "service nodeport" into @req (op SVC_NP_*):
 * attach DEV [--node-addr ADDR] | detach DEV | show DEV [--json].
 */
int np_parse(int argc, char **argv, struct svc_req *req, struct xerr *err);

/* The name `service nodeport show` gives enum np_reason @r, or NULL. */
const char *np_reason_name(unsigned int r);

/*
 * Run a parsed SVC_NP_* request; the caller holds pin_lock() as @lock
 * (-1: nothing was ever pinned, only for detach and show).
 */
int np_run(const struct svc_req *req, int lock, struct xerr *err);

/*
 * `save`: a service nodeport attach line per device whose filters are
 * ours (with its node address and --xdp). Call with pin_lock() held.
 */
int np_save(FILE *out, struct xerr *err);

extern const char np_help[];

#endif /* XNICCTL_NPCMD_H */
