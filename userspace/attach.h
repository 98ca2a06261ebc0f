/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `xnicctl attach` and `xnicctl detach`: the XDP prefilter on a device,
 * as a bpf_link pinned in the BPF filesystem (pin.h), so it keeps
 * running after xnicctl exits; with --tc, the tc policy on its clsact
 * hook (tcattach.h). A program another tool attached is never replaced
 * or removed.
 */
#ifndef XNICCTL_ATTACH_H
#define XNICCTL_ATTACH_H

#include <stdbool.h>
#include <stdio.h>

#include "xdplink.h"

struct xerr;

struct attach_req {
	bool detach;		/* XDP: `detach`, or `attach --xdp off` */
	bool help;
	const char *dev;
	enum xdp_mode mode;	/* attach: native (default) or generic */
	bool xdp;		/* the XDP hook is concerned */
	bool tc;		/* the tc hook is concerned (--tc, detach) */
	bool tc_off;		/* tc: `detach` */
};

/* Parse the words after "attach" (@detach false) or "detach". */
int attach_parse(bool detach, int argc, char **argv, struct attach_req *req,
		 struct xerr *err);

void attach_usage(FILE *out);
void detach_usage(FILE *out);

int attach_main(int argc, char **argv);
int detach_main(int argc, char **argv);

#endif /* XNICCTL_ATTACH_H */
