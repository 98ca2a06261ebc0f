/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tc policy as a BPF object (bpf/tc_policy.bpf.c, embedded through
 * its bpftool skeleton): loaded with DEV's policy maps reused from, or
 * pinned into, PIN_DEV_DIR/DEV/ (pin.h), and every map named xnic_*
 * (shared by all devices and programs, e.g. an event ring buffer) reused
 * from or pinned at PIN_ROOT/NAME.
 */
#ifndef XNICCTL_TCOBJ_H
#define XNICCTL_TCOBJ_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"	/* bpf/: enum pol_dir */

struct xerr;
struct bpf_object;

/* DEV's policy maps, pinned under PIN_DEV_DIR/DEV/ by these names. */
enum pol_map {
	POL_MAP_RULES,
	POL_MAP_CONFIG,
	POL_MAP_RULE_STATS,
	POL_MAP_STATS,
	POL_MAP_REDIRECTS,
	POL_MAP_REDIR_STATS,
	POL_MAP_META_STATS,
	POL_MAP_COUNT,
};

const char *pol_map_name(enum pol_map m);

/* Prefix of the maps an object shares with every device. */
#define TCOBJ_SHARED_PREFIX	"xnic_"

struct tcobj {
	void *skel;		/* struct tc_policy, or NULL */
	struct bpf_object *file;	/* XNICCTL_POLICY_OBJ, or NULL */
	struct bpf_object *obj;	/* whichever of the two is used */
	int map_fd[POL_MAP_COUNT];
	int prog_fd[POL_DIRS];	/* -1 when loaded for the maps only */
};

/*
 * Load the object for @ifname, its maps reused or created and pinned
 * (callers hold pin_lock(); PIN_DEV_DIR/IFNAME is created). With
 * @progs the two programs are loaded too, else only the maps exist
 * (the policy can be written before any attach).
 *
 * Test hook, left out of --help: XNICCTL_POLICY_OBJ=FILE loads FILE (a
 * tc_policy.bpf.o built differently: same maps and program names)
 * instead of the embedded object, as a newer xnicctl would.
 */
int tcobj_load(struct tcobj *o, const char *ifname, bool progs,
	       struct xerr *err);
void tcobj_close(struct tcobj *o);

/*
 * Open DEV's pinned policy maps without loading anything: XNIC_EXIT_NOLINK
 * if they were never created. Closes what it opened on failure.
 */
int tcobj_open_pins(const char *ifname, int fd[POL_MAP_COUNT],
		    struct xerr *err);
void tcobj_close_fds(int fd[POL_MAP_COUNT]);

/*
 * One key of a per-CPU struct pol_stat map (pol_stats, pol_rule_stats):
 * summed over CPUs. 0 or a positive errno.
 */
int pol_stat_sum(int fd, __u32 key, struct pol_stat *sum);
/* The same for pol_redir_stats. */
int pol_redir_stat_sum(int fd, __u32 key, struct pol_redir_stat *sum);
/*
 * Any such map whose value is @nstat struct pol_stat per CPU (e.g.
 * pol_meta_stats: 2), into @sum[0..nstat).
 */
int pol_stat_sum_n(int fd, __u32 key, struct pol_stat *sum,
		   unsigned int nstat);
/*
 * One key of a per-CPU map whose values are @size bytes per CPU, copied
 * from another key or zeroed. 0 or a positive errno.
 */
int pol_percpu_copy(int fd, __u32 from, __u32 to, size_t size);
int pol_percpu_zero(int fd, __u32 key, size_t size);

#endif /* XNICCTL_TCOBJ_H */
