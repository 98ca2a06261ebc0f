/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `xnicctl monitor`: the datapath's drop events (bpf/drop_event.h) read
 * live from the pinned xnic_events ring buffer, one line or one JSON
 * object per event; `xnicctl monitor limit`: the per-CPU rate limiter in
 * xnic_ev_config and what it did (xnic_ev_stats).
 */
#ifndef XNICCTL_MONITOR_H
#define XNICCTL_MONITOR_H

#include <stdbool.h>
#include <stdio.h>

struct xerr;
struct xnic_drop_event;

struct monitor_req {
	bool help;
	bool json;
	bool limit;		/* `monitor limit`: show or set the limiter */
	/* monitor */
	const char *dev;	/* only this device's events; NULL: all */
	unsigned int count;	/* exit after this many events; 0: never */
	/* monitor limit: fields to set */
	bool set_rate, set_burst;
	unsigned int rate, burst;
};

int monitor_parse(int argc, char **argv, struct monitor_req *req,
		  struct xerr *err);

/* The event's reason as a word ("drop_v4_exact"), NULL if unknown. */
const char *monitor_reason_name(const struct xnic_drop_event *e);

void monitor_usage(FILE *out);
int monitor_main(int argc, char **argv);

#endif /* XNICCTL_MONITOR_H */
