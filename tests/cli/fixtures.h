/* SPDX-License-Identifier: GPL-2.0 */
/* Samples shared by the unit tests of what `xnicctl stats` prints. */
#ifndef XNICCTL_TEST_FIXTURES_H
#define XNICCTL_TEST_FIXTURES_H

#include <string.h>

#include "limit.h"

/*
 * A cgroup with a default rate of 20mbit (3 connections, RTT 100 us) and
 * one rule, port 5201 at 1mbit, in rule slot 3 (5 connections, no RTT).
 */
static inline void fixture_cgroup(struct limit_cg_stat *cg)
{
	memset(cg, 0, sizeof(*cg));
	cg->id = 77;
	strcpy(cg->path, "/sys/fs/cgroup/lim");
	cg->pol.cgroup_id = 77;
	cg->pol.rate = 2500000;			/* 20mbit */
	cg->pol.rule[2].rate = 125000;		/* 1mbit */
	cg->pol.rule[2].port = 5201;
	cg->st[0].established = 3;
	cg->st[0].live = 1;
	cg->st[0].rtt_sum_us = 300;
	cg->st[0].rtt_samples = 3;
	cg->st[3].established = 5;
	cg->st[3].live = 5;
}

#endif /* XNICCTL_TEST_FIXTURES_H */
