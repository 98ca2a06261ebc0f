// SPDX-License-Identifier: GPL-2.0
/*
 * sock_ops shaping: a pacing limit per TCP socket, chosen by the policy
 * of the cgroup the program is attached to (bpf/shaping.h has the maps
 * and why the policy lives in cgroup storage). The socket-level twin of
 * bpf/edt.bpf.c: EDT caps what a whole device sends, this caps each
 * connection of a cgroup, client-level rate limiting in the words of
 * ../shared/DATAPATH.md.
 *
 *   ACTIVE/PASSIVE_ESTABLISHED  the first rule matching the remote port
 *                               or prefix, else the cgroup's default;
 *                               none (rate 0): nothing done. Else
 *                               SO_MAX_PACING_RATE = rate, unless the
 *                               socket already has a lower one (a nested
 *                               cgroup's instance ran first: the tightest
 *                               limit wins); the socket is counted
 *                               (established, live, RTT at that point)
 *                               under its policy slot, remembered in
 *                               shp_sk, and asks for STATE_CB
 *   STATE_CB to TCP_CLOSE       live - 1 for the slot that counted it
 *   anything else               nothing
 * Connections established before a policy change keep their rate; a
 * policy written meanwhile is read whole or not (one cgroup storage
 * update copies the value under RCU; a socket may see either version).
 *
 * SO_MAX_PACING_RATE takes a 32-bit value here (bpf_setsockopt wants an
 * int), so rates are at most 0xfffffffe bytes/s; ~0 means unlimited. The
 * rate is enforced by fq when it is the device's qdisc, else by TCP's
 * internal pacing, which the option itself turns on.
 *
 * Only UAPI headers and libbpf's bpf_helpers.h (no vmlinux.h).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "shaping.h"

#define SHP_AF_INET	2
#define SHP_AF_INET6	10
#define SHP_SOL_SOCKET	1
#define SHP_SO_MAX_PACING_RATE	47
#define SHP_TCP_CLOSE	7

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, __u64);
	__type(value, struct shp_cg_policy);
} shp_cg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SHP_MAX_CGROUPS * (SHP_CG_RULES + 1));
	__type(key, struct shp_stat_key);
	__type(value, struct shp_cg_stat);
} shp_cg_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct shp_sk);
} shp_sk SEC(".maps");

/* The first plen bits of a and b (network order words) are equal. */
static __always_inline int prefix_eq(const __u32 *a, const __u8 *b8, __u32 plen)
{
	__u32 b[4], i, mask;

	__builtin_memcpy(b, b8, 16);
	for (i = 0; i < 4; i++) {
		if (plen >= 32) {
			if (a[i] != b[i])
				return 0;
			plen -= 32;
			continue;
		}
		if (!plen)
			return 1;
		mask = bpf_htonl(~0u << (32 - plen));
		return !((a[i] ^ b[i]) & mask);
	}
	return 1;
}

static __always_inline int rule_match(const struct shp_rule *r, __u8 family,
				      const __u32 *raddr, __u16 rport)
{
	if (r->port)
		return r->port == rport;
	if (r->family != family)
		return 0;
	if (r->plen > (family == SHP_FAMILY_IPV4 ? 32 : 128))
		return 0;
	return prefix_eq(raddr, r->addr, r->plen);
}

static __always_inline struct shp_cg_stat *stat_of(struct shp_stat_key *k)
{
	struct shp_cg_stat zero = {}, *s;

	s = bpf_map_lookup_elem(&shp_cg_stats, k);
	if (s)
		return s;
	bpf_map_update_elem(&shp_cg_stats, k, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&shp_cg_stats, k);
}

static __always_inline void established(struct bpf_sock_ops *ops)
{
	struct shp_cg_policy *pol = bpf_get_local_storage(&shp_cg, 0);
	struct shp_stat_key key = {};
	__u32 raddr[4] = {}, slot = SHP_SLOT_DEFAULT, i;
	int cur = 0, val;
	struct shp_cg_stat *s;
	struct shp_sk *sk;
	__u64 rate;
	__u16 rport;
	__u8 family;

	if (!pol->cgroup_id)
		return;		/* attached, policy not written yet */
	if (ops->family == SHP_AF_INET) {
		family = SHP_FAMILY_IPV4;
		raddr[0] = ops->remote_ip4;
	} else if (ops->family == SHP_AF_INET6) {
		family = SHP_FAMILY_IPV6;
		raddr[0] = ops->remote_ip6[0];
		raddr[1] = ops->remote_ip6[1];
		raddr[2] = ops->remote_ip6[2];
		raddr[3] = ops->remote_ip6[3];
	} else {
		return;
	}
	rport = bpf_ntohl(ops->remote_port) & 0xffff;
	rate = pol->rate;
	for (i = 0; i < SHP_CG_RULES; i++) {
		const struct shp_rule *r = &pol->rule[i];

		if (!r->rate)
			continue;	/* an empty slot */
		if (rule_match(r, family, raddr, rport)) {
			rate = r->rate;
			slot = i + 1;
			break;
		}
	}
	if (!rate)
		return;
	if (rate > 0xfffffffeull)
		rate = 0xfffffffeull;
	/* A nested cgroup's instance may have set a lower one already. */
	if (!bpf_getsockopt(ops, SHP_SOL_SOCKET, SHP_SO_MAX_PACING_RATE, &cur,
			    sizeof(cur)) && (__u32)cur <= rate)
		return;
	val = (int)(__u32)rate;
	if (bpf_setsockopt(ops, SHP_SOL_SOCKET, SHP_SO_MAX_PACING_RATE, &val,
			   sizeof(val)))
		return;

	key.cgroup_id = pol->cgroup_id;
	key.slot = slot;
	if (!ops->sk)
		return;
	sk = bpf_sk_storage_get(&shp_sk, ops->sk, 0,
				BPF_SK_STORAGE_GET_F_CREATE);
	if (!sk)
		return;
	if (sk->rate) {
		/* Counted by the nested cgroup's policy: move it here. */
		s = bpf_map_lookup_elem(&shp_cg_stats, &sk->key);
		if (s) {
			s->live--;
			s->established--;
		}
	}
	s = stat_of(&key);
	if (!s)
		return;
	sk->key = key;
	sk->rate = rate;
	s->established++;
	s->live++;
	s->rtt_sum_us += ops->srtt_us >> 3;	/* srtt_us is scaled by 8 */
	s->rtt_samples++;
	bpf_sock_ops_cb_flags_set(ops, ops->bpf_sock_ops_cb_flags |
				  BPF_SOCK_OPS_STATE_CB_FLAG);
}

static __always_inline void closed(struct bpf_sock_ops *ops)
{
	struct shp_cg_stat *s;
	struct shp_sk *sk;

	if (!ops->sk)
		return;
	sk = bpf_sk_storage_get(&shp_sk, ops->sk, 0, 0);
	if (!sk || !sk->rate)
		return;
	s = bpf_map_lookup_elem(&shp_cg_stats, &sk->key);
	if (s)
		s->live--;
	sk->rate = 0;	/* another instance on the path must not count it */
}

SEC("sockops")
int shp_sockops(struct bpf_sock_ops *ops)
{
	switch (ops->op) {
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		established(ops);
		break;
	case BPF_SOCK_OPS_STATE_CB:
		if (ops->args[1] == SHP_TCP_CLOSE)
			closed(ops);
		break;
	}
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
