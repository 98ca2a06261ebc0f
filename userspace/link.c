// SPDX-License-Identifier: GPL-2.0
/* `xnicctl link`: create, delete and list xnic pairs (see link.h). */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "args.h"
#include "json.h"
#include "link.h"
#include "linkinfo.h"
#include "netns.h"
#include "nl.h"
#include "parse.h"
#include "xnic.h"
#include "xnicctl.h"

/* The XNICCTL_KIND test hook below relies on this. */
_Static_assert((int)IFLA_XNIC_PEER == (int)VETH_INFO_PEER,
	       "IFLA_XNIC_PEER must mirror VETH_INFO_PEER");

/* How often `link show` restarts a dump that links changed under. */
#define DUMP_TRIES 3

static const char help_add[] =
"link add NAME peer PEER [netns NS] [peer-netns NS] [queues N]\n"
"                 [address MAC] [peer-address MAC]\n"
"    Create the xnic pair NAME <-> PEER, both down.\n"
"      netns NS          create NAME in netns NS instead of this one\n"
"      peer-netns NS     create PEER in netns NS instead of this one\n"
"      queues N          tx and rx queues of both ends, 1.."
XNIC_STR(XNIC_MAX_QUEUES) "\n"
"                        (default: the module's)\n"
"      address MAC       MAC address of NAME (default: random)\n"
"      peer-address MAC  MAC address of PEER (default: random)\n";

static const char help_del[] =
"link del NAME [netns NS]\n"
"    Delete the xnic pair NAME belongs to: both ends go. Interfaces of\n"
"    any other kind are left alone.\n"
"      netns NS          NAME is in netns NS\n";

static const char help_show[] =
"link show [NAME] [--json] [netns NS]\n"
"    List the xnic links (or only NAME), one per line: NAME, IFINDEX,\n"
"    STATE (administrative: up/down), CARRIER (on/off), MTU, ADDRESS,\n"
"    PEER, TXQ and RXQ (number of tx/rx queues). PEER is the peer's\n"
"    ifindex as the kernel reports it (IFLA_LINK), followed by\n"
"    \"@nsidN\" when the peer is in another netns, N being that netns'\n"
"    id as seen from here (IFLA_LINK_NETNSID); \"-\" stands for a value\n"
"    the kernel did not report.\n"
"      --json            print a JSON array of objects with the keys\n"
"                        name, ifindex, state, carrier (bool), mtu,\n"
"                        address, peer_ifindex, peer_netnsid, tx_queues\n"
"                        and rx_queues; null for values not reported\n"
"      netns NS          list the links of netns NS\n";

static const char help_args[] =
"  NAME, PEER  interface name: 1 to 15 bytes without '/', ':' or\n"
"              whitespace, not \".\" or \"..\", not starting with '-',\n"
"              and not one of the command's keywords\n"
"  NS          named network namespace: /run/netns/NS, as made by\n"
"              'ip netns add NS'\n"
"  MAC         six hex octets, aa:bb:cc:dd:ee:ff, unicast, not all zero\n";

typedef int (*link_parse_fn)(int argc, char **argv, struct link_req *req,
			     struct xerr *err);

static int parse_add(int argc, char **argv, struct link_req *req,
		     struct xerr *err);
static int parse_del(int argc, char **argv, struct link_req *req,
		     struct xerr *err);
static int parse_show(int argc, char **argv, struct link_req *req,
		      struct xerr *err);

static const struct {
	const char *name;
	enum link_op op;
	link_parse_fn parse;
	const char *help;
	const char *ctx;
} cmds[] = {
	{ "add", LINK_ADD, parse_add, help_add, "link add" },
	{ "del", LINK_DEL, parse_del, help_del, "link del" },
	{ "show", LINK_SHOW, parse_show, help_show, "link show" },
};

/*
 * Test hook, deliberately left out of --help: XNICCTL_KIND=veth makes
 * every link command act on veth pairs instead, whose VETH_INFO_PEER has
 * the layout of IFLA_XNIC_PEER, so the rtnetlink plumbing can be tested
 * on a kernel without the xnic module.
 */
const char *link_kind(void)
{
	const char *kind = getenv("XNICCTL_KIND");

	return kind && *kind ? kind : XNIC_LINK_KIND;
}

const char *link_ctx(enum link_op op)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (cmds[i].op == op)
			return cmds[i].ctx;
	return "link";
}

