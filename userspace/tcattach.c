// SPDX-License-Identifier: GPL-2.0
/* The tc policy on a device's clsact hook (see tcattach.h). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nl.h"
#include "pfobj.h"	/* bpf_error() */
#include "pin.h"
#include "tcattach.h"
#include "tcobj.h"
#include "xnicctl.h"

/* More maps than the policy's four: room for future shared ones. */
#define PROG_MAPS_MAX	32

static const enum bpf_tc_attach_point hook_of[POL_DIRS] = {
	[POL_INGRESS] = BPF_TC_INGRESS,
	[POL_EGRESS] = BPF_TC_EGRESS,
};

const char *pol_dir_name(enum pol_dir dir)
{
	return dir == POL_INGRESS ? "ingress" : "egress";
}

int tc_prog_read(__u32 prog_id, __u32 map_id, bool *uses, char tag[17])
{
	__u32 ids[PROG_MAPS_MAX], len, i;
	struct bpf_prog_info info;
	int fd, e = 0;

	*uses = false;
	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return errno;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = PROG_MAPS_MAX;
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		e = errno;
	close(fd);
	if (e)
		return e;
	for (i = 0; i < info.nr_map_ids && i < PROG_MAPS_MAX; i++)
		*uses |= map_id && ids[i] == map_id;
	for (i = 0; i < BPF_TAG_SIZE; i++)
		sprintf(tag + 2 * i, "%02x", info.tag[i]);
	return 0;
}

__u32 tc_pinned_map_id(const char *path)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int fd;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.id = 0;
	close(fd);
	return info.id;
}

static __u32 pinned_rules_id(const char *dev)
{
	char path[PATH_MAX];

	pin_dev_path(path, dev, pol_map_name(POL_MAP_RULES));
	return tc_pinned_map_id(path);
}

struct dump_ctx {
	struct tc_dir_state *ds;
};

static int on_bpf_opt(const struct nlattr *attr, void *data)
{
	__u32 *id = data;

	if (mnl_attr_get_type(attr) == TCA_BPF_ID &&
	    !mnl_attr_validate(attr, MNL_TYPE_U32))
		*id = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

/* One filter of the dump: ours by place, or another tool's. */
static int on_filter(const struct nlmsghdr *nlh, void *data)
{
	const struct tcmsg *t = mnl_nlmsg_get_payload(nlh);
	struct tc_dir_state *ds = ((struct dump_ctx *)data)->ds;
	const char *kind = "";
	const struct nlattr *attr;
	__u32 prio, id = 0;
	bool bpf;

	if (nlh->nlmsg_type != RTM_NEWTFILTER ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*t))
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*t)) {
		if (mnl_attr_get_type(attr) == TCA_KIND &&
		    !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
			kind = mnl_attr_get_str(attr);
		else if (mnl_attr_get_type(attr) == TCA_OPTIONS)
			mnl_attr_parse_nested(attr, on_bpf_opt, &id);
	}
	prio = TC_H_MAJ(t->tcm_info) >> 16;
	bpf = !strcmp(kind, "bpf");
	/* Handle 0 heads each priority's list: not a filter itself. */
	if (prio == TC_POL_PRIO &&
	    (!bpf || TC_H_MIN(t->tcm_info) != htons(ETH_P_ALL)))
		ds->other_kind = true;
	else if (prio == TC_POL_PRIO && t->tcm_handle == TC_POL_HANDLE)
		ds->prog_id = id;
	else if (t->tcm_handle)
		ds->others++;
	return MNL_CB_OK;
}

/* Every filter on one direction of the hook (none if no clsact). */
static int dump_dir(struct tc_state *st, enum pol_dir d, struct xerr *err)
{
	struct dump_ctx ctx = { .ds = &st->dir[d] };
	char buf[NL_SEND_SIZE], ext[NL_EXT_MAX];
	struct nlmsghdr *nlh;
	struct tcmsg *t;
	struct nl nl;
	int e;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETTFILTER;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	t = nl_put_struct(nlh, sizeof(*t));
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = st->ifindex;
	t->tcm_parent = TC_H_MAKE(TC_H_CLSACT, d == POL_INGRESS ?
				  TC_H_MIN_INGRESS : TC_H_MIN_EGRESS);
	e = nl_open(&nl, err);
	if (e)
		return e;
	e = -nl_talk(&nl, nlh, on_filter, &ctx, ext);
	nl_close(&nl);
	return e ? nl_error(e, ext, err) : 0;
}

static int query_dir(struct tc_state *st, enum pol_dir d, struct xerr *err)
{
	struct tc_dir_state *ds = &st->dir[d];
	int e;

	memset(ds, 0, sizeof(*ds));
	e = dump_dir(st, d, err);
	if (e || !ds->prog_id)
		return e;
	e = tc_prog_read(ds->prog_id, st->rules_id, &ds->ours, ds->tag);
	return e ? bpf_error(err, e, "cannot read the filter's program") : 0;
}

int tc_state_read(const char *dev, struct tc_state *st, struct xerr *err)
{
	int ret = 0, d;

	memset(st, 0, sizeof(*st));
	st->ifindex = if_nametoindex(dev);
	if (!st->ifindex)
		return xerr_set(err, XNIC_EXIT_NOLINK,
				"no such interface '%s'", dev);
	st->rules_id = pinned_rules_id(dev);
	for (d = 0; d < POL_DIRS && !ret; d++)
		ret = query_dir(st, d, err);
	return ret;
}

bool tc_attached(const struct tc_state *st)
{
	return st->dir[POL_INGRESS].ours || st->dir[POL_EGRESS].ours;
}

int tc_check_foreign(const char *dev, const struct tc_state *st,
		     struct xerr *err)
{
	int d;

