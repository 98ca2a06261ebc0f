/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drop events in the BPF program tests (bpf/drop_event.h): the ring
 * buffer read after every test run, the limiter's maps, and comparing an
 * event with the one a test's model expects. Include after <cmocka.h>.
 */
#ifndef XNIC_EVTEST_H
#define XNIC_EVTEST_H

#include <stdbool.h>
#include <stdint.h>

#include <bpf/libbpf.h>

#include "drop_event.h"

/* Events kept per take; more are counted in ev_n but not kept. */
#define EV_KEEP		8

/* What the last ev_take() read from the ring. */
extern struct xnic_drop_event ev_got[EV_KEEP];
extern unsigned int ev_n;	/* records read */
extern unsigned int ev_bad;	/* of them, of the wrong size */

/* Bind to a loaded object's maps (by their names). 0 or -errno. */
int ev_open(struct bpf_object *obj);
void ev_close(void);

/* Read every record the ring holds now into ev_got/ev_n. */
void ev_take(void);

/*
 * The limiter: rate and burst as in struct xnic_ev_config, every CPU's
 * bucket emptied so that it starts full. ev_unlimited() sends every event.
 */
void ev_limit(uint32_t rate, uint32_t burst);
void ev_unlimited(void);

/* xnic_ev_stats summed over CPUs; ev_stats_zero() zeroes them. */
void ev_stats(struct xnic_ev_stats *sum);
void ev_stats_zero(void);

/*
 * Keep this thread on the CPU it runs on (one bucket); 0 or -errno.
 * ev_unpin_cpu() restores the CPUs it could run on before.
 */
int ev_pin_cpu(void);
void ev_unpin_cpu(void);

/* CLOCK_MONOTONIC in ns, the clock of bpf_ktime_get_ns(). */
uint64_t ev_now(void);

/*
 * Compare @got with @want, every field but ts_ns, which must lie in
 * [@t0, @t1]. Returns a description of the differences, or NULL.
 */
const char *ev_diff(const struct xnic_drop_event *got,
		    const struct xnic_drop_event *want, uint64_t t0,
		    uint64_t t1);

/*
 * After one run between @t0 and @t1: exactly one event equal to @want if
 * @drop, none otherwise. Returns why not, or NULL.
 */
const char *ev_check(bool drop, const struct xnic_drop_event *want,
		     uint64_t t0, uint64_t t1);

/*
 * Assert that the last run (between @t0 and @t1) sent exactly one event,
 * with these header fields; returns it (ev_got[0]).
 */
const struct xnic_drop_event *ev_one(uint8_t hook, uint8_t prog,
				     uint8_t reason, uint32_t ifindex,
				     uint32_t len, uint64_t t0, uint64_t t1);

/* Assert that 16 address bytes are @want (IPv4 in the first 4). */
void ev_assert_addr(const uint8_t *got, const char *want);

/* A new expected event: the header fields, everything else zero. */
void ev_want(struct xnic_drop_event *e, uint8_t hook, uint8_t prog,
	     uint8_t reason, uint32_t ifindex, uint32_t len);

#endif /* XNIC_EVTEST_H */
