// SPDX-License-Identifier: GPL-2.0
/* `xnicctl redirect` (see redircmd.h). */
#include <dirent.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "args.h"
#include "batch.h"	/* batch_quote() */
#include "json.h"
#include "parse.h"
#include "pin.h"
#include "polcmd.h"
#include "redircmd.h"
#include "tcattach.h"	/* pol_dir_name() */
#include "tcobj.h"
#include "xnicctl.h"

static const char help_redirect[] =
"redirect add DEV ingress|egress [at INDEX] [src PREFIX] [dst PREFIX]\n"
"           [proto tcp|udp|icmp|icmpv6|NUM] [dport P|P-Q] [family ipv4|ipv6]\n"
"           to TARGET [mode egress|ingress|peer]\n"
"xnicctl redirect del DEV ingress|egress INDEX\n"
"xnicctl redirect list [DEV] [--json]\n"
"    DEV's tc policy (see 'attach DEV --tc' and 'policy') sends what it\n"
"    allows and a redirect matches to TARGET instead of on its way: per\n"
"    direction an ordered list of at most 64 redirects, the first that\n"
"    matches is used. Denied packets are never redirected; redirected\n"
"    ones carry the identity mark. Match fields as for 'policy add'.\n"
"    TARGET is an interface in xnicctl's namespace, kept as its ifindex.\n"
"    mode egress   out of TARGET (the default)\n"
"         ingress  into TARGET's receive path, as if it arrived there\n"
"         peer     into the receive path of TARGET's veth peer, in the\n"
"                  peer's namespace (ingress redirects only; TARGET must\n"
"                  be a veth: xnic has no ndo_get_peer_dev)\n"
"    A redirect whose TARGET is gone lets the packet go on its way and\n"
"    counts it as gone.\n"
"    add      insert at INDEX (default: at the end); later ones move down\n"
"             with their counters.\n"
"    del      remove INDEX; the ones after it move up.\n"
"    list     per device and direction the redirects in order, with\n"
"             packets and bytes redirected and gone (summed over CPUs).\n"
"      --json            [{dev, ingress: [{index, family, src, dst, proto,\n"
"                        dport, dport_lo, dport_hi, target, ifindex, mode,\n"
"                        packets, bytes, gone_packets, gone_bytes}],\n"
"                        egress: [...]}], with DEV too (one element)\n"
"    An index past the end of the list, a full list or a missing entry\n"
"    is refused with exit 2, an unknown TARGET with exit 5, nothing\n"
"    changed.\n";

void redirect_usage(FILE *out)
{
	fprintf(out, "\nxnicctl %s", help_redirect);
}

static const char *const op_names[] = {
	[REDIR_OP_NONE] = "redirect",
	[REDIR_OP_ADD] = "redirect add",
	[REDIR_OP_DEL] = "redirect del",
	[REDIR_OP_LIST] = "redirect list",
};

const char *redirect_ctx(enum redir_op op)
{
	return op_names[op];
}

static const char *const mode_names[POL_REDIR_MODES] = {
	[POL_REDIR_EGRESS] = "egress",
	[POL_REDIR_INGRESS] = "ingress",
	[POL_REDIR_PEER] = "peer",
};

const char *redirect_mode_name(__u8 mode)
{
	return mode && mode < POL_REDIR_MODES ? mode_names[mode] : "?";
}

/* ---- parsing ---- */

enum { KW_TO = POL_KW_COUNT, KW_MODE };

static int parse_mode(const char *s, __u8 *mode, struct xerr *err)
{
	__u8 m;

	for (m = POL_REDIR_EGRESS; m < POL_REDIR_MODES; m++) {
		if (!strcmp(s, mode_names[m])) {
			*mode = m;
			return 0;
		}
	}
	return xerr_set(err, XNIC_EXIT_USAGE,
			"invalid mode '%s' (expected egress, ingress or peer)",
			s);
}

static int parse_add(struct redir_req *req, const struct kwarg *kw,
		     struct xerr *err)
{
	struct pol_rule *m = &req->redir.match;
	int ret;

