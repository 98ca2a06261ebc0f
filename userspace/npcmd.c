// SPDX-License-Identifier: GPL-2.0
/*
 * `xnicctl service nodeport` (see npcmd.h and bpf/nodeport.h): attach
 * the per-packet translation to a node device, with the services
 * `xnicctl service add` writes for sock_lb, detach it, show its state.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "batch.h"	/* batch_quote() */
#include "drop_event.h"	/* bpf/: XNIC_EV_MAP_PREFIX */
#include "json.h"
#include "nodeport.h"	/* bpf/: the contract */
#include "nodeport.skel.h"
#include "npcmd.h"
#include "parse.h"
#include "pfobj.h"	/* bpf_error() */
#include "pin.h"
#include "tcattach.h"
#include "tcobj.h"	/* pol_stat_sum(): struct np_stat has its layout */
#include "xdplink.h"	/* prog_tag() */
#include "xnicctl.h"

const char np_help[] =
"service nodeport attach DEV [--node-addr ADDR] [--xdp]\n"
"    Translate packets that enter DEV towards a service, for clients\n"
"    elsewhere (sockets of the node itself use 'service attach'): the\n"
"    destination becomes a backend picked from the same services, and\n"
"    the replies leaving DEV get the service address back; each flow\n"
"    (5-tuple) keeps its backend. np_ingress/np_egress are bpf filters\n"
"    at handle 0x6e70 priority 0x6e70 of DEV's clsact hook (created if\n"
"    missing, never removed), before the tc policy's; routing (with\n"
"    ip_forward=1) takes translated packets to the backend. IPv4 only.\n"
"    Again: the same programs are kept, newer ones replace them.\n"
"      --node-addr ADDR  DEV's node address: packets to ADDR:PORT also\n"
"                        reach the NodePort service 0.0.0.0:PORT/PROTO\n"
"                        (without it, only service VIPs; each attach\n"
"                        sets it)\n"
"      --xdp             also np_xdp, in native XDP on DEV (a pinned\n"
"                        link): when the FIB sends the backend back out\n"
"                        of DEV, the packet is DNATed, SNATed to the node\n"
"                        address (required) and sent back out (XDP_TX),\n"
"                        and so are the backend's replies, to the client;\n"
"                        everything else goes on to tc untouched. DEV's\n"
"                        XDP hook must be free (not the prefilter's).\n"
"                        Without --xdp, an np_xdp of ours is removed.\n"
"xnicctl service nodeport detach DEV\n"
"    Remove the filters and np_xdp; the connection table and counters\n"
"    stay.\n"
"xnicctl service nodeport show DEV [--json]\n"
"    Node address, filters, np_xdp, flows in the connection table, and\n"
"    DEV's packets and bytes per reason (pass_other ... drop_xdp_route;\n"
"    xdp_*: np_xdp's verdicts, xdp_tx_* sent back out of DEV).\n";

static const char *const reason_names[NP_REASON_MAX] = {
	[NP_PASS_OTHER] = "pass_other",
	[NP_PASS_MALFORMED] = "pass_malformed",
	[NP_PASS_FRAGMENT] = "pass_fragment",
	[NP_DNAT_NEW] = "dnat_new",
	[NP_DNAT_FLOW] = "dnat_flow",
	[NP_SNAT] = "snat",
	[NP_XDP_PASS] = "xdp_pass",
	[NP_XDP_PASS_NO_NODE] = "xdp_pass_no_node",
	[NP_XDP_PASS_TC_FLOW] = "xdp_pass_tc_flow",
	[NP_XDP_PASS_ROUTE] = "xdp_pass_route",
	[NP_XDP_PASS_NO_NEIGH] = "xdp_pass_no_neigh",
	[NP_XDP_PASS_PORT_BUSY] = "xdp_pass_port_busy",
	[NP_XDP_TX_NEW] = "xdp_tx_new",
	[NP_XDP_TX_FLOW] = "xdp_tx_flow",
	[NP_XDP_TX_REPLY] = "xdp_tx_reply",
	[NP_DROP_NO_BACKEND] = "drop_no_backend",
	[NP_DROP_MALFORMED] = "drop_malformed",
	[NP_DROP_FRAGMENT] = "drop_fragment",
	[NP_DROP_REWRITE] = "drop_rewrite",
	[NP_DROP_XDP_ROUTE] = "drop_xdp_route",
};

