// SPDX-License-Identifier: GPL-2.0
/* `xnicctl attach` and `xnicctl detach` (see attach.h). */
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "attach.h"
#include "parse.h"
#include "pfobj.h"
#include "pin.h"
#include "tcattach.h"
#include "xnicctl.h"

static const char help_attach[] =
"attach DEV [--xdp native|generic|off] [--tc]\n"
"    Run the XDP prefilter on DEV, with the shared blocklists (see\n"
"    'prefilter' and 'arp-block') and DEV's own counters (see 'stats').\n"
"    It stays attached after xnicctl exits (a bpf_link pinned at\n"
"    " PIN_DEV_DIR "/DEV/" PIN_LINK "). Attaching again is idempotent: the\n"
"    same program is left as it is, a different one (a newer xnicctl)\n"
"    replaces it atomically, keeping every map's content. A program\n"
"    attached by another tool (ip, xdp-loader, ...) is refused (exit 6).\n"
"      --xdp native      in the driver, before any skb (default; xnic and\n"
"                        drivers with XDP support)\n"
"      --xdp generic     in the core, on every device\n"
"      --xdp off         detach the prefilter ('detach DEV' detaches the\n"
"                        tc policy as well)\n"
"      --tc              the tc policy (see 'policy') on DEV's clsact\n"
"                        hook instead: tc_ingress and tc_egress as bpf\n"
"                        filters at handle 0x786e priority 0x786e (the\n"
"                        clsact qdisc is created if missing and left in\n"
"                        place); DEV's policy maps are pinned in\n"
"                        " PIN_DEV_DIR "/DEV/. With --xdp too, both.\n";

static const char help_detach[] =
"detach DEV [--tc]\n"
"    Detach what 'attach' attached to DEV (the prefilter and the tc\n"
"    policy; with --tc only the policy) and nothing else: another\n"
"    tool's program or filter is left alone (exit 6, nothing changed).\n"
"    The blocklists, DEV's counters and its policy stay pinned for the\n"
"    next attach.\n";

static const char help_dev[] =
"  DEV  a network interface of xnicctl's network namespace\n";

void attach_usage(FILE *out)
{
	fprintf(out, "\nxnicctl %s%s", help_attach, help_dev);
}

void detach_usage(FILE *out)
{
	fprintf(out, "\nxnicctl %s", help_detach);
}

/* ---- parsing ---- */

static int parse_mode(const char *s, enum xdp_mode *mode, struct xerr *err)
{
	enum xdp_mode m;

	for (m = XDP_MODE_NATIVE; m <= XDP_MODE_OFF; m++) {
		if (!strcmp(s, xdp_mode_name(m))) {
			*mode = m;
			return 0;
		}
	}
	return xerr_set(err, XNIC_EXIT_USAGE,
			"invalid XDP mode '%s' (expected native, generic or off)",
			s);
}

int attach_parse(bool detach, int argc, char **argv, struct attach_req *req,
		 struct xerr *err)
{
	struct kwarg kw[] = { { .name = "--xdp" }, { .name = NULL } };
	struct args a;
	int ret;

	memset(req, 0, sizeof(*req));
	req->detach = detach;
	ret = args_scan(argc, argv, detach ? kw + 1 : kw, 1, ARG_OPT_TC, &a,
			err);
	if (ret || a.help) {
		req->help = a.help;
		return ret;
	}
	if (!a.npos)
		return xerr_set(err, XNIC_EXIT_USAGE, "missing interface name");
	req->dev = a.pos[0];
	ret = parse_ifname(req->dev, err);
	if (!ret && kw[0].value)
		ret = parse_mode(kw[0].value, &req->mode, err);
	if (!ret && req->mode == XDP_MODE_OFF)
		req->detach = true;
	/* `attach DEV` is the prefilter alone; `detach DEV` removes both. */
	req->tc = (a.opts & ARG_OPT_TC) || detach;
	req->tc_off = detach;
	req->xdp = !(a.opts & ARG_OPT_TC) || kw[0].value;
	return ret;
}

/* ---- execution ---- */

/*
 * DEV's pin holds a link attached to another device: DEV was renamed, or
 * deleted and its name reused. Unpinning would detach that device.
 */
