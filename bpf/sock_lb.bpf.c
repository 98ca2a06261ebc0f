// SPDX-License-Identifier: GPL-2.0
/*
 * Socket-level load balancing: cgroup sock_addr programs that translate
 * a service address (VIP:port, TCP or UDP) to one of its backends when a
 * socket of the cgroup connects or sends, and the backend back to the
 * VIP when it reads a datagram's source or its peer's name. The packets
 * themselves carry the backend's address from the start; nothing is
 * rewritten per packet. Maps and the update protocol: bpf/service.h.
 *
 *   connect4/6    TCP: a backend per connect(); connected UDP likewise
 *   sendmsg4/6    unconnected UDP: the socket's backend (lb_affinity), a
 *                 new one on the first datagram or when it went away
 *   recvmsg4/6    UDP source address backend -> VIP (lb_revnat)
 *   getpeername4/6  the connected peer backend -> VIP (lb_revnat)
 *
 * IPv4-mapped IPv6 destinations (::ffff:a.b.c.d) of an IPv6 socket are
 * looked up as IPv4 services and get the backend as a mapped address in
 * connect6 (the kernel then connects over IPv4). An unconnected IPv6 UDP
 * socket sending to a mapped address goes through udp_sendmsg() and so
 * through sendmsg4 (net/ipv6/udp.c); sendmsg6 leaves mapped addresses
 * alone (6.1 refuses a sendmsg6 rewrite to one: ENOTSUPP). IPv4
 * services get only IPv4 backends, IPv6 services only IPv6 ones.
 *
 * A service with no backend: connect()/sendmsg() fail with
 * LB_NO_BACKEND_ERRNO through bpf_set_retval() and return 0 (without
 * set_retval, 0 would be EPERM). Every program returns 1 otherwise:
 * traffic to anything that is not a service is untouched.
 *
 * Only UAPI headers and libbpf's bpf_helpers.h (no vmlinux.h).
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "service.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LB_REVNAT_ENTRIES);
	__type(key, struct lb_revnat_key);
	__type(value, struct lb_revnat);
} lb_revnat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LB_AFF_ENTRIES);
	__type(key, struct lb_aff_key);
	__type(value, __u32);
} lb_affinity SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lb_meta);
} lb_meta SEC(".maps");

/* The socket's destination or peer as the maps spell it. */
struct lb_addr {
	__u32 addr[4];
	__u16 port;
	__u8 family;
	__u8 mapped;	/* an IPv6 socket's ::ffff:a.b.c.d, held as IPv4 */
};

static __always_inline void lb_read(struct bpf_sock_addr *ctx, __u8 family,
				    struct lb_addr *a)
{
	__builtin_memset(a, 0, sizeof(*a));
	a->port = (__u16)ctx->user_port;
	if (family == LB_FAMILY_IPV4) {
		a->family = LB_FAMILY_IPV4;
		a->addr[0] = ctx->user_ip4;
		return;
	}
	a->addr[0] = ctx->user_ip6[0];
	a->addr[1] = ctx->user_ip6[1];
	a->addr[2] = ctx->user_ip6[2];
	a->addr[3] = ctx->user_ip6[3];
	if (!a->addr[0] && !a->addr[1] &&
	    a->addr[2] == bpf_htonl(0x0000ffff)) {
		a->family = LB_FAMILY_IPV4;
		a->addr[0] = a->addr[3];
		a->addr[2] = 0;
		a->addr[3] = 0;
		a->mapped = 1;
		return;
	}
	a->family = LB_FAMILY_IPV6;
}

/* Write @a back in the form the hook's address has (family of the hook). */
static __always_inline void lb_write(struct bpf_sock_addr *ctx, __u8 family,
				     const __u32 addr[4], __u16 port,
				     __u8 mapped)
{
	ctx->user_port = port;
	if (family == LB_FAMILY_IPV4) {
		ctx->user_ip4 = addr[0];
		return;
	}
	if (mapped) {
		ctx->user_ip6[0] = 0;
		ctx->user_ip6[1] = 0;
		ctx->user_ip6[2] = bpf_htonl(0x0000ffff);
		ctx->user_ip6[3] = addr[0];
		return;
	}
	ctx->user_ip6[0] = addr[0];
	ctx->user_ip6[1] = addr[1];
	ctx->user_ip6[2] = addr[2];
	ctx->user_ip6[3] = addr[3];
}

/*
 * connect4/6 and sendmsg4/6. @udp_affinity: unconnected UDP, keep the
 * socket's backend. Returns the program's verdict.
 */