const char *np_reason_name(unsigned int r)
{
	return r < NP_REASON_MAX ? reason_names[r] : NULL;
}

/* Maps pinned at PIN_LB/NAME: the services, and the connection table. */
static const char *const shared_maps[] = {
	"lb_svc", "lb_sel", "lb_be", "lb_svc_stats", "lb_be_stats",
	"np_ct", "np_rev", "np_xrev",
};

#define NP_XDP_LINK	"xdp_link"	/* at PIN_NP/DEV/ */

/* Maps pinned at PIN_NP/DEV/NAME. */
enum { NP_MAP_CONFIG, NP_MAP_STATS, NP_DEV_MAPS };
static const char *const dev_maps[NP_DEV_MAPS] = { "np_config", "np_stats" };

enum { NP_IN, NP_OUT, NP_DIRS };
static const char *const dir_names[NP_DIRS] = { "ingress", "egress" };
static const enum bpf_tc_attach_point hooks[NP_DIRS] = {
	BPF_TC_INGRESS, BPF_TC_EGRESS,
};

/* ---- parsing ---- */

int np_parse(int argc, char **argv, struct svc_req *req, struct xerr *err)
{
	struct kwarg kw[] = { { .name = "--node-addr" }, { .name = NULL } };
	const char *sub;
	struct in_addr a;
	struct args as;
	__u32 h;
	int ret;

	if (!argc)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"missing 'attach', 'detach' or 'show' after 'nodeport'");
	sub = argv[0];
	if (!strcmp(sub, "attach"))
		req->op = SVC_NP_ATTACH;
	else if (!strcmp(sub, "detach"))
		req->op = SVC_NP_DETACH;
	else if (!strcmp(sub, "show"))
		req->op = SVC_NP_SHOW;
	else
		return xerr_set(err, XNIC_EXIT_USAGE,
				"unknown subcommand 'nodeport %s' (expected attach, detach or show)",
				sub);
	ret = args_scan(argc - 1, argv + 1,
			req->op == SVC_NP_ATTACH ? kw : kw + 1, 1,
			req->op == SVC_NP_SHOW ? ARG_OPT_JSON :
			req->op == SVC_NP_ATTACH ? ARG_OPT_XDP : 0, &as, err);
	if (ret)
		return ret;
	req->json = as.opts & ARG_OPT_JSON;
	req->xdp = as.opts & ARG_OPT_XDP;
	if (!as.npos)
		return xerr_set(err, XNIC_EXIT_USAGE, "missing interface name");
	req->dev = as.pos[0];
	ret = parse_ifname(req->dev, err);
	if (!ret && req->xdp && !kw[0].value)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"--xdp needs --node-addr: np_xdp SNATs to the node address so replies come back through DEV");
	if (ret || req->op != SVC_NP_ATTACH || !kw[0].value)
		return ret;
	if (inet_pton(AF_INET, kw[0].value, &a) != 1)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid node address '%s' (expected an IPv4 address)",
				kw[0].value);
	h = ntohl(a.s_addr);
	if (!h || h == 0xffffffff || (h >> 28) == 0xe)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"'%s' cannot be a node address (unspecified, broadcast or multicast)",
				kw[0].value);
	req->node_addr = a.s_addr;
	return 0;
}

/* ---- the object ---- */

static void dev_path(char path[PATH_MAX], const char *dev, const char *file)
{
	snprintf(path, PATH_MAX, "%s/%s%s%s", PIN_NP, dev, file ? "/" : "",
		 file ? file : "");
}

static int mkdirs(const char *dev, struct xerr *err)
{
	char path[PATH_MAX];
	const char *const dirs[] = { PIN_LB, PIN_NP, path };
	unsigned int i;

	dev_path(path, dev, NULL);
	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		if (mkdir(dirs[i], 0700) && errno != EEXIST)
			return xerr_set(err, errno == EACCES || errno == EPERM ?
					XNIC_EXIT_PERM : XNIC_EXIT_SYSTEM,
					"cannot create %s: %s", dirs[i],
					strerror(errno));
	return 0;
}

