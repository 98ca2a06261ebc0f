/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `xnicctl limit`: traffic shaping (bpf/edt.bpf.c and bpf/sockops.bpf.c,
 * contract in bpf/shaping.h). Maps and links are pinned under
 * PIN_SHAPING:
 *
 *   /sys/fs/bpf/xnic/shaping/edt_limit edt_state edt_stats
 *   /sys/fs/bpf/xnic/shaping/shp_cg shp_cg_stats shp_sk
 *   /sys/fs/bpf/xnic/shaping/cgroup/ID   the sock_ops bpf_link on the
 *                                        cgroup whose inode number is ID
 *
 * The EDT filter is not a link (no tcx in 6.1): it sits on the device's
 * clsact egress at EDT_TC_HANDLE/EDT_TC_PRIO and is xnicctl's when its
 * program uses the pinned edt_limit. Parsing (limit_parse) is pure and
 * unit-tested in tests/cli/test_limit.c.
 */
#ifndef XNICCTL_LIMIT_H
#define XNICCTL_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "addr.h"
#include "pin.h"
#include "shaping.h"	/* bpf/: the map layouts */

#define PIN_SHAPING		PIN_ROOT "/shaping"
#define PIN_SHAPING_CG		PIN_SHAPING "/cgroup"

/* EDT horizon bounds: fq drops beyond its own 10 s horizon anyway. */
#define LIMIT_HORIZON_MIN_NS	1000000ull		/* 1 ms */
#define LIMIT_HORIZON_MAX_NS	10000000000ull		/* 10 s */
/* bpf_setsockopt(SO_MAX_PACING_RATE) takes 32 bits; ~0 is "no limit". */
#define LIMIT_CG_RATE_MAX	0xfffffffeull

struct xerr;

enum limit_op {
	LIM_NONE,	/* no subcommand yet: only --help */
	LIM_ADD,
	LIM_DEL,
	LIM_LIST,
};

enum limit_kind {
	LIM_DEV,
	LIM_CGROUP,
};

struct limit_req {
	enum limit_op op;
	enum limit_kind kind;
	bool help;
	bool json;
	const char *dev;		/* LIM_DEV */
	const char *cgroup;		/* LIM_CGROUP: the directory */
	unsigned long long rate;	/* add: bytes per second */
	unsigned long long horizon_ns;	/* dev: 0 = EDT_HORIZON_DEFAULT */
	unsigned int port;		/* cgroup: remote port rule, 0 = none */
	bool has_prefix;		/* cgroup: remote prefix rule */
	struct prefix prefix;
};

/* The words after "limit". */
int limit_parse(int argc, char **argv, struct limit_req *req,
		struct xerr *err);
const char *limit_ctx(const struct limit_req *req);

/* A limited cgroup: its policy and each stats slot's connections. */
struct limit_cg_stat {
	__u64 id;			/* the cgroup's inode number */
	char path[PATH_MAX];		/* "" if no cgroup2 mount has it */
	struct shp_cg_policy pol;
	struct shp_cg_stat st[SHP_CG_RULES + 1];	/* by stats slot */
};

/*
 * Every limited cgroup, by id, from the maps pinned under PIN_SHAPING,
 * for `limit list` and `stats`; free(*@v) after. XNIC_EXIT_NOLINK, with
 * @err untouched, when they are not pinned. Takes no lock.
 */
int limit_cg_read(struct limit_cg_stat **v, size_t *n, struct xerr *err);

/* Stats slot @slot of @pol in words: "default", "port N", a prefix. */
void limit_rule_desc(const struct shp_cg_policy *pol, unsigned int slot,
		     char *buf, size_t n);

/* The mean RTT at establishment in microseconds, -1 if none. */
long long limit_rtt_mean_us(const struct shp_cg_stat *st);

/*
 * `save`: the limits as the limit add lines that set them again: per
 * device its rate and horizon, per cgroup its default and rules. Nothing
 * if never pinned. Call with pin_lock() held.
 */
int limit_save(FILE *out, struct xerr *err);

int limit_main(int argc, char **argv);
void limit_usage(FILE *out);

#endif /* XNICCTL_LIMIT_H */