/* Help of one subcommand, or of all for LINK_NONE. */
static void link_help(FILE *out, enum link_op op)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (op != LINK_NONE && cmds[i].op != op)
			continue;
		fprintf(out, "\nxnicctl %s", cmds[i].help);
	}
	fprintf(out, "\nArguments:\n%s", help_args);
}

void link_usage(FILE *out)
{
	link_help(out, LINK_NONE);
}

/* ---- parsing: argv -> struct link_req, no I/O ---- */

int link_parse(int argc, char **argv, struct link_req *req, struct xerr *err)
{
	size_t i;

	memset(req, 0, sizeof(*req));
	if (argc < 1)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"missing subcommand (try 'xnicctl link --help')");
	if (args_want_help(1, argv)) {
		req->help = true;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (strcmp(argv[0], cmds[i].name))
			continue;
		req->op = cmds[i].op;
		return cmds[i].parse(argc - 1, argv + 1, req, err);
	}
	return xerr_set(err, XNIC_EXIT_USAGE,
			"unknown subcommand '%s' (try 'xnicctl link --help')",
			argv[0]);
}

static bool same_netns(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static int parse_add(int argc, char **argv, struct link_req *req,
		     struct xerr *err)
{
	enum { PEER, NETNS, PEER_NETNS, QUEUES, ADDRESS, PEER_ADDRESS };
	struct kwarg kw[] = {
		[PEER] = { .name = "peer" },
		[NETNS] = { .name = "netns" },
		[PEER_NETNS] = { .name = "peer-netns" },
		[QUEUES] = { .name = "queues" },
		[ADDRESS] = { .name = "address" },
		[PEER_ADDRESS] = { .name = "peer-address" },
		{ .name = NULL },
	};
	struct args a;
	int ret;

	ret = args_scan(argc, argv, kw, 1, 0, &a, err);
	if (ret || a.help) {
		req->help = a.help;
		return ret;
	}
	if (!a.npos)
		return xerr_set(err, XNIC_EXIT_USAGE, "missing interface name");
	if (!kw[PEER].value)
		return xerr_set(err, XNIC_EXIT_USAGE, "missing 'peer PEER'");
	req->name = a.pos[0];
	req->peer = kw[PEER].value;
	req->netns = kw[NETNS].value;
	req->peer_netns = kw[PEER_NETNS].value;

	ret = parse_ifname(req->name, err);
	if (!ret)
		ret = parse_ifname(req->peer, err);
	if (!ret && req->netns)
		ret = parse_netns_name(req->netns, err);
	if (!ret && req->peer_netns)
		ret = parse_netns_name(req->peer_netns, err);
	if (!ret && kw[QUEUES].value)
		ret = parse_queues(kw[QUEUES].value, &req->queues, err);
	if (!ret && kw[ADDRESS].value) {
		ret = parse_mac(kw[ADDRESS].value, req->mac, err);
		req->has_mac = !ret;
	}
	if (!ret && kw[PEER_ADDRESS].value) {
		ret = parse_mac(kw[PEER_ADDRESS].value, req->peer_mac, err);
		req->has_peer_mac = !ret;
	}
	if (ret)
		return ret;
	if (!strcmp(req->name, req->peer) &&
	    same_netns(req->netns, req->peer_netns))
		return xerr_set(err, XNIC_EXIT_USAGE,
				"NAME and PEER are both '%s' in the same netns",
				req->name);
	return 0;
}

/* `del` and `show`: [NAME] [netns NS] plus @opts. */
static int parse_lookup(int argc, char **argv, unsigned int opts,
			bool need_name, struct link_req *req, struct xerr *err)
{
	struct kwarg kw[] = { { .name = "netns" }, { .name = NULL } };
	struct args a;
	int ret;

	ret = args_scan(argc, argv, kw, 1, opts, &a, err);
	if (ret || a.help) {
		req->help = a.help;
		return ret;
	}
	if (need_name && !a.npos)
		return xerr_set(err, XNIC_EXIT_USAGE, "missing interface name");
	req->name = a.npos ? a.pos[0] : NULL;
	req->netns = kw[0].value;
	req->json = a.opts & ARG_OPT_JSON;
	if (req->name) {
		ret = parse_ifname(req->name, err);
		if (ret)
			return ret;
	}
	return req->netns ? parse_netns_name(req->netns, err) : 0;
}

static int parse_del(int argc, char **argv, struct link_req *req,
		     struct xerr *err)
{
	return parse_lookup(argc, argv, 0, true, req, err);
}

static int parse_show(int argc, char **argv, struct link_req *req,
		      struct xerr *err)
{
	return parse_lookup(argc, argv, ARG_OPT_JSON, false, req, err);
}

/* ---- requests ---- */

static void put_end(struct nlmsghdr *nlh, const char *name,
		    const unsigned char *mac, int nsfd, unsigned int queues)
{
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, ETH_ALEN, mac);
	if (nsfd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, nsfd);
	if (queues) {
		mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, queues);
		mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, queues);
	}
}