/* Load both programs, every map reused from or pinned at its path. */
static int np_load(struct nodeport **skel, const char *dev, struct xerr *err)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	struct nodeport *s;
	unsigned int i;
	int e, ret;

	ret = mkdirs(dev, err);
	if (ret)
		return ret;
	s = nodeport__open();
	if (!s)
		return bpf_error(err, errno, "cannot open the nodeport object");
	for (i = 0; i < ARRAY_SIZE(shared_maps) + NP_DEV_MAPS; i++) {
		bool shared = i < ARRAY_SIZE(shared_maps);
		const char *name = shared ? shared_maps[i] :
				   dev_maps[i - ARRAY_SIZE(shared_maps)];

		map = bpf_object__find_map_by_name(s->obj, name);
		if (shared)
			snprintf(path, sizeof(path), "%s/%s", PIN_LB, name);
		else
			dev_path(path, dev, name);
		e = map ? -bpf_map__set_pin_path(map, path) : ENOENT;
		if (e) {
			ret = bpf_error(err, e, "cannot set a map's pin path");
			goto fail;
		}
	}
	/* The drop event maps: one set for every program that drops. */
	bpf_object__for_each_map(map, s->obj) {
		if (strncmp(bpf_map__name(map), XNIC_EV_MAP_PREFIX,
			    strlen(XNIC_EV_MAP_PREFIX)))
			continue;
		pin_map_path(path, bpf_map__name(map));
		e = -bpf_map__set_pin_path(map, path);
		if (e) {
			ret = bpf_error(err, e, "cannot set a map's pin path");
			goto fail;
		}
	}
	/* libbpf before 1.3 does not know the "tc/ingress" section names. */
	bpf_program__set_type(s->progs.np_ingress, BPF_PROG_TYPE_SCHED_CLS);
	bpf_program__set_type(s->progs.np_egress, BPF_PROG_TYPE_SCHED_CLS);
	e = -nodeport__load(s);
	if (e) {
		ret = bpf_error(err, e,
				e == EINVAL ?
				"cannot load nodeport or reuse its pinned maps (-v shows libbpf's log)" :
				"cannot load nodeport (-v shows libbpf's log)");
		goto fail;
	}
	*skel = s;
	return 0;
fail:
	nodeport__destroy(s);
	return ret;
}

/* ---- the filters ---- */

struct np_state {
	int ifindex;
	__u32 stats_id;		/* DEV's pinned np_stats, 0 if none */
	__u32 prog_id[NP_DIRS];	/* the filter at our place, 0 if none */
	bool ours[NP_DIRS];	/* its program uses DEV's np_stats (both do) */
	char tag[NP_DIRS][17];
	__u32 xdp_hook_id;	/* the program on DEV's XDP hook, 0 if none */
	__u32 xdp_link_id;	/* our pinned link, if attached to DEV */
	__u32 xdp_prog_id;
	bool xdp_pinned;	/* a link is pinned (maybe defunct) */
	bool xdp_ours;		/* DEV runs our link's program, natively */
};

/* DEV's XDP hook and our pinned link. */
static int xdp_read(const char *dev, struct np_state *st, struct xerr *err)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd, e;

	e = -bpf_xdp_query(st->ifindex, 0, &q);
	if (e)
		return bpf_error(err, e, "cannot query the XDP hook");
	st->xdp_hook_id = q.drv_prog_id ?: q.skb_prog_id ?: q.hw_prog_id;
	dev_path(path, dev, NP_XDP_LINK);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : bpf_error(err, errno, path);
	st->xdp_pinned = true;
	memset(&info, 0, sizeof(info));
	e = bpf_obj_get_info_by_fd(fd, &info, &len) ? errno : 0;
	close(fd);
	if (e)
		return bpf_error(err, e, path);
	if (info.type == BPF_LINK_TYPE_XDP &&
	    info.xdp.ifindex == (__u32)st->ifindex) {
		st->xdp_link_id = info.id;
		st->xdp_prog_id = info.prog_id;
	}
	st->xdp_ours = st->xdp_link_id && q.drv_prog_id == st->xdp_prog_id;
	return 0;
}