	if (kw[POL_KW_AT].value) {
		req->at = true;
		ret = policy_parse_index(kw[POL_KW_AT].value, &req->index,
					 err);
		if (ret)
			return ret;
	}
	ret = policy_parse_match(kw, m, err);
	if (ret)
		return ret;
	if (!kw[KW_TO].value)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"missing 'to TARGET' (the interface to redirect to)");
	ret = parse_ifname(kw[KW_TO].value, err);
	if (ret)
		return ret;
	req->target = kw[KW_TO].value;
	m->action = POL_REDIR_EGRESS;
	if (kw[KW_MODE].value)
		ret = parse_mode(kw[KW_MODE].value, &m->action, err);
	if (ret)
		return ret;
	if (m->action == POL_REDIR_PEER && req->dir != POL_INGRESS)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"mode peer works on ingress redirects only (the kernel drops a bpf_redirect_peer() from tc egress)");
	return 0;
}

static const struct {
	const char *name;
	enum redir_op op;
	unsigned int npos;	/* at most, DEV included */
	unsigned int need;	/* at least */
	unsigned int opts;
} subcmds[] = {
	{ "add", REDIR_OP_ADD, 2, 2, 0 },
	{ "del", REDIR_OP_DEL, 3, 3, 0 },
	{ "list", REDIR_OP_LIST, 1, 0, ARG_OPT_JSON },
};

static const char *const missing[] = {
	"interface name", "direction (ingress or egress)", "redirect INDEX",
};

int redirect_parse(int argc, char **argv, struct redir_req *req,
		   struct xerr *err)
{
	struct kwarg kw[] = {
		POL_KWARGS,
		[KW_TO] = { .name = "to" },
		[KW_MODE] = { .name = "mode" },
		{ .name = NULL },
	};
	struct args a;
	size_t i;
	int ret;

	memset(req, 0, sizeof(*req));
	if (args_want_help(argc, argv)) {
		req->help = true;
		return 0;
	}
	ret = args_subcmd(argc, argv, "redirect", subcmds,
			  ARRAY_SIZE(subcmds), sizeof(subcmds[0]), &i, err);
	if (ret)
		return ret;
	req->op = subcmds[i].op;
	/* Only add takes keywords. */
	ret = args_scan(argc - 1, argv + 1,
			req->op == REDIR_OP_ADD ? kw : kw + ARRAY_SIZE(kw) - 1,
			subcmds[i].npos, subcmds[i].opts, &a, err);
	if (ret)
		return ret;
	if (a.npos < subcmds[i].need)
		return xerr_set(err, XNIC_EXIT_USAGE, "missing %s",
				missing[a.npos]);
	req->json = a.opts & ARG_OPT_JSON;
	if (!a.npos)
		return 0;
	ret = parse_ifname(a.pos[0], err);
	if (ret)
		return ret;
	req->dev = a.pos[0];
	if (req->op == REDIR_OP_LIST)
		return 0;
	ret = policy_parse_dir(a.pos[1], &req->dir, err);
	if (ret)
		return ret;
	if (req->op == REDIR_OP_DEL)
		return policy_parse_index(a.pos[2], &req->index, err);
	return parse_add(req, kw, err);
}

/* ---- execution ---- */

static int edit(const int *fd, const void *arg, struct xerr *err)
{
	const struct redir_req *req = arg;
	struct pol_list_op op = {
		.del = req->op == REDIR_OP_DEL,
		.at = req->at,
		.index = req->index,
		.entry = &req->redir,
	};

	return pol_list_edit(pol_list_maps(fd, true), req->dev, req->dir, &op,
			     err);
}

/* The driver's name as ethtool -i shows it; "" if it cannot be read. */
static void driver_name(const char *ifname, char *buf, size_t len)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr;
	int sk;

	buf[0] = '\0';
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&info;
	sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sk < 0)
		return;
	if (!ioctl(sk, SIOCETHTOOL, &ifr))
		snprintf(buf, len, "%s", info.driver);
	close(sk);
}

/*
 * What only the system can tell: TARGET exists (its ifindex goes into
 * the entry), a peer target is a veth (the one driver with
 * ndo_get_peer_dev in 6.1), and DEV is not redirected into the hook it
 * came from (its own ingress from ingress, its own egress from egress:
 * each packet would come back to the same rule forever).
 */