static struct nlmsghdr *put_link_header(void *buf, int type, int flags,
					int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	return nlh;
}

struct nlmsghdr *link_build_add(void *buf, const struct link_req *req,
				const char *kind, int nsfd, int peer_nsfd)
{
	struct nlattr *linkinfo, *data, *peer;
	struct nlmsghdr *nlh;

	nlh = put_link_header(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	put_end(nlh, req->name, req->has_mac ? req->mac : NULL, nsfd,
		req->queues);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* The peer is described by a whole ifinfomsg + attributes. */
	peer = mnl_attr_nest_start(nlh, IFLA_XNIC_PEER);
	nl_put_struct(nlh, sizeof(struct ifinfomsg));
	put_end(nlh, req->peer, req->has_peer_mac ? req->peer_mac : NULL,
		peer_nsfd, req->queues);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nlh;
}

static bool module_loaded(const char *kind)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/module/%s", kind);
	return access(path, F_OK) == 0;
}

/* ---- execution ---- */

static int run_add(const struct link_req *req, struct xerr *err)
{
	const char *kind = link_kind();
	int nsfd = -1, peer_nsfd = -1;
	char buf[NL_SEND_SIZE], ext[NL_EXT_MAX];
	struct nl nl;
	int ret, e;

	/* Open both namespaces first: an unknown one must change nothing. */
	if (req->netns) {
		ret = netns_open(req->netns, &nsfd, err);
		if (ret)
			goto out;
	}
	if (req->peer_netns) {
		ret = netns_open(req->peer_netns, &peer_nsfd, err);
		if (ret)
			goto out;
	}
	ret = nl_open(&nl, err);
	if (ret)
		goto out;
	e = -nl_talk(&nl, link_build_add(buf, req, kind, nsfd, peer_nsfd),
		     NULL, NULL, ext);
	nl_close(&nl);
	if (!e)
		ret = 0;
	else if ((e == EOPNOTSUPP || e == ENOENT) && !module_loaded(kind))
		ret = xerr_set(err, XNIC_EXIT_NOMOD,
			       "%s module not loaded (modprobe %s)", kind, kind);
	else if (e == EEXIST && !*ext)
		ret = xerr_set(err, XNIC_EXIT_SYSTEM,
			       "an interface named '%s' or '%s' already exists",
			       req->name, req->peer);
	else
		ret = nl_error(e, ext, err);
out:
	if (nsfd >= 0)
		close(nsfd);
	if (peer_nsfd >= 0)
		close(peer_nsfd);
	return ret;
}

