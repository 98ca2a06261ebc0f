/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Socket-level load balancing (bpf/sock_lb.bpf.c): the contract with
 * user space. Map keys and values, the selection table and the errno of
 * a service without backends. Included by bpf/sock_lb.bpf.c and by user
 * space (xnicctl service), so it uses only <linux/types.h>.
 *
 * One object, eight cgroup/sock_addr programs attached to one cgroup v2
 * (xnicctl service attach): connect4/6 and sendmsg4/6 translate a
 * service address (VIP:port) to a backend before the socket routes, so
 * packets are never rewritten; recvmsg4/6 and getpeername4/6 translate
 * the backend back to the VIP. The maps (bpftool map show name lb_svc):
 *
 *   lb_svc       HASH   struct lb_svc_key   -> struct lb_svc
 *   lb_sel       HASH   struct lb_sel_key   -> __u32 backend id
 *   lb_be        HASH   __u32 backend id    -> struct lb_be
 *   lb_revnat    LRU_HASH struct lb_revnat_key -> struct lb_revnat
 *   lb_affinity  LRU_HASH struct lb_aff_key -> __u32 backend id
 *   lb_svc_stats PERCPU_HASH __u32 svc id   -> struct lb_stat
 *   lb_be_stats  PERCPU_HASH __u32 be id    -> struct lb_stat
 *   lb_meta      ARRAY  0                   -> struct lb_meta
 *
 * Selection: a service of revision rev owns the slots
 * lb_sel[{id, rev, 0 .. slots-1}]; each of its backends fills as many
 * slots as its weight. The program picks slot
 * bpf_get_prandom_u32() % slots. User space changes a service by
 * writing the slots of revision rev+1 first, then replacing the lb_svc
 * value (one hash update: a reader sees the old value or the new one,
 * never a mix), then deleting revision rev's slots and the backends no
 * longer used. A socket that read the old value and misses a slot that
 * was just deleted reads lb_svc once more (lb_pick).
 *
 * Ids (service and backend) come from lb_meta.next_id and are never
 * reused while the maps live, so a reverse-NAT or affinity entry of a
 * deleted service or backend can never match a new one.
 */
#ifndef XNIC_SERVICE_H
#define XNIC_SERVICE_H

#include <linux/types.h>

/*
 * Sizes. Services and backends as Cilium's defaults (64k each), so a
 * node of 10,000+ services with a few backends each fits. Selection
 * slots: a backend fills as many as its weight, and one service being
 * changed holds two revisions for a moment, so twice the backends.
 *
 * lb_svc, lb_sel, lb_be and the two counter maps are written by user
 * space only (the programs look up, and count in place), so they are
 * BPF_F_NO_PREALLOC: a node pays their hash buckets (16 bytes each,
 * max_entries rounded up to a power of two: 6 MiB for the five) and then
 * per entry in use (about 100 bytes; a counter also 16 bytes per
 * possible CPU). Preallocated, the same sizes would cost ~20 MiB for
 * the three plain maps, and the counters 2 MiB per possible CPU
 * (128 MiB on a 64-CPU node) before the first service exists.
 * lb_revnat and lb_affinity are LRU maps the programs write: LRU maps
 * are always preallocated (7.5 and 5.5 MiB).
 */
#define LB_MAX_SERVICES		65536
#define LB_MAX_BACKENDS		64	/* per service */
#define LB_MAX_WEIGHT		100
/* Slots of one service: every backend at its maximal weight. */
#define LB_MAX_SLOTS		(LB_MAX_BACKENDS * LB_MAX_WEIGHT)
#define LB_BE_ENTRIES		65536
#define LB_SEL_ENTRIES		(2 * LB_BE_ENTRIES)
#define LB_REVNAT_ENTRIES	65536
#define LB_AFF_ENTRIES		65536

#define LB_FAMILY_IPV4		4
#define LB_FAMILY_IPV6		6

/*
 * connect()/sendmsg() to a service with no backend fail with this errno
 * (set with bpf_set_retval(), which Debian's 6.1 allows in the connect
 * and sendmsg hooks); ECONNREFUSED is what a client sees from a port
 * nobody listens on, so it never waits.
 */
#define LB_NO_BACKEND_ERRNO	111	/* ECONNREFUSED */

/*
 * An address as the maps hold it: network order, IPv4 in addr[0] and the
 * other words zero. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is
 * looked up as the IPv4 address a.b.c.d.
 */
struct lb_svc_key {
	__u32 addr[4];
	__u16 port;		/* network order */
	__u8 family;		/* LB_FAMILY_* */
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
};

struct lb_svc {
	__u32 id;		/* from lb_meta.next_id, never 0 */
	__u32 rev;		/* the revision whose slots are live */
	__u32 slots;		/* 0: no backend, connect fails */
	__u16 backends;		/* number of backends (for listing) */
	__u16 pad;		/* zero */
};

struct lb_sel_key {
	__u32 id;		/* service id */
	__u32 rev;
	__u32 slot;		/* 0 .. slots - 1 */
};

struct lb_be {
	__u32 addr[4];		/* as in lb_svc_key */
	__u16 port;		/* network order */
	__u8 family;
	__u8 weight;		/* 1..LB_MAX_WEIGHT, for listing */
	__u32 svc_id;		/* the service it belongs to */
};

/* Written at connect/sendmsg, read by recvmsg/getpeername. */
struct lb_revnat_key {
	__u64 cookie;		/* bpf_get_socket_cookie() */
	__u32 addr[4];		/* the backend */
	__u16 port;
	__u8 family;
	__u8 pad[5];		/* zero */
};

/* Used only while lb_svc[{vip, vport, family, proto}].id == svc_id. */
struct lb_revnat {
	__u32 addr[4];		/* the service */
	__u16 port;
	__u8 family;
	__u8 proto;
	__u32 svc_id;
};

/* Unconnected UDP: one socket stays on one backend of a service. */
struct lb_aff_key {
	__u64 cookie;
	__u32 svc_id;
	__u32 pad;		/* zero */
};

/*
 * Selections, counted when a backend is picked (every TCP connect(),
 * every connected-UDP connect(), an unconnected UDP socket's first
 * sendmsg() to the service or after its backend went away).
 * no_backend counts connect()/sendmsg() refused for want of a backend
 * (services only).
 */
struct lb_stat {
	__u64 selected;
	__u64 no_backend;
};

struct lb_meta {
	__u32 next_id;		/* user space only */
	__u32 pad;
};

#endif /* XNIC_SERVICE_H */