/* Remove our XDP link from DEV (detached first: a pin may be shared). */
static int xdp_remove(const char *dev, const struct np_state *st,
		      struct xerr *err)
{
	char path[PATH_MAX];
	int fd;

	if (!st->xdp_pinned)
		return 0;
	dev_path(path, dev, NP_XDP_LINK);
	fd = bpf_obj_get(path);
	if (fd >= 0 && st->xdp_link_id && bpf_link_detach(fd)) {
		close(fd);
		return bpf_error(err, errno, "cannot detach np_xdp");
	}
	if (fd >= 0)
		close(fd);
	if (unlink(path) && errno != ENOENT)
		return xerr_set(err, XNIC_EXIT_SYSTEM, "cannot unpin %s: %s",
				path, strerror(errno));
	return 0;
}

/*
 * np_xdp (@prog_fd, program id @id with @tag) on DEV in native mode:
 * our link updated, or a new one created and pinned. *changed if so.
 */
static int xdp_place(const char *dev, const struct np_state *st, int prog_fd,
		     const char *tag, bool *changed, struct xerr *err)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts,
		    .flags = XDP_FLAGS_DRV_MODE);
	char path[PATH_MAX], old[17];
	int fd, e = 0, ret;

	dev_path(path, dev, NP_XDP_LINK);
	if (st->xdp_ours) {
		if (!prog_tag(st->xdp_prog_id, old) && !strcmp(old, tag))
			return 0;
		fd = bpf_obj_get(path);
		if (fd < 0 || bpf_link_update(fd, prog_fd, NULL))
			e = errno;
		if (fd >= 0)
			close(fd);
		*changed = !e;
		return e ? bpf_error(err, e, "cannot update np_xdp") : 0;
	}
	/* Defunct (its device went away, or not ours any more): unpin. */
	ret = xdp_remove(dev, st, err);
	if (ret)
		return ret;
	fd = bpf_link_create(prog_fd, st->ifindex, BPF_XDP, &opts);
	if (fd < 0) {
		e = errno;
		if (e == EOPNOTSUPP)
			return xerr_set(err, XNIC_EXIT_SYSTEM,
					"%s: the driver does not support native XDP (%s)",
					dev, strerror(e));
		if (e == EBUSY || e == EEXIST)
			return xerr_set(err, XNIC_EXIT_BUSY,
					"%s: another XDP program was attached meanwhile (%s)",
					dev, strerror(e));
		return bpf_error(err, e, "cannot attach np_xdp");
	}
	/* Until pinned, the link lives by this fd: dying here detaches it. */
	if (bpf_obj_pin(fd, path))
		ret = bpf_error(err, errno, "cannot pin the XDP link");
	close(fd);
	*changed = !ret;
	return ret;
}

static int state_read(const char *dev, struct np_state *st, struct xerr *err)
{
	char path[PATH_MAX];
	int d, e;

	memset(st, 0, sizeof(*st));
	st->ifindex = if_nametoindex(dev);
	if (!st->ifindex)
		return xerr_set(err, XNIC_EXIT_NOLINK,
				"no such interface '%s'", dev);
	dev_path(path, dev, dev_maps[NP_MAP_STATS]);
	st->stats_id = tc_pinned_map_id(path);
	for (d = 0; d < NP_DIRS; d++) {
		DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = st->ifindex,
				    .attach_point = hooks[d]);
		DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = NP_TC_HANDLE,
				    .priority = NP_TC_PRIO);

		/* ENOENT: no filter there; EINVAL: no clsact qdisc. */
		e = -bpf_tc_query(&hook, &opts);
		if (e == ENOENT || e == EINVAL)
			continue;
		if (e)
			return bpf_error(err, e, "cannot query the tc filters");
		st->prog_id[d] = opts.prog_id;
		e = tc_prog_read(opts.prog_id, st->stats_id, &st->ours[d],
				 st->tag[d]);
		if (e)
			return bpf_error(err, e, "cannot read the filter's program");
	}
	return xdp_read(dev, st, err);
}

static int check_foreign(const char *dev, const struct np_state *st,
			 struct xerr *err)
{
	int d;

