/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `xnicctl stats`: the prefilter's counters per device and reason, read
 * from each device's pinned pf_stats and summed over CPUs.
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
};

int stats_parse(int argc, char **argv, struct stats_req *req,
		struct xerr *err);

/* enum pf_reason's name in output ("drop_v4_cidr"), NULL if out of range. */
const char *pf_reason_name(unsigned int reason);

void stats_usage(FILE *out);
int stats_main(int argc, char **argv);

#endif /* XNICCTL_STATS_H */
