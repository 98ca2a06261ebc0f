// SPDX-License-Identifier: GPL-2.0
/*
 * `xnicctl limit` (see limit.h and bpf/shaping.h): an aggregate EDT
 * limit per device, a pacing limit per TCP socket of a cgroup. Every
 * change is a map update seen by the next packet (EDT) or the next
 * connection (sock_ops); programs are loaded only to attach them.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "batch.h"	/* batch_quote() */
#include "cgroup.h"
#include "drop_event.h"	/* bpf/: XNIC_EV_MAP_PREFIX */
#include "edt.skel.h"
#include "json.h"
#include "limit.h"
#include "nl.h"
#include "parse.h"
#include "pfobj.h"	/* bpf_error() */
#include "service_cmd.h"	/* cgroup_ok(), LB_CGROUP_ROOT */
#include "shaping.h"
#include "sockops.skel.h"
#include "tcattach.h"	/* tc_prog_read() */
#include "xnicctl.h"

static const char help_limit[] =
"limit add dev DEV RATE [horizon DURATION]\n"
"    An aggregate limit on what DEV sends (EDT on its clsact egress,\n"
"    handle and priority 0x6564, before the tc policy): packets leave at\n"
"    RATE on one schedule, held by the fq qdisc, which replaces DEV's root\n"
"    qdisc if that is not fq already (said when it happens). A packet that\n"
"    would wait longer than the horizon (default 2s, 1ms..10s) is dropped\n"
"    and counted as drop_edt_horizon. Again: the new rate applies at once.\n"
"xnicctl limit add cgroup PATH RATE [port N | prefix CIDR]\n"
"    A pacing limit (SO_MAX_PACING_RATE) on each TCP connection of the\n"
"    cgroup v2 directory PATH, set when it is established; with port or\n"
"    prefix only for connections to that remote port or prefix (up to 8\n"
"    such rules, first match wins, else the cgroup's own rate). Applies\n"
"    to new connections; at most 34.359gbit. A nested cgroup's lower\n"
"    limit wins.\n"
"xnicctl limit del dev DEV\n"
"xnicctl limit del cgroup PATH [port N | prefix CIDR]\n"
"    Remove DEV's limit and filter (fq stays its root qdisc), or every\n"
"    limit of the cgroup and its sock_ops link, or with port or prefix\n"
"    that rule only (the link goes with the cgroup's last limit).\n"
"xnicctl limit list [--json]\n"
"    Limits with their counters: paced packets and drop_edt_horizon per\n"
"    device; established and live connections and the mean RTT at\n"
"    establishment per cgroup and rule.\n"
"    RATE: a number and a unit: bit kbit mbit gbit, or bytes as bps kbps\n"
"    mbps gbps (20mbit, 1.5gbit, 500kbit).\n";

void limit_usage(FILE *out)
{
	fprintf(out, "\nxnicctl %s", help_limit);
}

const char *limit_ctx(const struct limit_req *req)
{
	static const char *const names[] = {
		[LIM_NONE] = "limit", [LIM_ADD] = "limit add",
		[LIM_DEL] = "limit del", [LIM_LIST] = "limit list",
	};

	return names[req->op];
}

/* ---- parsing: argv -> struct limit_req, no I/O ---- */

static int parse_target(struct limit_req *req, struct kwarg *kw,
			const struct args *a, struct xerr *err)
{
	unsigned int want = req->op == LIM_ADD ? 3 : 2;
	int ret;

	if (a->npos < 1)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"missing 'dev DEV' or 'cgroup PATH'");
	if (!strcmp(a->pos[0], "dev"))
		req->kind = LIM_DEV;
	else if (!strcmp(a->pos[0], "cgroup"))
		req->kind = LIM_CGROUP;
	else
		return xerr_set(err, XNIC_EXIT_USAGE,
				"expected 'dev' or 'cgroup', not '%s'",
				a->pos[0]);
	if (a->npos < 2)
		return xerr_set(err, XNIC_EXIT_USAGE, "missing %s after '%s'",
				req->kind == LIM_DEV ? "DEV" : "PATH",
				a->pos[0]);
	if (a->npos < want)
		return xerr_set(err, XNIC_EXIT_USAGE, "missing RATE (e.g. 20mbit)");
	if (a->npos > want)
		return xerr_set(err, XNIC_EXIT_USAGE, "unexpected argument '%s'",
				a->pos[want]);
	if (req->kind == LIM_DEV) {
		req->dev = a->pos[1];
		ret = parse_ifname(req->dev, err);
		if (ret)
			return ret;
	} else {
		req->cgroup = a->pos[1];
		if (!*req->cgroup)
			return xerr_set(err, XNIC_EXIT_USAGE, "empty cgroup path");
	}
	if (req->op == LIM_ADD) {
		ret = parse_rate(a->pos[2], &req->rate, err);
		if (ret)
			return ret;
		if (req->kind == LIM_CGROUP && req->rate > LIMIT_CG_RATE_MAX)
			return xerr_set(err, XNIC_EXIT_USAGE,
					"invalid rate '%s' for a cgroup (at most 34.359gbit: SO_MAX_PACING_RATE is 32-bit)",
					a->pos[2]);
	}
	/* kw: horizon, port, prefix */
	if (kw[0].value && req->kind != LIM_DEV)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"'horizon' is for 'dev' limits only");
	if (kw[0].value && req->op != LIM_ADD)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"'horizon' is for 'limit add' only");
	if ((kw[1].value || kw[2].value) && req->kind != LIM_CGROUP)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"'%s' is for 'cgroup' limits only",
				kw[1].value ? "port" : "prefix");
	if (kw[1].value && kw[2].value)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"'port' and 'prefix' cannot be combined: one rule matches one of them");
	if (kw[0].value) {
		ret = parse_duration(kw[0].value, LIMIT_HORIZON_MIN_NS,
				     LIMIT_HORIZON_MAX_NS, &req->horizon_ns,
				     err);
		if (ret)
			return ret;
	}
	if (kw[1].value && (parse_uint(kw[1].value, 65535, &req->port) ||
			    !req->port))
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid port '%s' (expected 1..65535)",
				kw[1].value);
	if (kw[2].value) {
		req->has_prefix = true;
		return parse_prefix(kw[2].value, &req->prefix, err);
	}
	return 0;
}