	for (d = 0; d < NP_DIRS; d++)
		if (st->prog_id[d] && !st->ours[d])
			return xerr_set(err, XNIC_EXIT_BUSY,
					"%s: the tc %s filter at handle 0x%x priority 0x%x runs program id %u, not attached by xnicctl: left alone",
					dev, dir_names[d], NP_TC_HANDLE,
					NP_TC_PRIO, st->prog_id[d]);
	return 0;
}

static int check_xdp_foreign(const char *dev, const struct np_state *st,
			     struct xerr *err)
{
	if (st->xdp_hook_id && !st->xdp_ours)
		return xerr_set(err, XNIC_EXIT_BUSY,
				"%s already has XDP program id %u, not np_xdp attached by xnicctl (the prefilter?): --xdp needs the hook",
				dev, st->xdp_hook_id);
	return 0;
}

static int tc_place(const struct np_state *st, int d, int prog_fd,
		    bool detach)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = st->ifindex,
			    .attach_point = hooks[d]);
	/* REPLACE only over our own filter: one request swaps programs. */
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = NP_TC_HANDLE,
			    .priority = NP_TC_PRIO);

	if (detach)
		return -bpf_tc_detach(&hook, &opts);
	opts.prog_fd = prog_fd;
	opts.flags = st->ours[d] ? BPF_TC_F_REPLACE : 0;
	return -bpf_tc_attach(&hook, &opts);
}

static int np_attach(const struct svc_req *req, struct xerr *err)
{
	struct np_config cfg = { .node_addr = req->node_addr };
	bool fresh[NP_DIRS] = { false }, changed = false, xchanged = false;
	char addr[INET_ADDRSTRLEN] = "none", tag[17];
	struct bpf_prog_info info;
	struct nodeport *s = NULL;
	__u32 zero = 0, id[NP_DIRS], len, xdp_id = 0;
	struct np_state st;
	int d, fd, e, ret;

	ret = state_read(req->dev, &st, err);
	if (!ret)
		ret = check_foreign(req->dev, &st, err);
	if (!ret && req->xdp)
		ret = check_xdp_foreign(req->dev, &st, err);
	if (!ret)
		ret = tc_clsact_create(st.ifindex, err);
	if (!ret)
		ret = np_load(&s, req->dev, err);
	if (ret)
		return ret;
	if (bpf_map_update_elem(bpf_map__fd(s->maps.np_config), &zero, &cfg,
				BPF_ANY))
		ret = bpf_error(err, errno, "cannot write np_config");
	for (d = 0; d < NP_DIRS && !ret; d++) {
		fd = bpf_program__fd(d == NP_IN ? s->progs.np_ingress :
					s->progs.np_egress);
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		e = bpf_obj_get_info_by_fd(fd, &info, &len) ? errno : 0;
		if (!e)
			e = tc_prog_read(info.id, 0, &(bool){ false }, tag);
		if (e) {
			ret = bpf_error(err, e, "cannot read the loaded program");
			break;
		}
		id[d] = info.id;
		/* Same instructions and maps' shapes, same tag: keep it. */
		if (st.ours[d] && !strcmp(st.tag[d], tag)) {
			id[d] = st.prog_id[d];
			continue;
		}
		e = tc_place(&st, d, fd, false);
		if (e == EEXIST)
			ret = xerr_set(err, XNIC_EXIT_BUSY,
				       "another tc %s filter took handle 0x%x priority 0x%x meanwhile",
				       dir_names[d], NP_TC_HANDLE, NP_TC_PRIO);
		else if (e)
			ret = bpf_error(err, e, d == NP_IN ?
					"cannot attach the tc ingress filter" :
					"cannot attach the tc egress filter");
		fresh[d] = !ret && !st.ours[d];
		changed |= !ret;
	}
	if (!ret && req->xdp) {
		fd = bpf_program__fd(s->progs.np_xdp);
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		e = bpf_obj_get_info_by_fd(fd, &info, &len) ? errno :
		    prog_tag(info.id, tag);
		if (e)
			ret = bpf_error(err, e, "cannot read the loaded program");
		else
			ret = xdp_place(req->dev, &st, fd, tag, &xchanged, err);
		xdp_id = xchanged ? info.id : st.xdp_prog_id;
	} else if (!ret && st.xdp_pinned) {
		ret = xdp_remove(req->dev, &st, err);
		xchanged = !ret && st.xdp_ours;
	}
	changed |= xchanged;
	/* All or nothing for a first attach. */
	for (d = 0; ret && d < NP_DIRS; d++)
		if (fresh[d])
			tc_place(&st, d, -1, true);
	nodeport__destroy(s);
	if (ret)
		return ret;
	if (req->node_addr)
		inet_ntop(AF_INET, &req->node_addr, addr, sizeof(addr));
	printf("%s: nodeport %s (ingress prog id %u, egress prog id %u, xdp prog id %u), node address %s\n",
	       req->dev, !changed ? "already attached" :
	       st.ours[NP_IN] || st.ours[NP_OUT] ? "updated" : "attached",
	       id[NP_IN], id[NP_OUT], xdp_id, addr);
	return xerr_flush(err);
}

