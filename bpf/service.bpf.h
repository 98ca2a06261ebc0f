/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF side of services (the contract is bpf/service.h): the service,
 * selection and backend maps and their counters, and how a backend is
 * picked. Included by every program that load-balances (sock_lb at
 * connect time, nodeport per packet), after <bpf/bpf_helpers.h>, so both
 * pick backends the same way from the same maps: the maps are defined
 * identically in each object and a loader pins them once (PIN_LB) and
 * makes every object reuse them (libbpf's pin path). One
 * `xnicctl service add` therefore drives both ways in.
 */
#ifndef XNIC_SERVICE_BPF_H
#define XNIC_SERVICE_BPF_H

#include "service.h"

/* User space writes these maps, the programs only read: see service.h. */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_SERVICES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lb_svc_key);
	__type(value, struct lb_svc);
} lb_svc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_SEL_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lb_sel_key);
	__type(value, __u32);
} lb_sel SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_BE_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct lb_be);
} lb_be SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, LB_MAX_SERVICES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct lb_stat);
} lb_svc_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, LB_BE_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct lb_stat);
} lb_be_stats SEC(".maps");

static __always_inline void lb_count(void *map, __u32 id, int no_backend)
{
	struct lb_stat *st = bpf_map_lookup_elem(map, &id);

	if (!st)
		return;
	if (no_backend)
		st->no_backend++;
	else
		st->selected++;
}

/*
 * A backend of @svc (read from lb_svc under @key): a random slot of its
 * live revision. A miss means user space switched revisions between our
 * two lookups and already deleted the old slots: read the service again.
 */
static __always_inline struct lb_be *lb_pick(struct lb_svc_key *key,
					      struct lb_svc *svc, __u32 *be_id)
{
	struct lb_sel_key sk = {};
	struct lb_be *be;
	__u32 *id;
	int i;

	for (i = 0; i < 2; i++) {
		if (!svc->slots || svc->slots > LB_MAX_SLOTS)
			return NULL;
		sk.id = svc->id;
		sk.rev = svc->rev;
		sk.slot = bpf_get_prandom_u32() % svc->slots;
		id = bpf_map_lookup_elem(&lb_sel, &sk);
		if (id) {
			*be_id = *id;
			be = bpf_map_lookup_elem(&lb_be, be_id);
			if (be)
				return be;
		}
		svc = bpf_map_lookup_elem(&lb_svc, key);
		if (!svc)
			return NULL;
	}
	return NULL;
}

#endif /* XNIC_SERVICE_BPF_H */
