/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tc policy on a device's clsact hook: tc_ingress and tc_egress as
 * direct-action bpf filters at one fixed handle and priority per
 * direction (TC_POL_HANDLE, TC_POL_PRIO). libbpf 1.1 and Linux 6.1 have
 * no tcx links, so nothing is pinned for the filters themselves: a
 * filter belongs to xnicctl when it sits at that handle and priority and
 * its program uses DEV's pinned pol_rules (tcobj.h). Any other filter,
 * at that place or elsewhere on the hook, belongs to another tool and is
 * never replaced or removed.
 */
#ifndef XNICCTL_TCATTACH_H
#define XNICCTL_TCATTACH_H

#include <linux/types.h>
#include <stdbool.h>

#include "policy.h"	/* bpf/: enum pol_dir */

struct xerr;

/* "xn": where xnicctl's filters sit on both directions of the hook. */
#define TC_POL_HANDLE	0x786e
#define TC_POL_PRIO	0x786e

const char *pol_dir_name(enum pol_dir dir);

/*
 * Program @prog_id's tag (hex) and whether it uses map @map_id: how a
 * filter is recognised as xnicctl's. 0 or a positive errno.
 */
int tc_prog_read(__u32 prog_id, __u32 map_id, bool *uses, char tag[17]);

struct tc_dir_state {
	__u32 prog_id;		/* the filter at our place, 0 if none */
	bool ours;		/* its program uses DEV's pinned pol_rules */
	bool other_kind;	/* our priority holds a filter of another
				 * kind or protocol */
	unsigned int others;	/* other tools' filters elsewhere on the hook */
	char tag[17];		/* of prog_id */
};

struct tc_state {
	int ifindex;
	__u32 rules_id;		/* DEV's pinned pol_rules, 0 if none */
	struct tc_dir_state dir[POL_DIRS];
};

/*
 * Read @dev's state (an rtnetlink dump of both directions' filters).
 * XNIC_EXIT_NOLINK if there is no such device. Call with pin_lock()
 * held.
 */
int tc_state_read(const char *dev, struct tc_state *st, struct xerr *err);

/* True if some direction runs xnicctl's policy. */
bool tc_attached(const struct tc_state *st);

/*
 * Refuse (XNIC_EXIT_BUSY) if our place on @dev is held by another
 * tool's filter; nothing is changed either way.
 */
int tc_check_foreign(const char *dev, const struct tc_state *st,
		     struct xerr *err);

/* Attach, or keep, or atomically replace, both programs on @dev. */
int tc_attach(const char *dev, struct tc_state *st, struct xerr *err);

/* Remove xnicctl's filters from @dev; DEV's policy maps stay pinned. */
int tc_detach(const char *dev, struct tc_state *st, struct xerr *err);

/*
 * Helpers for every tc program xnicctl attaches. The program's tag, and
 * whether it uses map @map_id (0: no map); 0 or a positive errno.
 */
int tc_prog_read(__u32 prog_id, __u32 map_id, bool *uses, char tag[17]);

/* The id of the map pinned at @path, 0 if there is none. */
__u32 tc_pinned_map_id(const char *path);

/* clsact on @ifindex, created if missing; an existing one is shared. */
int tc_clsact_create(int ifindex, struct xerr *err);

#endif /* XNICCTL_TCATTACH_H */