static int stray_link(const struct attach_req *req,
		      const struct xdp_state *st, struct xerr *err)
{
	return xerr_set(err, XNIC_EXIT_BUSY,
			"%s/%s/%s holds a link attached to ifindex %d, not to %s (renamed?): left alone",
			PIN_DEV_DIR, req->dev, PIN_LINK, st->link_ifindex,
			req->dev);
}

static int detach(const struct attach_req *req, struct xdp_state *st,
		  struct xerr *err)
{
	char path[PATH_MAX];

	if (st->ours) {
		if (bpf_link_detach(st->link_fd))
			return bpf_error(err, errno, "cannot detach the link");
	} else if (st->foreign_id) {
		return xerr_set(err, XNIC_EXIT_BUSY,
				"%s: XDP program id %u (%s mode) was not attached by xnicctl: left alone",
				req->dev, st->foreign_id,
				xdp_mode_name(st->foreign_mode));
	} else if (st->link_fd < 0) {
		printf("%s: nothing attached by xnicctl\n", req->dev);
		return 0;
	} else if (st->link_ifindex) {
		return stray_link(req, st, err);
	}
	/* Ours, or a pin left by a link that is no longer attached. */
	pin_dev_path(path, req->dev, PIN_LINK);
	if (unlink(path) && errno != ENOENT)
		return xerr_set(err, XNIC_EXIT_SYSTEM, "cannot unpin %s: %s",
				path, strerror(errno));
	if (st->ours)
		printf("%s: prefilter detached (link id %u); maps stay pinned\n",
		       req->dev, st->link_id);
	return 0;
}

/* Same instructions and maps' shapes, same tag: nothing to replace. */
static int same_program(__u32 id_a, __u32 id_b, bool *same)
{
	char a[17], b[17];
	int e;

	e = prog_tag(id_a, a);
	if (!e)
		e = prog_tag(id_b, b);
	*same = !e && !strcmp(a, b);
	return e;
}

/* The prefilter is ours already: keep it, or swap in the new object. */
static int update(const struct attach_req *req, const struct xdp_state *st,
		  const struct pfobj *o, __u32 new_id, struct xerr *err)
{
	LIBBPF_OPTS(bpf_link_update_opts, opts, .flags = BPF_F_REPLACE);
	int old_fd, e;
	bool same;

	e = -same_program(st->link_prog_id, new_id, &same);
	if (e)
		return bpf_error(err, e, "cannot compare the programs");
	if (same) {
		printf("%s: prefilter already attached (%s mode, prog id %u, link id %u)\n",
		       req->dev, xdp_mode_name(st->mode), st->link_prog_id,
		       st->link_id);
		return 0;
	}
	/* REPLACE: fail rather than overwrite a program swapped meanwhile. */
	old_fd = bpf_prog_get_fd_by_id(st->link_prog_id);
	if (old_fd < 0)
		return bpf_error(err, errno, "cannot open the attached program");
	opts.old_prog_fd = old_fd;
	e = bpf_link_update(st->link_fd, o->prog_fd, &opts) ? errno : 0;
	close(old_fd);
	if (e)
		return bpf_error(err, e, "cannot update the link");
	printf("%s: prefilter updated (%s mode, prog id %u -> %u, link id %u)\n",
	       req->dev, xdp_mode_name(st->mode), st->link_prog_id, new_id,
	       st->link_id);
	return 0;
}

static int link_failed(const struct attach_req *req, int e, struct xerr *err)
{
	char what[96];

	if (e == EOPNOTSUPP && req->mode == XDP_MODE_NATIVE)
		return xerr_set(err, XNIC_EXIT_SYSTEM,
				"%s: the driver does not support native XDP (%s); try --xdp generic",
				req->dev, strerror(e));
	if (e == EBUSY || e == EEXIST)
		return xerr_set(err, XNIC_EXIT_BUSY,
				"%s: another XDP program was attached meanwhile (%s)",
				req->dev, strerror(e));
	snprintf(what, sizeof(what), "%s: cannot attach in %s mode", req->dev,
		 xdp_mode_name(req->mode));
	return bpf_error(err, e, what);
}