int limit_parse(int argc, char **argv, struct limit_req *req,
		struct xerr *err)
{
	struct kwarg kw[] = { { .name = "horizon" }, { .name = "port" },
			      { .name = "prefix" }, { .name = NULL } };
	struct kwarg none = { .name = NULL };
	struct args a;
	const char *sub;
	int ret;

	memset(req, 0, sizeof(*req));
	if (args_want_help(argc, argv)) {
		req->help = true;
		return 0;
	}
	if (!argc)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"missing subcommand (try 'xnicctl limit --help')");
	sub = argv[0];
	if (!strcmp(sub, "list")) {
		req->op = LIM_LIST;
		ret = args_scan(argc - 1, argv + 1, &none, 0, ARG_OPT_JSON, &a,
				err);
		req->json = a.opts & ARG_OPT_JSON;
		return ret;
	}
	if (!strcmp(sub, "add"))
		req->op = LIM_ADD;
	else if (!strcmp(sub, "del"))
		req->op = LIM_DEL;
	else
		return xerr_set(err, XNIC_EXIT_USAGE,
				"unknown subcommand '%s' (try 'xnicctl limit --help')",
				sub);
	ret = args_scan(argc - 1, argv + 1, kw, 4, 0, &a, err);
	return ret ? ret : parse_target(req, kw, &a, err);
}

/* ---- the objects: maps pinned under PIN_SHAPING ---- */

static int mkdir_pin(const char *path, struct xerr *err)
{
	if (!mkdir(path, 0700) || errno == EEXIST)
		return 0;
	return xerr_set(err, errno == EACCES || errno == EPERM ?
			XNIC_EXIT_PERM : XNIC_EXIT_SYSTEM,
			"cannot create %s: %s", path, strerror(errno));
}

static int set_pins(struct bpf_object *obj, struct xerr *err)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	int e;

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);

		/* The drop events' maps, shared with every program (monitor). */
		if (!strncmp(name, XNIC_EV_MAP_PREFIX,
			     strlen(XNIC_EV_MAP_PREFIX)))
			pin_map_path(path, name);
		else
			snprintf(path, sizeof(path), "%s/%s", PIN_SHAPING, name);
		e = -bpf_map__set_pin_path(map, path);
		if (e)
			return bpf_error(err, e, "cannot set a map's pin path");
	}
	return 0;
}

static int load_error(struct xerr *err, int e, const char *name)
{
	char what[160];

	snprintf(what, sizeof(what), e == EINVAL ?
		 "cannot load %s or reuse the maps pinned in " PIN_SHAPING " (-v shows libbpf's log)" :
		 "cannot load %s (-v shows libbpf's log)", name);
	return bpf_error(err, e, what);
}

/* The EDT object, its program loaded only if @prog. */
static int edt_load(struct edt **skel, bool prog, struct xerr *err)
{
	int ret, e;

	*skel = edt__open();
	if (!*skel)
		return bpf_error(err, errno, "cannot open the edt object");
	/* libbpf before 1.3 does not know the "tc/egress" section name. */
	bpf_program__set_type((*skel)->progs.edt_egress,
			      BPF_PROG_TYPE_SCHED_CLS);
	bpf_program__set_autoload((*skel)->progs.edt_egress, prog);
	ret = set_pins((*skel)->obj, err);
	if (!ret) {
		e = -edt__load(*skel);
		ret = e ? load_error(err, e, "edt") : 0;
	}
	if (ret) {
		edt__destroy(*skel);
		*skel = NULL;
	}
	return ret;
}

static int sockops_load(struct sockops **skel, bool prog, struct xerr *err)
{
	int ret, e;

	*skel = sockops__open();
	if (!*skel)
		return bpf_error(err, errno, "cannot open the sockops object");
	bpf_program__set_autoload((*skel)->progs.shp_sockops, prog);
	ret = set_pins((*skel)->obj, err);
	if (!ret) {
		e = -sockops__load(*skel);
		ret = e ? load_error(err, e, "sockops") : 0;
	}
	if (ret) {
		sockops__destroy(*skel);
		*skel = NULL;
	}
	return ret;
}

/* ---- EDT: the device's root qdisc ---- */

struct qdisc_ctx {
	char kind[IFNAMSIZ];
};