static int resolve(struct redir_req *req, struct xerr *err)
{
	__u8 mode = req->redir.match.action;
	char drv[sizeof(((struct ethtool_drvinfo *)0)->driver)];
	unsigned int self;

	req->redir.ifindex = if_nametoindex(req->target);
	if (!req->redir.ifindex)
		return xerr_set(err, XNIC_EXIT_NOLINK,
				"no such interface '%s' (the redirect target)",
				req->target);
	self = if_nametoindex(req->dev);
	if (self == req->redir.ifindex &&
	    ((req->dir == POL_INGRESS && mode == POL_REDIR_INGRESS) ||
	     (req->dir == POL_EGRESS && mode == POL_REDIR_EGRESS)))
		return xerr_set(err, XNIC_EXIT_USAGE,
				"redirecting %s's %s to its own %s would loop",
				req->dev, pol_dir_name(req->dir),
				pol_dir_name(req->dir));
	if (mode != POL_REDIR_PEER)
		return 0;
	driver_name(req->target, drv, sizeof(drv));
	/* It exists (its ifindex is known): no name means no drvinfo, as lo. */
	if (!*drv)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"mode peer needs a veth target (the driver with ndo_get_peer_dev): '%s' reports no driver",
				req->target);
	if (strcmp(drv, "veth"))
		return xerr_set(err, XNIC_EXIT_USAGE,
				"mode peer needs a veth target (the driver with ndo_get_peer_dev): '%s' is a device of driver %s",
				req->target, drv);
	return 0;
}

/* Where list output goes: text with one header, or JSON. */
struct lister {
	const struct redir_req *req;
	const char *cur_dev;	/* the device being listed */
	struct json j;
	bool header_done;
};

static void list_one(struct lister *ls, const char *dev, enum pol_dir dir,
		     unsigned int i, const struct pol_redirect *r,
		     const struct pol_redir_stat *st)
{
	struct pol_match_text t;
	char target[IF_NAMESIZE];
	bool gone = !r->ifindex || !if_indextoname(r->ifindex, target);

	policy_match_text(&r->match, &t);
	if (!ls->req->json) {
		printf("%-15s %-7s %3u %-6s %-18s %-18s %-6s %-11s %-15s %-7s %10llu %12llu %10llu\n",
		       dev, pol_dir_name(dir), i, t.family, t.src, t.dst,
		       t.proto, t.dport, gone ? "(gone)" : target,
		       redirect_mode_name(r->match.action),
		       (unsigned long long)st->redirected.packets,
		       (unsigned long long)st->redirected.bytes,
		       (unsigned long long)st->gone.packets);
		return;
	}
	json_object_begin(&ls->j);
	json_member_int(&ls->j, "index", true, i);
	policy_match_json(&ls->j, &r->match, &t);
	json_key(&ls->j, "target");
	if (gone)
		json_null(&ls->j);
	else
		json_string(&ls->j, target);
	json_member_int(&ls->j, "ifindex", true, r->ifindex);
	json_member_string(&ls->j, "mode", redirect_mode_name(r->match.action));
	json_member_int(&ls->j, "packets", true, st->redirected.packets);
	json_member_int(&ls->j, "bytes", true, st->redirected.bytes);
	json_member_int(&ls->j, "gone_packets", true, st->gone.packets);
	json_member_int(&ls->j, "gone_bytes", true, st->gone.bytes);
	json_object_end(&ls->j);
}

/* One device's lists, read whole before anything is printed. */
struct dev_lists {
	struct pol_list l[POL_DIRS];
	struct pol_redir_stat st[POL_DIRS][POL_MAX_RULES];
};

static int list_dev(const int *fd, const void *arg, struct xerr *err)
{
	struct lister *ls = (struct lister *)arg;
	struct dev_lists *d;
	unsigned int i, k;
	int ret = 0, e;

	d = calloc(1, sizeof(*d));
	if (!d)
		return xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
	for (k = 0; k < POL_DIRS && !ret; k++) {
		ret = pol_list_read(pol_list_maps(fd, true), k, &d->l[k], err);
		for (i = 0; !ret && i < d->l[k].n; i++) {
			e = pol_redir_stat_sum(fd[POL_MAP_REDIR_STATS],
					       POL_KEY(k, i), &d->st[k][i]);
			if (e)
				ret = xerr_set(err, XNIC_EXIT_SYSTEM,
					       "cannot read pol_redir_stats: %s",
					       strerror(e));
		}
	}
	if (ret)
		goto out;
	if (!ls->req->json && !ls->header_done) {
		printf("%-15s %-7s %3s %-6s %-18s %-18s %-6s %-11s %-15s %-7s %10s %12s %10s\n",
		       "DEV", "DIR", "IDX", "FAMILY", "SRC", "DST", "PROTO",
		       "DPORT", "TARGET", "MODE", "PACKETS", "BYTES", "GONE");
		ls->header_done = true;
	}
	if (ls->req->json) {
		json_object_begin(&ls->j);
		json_member_string(&ls->j, "dev", ls->cur_dev);
	}
	for (k = 0; k < POL_DIRS; k++) {
		if (ls->req->json) {
			json_key(&ls->j, pol_dir_name(k));
			json_array_begin(&ls->j);
		}
		for (i = 0; i < d->l[k].n; i++)
			list_one(ls, ls->cur_dev, k, i, &d->l[k].e[i].redirect,
				 &d->st[k][i]);
		if (ls->req->json)
			json_array_end(&ls->j);
	}
	if (ls->req->json)
		json_object_end(&ls->j);
out:
	free(d);
	return ret;
}

