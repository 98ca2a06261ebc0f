/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who holds a device's XDP hook: the kernel's view (bpf_xdp_query(): the
 * program ids per mode) next to xnicctl's pinned bpf_link (pin.h). The
 * device runs "our" prefilter only if the pinned link is attached to it
 * and its program is the one the device runs; any other program there
 * belongs to another tool (ip, xdp-loader, ...) and is never touched.
 */
#ifndef XNICCTL_XDPLINK_H
#define XNICCTL_XDPLINK_H

#include <linux/types.h>
#include <stdbool.h>

struct xerr;

enum xdp_mode {
	XDP_MODE_NATIVE,	/* in the driver (bpftool: "driver") */
	XDP_MODE_GENERIC,	/* in the core, on the skb ("generic") */
	XDP_MODE_OFF,		/* attach --xdp off: detach */
};

const char *xdp_mode_name(enum xdp_mode mode);

struct xdp_state {
	int ifindex;		/* of the device named, in this netns */
	__u32 drv_id, skb_id, hw_id;	/* programs on it, 0 for none */
	int link_fd;		/* the pinned link, -1 if none is pinned */
	__u32 link_id, link_prog_id;
	int link_ifindex;	/* 0 once the link is detached or defunct */
	bool ours;		/* the device runs the pinned link's program */
	enum xdp_mode mode;	/* if ours */
	__u32 foreign_id;	/* another tool's program on it, or 0 */
	enum xdp_mode foreign_mode;
};

/*
 * Read the state of @dev. XNIC_EXIT_NOLINK if there is no such device,
 * with the link's fields read all the same. Call with pin_lock() held;
 * xdp_state_close() after, whatever the result.
 */
int xdp_state_read(const char *dev, struct xdp_state *st, struct xerr *err);
void xdp_state_close(struct xdp_state *st);

/* The program's tag as bpftool prints it (16 hex digits); 0 on success. */
int prog_tag(__u32 prog_id, char tag[17]);

#endif /* XNICCTL_XDPLINK_H */