static int np_detach(const struct svc_req *req, struct xerr *err)
{
	struct np_state st;
	int d, e, ret;

	ret = state_read(req->dev, &st, err);
	if (!ret)
		ret = check_foreign(req->dev, &st, err);
	if (ret)
		return ret;
	if (!st.ours[NP_IN] && !st.ours[NP_OUT] && !st.xdp_pinned) {
		printf("%s: no nodeport attached by xnicctl\n", req->dev);
		return xerr_flush(err);
	}
	/* XDP first: it must not SNAT flows tc can no longer see back. */
	ret = xdp_remove(req->dev, &st, err);
	if (ret)
		return ret;
	for (d = 0; d < NP_DIRS; d++) {
		if (!st.ours[d])
			continue;
		e = tc_place(&st, d, -1, true);
		if (e)
			return bpf_error(err, e, d == NP_IN ?
					 "cannot detach the tc ingress filter" :
					 "cannot detach the tc egress filter");
	}
	printf("%s: nodeport detached (ingress prog id %u, egress prog id %u, xdp prog id %u); its maps stay pinned\n",
	       req->dev, st.prog_id[NP_IN], st.prog_id[NP_OUT],
	       st.xdp_link_id ? st.xdp_prog_id : 0);
	return xerr_flush(err);
}

/* ---- show ---- */

static __u64 count_flows(void)
{
	struct np_tuple k, next, *prev = NULL;
	char path[PATH_MAX];
	__u64 n = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/np_ct", PIN_LB);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		n++;
	}
	close(fd);
	return n;
}