static int on_qdisc(const struct nlmsghdr *nlh, void *data)
{
	const struct tcmsg *t = mnl_nlmsg_get_payload(nlh);
	struct qdisc_ctx *q = data;
	const struct nlattr *attr;

	if (nlh->nlmsg_type != RTM_NEWQDISC ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*t) ||
	    t->tcm_parent != TC_H_ROOT)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*t))
		if (mnl_attr_get_type(attr) == TCA_KIND &&
		    !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
			snprintf(q->kind, sizeof(q->kind), "%s",
				 mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/* Ask for @ifindex's root qdisc (a get) or make fq the root (a replace). */
static int qdisc_talk(int ifindex, bool set_fq, struct qdisc_ctx *q,
		      struct xerr *err)
{
	char buf[NL_SEND_SIZE], ext[NL_EXT_MAX];
	struct nlmsghdr *nlh;
	struct tcmsg *t;
	struct nl nl;
	int e;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = set_fq ? RTM_NEWQDISC : RTM_GETQDISC;
	/* A qdisc get answers only through a notification: ask for its echo. */
	nlh->nlmsg_flags = NLM_F_REQUEST |
			   (set_fq ? NLM_F_CREATE | NLM_F_REPLACE : NLM_F_ECHO);
	t = nl_put_struct(nlh, sizeof(*t));
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = ifindex;
	t->tcm_parent = TC_H_ROOT;
	if (set_fq)
		mnl_attr_put_strz(nlh, TCA_KIND, "fq");
	e = nl_open(&nl, err);
	if (e)
		return e;
	e = -nl_talk(&nl, nlh, set_fq ? NULL : on_qdisc, q, ext);
	nl_close(&nl);
	return e ? nl_error(e, ext, err) : 0;
}

static int ensure_fq(const char *dev, int ifindex, struct xerr *err)
{
	struct qdisc_ctx q = { .kind = "" };
	int ret;

	ret = qdisc_talk(ifindex, false, &q, err);
	if (ret || !strcmp(q.kind, "fq"))
		return ret;
	ret = qdisc_talk(ifindex, true, NULL, err);
	if (!ret)
		printf("%s: root qdisc %s replaced by fq (EDT needs it)\n", dev,
		       *q.kind ? q.kind : "(none)");
	return ret;
}

/* ---- EDT: the filter ---- */

struct edt_place {
	__u32 prog_id;	/* at EDT_TC_HANDLE/EDT_TC_PRIO, 0 if none */
	bool ours;	/* its program uses the pinned edt_limit */
	char tag[17];
};

static int map_id(int fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : (int)info.id;
}

static int edt_place_read(int ifindex, int limit_fd, struct edt_place *p,
			  struct xerr *err)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = EDT_TC_HANDLE,
			    .priority = EDT_TC_PRIO);
	int e;

	memset(p, 0, sizeof(*p));
	e = -bpf_tc_query(&hook, &opts);
	if (e == ENOENT || e == EINVAL)	/* no filter, or no clsact */
		return 0;
	if (e)
		return bpf_error(err, e, "cannot query the tc egress hook");
	p->prog_id = opts.prog_id;
	e = tc_prog_read(p->prog_id, map_id(limit_fd), &p->ours, p->tag);
	return e ? bpf_error(err, e, "cannot read the filter's program") : 0;
}

/* Attach, keep (same tag) or replace in one request our filter. */
static int edt_attach(const char *dev, int ifindex, struct edt *skel,
		      const struct edt_place *p, __u32 *id, struct xerr *err)
{
	int fd = bpf_program__fd(skel->progs.edt_egress);
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = fd,
			    .handle = EDT_TC_HANDLE, .priority = EDT_TC_PRIO,
			    .flags = p->ours ? BPF_TC_F_REPLACE : 0);
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	char tag[17];
	int e, i;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return bpf_error(err, errno, "cannot read the loaded program");
	for (i = 0; i < BPF_TAG_SIZE; i++)
		sprintf(tag + 2 * i, "%02x", info.tag[i]);
	if (p->ours && !strcmp(tag, p->tag)) {
		*id = p->prog_id;
		return 0;
	}
	e = -bpf_tc_hook_create(&hook);
	if (e && e != EEXIST)
		return bpf_error(err, e, "cannot create the clsact qdisc");
	e = -bpf_tc_attach(&hook, &opts);
	if (e == EEXIST)
		return xerr_set(err, XNIC_EXIT_BUSY,
				"%s: another tc egress filter took handle 0x%x priority 0x%x meanwhile",
				dev, EDT_TC_HANDLE, EDT_TC_PRIO);
	if (e)
		return bpf_error(err, e, "cannot attach the EDT filter");
	*id = info.id;
	return 0;
}

static int foreign(const char *dev, const struct edt_place *p,
		   struct xerr *err)
{
	return xerr_set(err, XNIC_EXIT_BUSY,
			"%s: the tc egress filter at handle 0x%x priority 0x%x runs program id %u, not attached by xnicctl: left alone",
			dev, EDT_TC_HANDLE, EDT_TC_PRIO, p->prog_id);
}

/* The largest unit that divides @ns: "2s", "500ms", "1500us". */
static void horizon_str(unsigned long long ns, char *buf, size_t n)
{
	static const struct { const char *name; unsigned long long ns; } u[] = {
		{ "s", 1000000000ull }, { "ms", 1000000ull }, { "us", 1000ull },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(u); i++)
		if (ns % u[i].ns == 0) {
			snprintf(buf, n, "%llu%s", ns / u[i].ns, u[i].name);
			return;
		}
	snprintf(buf, n, "%lluns", ns);
}