	for (d = 0; d < POL_DIRS; d++) {
		if (st->dir[d].other_kind)
			return xerr_set(err, XNIC_EXIT_BUSY,
					"%s: tc %s priority 0x%x holds another tool's filter (not bpf, or not protocol all): left alone",
					dev, pol_dir_name(d), TC_POL_PRIO);
		if (!st->dir[d].prog_id || st->dir[d].ours)
			continue;
		return xerr_set(err, XNIC_EXIT_BUSY,
				"%s: the tc %s filter at handle 0x%x priority 0x%x runs program id %u, not attached by xnicctl: left alone",
				dev, pol_dir_name(d), TC_POL_HANDLE,
				TC_POL_PRIO, st->dir[d].prog_id);
	}
	return 0;
}

static int attach_dir(const struct tc_state *st, enum pol_dir d, int prog_fd,
		      struct xerr *err)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = st->ifindex,
			    .attach_point = hook_of[d]);
	/*
	 * REPLACE only over our own filter: one netlink request swaps the
	 * program, so no packet passes the hook without a policy. A fresh
	 * attach without it fails (EEXIST) if a filter appeared meanwhile.
	 */
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd,
			    .handle = TC_POL_HANDLE, .priority = TC_POL_PRIO,
			    .flags = st->dir[d].ours ? BPF_TC_F_REPLACE : 0);
	char what[64];
	int e;

	e = -bpf_tc_attach(&hook, &opts);
	if (!e)
		return 0;
	if (e == EEXIST)
		return xerr_set(err, XNIC_EXIT_BUSY,
				"another tc %s filter took handle 0x%x priority 0x%x meanwhile",
				pol_dir_name(d), TC_POL_HANDLE, TC_POL_PRIO);
	snprintf(what, sizeof(what), "cannot attach the tc %s filter",
		 pol_dir_name(d));
	return bpf_error(err, e, what);
}

static int detach_dir(const struct tc_state *st, enum pol_dir d)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = st->ifindex,
			    .attach_point = hook_of[d]);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_POL_HANDLE,
			    .priority = TC_POL_PRIO);

	return -bpf_tc_detach(&hook, &opts);
}

int tc_clsact_create(int ifindex, struct xerr *err)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	int e;

	e = -bpf_tc_hook_create(&hook);
	if (e && e != EEXIST)
		return bpf_error(err, e, "cannot create the clsact qdisc");
	return 0;
}

int tc_attach(const char *dev, struct tc_state *st, struct xerr *err)
{
	struct tc_dir_state now[POL_DIRS];
	bool fresh[POL_DIRS] = { false };
	struct tcobj o;
	bool changed = false, uses;
	int ret, d;

	ret = tc_check_foreign(dev, st, err);
	if (!ret)
		ret = tc_clsact_create(st->ifindex, err);
	if (!ret)
		ret = tcobj_load(&o, dev, true, err);
	if (ret)
		return ret;
	for (d = 0; d < POL_DIRS && !ret; d++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(o.prog_fd[d], &info, &len)) {
			ret = bpf_error(err, errno,
					"cannot read the loaded program");
			break;
		}
		now[d].prog_id = info.id;
		ret = -tc_prog_read(info.id, 0, &uses, now[d].tag);
		if (ret) {
			ret = bpf_error(err, -ret, "cannot read the loaded program");
			break;
		}
		/* Same instructions and maps' shapes, same tag: keep it. */
		if (st->dir[d].ours && !strcmp(st->dir[d].tag, now[d].tag)) {
			now[d] = st->dir[d];
			continue;
		}
		ret = attach_dir(st, d, o.prog_fd[d], err);
		fresh[d] = !ret && !st->dir[d].ours;
		changed |= !ret;
	}
	/* All or nothing for a first attach: undo a half-made one. */
	for (d = 0; ret && d < POL_DIRS; d++)
		if (fresh[d])
			detach_dir(st, d);
	tcobj_close(&o);
	if (ret)
		return ret;
	if (!changed)
		printf("%s: tc policy already attached (ingress prog id %u, egress prog id %u)\n",
		       dev, now[0].prog_id, now[1].prog_id);
	else if (tc_attached(st))
		printf("%s: tc policy updated (ingress prog id %u -> %u, egress prog id %u -> %u)\n",
		       dev, st->dir[0].prog_id, now[0].prog_id,
		       st->dir[1].prog_id, now[1].prog_id);
	else
		printf("%s: tc policy attached (ingress prog id %u, egress prog id %u)\n",
		       dev, now[0].prog_id, now[1].prog_id);
	return 0;
}

int tc_detach(const char *dev, struct tc_state *st, struct xerr *err)
{
	unsigned int others;
	int ret, d;

	ret = tc_check_foreign(dev, st, err);
	if (ret)
		return ret;
	others = st->dir[POL_INGRESS].others + st->dir[POL_EGRESS].others;
	if (others)
		printf("%s: %u tc filter(s) of other tools left alone\n", dev,
		       others);
	if (!tc_attached(st)) {
		printf("%s: no tc policy attached by xnicctl\n", dev);
		return 0;
	}
	for (d = 0; d < POL_DIRS; d++) {
		if (!st->dir[d].ours)
			continue;
		ret = detach_dir(st, d);
		if (ret)
			return bpf_error(err, ret, d == POL_INGRESS ?
					 "cannot detach the tc ingress filter" :
					 "cannot detach the tc egress filter");
	}
	printf("%s: tc policy detached (ingress prog id %u, egress prog id %u); its maps stay pinned\n",
	       dev, st->dir[0].prog_id, st->dir[1].prog_id);
	return 0;
}
