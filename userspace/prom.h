/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `xnicctl stats --prometheus`: one sample in the Prometheus text
 * exposition format (version 0.0.4), for node_exporter's textfile
 * collector. Every counter of the JSON output, one metric family each,
 * with its HELP and TYPE lines even when it has no samples.
 */
#ifndef XNICCTL_PROM_H
#define XNICCTL_PROM_H

#include <stdio.h>

struct stats_sample;

void stats_prometheus(FILE *out, const struct stats_sample *sm);

#endif /* XNICCTL_PROM_H */