static int np_show(const struct svc_req *req, struct xerr *err)
{
	struct pol_stat sum[NP_REASON_MAX];
	struct np_config cfg = { 0 };
	char path[PATH_MAX], addr[INET_ADDRSTRLEN];
	int cfd, sfd, d, e = 0;
	struct np_state st;
	__u32 k, zero = 0;
	struct json j;
	__u64 flows;
	int ret;

	ret = state_read(req->dev, &st, err);
	if (ret)
		return ret;
	dev_path(path, req->dev, dev_maps[NP_MAP_CONFIG]);
	cfd = bpf_obj_get(path);
	dev_path(path, req->dev, dev_maps[NP_MAP_STATS]);
	sfd = bpf_obj_get(path);
	if (cfd < 0 || sfd < 0) {
		e = errno;
		if (cfd >= 0)
			close(cfd);
		if (sfd >= 0)
			close(sfd);
		if (e == ENOENT)
			return xerr_set(err, XNIC_EXIT_NOLINK,
					"no nodeport state for '%s' (never attached)",
					req->dev);
		return bpf_error(err, e, path);
	}
	if (bpf_map_lookup_elem(cfd, &zero, &cfg))
		e = errno;
	for (k = 0; !e && k < NP_REASON_MAX; k++)
		e = pol_stat_sum(sfd, k, &sum[k]);
	close(cfd);
	close(sfd);
	if (e)
		return bpf_error(err, e, "cannot read the nodeport maps");
	flows = count_flows();
	inet_ntop(AF_INET, &cfg.node_addr, addr, sizeof(addr));
	if (!req->json) {
		printf("%s: node address %s flows %llu\n", req->dev,
		       cfg.node_addr ? addr : "none",
		       (unsigned long long)flows);
		for (d = 0; d < NP_DIRS; d++)
			printf("  %s: %s prog id %u\n", dir_names[d],
			       st.ours[d] ? "attached" : "not attached",
			       st.ours[d] ? st.prog_id[d] : 0);
		printf("  xdp: %s prog id %u\n",
		       st.xdp_ours ? "attached (native)" : "not attached",
		       st.xdp_ours ? st.xdp_prog_id : 0);
		for (k = 0; k < NP_REASON_MAX; k++)
			printf("  %-16s %llu packets %llu bytes\n",
			       reason_names[k],
			       (unsigned long long)sum[k].packets,
			       (unsigned long long)sum[k].bytes);
		return xerr_flush(err);
	}
	json_init(&j, stdout);
	json_object_begin(&j);
	json_member_string(&j, "dev", req->dev);
	json_member_string(&j, "node_addr", cfg.node_addr ? addr : NULL);
	json_member_int(&j, "ingress_prog_id", st.ours[NP_IN],
			st.prog_id[NP_IN]);
	json_member_int(&j, "egress_prog_id", st.ours[NP_OUT],
			st.prog_id[NP_OUT]);
	json_member_int(&j, "xdp_prog_id", st.xdp_ours, st.xdp_prog_id);
	json_member_int(&j, "flows", true, (int64_t)flows);
	json_key(&j, "counters");
	json_object_begin(&j);
	for (k = 0; k < NP_REASON_MAX; k++) {
		json_key(&j, reason_names[k]);
		json_object_begin(&j);
		json_member_int(&j, "packets", true, (int64_t)sum[k].packets);
		json_member_int(&j, "bytes", true, (int64_t)sum[k].bytes);
		json_object_end(&j);
	}
	json_object_end(&j);
	json_object_end(&j);
	return xerr_flush(err);
}

/* One device's attach line, if its filters are ours. */
static int save_dev(FILE *out, const char *dev, struct xerr *err)
{
	char path[PATH_MAX], addr[INET_ADDRSTRLEN];
	struct np_config cfg = { 0 };
	struct np_state st;
	__u32 zero = 0;
	int fd, ret;

	ret = state_read(dev, &st, err);
	if (ret == XNIC_EXIT_NOLINK) {
		fprintf(out, "# service nodeport: %s is gone\n", dev);
		return 0;
	}
	if (ret || !st.ours[NP_IN])
		return ret;
	dev_path(path, dev, dev_maps[NP_MAP_CONFIG]);
	fd = bpf_obj_get(path);
	if (fd < 0 || bpf_map_lookup_elem(fd, &zero, &cfg))
		ret = bpf_error(err, errno, path);
	if (fd >= 0)
		close(fd);
	if (ret)
		return ret;
	fputs("service nodeport attach ", out);
	batch_quote(out, dev);
	if (cfg.node_addr) {
		inet_ntop(AF_INET, &cfg.node_addr, addr, sizeof(addr));
		fprintf(out, " --node-addr %s", addr);
	}
	fputs(st.xdp_ours ? " --xdp\n" : "\n", out);
	return 0;
}

int np_save(FILE *out, struct xerr *err)
{
	struct dirent **names;
	int n, i, ret = 0;

	n = scandir(PIN_NP, &names, NULL, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 :
		       xerr_set(err, XNIC_EXIT_SYSTEM, "cannot read %s: %s",
				PIN_NP, strerror(errno));
	for (i = 0; i < n; i++) {
		if (!ret && names[i]->d_type == DT_DIR &&
		    names[i]->d_name[0] != '.')
			ret = save_dev(out, names[i]->d_name, err);
		free(names[i]);
	}
	free(names);
	return ret;
}

int np_run(const struct svc_req *req, int lock, struct xerr *err)
{
	if (req->op == SVC_NP_ATTACH)
		return np_attach(req, err);
	/* Nothing ever pinned: no state, nothing of ours attached. */
	if (lock < 0 && req->op == SVC_NP_SHOW)
		return xerr_set(err, XNIC_EXIT_NOLINK,
				"no nodeport state for '%s' (never attached)",
				req->dev);
	if (req->op == SVC_NP_DETACH)
		return np_detach(req, err);
	return np_show(req, err);
}