struct save_req {
	const char *dev;
	FILE *out;
};

/*
 * DEV's redirects as the lines that add them again, in order. One whose
 * target is gone cannot be: a comment says so.
 */
static int save_dev(const int *fd, const void *arg, struct xerr *err)
{
	const struct save_req *s = arg;
	const struct pol_redirect *r;
	char target[IF_NAMESIZE];
	struct pol_list l;
	unsigned int i, k;
	int ret = 0;

	for (k = 0; k < POL_DIRS && !ret; k++) {
		ret = pol_list_read(pol_list_maps(fd, true), k, &l, err);
		for (i = 0; !ret && i < l.n; i++) {
			r = &l.e[i].redirect;
			if (!r->ifindex || !if_indextoname(r->ifindex, target)) {
				fprintf(s->out, "# redirect %u of %s %s: its target (ifindex %u) is gone\n",
					i, s->dev, pol_dir_name(k), r->ifindex);
				continue;
			}
			fputs("redirect add ", s->out);
			batch_quote(s->out, s->dev);
			fprintf(s->out, " %s", pol_dir_name(k));
			policy_match_words(s->out, &r->match);
			fputs(" to ", s->out);
			batch_quote(s->out, target);
			fprintf(s->out, " mode %s\n",
				redirect_mode_name(r->match.action));
		}
	}
	return ret;
}

int redirect_save(const char *dev, FILE *out, struct xerr *err)
{
	struct save_req s = { .dev = dev, .out = out };
	int ret;

	ret = policy_with_maps(dev, false, false, save_dev, &s, err);
	return ret == XNIC_EXIT_NOLINK ? 0 : ret;
}

/* Every device with a policy under PIN_DEV_DIR, or just req->dev. */
static int list(const struct redir_req *req, struct xerr *err)
{
	struct lister ls = { .req = req };
	struct dirent **names = NULL;
	int n = 0, i, ret;

	json_init(&ls.j, stdout);
	if (req->dev) {
		/* The same array as without DEV, so one shape. */
		ls.cur_dev = req->dev;
		if (req->json)
			json_array_begin(&ls.j);
		ret = policy_with_maps(req->dev, false, false, list_dev, &ls,
				       err);
		if (!ret && req->json)
			json_array_end(&ls.j);
		return ret;
	}
	ret = pin_dev_list(&names, &n, err);
	if (!ret && req->json)
		json_array_begin(&ls.j);
	for (i = 0; i < n && !ret; i++) {
		ls.cur_dev = names[i]->d_name;
		ret = policy_with_maps(ls.cur_dev, false, false, list_dev, &ls,
				       err);
		if (ret == XNIC_EXIT_NOLINK)
			ret = 0;	/* a device without a policy */
	}
	if (!ret && req->json)
		json_array_end(&ls.j);
	pin_dev_list_free(names, n);
	return ret;
}

static int run(struct redir_req *req, struct xerr *err)
{
	int ret;

	switch (req->op) {
	case REDIR_OP_ADD:
		ret = resolve(req, err);
		return ret ? ret : policy_with_maps(req->dev, true, true, edit,
						    req, err);
	case REDIR_OP_DEL:
		return policy_with_maps(req->dev, true, false, edit, req, err);
	default:
		return list(req, err);
	}
}

int redirect_main(int argc, char **argv)
{
	struct redir_req req;
	struct xerr err;
	int ret;

	ret = redirect_parse(argc, argv, &req, &err);
	if (!ret && req.help)
		return args_help(redirect_usage);
	if (!ret)
		ret = run(&req, &err);
	if (ret)
		xerr_print(redirect_ctx(req.op), &err);
	return ret;
}
