// SPDX-License-Identifier: GPL-2.0
/* Who holds a device's XDP hook (see xdplink.h). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pfobj.h"
#include "pin.h"
#include "xdplink.h"
#include "xnicctl.h"

const char *xdp_mode_name(enum xdp_mode mode)
{
	static const char *const names[] = {
		[XDP_MODE_NATIVE] = "native",
		[XDP_MODE_GENERIC] = "generic",
		[XDP_MODE_OFF] = "off",
	};

	return names[mode];
}

/* The pinned link of @dev, if any: its id, program and device. */
static int read_link(const char *dev, struct xdp_state *st, struct xerr *err)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int e;

	pin_dev_path(path, dev, PIN_LINK);
	st->link_fd = bpf_obj_get(path);
	if (st->link_fd < 0) {
		e = errno;
		st->link_fd = -1;
		return e == ENOENT ? 0 : bpf_error(err, e, path);
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(st->link_fd, &info, &len))
		return bpf_error(err, errno, path);
	if (info.type != BPF_LINK_TYPE_XDP)
		return xerr_set(err, XNIC_EXIT_SYSTEM,
				"%s is not an XDP link (type %u)", path,
				info.type);
	st->link_id = info.id;
	st->link_prog_id = info.prog_id;
	st->link_ifindex = info.xdp.ifindex;
	return 0;
}

/*
 * The first program on the device that is not ours. Offloaded ones are
 * reported as native: xnicctl never offloads.
 */
static void find_foreign(struct xdp_state *st)
{
	const struct {
		__u32 id;
		enum xdp_mode mode;
	} progs[] = {
		{ st->drv_id, XDP_MODE_NATIVE },
		{ st->skb_id, XDP_MODE_GENERIC },
		{ st->hw_id, XDP_MODE_NATIVE },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(progs); i++) {
		if (!progs[i].id || (st->ours && progs[i].id == st->link_prog_id))
			continue;
		st->foreign_id = progs[i].id;
		st->foreign_mode = progs[i].mode;
		return;
	}
}

int xdp_state_read(const char *dev, struct xdp_state *st, struct xerr *err)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int e;

	memset(st, 0, sizeof(*st));
	st->link_fd = -1;
	/* The link first: `status` shows it even if the device is gone. */
	e = read_link(dev, st, err);
	if (e)
		return e;
	st->ifindex = if_nametoindex(dev);
	if (!st->ifindex)
		return xerr_set(err, XNIC_EXIT_NOLINK,
				"no such interface '%s'", dev);
	e = -bpf_xdp_query(st->ifindex, 0, &q);
	if (e)
		return bpf_error(err, e, "cannot query the device's XDP programs");
	st->drv_id = q.drv_prog_id;
	st->skb_id = q.skb_prog_id;
	st->hw_id = q.hw_prog_id;

	if (st->link_fd >= 0 && st->link_ifindex == st->ifindex &&
	    st->link_prog_id) {
		if (st->link_prog_id == st->drv_id) {
			st->ours = true;
			st->mode = XDP_MODE_NATIVE;
		} else if (st->link_prog_id == st->skb_id) {
			st->ours = true;
			st->mode = XDP_MODE_GENERIC;
		}
	}
	find_foreign(st);
	return 0;
}

void xdp_state_close(struct xdp_state *st)
{
	if (st->link_fd >= 0)
		close(st->link_fd);
	st->link_fd = -1;
}

int prog_tag(__u32 prog_id, char tag[17])
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd, i, ret;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	ret = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	close(fd);
	for (i = 0; !ret && i < BPF_TAG_SIZE; i++)
		sprintf(tag + 2 * i, "%02x", info.tag[i]);
	return ret;
}