static __always_inline int lb_translate(struct bpf_sock_addr *ctx, __u8 family,
					int udp_affinity)
{
	struct lb_revnat_key rk = {};
	struct lb_revnat rv = {};
	struct lb_aff_key ak = {};
	struct lb_svc_key key = {};
	struct lb_be *be = NULL;
	struct lb_svc *svc;
	struct lb_addr a;
	__u32 be_id = 0, *aff;
	__u64 cookie;
	int picked = 0;

	if (ctx->protocol != IPPROTO_TCP && ctx->protocol != IPPROTO_UDP)
		return 1;
	lb_read(ctx, family, &a);
	/* sendmsg6 to a mapped address: see the top of the file. */
	if (a.mapped && udp_affinity)
		return 1;
	__builtin_memcpy(key.addr, a.addr, sizeof(key.addr));
	key.port = a.port;
	key.family = a.family;
	key.proto = ctx->protocol;
	svc = bpf_map_lookup_elem(&lb_svc, &key);
	if (!svc)
		return 1;

	cookie = bpf_get_socket_cookie(ctx);
	if (udp_affinity) {
		ak.cookie = cookie;
		ak.svc_id = svc->id;
		aff = bpf_map_lookup_elem(&lb_affinity, &ak);
		if (aff) {
			be_id = *aff;
			be = bpf_map_lookup_elem(&lb_be, &be_id);
		}
	}
	if (!be) {
		be = lb_pick(&key, svc, &be_id);
		picked = 1;
	}
	if (!be || be->family != a.family) {
		lb_count(&lb_svc_stats, svc->id, 1);
		bpf_set_retval(-LB_NO_BACKEND_ERRNO);
		return 0;
	}
	if (picked) {
		lb_count(&lb_svc_stats, svc->id, 0);
		lb_count(&lb_be_stats, be_id, 0);
		if (udp_affinity)
			bpf_map_update_elem(&lb_affinity, &ak, &be_id, BPF_ANY);
	}

	rk.cookie = cookie;
	__builtin_memcpy(rk.addr, be->addr, sizeof(rk.addr));
	rk.port = be->port;
	rk.family = be->family;
	__builtin_memcpy(rv.addr, a.addr, sizeof(rv.addr));
	rv.port = a.port;
	rv.family = a.family;
	rv.proto = key.proto;
	rv.svc_id = svc->id;
	bpf_map_update_elem(&lb_revnat, &rk, &rv, BPF_ANY);

	lb_write(ctx, family, be->addr, be->port, a.mapped);
	return 1;
}

/* recvmsg4/6, getpeername4/6: backend -> VIP if this socket went there. */
static __always_inline int lb_reverse(struct bpf_sock_addr *ctx, __u8 family)
{
	struct lb_revnat_key rk = {};
	struct lb_svc_key key = {};
	struct lb_revnat *rv;
	struct lb_svc *svc;
	struct lb_addr a;

	lb_read(ctx, family, &a);
	rk.cookie = bpf_get_socket_cookie(ctx);
	__builtin_memcpy(rk.addr, a.addr, sizeof(rk.addr));
	rk.port = a.port;
	rk.family = a.family;
	rv = bpf_map_lookup_elem(&lb_revnat, &rk);
	if (!rv)
		return 1;
	/* Stale: the service was deleted (and maybe added again). */
	__builtin_memcpy(key.addr, rv->addr, sizeof(key.addr));
	key.port = rv->port;
	key.family = rv->family;
	key.proto = rv->proto;
	svc = bpf_map_lookup_elem(&lb_svc, &key);
	if (!svc || svc->id != rv->svc_id)
		return 1;
	lb_write(ctx, family, rv->addr, rv->port, a.mapped);
	return 1;
}

SEC("cgroup/connect4")
int lb_connect4(struct bpf_sock_addr *ctx)
{
	return lb_translate(ctx, LB_FAMILY_IPV4, 0);
}

SEC("cgroup/connect6")
int lb_connect6(struct bpf_sock_addr *ctx)
{
	return lb_translate(ctx, LB_FAMILY_IPV6, 0);
}

SEC("cgroup/sendmsg4")
int lb_sendmsg4(struct bpf_sock_addr *ctx)
{
	return lb_translate(ctx, LB_FAMILY_IPV4, 1);
}

SEC("cgroup/sendmsg6")
int lb_sendmsg6(struct bpf_sock_addr *ctx)
{
	return lb_translate(ctx, LB_FAMILY_IPV6, 1);
}

SEC("cgroup/recvmsg4")
int lb_recvmsg4(struct bpf_sock_addr *ctx)
{
	return lb_reverse(ctx, LB_FAMILY_IPV4);
}

SEC("cgroup/recvmsg6")
int lb_recvmsg6(struct bpf_sock_addr *ctx)
{
	return lb_reverse(ctx, LB_FAMILY_IPV6);
}

SEC("cgroup/getpeername4")
int lb_getpeername4(struct bpf_sock_addr *ctx)
{
	return lb_reverse(ctx, LB_FAMILY_IPV4);
}

SEC("cgroup/getpeername6")
int lb_getpeername6(struct bpf_sock_addr *ctx)
{
	return lb_reverse(ctx, LB_FAMILY_IPV6);
}

char LICENSE[] SEC("license") = "GPL";