static int create(const struct attach_req *req, const struct xdp_state *st,
		  const struct pfobj *o, __u32 new_id, struct xerr *err)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd, ret = 0;

	/*
	 * libbpf 1.1's bpf_program__attach_xdp() passes no flags, and then
	 * the kernel falls back to generic mode silently where the driver
	 * has no XDP: create the link directly, with the mode asked for.
	 */
	opts.flags = req->mode == XDP_MODE_NATIVE ? XDP_FLAGS_DRV_MODE :
						    XDP_FLAGS_SKB_MODE;
	fd = bpf_link_create(o->prog_fd, st->ifindex, BPF_XDP, &opts);
	if (fd < 0)
		return link_failed(req, errno, err);
	/*
	 * Until it is pinned the link lives by this fd alone: if xnicctl
	 * dies here, the kernel detaches it and nothing is left behind.
	 */
	pin_dev_path(path, req->dev, PIN_LINK);
	if (bpf_obj_pin(fd, path))
		ret = bpf_error(err, errno, "cannot pin the link");
	memset(&info, 0, sizeof(info));
	if (!ret && !bpf_obj_get_info_by_fd(fd, &info, &len))
		printf("%s: prefilter attached (%s mode, prog id %u, link id %u)\n",
		       req->dev, xdp_mode_name(req->mode), new_id, info.id);
	close(fd);
	return ret;
}

static int attach(const struct attach_req *req, struct xdp_state *st,
		  struct xerr *err)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	struct pfobj o;
	bool fresh;
	int ret;

	if (st->foreign_id)
		return xerr_set(err, XNIC_EXIT_BUSY,
				"%s already has XDP program id %u (%s mode), not attached by xnicctl: refusing to replace it",
				req->dev, st->foreign_id,
				xdp_mode_name(st->foreign_mode));
	if (st->ours && st->mode != req->mode)
		return xerr_set(err, XNIC_EXIT_BUSY,
				"%s: the prefilter is attached in %s mode; run 'xnicctl detach %s' first",
				req->dev, xdp_mode_name(st->mode), req->dev);
	if (!st->ours && st->link_fd >= 0) {
		if (st->link_ifindex)
			return stray_link(req, st, err);
		/* Defunct (its device went away): drop the pin. */
		pin_dev_path(path, req->dev, PIN_LINK);
		if (unlink(path) && errno != ENOENT)
			return xerr_set(err, XNIC_EXIT_SYSTEM,
					"cannot unpin %s: %s", path,
					strerror(errno));
	}

	/* A failed first attach must not leave DEV's counters behind. */
	pin_dev_path(path, req->dev, PIN_STATS);
	fresh = access(path, F_OK) != 0;
	ret = pfobj_load(&o, req->dev, err);
	if (!ret) {
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(o.prog_fd, &info, &len))
			ret = bpf_error(err, errno,
					"cannot read the loaded program");
		else if (st->ours)
			ret = update(req, st, &o, info.id, err);
		else
			ret = create(req, st, &o, info.id, err);
		pfobj_close(&o);
	}
	if (ret && fresh) {
		unlink(path);
		pin_dev_path(path, req->dev, NULL);
		rmdir(path);
	}
	return ret;
}

static int run(const struct attach_req *req, struct xerr *err)
{
	struct xdp_state st = { .link_fd = -1 };
	struct tc_state tst;
	int lock, ret;

	ret = pin_lock(true, &lock, err);
	if (ret)
		return ret;
	if (req->xdp)
		ret = xdp_state_read(req->dev, &st, err);
	/* Another tool's tc filter refuses the whole command, XDP included. */
	if (!ret && req->tc)
		ret = tc_state_read(req->dev, &tst, err);
	if (!ret && req->tc)
		ret = tc_check_foreign(req->dev, &tst, err);
	if (!ret && req->xdp)
		ret = req->detach ? detach(req, &st, err) :
				    attach(req, &st, err);
	if (!ret && req->tc)
		ret = req->tc_off ? tc_detach(req->dev, &tst, err) :
				    tc_attach(req->dev, &tst, err);
	xdp_state_close(&st);
	pin_unlock(lock);
	return ret ? ret : xerr_flush(err);
}

static int cmd_main(bool detach, int argc, char **argv)
{
	const char *ctx = detach ? "detach" : "attach";
	struct attach_req req;
	struct xerr err;
	int ret;

	ret = attach_parse(detach, argc, argv, &req, &err);
	if (!ret && req.help)
		return args_help(detach ? detach_usage : attach_usage);
	if (!ret)
		ret = run(&req, &err);
	if (ret)
		xerr_print(ctx, &err);
	return ret;
}

int attach_main(int argc, char **argv)
{
	return cmd_main(false, argc, argv);
}

int detach_main(int argc, char **argv)
{
	return cmd_main(true, argc, argv);
}