static int store_link(const struct nlmsghdr *nlh, void *data)
{
	struct link_info *li = data;

	if (link_info_parse(nlh, li) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* Look NAME up; only a link of our kind counts as found. */
static int get_link(struct nl *nl, const char *name, struct link_info *li,
		    struct xerr *err)
{
	char buf[NL_SEND_SIZE], ext[NL_EXT_MAX];
	const char *kind = link_kind();
	struct nlmsghdr *nlh;
	int e;

	nlh = put_link_header(buf, RTM_GETLINK, 0, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	e = -nl_talk(nl, nlh, store_link, li, ext);
	if (e == ENODEV)
		return xerr_set(err, XNIC_EXIT_NOLINK, "no such interface '%s'",
				name);
	if (e)
		return nl_error(e, ext, err);
	if (strcmp(li->kind, kind)) {
		if (*li->kind)
			return xerr_set(err, XNIC_EXIT_NOLINK,
					"'%s' is not an %s link (kind '%s')",
					name, kind, li->kind);
		return xerr_set(err, XNIC_EXIT_NOLINK,
				"'%s' is not an %s link", name, kind);
	}
	return 0;
}

static int run_del(const struct link_req *req, struct xerr *err)
{
	char buf[NL_SEND_SIZE], ext[NL_EXT_MAX];
	struct link_info li;
	struct nl nl;
	int ret, e;

	if (req->netns) {
		ret = netns_enter(req->netns, err);
		if (ret)
			return ret;
	}
	ret = nl_open(&nl, err);
	if (ret)
		return ret;
	ret = get_link(&nl, req->name, &li, err);
	if (!ret) {
		/* By ifindex: a rename since get_link() must not redirect us. */
		e = -nl_talk(&nl, put_link_header(buf, RTM_DELLINK, 0,
						  li.ifindex), NULL, NULL, ext);
		if (e == ENODEV)
			ret = xerr_set(err, XNIC_EXIT_NOLINK,
				       "no such interface '%s'", req->name);
		else if (e)
			ret = nl_error(e, ext, err);
	}
	nl_close(&nl);
	return ret;
}

struct link_list {
	struct link_info *v;
	size_t n, cap;
	const char *kind;
};

static int collect_link(const struct nlmsghdr *nlh, void *data)
{
	struct link_list *list = data;
	struct link_info li, *v;

	if (link_info_parse(nlh, &li) < 0 || strcmp(li.kind, list->kind))
		return MNL_CB_OK;
	if (list->n == list->cap) {
		list->cap = list->cap ? 2 * list->cap : 16;
		v = realloc(list->v, list->cap * sizeof(*v));
		if (!v)
			return MNL_CB_ERROR;	/* errno is ENOMEM */
		list->v = v;
	}
	list->v[list->n++] = li;
	return MNL_CB_OK;
}

/*
 * Dump every link and keep ours. A dump that links changed under
 * (NLM_F_DUMP_INTR, seen as EINTR) is restarted on a fresh socket, as
 * the old one still holds the rest of it.
 */
static int dump_links(struct link_list *list, struct xerr *err)
{
	char buf[NL_SEND_SIZE], ext[NL_EXT_MAX];
	struct nlmsghdr *nlh;
	struct nl nl;
	int ret, e = EINTR, tries;

	for (tries = 0; e == EINTR && tries < DUMP_TRIES; tries++) {
		ret = nl_open(&nl, err);
		if (ret)
			return ret;
		list->n = 0;
		nlh = put_link_header(buf, RTM_GETLINK, NLM_F_DUMP, 0);
		mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
		e = -nl_talk(&nl, nlh, collect_link, list, ext);
		nl_close(&nl);
	}
	return e ? nl_error(e, ext, err) : 0;
}

static void print_links(const struct link_info *v, size_t n, bool json)
{
	struct json j;
	size_t i;

	if (json) {
		json_init(&j, stdout);
		json_array_begin(&j);
		for (i = 0; i < n; i++)
			link_info_print_json(&j, &v[i]);
		json_array_end(&j);
		return;
	}
	link_info_print_header(stdout);
	for (i = 0; i < n; i++)
		link_info_print_row(stdout, &v[i]);
}

static int run_show(const struct link_req *req, struct xerr *err)
{
	struct link_list list = { .kind = link_kind() };
	struct link_info li;
	struct nl nl;
	int ret;

	if (req->netns) {
		ret = netns_enter(req->netns, err);
		if (ret)
			return ret;
	}
	if (req->name) {
		ret = nl_open(&nl, err);
		if (ret)
			return ret;
		ret = get_link(&nl, req->name, &li, err);
		nl_close(&nl);
		if (!ret)
			print_links(&li, 1, req->json);
	} else {
		ret = dump_links(&list, err);
		if (!ret)
			print_links(list.v, list.n, req->json);
		free(list.v);
	}
	return ret ? ret : xerr_flush(err);
}

int link_main(int argc, char **argv)
{
	struct link_req req;
	struct xerr err;
	int ret;

	ret = link_parse(argc, argv, &req, &err);
	if (!ret && req.help) {
		fputs("Usage:\n", stdout);
		link_help(stdout, req.op);
		fputs("\nExit status: see 'xnicctl --help'.\n", stdout);
		return 0;
	}
	if (!ret) {
		switch (req.op) {
		case LINK_ADD:
			ret = run_add(&req, &err);
			break;
		case LINK_DEL:
			ret = run_del(&req, &err);
			break;
		default:
			ret = run_show(&req, &err);
			break;
		}
	}
	if (ret)
		xerr_print(link_ctx(req.op), &err);
	return ret;
}