static int dev_add(const struct limit_req *req, struct xerr *err)
{
	struct edt_limit lim = { .rate = req->rate,
				 .horizon_ns = req->horizon_ns }, old;
	char rate[RATE_STR_MAX], hz[32];
	struct edt_place p;
	struct edt *skel;
	__u32 key, id = 0;
	int ret, lfd;
	bool had;

	key = if_nametoindex(req->dev);
	if (!key)
		return xerr_set(err, XNIC_EXIT_NOLINK, "no such interface '%s'",
				req->dev);
	ret = edt_load(&skel, true, err);
	if (ret)
		return ret;
	/* Another tool's filter at our place: refuse before any change. */
	lfd = bpf_map__fd(skel->maps.edt_limit);
	ret = edt_place_read(key, lfd, &p, err);
	if (!ret && p.prog_id && !p.ours)
		ret = foreign(req->dev, &p, err);
	if (!ret)
		ret = ensure_fq(req->dev, key, err);
	/* The limit first: the program paces from its first packet. */
	if (!ret) {
		had = !bpf_map_lookup_elem(lfd, &key, &old);
		if (bpf_map_update_elem(lfd, &key, &lim, BPF_ANY))
			ret = bpf_error(err, errno, "cannot write the limit");
		else
			ret = edt_attach(req->dev, key, skel, &p, &id, err);
		/* Not attached: back to the limit it had, or none. */
		if (ret && had)
			bpf_map_update_elem(lfd, &key, &old, BPF_ANY);
		else if (ret)
			bpf_map_delete_elem(lfd, &key);
	}
	edt__destroy(skel);
	if (ret)
		return ret;
	format_rate(req->rate, rate);
	horizon_str(req->horizon_ns ? req->horizon_ns : EDT_HORIZON_DEFAULT,
		    hz, sizeof(hz));
	printf("%s: limit %s, horizon %s (EDT prog id %u)\n", req->dev, rate,
	       hz, id);
	return 0;
}

static int dev_del(const struct limit_req *req, struct xerr *err)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = EDT_TC_HANDLE,
			    .priority = EDT_TC_PRIO);
	struct edt_limit lim;
	struct edt_place p;
	struct edt *skel;
	__u32 key;
	int ret, e;

	key = if_nametoindex(req->dev);
	if (!key)
		return xerr_set(err, XNIC_EXIT_NOLINK, "no such interface '%s'",
				req->dev);
	ret = edt_load(&skel, false, err);
	if (ret)
		return ret;
	ret = edt_place_read(key, bpf_map__fd(skel->maps.edt_limit), &p, err);
	if (!ret && p.prog_id && !p.ours)
		ret = foreign(req->dev, &p, err);
	if (!ret && bpf_map_lookup_elem(bpf_map__fd(skel->maps.edt_limit),
					&key, &lim) && !p.ours)
		ret = xerr_set(err, XNIC_EXIT_SYSTEM, "%s: no limit to delete",
			       req->dev);
	if (!ret && p.ours) {
		hook.ifindex = key;
		e = -bpf_tc_detach(&hook, &opts);
		if (e)
			ret = bpf_error(err, e, "cannot detach the EDT filter");
	}
	if (!ret) {
		bpf_map_delete_elem(bpf_map__fd(skel->maps.edt_limit), &key);
		bpf_map_delete_elem(bpf_map__fd(skel->maps.edt_state), &key);
		bpf_map_delete_elem(bpf_map__fd(skel->maps.edt_stats), &key);
		printf("%s: limit removed; fq stays the root qdisc\n",
		       req->dev);
	}
	edt__destroy(skel);
	return ret;
}

/* ---- sock_ops: one link per cgroup, the policy in cgroup storage ---- */

static void cg_link_path(char path[PATH_MAX], __u64 id)
{
	snprintf(path, PATH_MAX, "%s/%llu", PIN_SHAPING_CG,
		 (unsigned long long)id);
}

/* The pinned link of cgroup @id, if attached there; a defunct one goes. */
static int cg_link_open(__u64 id, int *fd, struct xerr *err)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	char path[PATH_MAX];

	cg_link_path(path, id);
	*fd = bpf_obj_get(path);
	if (*fd < 0)
		return errno == ENOENT ? 0 : bpf_error(err, errno, path);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(*fd, &info, &len))
		return bpf_error(err, errno, path);
	if (info.type == BPF_LINK_TYPE_CGROUP && info.cgroup.cgroup_id == id)
		return 0;
	/* Its cgroup is gone (or it was detached): replace it. */
	close(*fd);
	*fd = -1;
	unlink(path);
	return 0;
}

static bool rule_is(const struct shp_rule *r, const struct limit_req *req)
{
	if (req->port)
		return r->port == req->port;
	return !r->port && r->family ==
	       (req->prefix.family == AF_INET ? SHP_FAMILY_IPV4 :
		SHP_FAMILY_IPV6) &&
	       r->plen == req->prefix.plen && !memcmp(r->addr, req->prefix.addr, 16);
}

static int rule_find(const struct shp_cg_policy *pol,
		     const struct limit_req *req)
{
	int i;

	for (i = 0; i < SHP_CG_RULES; i++)
		if (pol->rule[i].rate && rule_is(&pol->rule[i], req))
			return i;
	return -1;
}

/* " to port N", " to PREFIX" or "" (the cgroup's own rate). */
static void rule_desc(unsigned int port, const struct prefix *pfx, char *buf,
		      size_t n)
{
	char a[PREFIX_STR_MAX];

	if (port) {
		snprintf(buf, n, " to port %u", port);
	} else if (pfx) {
		prefix_format(pfx, a);
		snprintf(buf, n, " to %s", a);
	} else {
		*buf = '\0';
	}
}

static int cg_stats_zero(struct sockops *skel, __u64 id, __u32 slot)
{
	struct shp_stat_key k = { .cgroup_id = id, .slot = slot };

	return bpf_map_delete_elem(bpf_map__fd(skel->maps.shp_cg_stats), &k);
}

