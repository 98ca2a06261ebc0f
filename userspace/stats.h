/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `xnicctl stats`: the prefilter's counters per device and reason, read
 * from each device's pinned pf_stats, and the tc policy's per direction
 * and reason (pol_stats), with its metadata (pol_meta_stats) and
 * redirect (pol_redir_stats) counters, summed over CPUs; without a
 * device also the socket load balancer's selections (service.c) and the
 * sock_ops policies' connections (limit.c); once, or every N seconds
 * with the rates over each interval.
 */
#ifndef XNICCTL_STATS_H
#define XNICCTL_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "policy.h"	/* bpf/ */
#include "prefilter.h"	/* bpf/ */

struct xerr;

struct stats_req {
	bool help;
	bool json;
	bool prometheus;	/* the Prometheus text format (prom.h) */
	const char *dev;	/* NULL: every device with counters */
	unsigned int watch;	/* --watch SECONDS; 0: print once */
};

/* Bound of --watch: a day. */
#define STATS_WATCH_MAX	86400

int stats_parse(int argc, char **argv, struct stats_req *req,
		struct xerr *err);

/* enum pf_reason's name in output ("drop_v4_cidr"), NULL if out of range. */
const char *pf_reason_name(unsigned int reason);

/* enum pol_reason's name in output ("drop_default"), NULL if out of range. */
const char *pol_reason_name(unsigned int reason);

#define STATS_POL_N	(POL_DIRS * POL_REASON_MAX)

/* One device's counters, summed over CPUs. */
struct dev_stats {
	char dev[256];
	bool has_pf, has_pol;
	struct pf_stat pf[PF_REASON_MAX];
	/* With has_pol: */
	struct pol_stat pol[STATS_POL_N];	/* POL_STAT_KEY(dir, reason) */
	struct pol_meta_stat meta[POL_DIRS];
	unsigned int nredir[POL_DIRS];		/* redirects in use */
	struct pol_redir_stat redir[POL_DIRS][POL_MAX_RULES];
};

/*
 * One sample: every device's counters and, without DEV, the services'
 * and shaping policies' (NULL when not pinned), and when it was taken.
 */
struct svc_stat;
struct limit_cg_stat;

struct stats_sample {
	struct dev_stats *v;
	int n;
	struct svc_stat *svc;
	size_t nsvc;
	struct limit_cg_stat *cg;
	size_t ncg;
	struct timespec mono;
	time_t wall;
};

/*
 * Print @sm to @out as @req asks; @was is the previous sample under
 * --watch (rates over the interval), NULL otherwise or the first time.
 */
void stats_print(FILE *out, const struct stats_req *req,
		 const struct stats_sample *sm, const struct stats_sample *was);

void stats_usage(FILE *out);
int stats_main(int argc, char **argv);

#endif /* XNICCTL_STATS_H */
