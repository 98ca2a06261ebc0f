/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `xnicctl service`: socket-level load balancing (bpf/sock_lb.bpf.c,
 * contract in bpf/service.h). Programs, links and maps are pinned under
 * PIN_LB:
 *
 *   /sys/fs/bpf/xnic/lb/lb_svc ... lb_meta    the maps (service.h)
 *   /sys/fs/bpf/xnic/lb/link_connect4 ...     one bpf_link per hook
 *
 * (This header is service_cmd.h: service.h is bpf/'s contract.)
 * Parsing (service_parse) is pure and unit-tested in
 * tests/cli/test_service.c; everything else runs under pin_lock().
 */
#ifndef XNICCTL_SERVICE_CMD_H
#define XNICCTL_SERVICE_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "pin.h"
#include "service.h"	/* bpf/: the map layouts */

#define PIN_LB		PIN_ROOT "/lb"
#define LB_CGROUP_ROOT	"/sys/fs/cgroup"

struct xerr;

enum svc_op {
	SVC_NONE,	/* no subcommand yet: only --help */
	SVC_ATTACH,
	SVC_DETACH,
	SVC_ADD,
	SVC_DEL,
	SVC_BE_ADD,
	SVC_BE_DEL,
	SVC_LIST,
	SVC_NP_ATTACH,	/* service nodeport ...: npcmd.h */
	SVC_NP_DETACH,
	SVC_NP_SHOW,
};

/* An address and port as typed: IPv4 "A:P", IPv6 "[A]:P". */
struct svc_ep {
	unsigned char family;	/* LB_FAMILY_IPV4 or LB_FAMILY_IPV6 */
	unsigned char addr[16];	/* network order; IPv4 in addr[0..3] */
	unsigned short port;	/* host order, 1..65535 */
	unsigned int weight;	/* backends: 1..LB_MAX_WEIGHT */
	const char *arg;
};

struct svc_req {
	enum svc_op op;
	bool help;
	bool json;
	const char *cgroup;	/* attach: the cgroup v2 directory */
	struct svc_ep vip;
	unsigned char proto;	/* IPPROTO_TCP or IPPROTO_UDP */
	struct svc_ep be[LB_MAX_BACKENDS];
	unsigned int nbe;
	const char *dev;	/* nodeport: the node device */
	unsigned int node_addr;	/* nodeport attach: network order, 0: none */
	bool xdp;		/* nodeport attach --xdp */
};

/* "ADDR:PORT" or "[ADDR6]:PORT" (port 1..65535). */
int svc_parse_ep(const char *s, struct svc_ep *ep, struct xerr *err);
/* "VIP:PORT/tcp|udp". */
int svc_parse_service(const char *s, struct svc_ep *vip, unsigned char *proto,
		      struct xerr *err);
/* "ADDR:PORT[,weight=N]". */
int svc_parse_backend(const char *s, struct svc_ep *be, struct xerr *err);

/* The words after "service". */
int service_parse(int argc, char **argv, struct svc_req *req,
		  struct xerr *err);
const char *service_ctx(enum svc_op op);

/* Text forms: "192.0.2.1:80", "[2001:db8::1]:80", with "/tcp" if @proto. */
#define SVC_STR_MAX	64
void svc_format(const struct svc_ep *ep, unsigned char proto,
		char buf[SVC_STR_MAX]);

/* A service and its backends' selection counters, summed over CPUs. */
struct svc_be_stat {
	struct svc_ep ep;	/* with its weight */
	__u32 id;
	__u64 selected;
};

struct svc_stat {
	struct svc_ep vip;
	unsigned char proto;
	__u32 id, rev;
	struct lb_stat st;
	unsigned int nbe;
	struct svc_be_stat be[LB_MAX_BACKENDS];	/* sorted by address */
};

/*
 * Every service (sorted by address) from the maps pinned under PIN_LB,
 * for `service list` and `stats`; free(*@v) after. XNIC_EXIT_NOLINK,
 * with @err untouched, when they are not pinned. Takes no lock.
 */
int svc_stats_read(struct svc_stat **v, size_t *n, struct xerr *err);

/* @path is a directory of a cgroup v2 filesystem (also `limit`'s check). */
bool cgroup_ok(const char *path);

/*
 * `save`: the services with their backends and weights, then the
 * cgroup the socket programs are attached to, as the service lines
 * that make them again. Nothing if never pinned. Takes no lock.
 */
int service_save(FILE *out, struct xerr *err);

int service_main(int argc, char **argv);
/* true: keep the maps open between service commands (a batch); false: close. */
void service_keep_maps(bool keep);
void service_usage(FILE *out);

#endif /* XNICCTL_SERVICE_CMD_H */
