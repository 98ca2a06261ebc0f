/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `xnicctl stats`: the prefilter's counters per device and reason, read
 * from each device's pinned pf_stats, and the tc policy's per direction
 * and reason (pol_stats), summed over CPUs; once, or every N seconds
 * with the rates over each interval.
 */
#ifndef XNICCTL_STATS_H
#define XNICCTL_STATS_H

#include <stdbool.h>
#include <stdio.h>

struct xerr;

struct stats_req {
	bool help;
	bool json;
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

void stats_usage(FILE *out);
int stats_main(int argc, char **argv);

#endif /* XNICCTL_STATS_H */
