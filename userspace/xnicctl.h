/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xnicctl: definitions shared by every command group.
 *
 * Every fallible function returns an exit status from enum xnic_exit
 * (0 on success) and, on failure, leaves a one-line message in a
 * struct xerr. Only main() prints it, so each failure prints exactly one
 * line and command parsers stay testable without capturing stderr.
 */
#ifndef XNICCTL_H
#define XNICCTL_H

#include <stdarg.h>

/*
 * Exit statuses. They are part of the CLI contract for scripts and are
 * listed in `xnicctl --help`; keep the two in sync.
 */
enum xnic_exit {
	XNIC_EXIT_OK = 0,
	XNIC_EXIT_USAGE = 1,	/* bad command line; nothing was changed */
	XNIC_EXIT_SYSTEM = 2,	/* kernel refused the request, or I/O failed */
	XNIC_EXIT_PERM = 3,	/* not permitted (needs CAP_NET_ADMIN) */
	XNIC_EXIT_NOMOD = 4,	/* xnic module or kernel feature missing */
	XNIC_EXIT_NOLINK = 5,	/* no such xnic link, or no such interface */
	XNIC_EXIT_BUSY = 6,	/* the device's XDP hook is held by another tool */
	XNIC_EXIT_NOBPFFS = 7,	/* no BPF filesystem at /sys/fs/bpf */
};

#define XERR_MAX 512

struct xerr {
	char msg[XERR_MAX];
};

/*
 * Format a message into @err and return @status, so callers can write
 * `return xerr_set(err, XNIC_EXIT_USAGE, "...", ...);`.
 */
int xerr_set(struct xerr *err, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Flush standard output: 0, or XNIC_EXIT_SYSTEM in @err if what was
 * printed could not all be written (a full disk, a closed pipe).
 */
int xerr_flush(struct xerr *err);

/*
 * Print "xnicctl: CTX: MSG" (or "xnicctl: MSG" if @ctx is NULL), with
 * the text of xerr_where() after "xnicctl: ": a batch names the line.
 */
void xerr_print(const char *ctx, const struct xerr *err);
void xerr_where(const char *where);	/* NULL: none */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* XNICCTL_H */