static int cg_add(const struct limit_req *req, __u64 id, struct xerr *err)
{
	struct shp_cg_policy pol;
	char path[PATH_MAX], rate[RATE_STR_MAX], what[80];
	struct sockops *skel;
	struct bpf_link *l;
	int fd, cg, ret, i, sfd;
	bool made = false;

	ret = mkdir_pin(PIN_SHAPING_CG, err);
	if (!ret)
		ret = cg_link_open(id, &fd, err);
	if (ret)
		return ret;
	/* Programs are loaded only for a cgroup not attached yet. */
	ret = sockops_load(&skel, fd < 0, err);
	if (ret)
		goto out;
	if (fd < 0) {
		cg = open(req->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cg < 0) {
			ret = xerr_set(err, XNIC_EXIT_SYSTEM, "cannot open %s: %s",
				       req->cgroup, strerror(errno));
			goto out_skel;
		}
		l = bpf_program__attach_cgroup(skel->progs.shp_sockops, cg);
		close(cg);
		if (!l) {
			ret = bpf_error(err, errno, "cannot attach to the cgroup");
			goto out_skel;
		}
		cg_link_path(path, id);
		if (bpf_link__pin(l, path)) {
			ret = bpf_error(err, errno, path);
			bpf_link__destroy(l);
			goto out_skel;
		}
		bpf_link__destroy(l);	/* the pin holds it */
		made = true;
	}
	sfd = bpf_map__fd(skel->maps.shp_cg);
	if (bpf_map_lookup_elem(sfd, &id, &pol)) {
		ret = bpf_error(err, errno, "cannot read the cgroup's policy");
		goto undo;
	}
	/*
	 * Shared cgroup storage lives as long as the cgroup and the map,
	 * not the link: a new link starts from an empty policy.
	 */
	if (made || !pol.cgroup_id) {
		memset(&pol, 0, sizeof(pol));
		pol.cgroup_id = id;
	}
	format_rate(req->rate, rate);
	if (req->port || req->has_prefix) {
		i = rule_find(&pol, req);
		if (i < 0) {
			for (i = 0; i < SHP_CG_RULES && pol.rule[i].rate; i++)
				;
			if (i == SHP_CG_RULES) {
				ret = xerr_set(err, XNIC_EXIT_SYSTEM,
					       "%s: %d rules already (the most a cgroup has)",
					       req->cgroup, SHP_CG_RULES);
				goto undo;
			}
			memset(&pol.rule[i], 0, sizeof(pol.rule[i]));
			pol.rule[i].port = req->port;
			if (req->has_prefix) {
				pol.rule[i].family =
					req->prefix.family == AF_INET ?
					SHP_FAMILY_IPV4 : SHP_FAMILY_IPV6;
				pol.rule[i].plen = req->prefix.plen;
				memcpy(pol.rule[i].addr, req->prefix.addr, 16);
			}
			cg_stats_zero(skel, id, i + 1);
		}
		pol.rule[i].rate = req->rate;
	} else {
		pol.rate = req->rate;
	}
	/* One update: a connection reads the old policy or this one. */
	if (bpf_map_update_elem(sfd, &id, &pol, BPF_ANY)) {
		ret = bpf_error(err, errno, "cannot write the cgroup's policy");
		goto undo;
	}
	rule_desc(req->port, req->has_prefix ? &req->prefix : NULL, what,
		  sizeof(what));
	printf("%s: limit %s per connection%s, for new connections\n",
	       req->cgroup, rate, what);
	goto out_skel;
undo:
	if (made) {
		cg_link_path(path, id);
		unlink(path);
	}
out_skel:
	sockops__destroy(skel);
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

static int cg_del(const struct limit_req *req, __u64 id, struct xerr *err)
{
	struct shp_cg_policy pol;
	struct sockops *skel;
	char path[PATH_MAX], what[80];
	bool rule = req->port || req->has_prefix, empty;
	int fd, ret, i, sfd, slot;

	ret = cg_link_open(id, &fd, err);
	if (ret)
		return ret;
	if (fd < 0)
		return xerr_set(err, XNIC_EXIT_SYSTEM, "%s: no limit to delete",
				req->cgroup);
	ret = sockops_load(&skel, false, err);
	if (ret)
		goto out;
	sfd = bpf_map__fd(skel->maps.shp_cg);
	if (bpf_map_lookup_elem(sfd, &id, &pol)) {
		ret = bpf_error(err, errno, "cannot read the cgroup's policy");
		goto out_skel;
	}
	rule_desc(req->port, req->has_prefix ? &req->prefix : NULL, what,
		  sizeof(what));
	i = rule ? rule_find(&pol, req) : -1;
	if (rule && i < 0) {
		ret = xerr_set(err, XNIC_EXIT_SYSTEM, "%s: no limit%s to delete",
			       req->cgroup, what);
		goto out_skel;
	}
	/*
	 * A rule: its slot is cleared (the others keep theirs). The whole
	 * cgroup, or its last limit: the link goes, and the storage with it.
	 */
	if (rule)
		memset(&pol.rule[i], 0, sizeof(pol.rule[i]));
	empty = !pol.rate;
	for (slot = 0; slot < SHP_CG_RULES; slot++)
		empty &= !pol.rule[slot].rate;
	empty |= !rule;
	/* The storage outlives the link: leave no policy in it. */
	if (empty)
		memset(&pol, 0, sizeof(pol));
	if (bpf_map_update_elem(sfd, &id, &pol, BPF_ANY)) {
		ret = bpf_error(err, errno, "cannot write the cgroup's policy");
		goto out_skel;
	}
	for (slot = 0; slot <= SHP_CG_RULES; slot++)
		if (empty || slot == i + 1)
			cg_stats_zero(skel, id, slot);
	if (empty) {
		/* Detach even if something else still holds the link. */
		if (bpf_link_detach(fd))
			ret = bpf_error(err, errno, "cannot detach the sock_ops link");
		cg_link_path(path, id);
		if (!ret && unlink(path))
			ret = xerr_set(err, XNIC_EXIT_SYSTEM, "cannot remove %s: %s",
				       path, strerror(errno));
	}
	if (!ret)
		printf("%s: limit%s removed%s\n", req->cgroup, what,
		       empty ? "; no limit left, sock_ops detached" : "");
out_skel:
	sockops__destroy(skel);
out:
	close(fd);
	return ret;
}

/* ---- list ---- */

static void edt_sum(int fd, __u32 key, struct edt_stats *sum)
{
	int n = libbpf_num_possible_cpus(), c, r;
	struct edt_stats *per;

	memset(sum, 0, sizeof(*sum));
	per = n > 0 ? calloc(n, sizeof(*per)) : NULL;
	if (per && !bpf_map_lookup_elem(fd, &key, per))
		for (c = 0; c < n; c++)
			for (r = 0; r < EDT_REASON_MAX; r++) {
				sum->r[r].packets += per[c].r[r].packets;
				sum->r[r].bytes += per[c].r[r].bytes;
			}
	free(per);
}

static void cg_sum(int fd, __u64 id, __u32 slot, struct shp_cg_stat *sum)
{
	struct shp_stat_key k = { .cgroup_id = id, .slot = slot };
	int n = libbpf_num_possible_cpus(), c;
	struct shp_cg_stat *per;

	memset(sum, 0, sizeof(*sum));
	per = n > 0 ? calloc(n, sizeof(*per)) : NULL;
	if (per && !bpf_map_lookup_elem(fd, &k, per))
		for (c = 0; c < n; c++) {
			sum->established += per[c].established;
			sum->live += per[c].live;
			sum->rtt_sum_us += per[c].rtt_sum_us;
			sum->rtt_samples += per[c].rtt_samples;
		}
	free(per);
}

static void list_dev(int limit_fd, int stats_fd, __u32 key, struct json *j,
		     bool json)
{
	char name[IF_NAMESIZE], rate[RATE_STR_MAX], hz[32];
	struct edt_limit lim;
	struct edt_stats st;
	unsigned long long h;

	if (bpf_map_lookup_elem(limit_fd, &key, &lim))
		return;
	edt_sum(stats_fd, key, &st);
	if (!if_indextoname(key, name))
		snprintf(name, sizeof(name), "ifindex%u", key);
	h = lim.horizon_ns ? lim.horizon_ns : EDT_HORIZON_DEFAULT;
	format_rate(lim.rate, rate);
	horizon_str(h, hz, sizeof(hz));
	if (!json) {
		printf("dev %s: rate %s horizon %s paced %llu packets %llu bytes, drop_edt_horizon %llu packets %llu bytes\n",
		       name, rate, hz,
		       (unsigned long long)st.r[EDT_PASS_PACED].packets,
		       (unsigned long long)st.r[EDT_PASS_PACED].bytes,
		       (unsigned long long)st.r[EDT_DROP_HORIZON].packets,
		       (unsigned long long)st.r[EDT_DROP_HORIZON].bytes);
		return;
	}
	json_object_begin(j);
	json_member_string(j, "dev", name);
	json_member_int(j, "ifindex", true, key);
	json_member_string(j, "rate", rate);
	json_member_int(j, "rate_bytes", true, (int64_t)lim.rate);
	json_member_int(j, "horizon_ns", true, (int64_t)h);
	json_member_int(j, "paced_packets", true,
			(int64_t)st.r[EDT_PASS_PACED].packets);
	json_member_int(j, "paced_bytes", true,
			(int64_t)st.r[EDT_PASS_PACED].bytes);
	json_member_int(j, "drop_edt_horizon", true,
			(int64_t)st.r[EDT_DROP_HORIZON].packets);
	json_member_int(j, "drop_edt_horizon_bytes", true,
			(int64_t)st.r[EDT_DROP_HORIZON].bytes);
	json_object_end(j);
}

long long limit_rtt_mean_us(const struct shp_cg_stat *st)
{
	return st->rtt_samples ?
	       (long long)(st->rtt_sum_us / st->rtt_samples) : -1;
}

static void stat_out(const struct shp_cg_stat *st, struct json *j, bool json)
{
	long long rtt = limit_rtt_mean_us(st);

	if (json) {
		json_member_int(j, "established", true, (int64_t)st->established);
		json_member_int(j, "live", true, st->live);
		json_member_int(j, "rtt_mean_us", rtt >= 0, rtt);
		return;
	}
	printf(" established %llu live %lld", (unsigned long long)st->established,
	       (long long)st->live);
	if (rtt >= 0)
		printf(" rtt %lldus", rtt);
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

void limit_rule_desc(const struct shp_cg_policy *pol, unsigned int slot,
		     char *buf, size_t n)
{
	const struct shp_rule *r;
	char what[80];
	struct prefix pfx;

	if (slot == SHP_SLOT_DEFAULT || slot > SHP_CG_RULES) {
		snprintf(buf, n, "default");
		return;
	}
	r = &pol->rule[slot - 1];
	memset(&pfx, 0, sizeof(pfx));
	pfx.family = r->family == SHP_FAMILY_IPV4 ? AF_INET : AF_INET6;
	pfx.plen = r->plen;
	memcpy(pfx.addr, r->addr, 16);
	rule_desc(r->port, r->port ? NULL : &pfx, what, sizeof(what));
	snprintf(buf, n, "%s", what + 4);	/* without " to " */
}

/* Every limited cgroup (its link pinned), by id, from these maps. */
static int read_cgs(int pol_fd, int stats_fd, struct limit_cg_stat **v,
		    size_t *n, struct xerr *err)
{
	__u64 cgs[SHP_MAX_CGROUPS];
	struct limit_cg_stat *c;
	unsigned int nc = 0, i, k;
	struct dirent *de;
	const char *path;
	DIR *d;

	d = opendir(PIN_SHAPING_CG);
	while (d && nc < SHP_MAX_CGROUPS && (de = readdir(d)))
		if (de->d_name[0] != '.')
			cgs[nc++] = strtoull(de->d_name, NULL, 10);
	if (d)
		closedir(d);
	qsort(cgs, nc, sizeof(cgs[0]), cmp_u64);
	*n = 0;
	*v = calloc(nc + 1, sizeof(**v));
	if (!*v)
		return xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
	for (i = 0; i < nc; i++) {
		c = &(*v)[*n];
		if (bpf_map_lookup_elem(pol_fd, &cgs[i], &c->pol))
			continue;	/* its policy was never written */
		c->id = cgs[i];
		path = cgroup_path(c->id);
		snprintf(c->path, sizeof(c->path), "%s", path ? path : "");
		for (k = 0; k <= SHP_CG_RULES; k++)
			cg_sum(stats_fd, c->id, k, &c->st[k]);
		(*n)++;
	}
	return 0;
}

int limit_cg_read(struct limit_cg_stat **v, size_t *n, struct xerr *err)
{
	int pol_fd, stats_fd = -1, ret;

	*v = NULL;
	*n = 0;
	ret = bpf_pin_open(PIN_SHAPING "/shp_cg", sizeof(__u64),
			   sizeof(struct shp_cg_policy), &pol_fd, err);
	if (ret)
		return ret;
	ret = bpf_pin_open(PIN_SHAPING "/shp_cg_stats",
			   sizeof(struct shp_stat_key),
			   sizeof(struct shp_cg_stat), &stats_fd, err);
	if (!ret)
		ret = read_cgs(pol_fd, stats_fd, v, n, err);
	close(pol_fd);
	if (stats_fd >= 0)
		close(stats_fd);
	return ret;
}

static void list_cg(const struct limit_cg_stat *c, struct json *j, bool json)
{
	char rate[RATE_STR_MAX], what[80];
	int i;

	format_rate(c->pol.rate, rate);
	if (json) {
		json_object_begin(j);
		json_member_string(j, "cgroup", c->path[0] ? c->path : NULL);
		json_member_int(j, "id", true, (int64_t)c->id);
		json_member_string(j, "rate", c->pol.rate ? rate : NULL);
		json_member_int(j, "rate_bytes", c->pol.rate,
				(int64_t)c->pol.rate);
		stat_out(&c->st[SHP_SLOT_DEFAULT], j, true);
		json_key(j, "rules");
		json_array_begin(j);
	} else {
		printf("cgroup %s (id %llu): rate %s",
		       c->path[0] ? c->path : "?", (unsigned long long)c->id,
		       c->pol.rate ? rate : "none");
		stat_out(&c->st[SHP_SLOT_DEFAULT], j, false);
		putchar('\n');
	}
	for (i = 0; i < SHP_CG_RULES; i++) {
		const struct shp_rule *r = &c->pol.rule[i];

		if (!r->rate)
			continue;
		limit_rule_desc(&c->pol, i + 1, what, sizeof(what));
		format_rate(r->rate, rate);
		if (json) {
			json_object_begin(j);
			json_member_int(j, "port", r->port, r->port);
			json_member_string(j, "prefix", r->port ? NULL : what);
			json_member_string(j, "rate", rate);
			json_member_int(j, "rate_bytes", true, (int64_t)r->rate);
			stat_out(&c->st[i + 1], j, true);
			json_object_end(j);
		} else {
			printf("  %s: rate %s", what, rate);
			stat_out(&c->st[i + 1], j, false);
			putchar('\n');
		}
	}
	if (json) {
		json_array_end(j);
		json_object_end(j);
	}
}

/* Both objects, every limited device (sorted) and every limited cgroup. */
struct limits {
	struct edt *edt;
	struct sockops *so;
	__u32 devs[EDT_MAX_DEVS];
	unsigned int nd;
	struct limit_cg_stat *cgs;
	size_t nc;
};

static int limits_read(struct limits *l, struct xerr *err)
{
	__u32 key, *prev = NULL;
	int ret;

	memset(l, 0, sizeof(*l));
	ret = edt_load(&l->edt, false, err);
	if (!ret)
		ret = sockops_load(&l->so, false, err);
	if (!ret)
		ret = read_cgs(bpf_map__fd(l->so->maps.shp_cg),
			       bpf_map__fd(l->so->maps.shp_cg_stats), &l->cgs,
			       &l->nc, err);
	if (ret)
		return ret;
	while (l->nd < EDT_MAX_DEVS &&
	       !bpf_map_get_next_key(bpf_map__fd(l->edt->maps.edt_limit), prev,
				     &l->devs[l->nd])) {
		key = l->devs[l->nd++];
		prev = &key;
	}
	qsort(l->devs, l->nd, sizeof(l->devs[0]), cmp_u32);
	return 0;
}

static void limits_free(struct limits *l)
{
	free(l->cgs);
	sockops__destroy(l->so);
	edt__destroy(l->edt);
}

static int do_list(bool json, struct xerr *err)
{
	struct limits l;
	struct json j;
	unsigned int i;
	int ret;

	ret = limits_read(&l, err);
	if (ret)
		goto out;
	json_init(&j, stdout);
	if (json) {
		json_object_begin(&j);
		json_key(&j, "devices");
		json_array_begin(&j);
	}
	for (i = 0; i < l.nd; i++)
		list_dev(bpf_map__fd(l.edt->maps.edt_limit),
			 bpf_map__fd(l.edt->maps.edt_stats), l.devs[i], &j, json);
	if (json) {
		json_array_end(&j);
		json_key(&j, "cgroups");
		json_array_begin(&j);
	}
	for (i = 0; i < l.nc; i++)
		list_cg(&l.cgs[i], &j, json);
	if (json) {
		json_array_end(&j);
		json_object_end(&j);
		putchar('\n');
	}
	ret = xerr_flush(err);
out:
	limits_free(&l);
	return ret;
}

/* `save`: one line per device limit, then per cgroup rule (see limit.h). */
static void save_dev(FILE *out, int limit_fd, __u32 ifindex)
{
	char name[IF_NAMESIZE], rate[RATE_STR_MAX], hz[32];
	struct edt_limit lim;

	if (bpf_map_lookup_elem(limit_fd, &ifindex, &lim))
		return;	/* deleted meanwhile */
	if (!if_indextoname(ifindex, name)) {
		fprintf(out, "# limit: the device of ifindex %u is gone\n",
			ifindex);
		return;
	}
	format_rate_exact(lim.rate, rate);
	fputs("limit add dev ", out);
	batch_quote(out, name);
	fprintf(out, " %s", rate);
	if (lim.horizon_ns) {
		horizon_str(lim.horizon_ns, hz, sizeof(hz));
		fprintf(out, " horizon %s", hz);
	}
	fputc('\n', out);
}

static void save_cg(FILE *out, const struct limit_cg_stat *c)
{
	char rate[RATE_STR_MAX], rule[80];
	unsigned int k;
	__u64 r;

	if (!c->path[0]) {
		fprintf(out, "# limit: cgroup %llu has no directory now\n",
			(unsigned long long)c->id);
		return;
	}
	for (k = 0; k <= SHP_CG_RULES; k++) {
		r = k ? c->pol.rule[k - 1].rate : c->pol.rate;
		if (!r)
			continue;	/* no default, or an empty rule slot */
		format_rate_exact(r, rate);
		fputs("limit add cgroup ", out);
		batch_quote(out, c->path);
		fprintf(out, " %s", rate);
		if (k) {
			limit_rule_desc(&c->pol, k, rule, sizeof(rule));
			fprintf(out, " %s", rule);
		}
		fputc('\n', out);
	}
}

int limit_save(FILE *out, struct xerr *err)
{
	struct limits l;
	struct stat st;
	unsigned int i;
	int ret;

	if (stat(PIN_SHAPING, &st))
		return 0;	/* never pinned: nothing, and nothing created */
	ret = limits_read(&l, err);
	for (i = 0; !ret && i < l.nd; i++)
		save_dev(out, bpf_map__fd(l.edt->maps.edt_limit), l.devs[i]);
	for (i = 0; !ret && i < l.nc; i++)
		save_cg(out, &l.cgs[i]);
	limits_free(&l);
	return ret;
}

/* ---- running a request ---- */

static int run(const struct limit_req *req, struct xerr *err)
{
	struct stat st;
	int lock, ret;

	/* Checked before any bpf() or pin: a bad path changes nothing. */
	if (req->op != LIM_LIST && req->kind == LIM_CGROUP &&
	    (!cgroup_ok(req->cgroup) || stat(req->cgroup, &st)))
		return xerr_set(err, XNIC_EXIT_USAGE,
				"'%s' is not a cgroup v2 directory", req->cgroup);
	/* Listing before anything was ever pinned creates nothing. */
	if (req->op == LIM_LIST && stat(PIN_SHAPING, &st)) {
		if (req->json) {
			struct json j;

			json_init(&j, stdout);
			json_object_begin(&j);
			json_key(&j, "devices");
			json_array_begin(&j);
			json_array_end(&j);
			json_key(&j, "cgroups");
			json_array_begin(&j);
			json_array_end(&j);
			json_object_end(&j);
		}
		return xerr_flush(err);
	}
	ret = pin_lock(true, &lock, err);
	if (!ret)
		ret = mkdir_pin(PIN_SHAPING, err);
	if (ret)
		goto out;
	if (req->op == LIM_LIST)
		ret = do_list(req->json, err);
	else if (req->kind == LIM_DEV)
		ret = req->op == LIM_ADD ? dev_add(req, err) : dev_del(req, err);
	else
		ret = req->op == LIM_ADD ? cg_add(req, st.st_ino, err) :
		      cg_del(req, st.st_ino, err);
out:
	pin_unlock(lock);
	return ret;
}

int limit_main(int argc, char **argv)
{
	struct limit_req req;
	struct xerr err;
	int ret;

	ret = limit_parse(argc, argv, &req, &err);
	if (!ret && req.help)
		args_help(limit_usage);
	else if (!ret)
		ret = run(&req, &err);
	if (ret)
		xerr_print(limit_ctx(&req), &err);
	return ret;
}
