// SPDX-License-Identifier: GPL-2.0
/* `xnicctl service` (see service_cmd.h and bpf/service.h). */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "args.h"
#include "batch.h"	/* batch_quote() */
#include "cgroup.h"
#include "json.h"
#include "npcmd.h"
#include "parse.h"
#include "pfobj.h"	/* bpf_error() */
#include "service_cmd.h"
#include "sock_lb.skel.h"
#include "xnicctl.h"

static const char help_service[] =
"service attach [--cgroup PATH]\n"
"    Attach the socket load balancer (connect4/6, sendmsg4/6, recvmsg4/6,\n"
"    getpeername4/6) to the cgroup v2 directory PATH (default "
LB_CGROUP_ROOT ")\n"
"    as bpf_links pinned under " PIN_LB ". Again: the programs are\n"
"    replaced in place (a cgroup other than the attached one is refused).\n"
"xnicctl service detach\n"
"    Remove the links: sockets connect where they ask again. The services\n"
"    stay in their maps for the next attach.\n"
"xnicctl service add VIP:PORT/PROTO [--backend ADDR:PORT[,weight=N]]...\n"
"xnicctl service del VIP:PORT/PROTO\n"
"xnicctl service backend add|del VIP:PORT/PROTO ADDR:PORT[,weight=N]...\n"
"    A service: connect()/sendmsg() to VIP:PORT (PROTO tcp or udp) from\n"
"    the cgroup's sockets reach one of its backends, chosen at random in\n"
"    proportion to the weights (1..100, default 1; at most 64 backends of\n"
"    the VIP's family). recvfrom()/getpeername() show VIP:PORT. IPv6 as\n"
"    [ADDR]:PORT. A service without backends refuses connections with\n"
"    ECONNREFUSED. Changes apply to the next connect() at once. Added\n"
"    before 'service attach', a service is kept and a note on stderr\n"
"    says that no socket sees it yet (exit status 0).\n"
"xnicctl service list [--json]\n"
"    Services with their backends and selection counters.\n"
"      --json            [{service, id, rev, selected, no_backend,\n"
"                        backends: [{backend, weight, selected}]}]\n";

static const char *const op_names[] = {
	[SVC_NONE] = NULL,
	[SVC_ATTACH] = "attach",
	[SVC_DETACH] = "detach",
	[SVC_ADD] = "add",
	[SVC_DEL] = "del",
	[SVC_BE_ADD] = "backend add",
	[SVC_BE_DEL] = "backend del",
	[SVC_LIST] = "list",
	[SVC_NP_ATTACH] = "nodeport attach",
	[SVC_NP_DETACH] = "nodeport detach",
	[SVC_NP_SHOW] = "nodeport show",
};

void service_usage(FILE *out)
{
	fprintf(out, "\nxnicctl %s\nxnicctl %s", help_service, np_help);
}

const char *service_ctx(enum svc_op op)
{
	static char ctx[32];

	if (op == SVC_NONE)
		return "service";
	snprintf(ctx, sizeof(ctx), "service %s", op_names[op]);
	return ctx;
}

/* ---- parsing: argv -> struct svc_req, no I/O ---- */

int svc_parse_ep(const char *s, struct svc_ep *ep, struct xerr *err)
{
	char buf[INET6_ADDRSTRLEN];
	const char *colon, *a = s;
	unsigned int port;
	size_t alen;

	memset(ep, 0, sizeof(*ep));
	ep->arg = s;
	ep->weight = 1;
	if (*s == '[') {
		colon = strchr(s, ']');
		if (!colon || colon[1] != ':')
			goto bad;
		a = s + 1;
		alen = colon - a;
		colon++;
		ep->family = LB_FAMILY_IPV6;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			goto bad;
		alen = colon - s;
		ep->family = LB_FAMILY_IPV4;
	}
	if (alen >= sizeof(buf))
		goto bad;
	memcpy(buf, a, alen);
	buf[alen] = '\0';
	if (inet_pton(ep->family == LB_FAMILY_IPV4 ? AF_INET : AF_INET6, buf,
		      ep->addr) != 1)
		goto bad;
	if (parse_uint(colon + 1, 65535, &port) || !port)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid port in '%s' (expected 1..65535)", s);
	ep->port = port;
	return 0;
bad:
	return xerr_set(err, XNIC_EXIT_USAGE,
			"invalid address '%s' (expected ADDR:PORT, or [ADDR]:PORT for IPv6)",
			s);
}

int svc_parse_service(const char *s, struct svc_ep *vip, unsigned char *proto,
		      struct xerr *err)
{
	const char *slash = strrchr(s, '/');
	char buf[SVC_STR_MAX];
	size_t len;
	int ret;

	if (!slash)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid service '%s' (expected VIP:PORT/tcp or VIP:PORT/udp)",
				s);
	if (!strcmp(slash + 1, "tcp"))
		*proto = IPPROTO_TCP;
	else if (!strcmp(slash + 1, "udp"))
		*proto = IPPROTO_UDP;
	else
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid service '%s' (protocol must be tcp or udp)",
				s);
	len = slash - s;
	if (len >= sizeof(buf))
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid service '%s' (expected VIP:PORT/tcp or VIP:PORT/udp)",
				s);
	memcpy(buf, s, len);
	buf[len] = '\0';
	ret = svc_parse_ep(buf, vip, err);
	vip->arg = s;
	if (ret)	/* name the whole word, not the copy */
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid service '%s' (expected VIP:PORT/tcp or VIP:PORT/udp, port 1..65535, IPv6 as [VIP]:PORT)",
				s);
	return 0;
}

int svc_parse_backend(const char *s, struct svc_ep *be, struct xerr *err)
{
	const char *comma = strchr(s, ',');
	char buf[SVC_STR_MAX];
	unsigned int w;
	size_t len = comma ? (size_t)(comma - s) : strlen(s);
	int ret;

	if (len >= sizeof(buf))
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid backend '%s' (expected ADDR:PORT[,weight=N])",
				s);
	memcpy(buf, s, len);
	buf[len] = '\0';
	ret = svc_parse_ep(buf, be, err);
	be->arg = s;
	if (ret)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid backend '%s' (expected ADDR:PORT[,weight=N], port 1..65535, IPv6 as [ADDR]:PORT)",
				s);
	if (!comma)
		return 0;
	if (strncmp(comma + 1, "weight=", 7) ||
	    parse_uint(comma + 8, LB_MAX_WEIGHT, &w) || !w)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid backend '%s' (weight=N with N in 1..%d)",
				s, LB_MAX_WEIGHT);
	be->weight = w;
	return 0;
}

static bool ep_same(const struct svc_ep *a, const struct svc_ep *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(a->addr, b->addr, 16);
}

/* Backends for @req->vip: its family, no duplicates, at most the limit. */
static int add_backend(struct svc_req *req, const char *word,
		       struct xerr *err)
{
	struct svc_ep be;
	unsigned int i;
	int ret;

	ret = svc_parse_backend(word, &be, err);
	if (ret)
		return ret;
	if (be.family != req->vip.family)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"backend '%s' is not of the service's address family (IPv%d)",
				word, req->vip.family);
	for (i = 0; i < req->nbe; i++)
		if (ep_same(&req->be[i], &be))
			return xerr_set(err, XNIC_EXIT_USAGE,
					"duplicate backend '%s' (same as '%s')",
					word, req->be[i].arg);
	if (req->nbe >= LB_MAX_BACKENDS)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"too many backends (at most %d)",
				LB_MAX_BACKENDS);
	req->be[req->nbe++] = be;
	return 0;
}

/* service add|del|backend add|del: SERVICE then backends. */
static int parse_service_words(struct svc_req *req, int argc, char **argv,
			       struct xerr *err)
{
	bool flag = req->op == SVC_ADD;
	int i, ret;

	if (!argc || argv[0][0] == '-')
		return xerr_set(err, XNIC_EXIT_USAGE,
				"missing service (VIP:PORT/tcp or VIP:PORT/udp)");
	ret = svc_parse_service(argv[0], &req->vip, &req->proto, err);
	for (i = 1; !ret && i < argc; i++) {
		if (req->op == SVC_DEL)
			return xerr_set(err, XNIC_EXIT_USAGE,
					"unknown keyword '%s'", argv[i]);
		if (flag) {
			if (strcmp(argv[i], "--backend"))
				return xerr_set(err, XNIC_EXIT_USAGE,
						"unknown keyword '%s' (expected --backend ADDR:PORT[,weight=N])",
						argv[i]);
			if (++i >= argc)
				return xerr_set(err, XNIC_EXIT_USAGE,
						"missing value after '--backend'");
		}
		ret = add_backend(req, argv[i], err);
	}
	if (!ret && !flag && req->op != SVC_DEL && !req->nbe)
		ret = xerr_set(err, XNIC_EXIT_USAGE, "missing backend ADDR:PORT");
	return ret;
}

int service_parse(int argc, char **argv, struct svc_req *req,
		  struct xerr *err)
{
	struct kwarg kw[] = { { .name = "--cgroup" }, { .name = NULL } };
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
				"missing subcommand (try 'xnicctl service --help')");
	sub = argv[0];
	argc--;
	argv++;
	if (!strcmp(sub, "attach")) {
		req->op = SVC_ATTACH;
		ret = args_scan(argc, argv, kw, 0, 0, &a, err);
		if (ret)
			return ret;
		req->cgroup = kw[0].value ? kw[0].value : LB_CGROUP_ROOT;
		if (!*req->cgroup)
			return xerr_set(err, XNIC_EXIT_USAGE,
					"empty cgroup path");
		return 0;
	}
	if (!strcmp(sub, "detach") || !strcmp(sub, "list")) {
		req->op = !strcmp(sub, "list") ? SVC_LIST : SVC_DETACH;
		ret = args_scan(argc, argv, &none, 0,
				req->op == SVC_LIST ? ARG_OPT_JSON : 0, &a,
				err);
		req->json = a.opts & ARG_OPT_JSON;
		return ret;
	}
	if (!strcmp(sub, "add") || !strcmp(sub, "del")) {
		req->op = !strcmp(sub, "add") ? SVC_ADD : SVC_DEL;
		return parse_service_words(req, argc, argv, err);
	}
	if (!strcmp(sub, "backend")) {
		if (!argc)
			return xerr_set(err, XNIC_EXIT_USAGE,
					"missing 'add' or 'del' after 'backend'");
		if (!strcmp(argv[0], "add"))
			req->op = SVC_BE_ADD;
		else if (!strcmp(argv[0], "del"))
			req->op = SVC_BE_DEL;
		else
			return xerr_set(err, XNIC_EXIT_USAGE,
					"unknown subcommand 'backend %s' (expected add or del)",
					argv[0]);
		return parse_service_words(req, argc - 1, argv + 1, err);
	}
	if (!strcmp(sub, "nodeport"))
		return np_parse(argc, argv, req, err);
	return xerr_set(err, XNIC_EXIT_USAGE,
			"unknown subcommand '%s' (try 'xnicctl service --help')",
			sub);
}

void svc_format(const struct svc_ep *ep, unsigned char proto,
		char buf[SVC_STR_MAX])
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(ep->family == LB_FAMILY_IPV4 ? AF_INET : AF_INET6, ep->addr,
		  a, sizeof(a));
	snprintf(buf, SVC_STR_MAX, ep->family == LB_FAMILY_IPV4 ?
		 "%s:%u%s" : "[%s]:%u%s", a, ep->port,
		 proto == IPPROTO_TCP ? "/tcp" : proto == IPPROTO_UDP ?
		 "/udp" : "");
}

/* ---- the object: maps pinned under PIN_LB, programs for attach ---- */

enum lb_map {
	M_SVC, M_SEL, M_BE, M_REVNAT, M_AFF, M_SVC_STATS, M_BE_STATS, M_META,
	M_COUNT,
};

static const char *const map_names[M_COUNT] = {
	[M_SVC] = "lb_svc",
	[M_SEL] = "lb_sel",
	[M_BE] = "lb_be",
	[M_REVNAT] = "lb_revnat",
	[M_AFF] = "lb_affinity",
	[M_SVC_STATS] = "lb_svc_stats",
	[M_BE_STATS] = "lb_be_stats",
	[M_META] = "lb_meta",
};

#define NPROGS	8

struct lbobj {
	struct sock_lb *skel;
	int fd[M_COUNT];
	struct bpf_program *prog[NPROGS];
};

static const char *const link_names[NPROGS] = {
	"link_connect4", "link_connect6", "link_sendmsg4", "link_sendmsg6",
	"link_recvmsg4", "link_recvmsg6", "link_getpeername4",
	"link_getpeername6",
};

static int mkdir_lb(struct xerr *err)
{
	if (!mkdir(PIN_LB, 0700) || errno == EEXIST)
		return 0;
	return xerr_set(err, errno == EACCES || errno == EPERM ?
			XNIC_EXIT_PERM : XNIC_EXIT_SYSTEM,
			"cannot create %s: %s", PIN_LB, strerror(errno));
}

/* Load with the maps reused from, or pinned at, PIN_LB. */
static int lb_load(struct lbobj *o, bool progs, struct xerr *err)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	int i, e, ret;

	memset(o, 0, sizeof(*o));
	ret = mkdir_lb(err);
	if (ret)
		return ret;
	o->skel = sock_lb__open();
	if (!o->skel)
		return bpf_error(err, errno, "cannot open the sock_lb object");
	o->prog[0] = o->skel->progs.lb_connect4;
	o->prog[1] = o->skel->progs.lb_connect6;
	o->prog[2] = o->skel->progs.lb_sendmsg4;
	o->prog[3] = o->skel->progs.lb_sendmsg6;
	o->prog[4] = o->skel->progs.lb_recvmsg4;
	o->prog[5] = o->skel->progs.lb_recvmsg6;
	o->prog[6] = o->skel->progs.lb_getpeername4;
	o->prog[7] = o->skel->progs.lb_getpeername6;
	for (i = 0; i < M_COUNT; i++) {
		map = bpf_object__find_map_by_name(o->skel->obj, map_names[i]);
		snprintf(path, sizeof(path), "%s/%s", PIN_LB, map_names[i]);
		e = map ? -bpf_map__set_pin_path(map, path) : ENOENT;
		if (e) {
			ret = bpf_error(err, e, "cannot set a map's pin path");
			goto fail;
		}
	}
	for (i = 0; !progs && i < NPROGS; i++)
		bpf_program__set_autoload(o->prog[i], false);
	e = -sock_lb__load(o->skel);
	if (e) {
		ret = bpf_error(err, e,
				e == EINVAL ?
				"cannot load sock_lb or reuse the maps pinned in " PIN_LB " (-v shows libbpf's log)" :
				"cannot load sock_lb (-v shows libbpf's log)");
		goto fail;
	}
	for (i = 0; i < M_COUNT; i++)
		o->fd[i] = bpf_map__fd(bpf_object__find_map_by_name(
					  o->skel->obj, map_names[i]));
	return 0;
fail:
	sock_lb__destroy(o->skel);
	o->skel = NULL;
	return ret;
}

static void lb_close(struct lbobj *o)
{
	sock_lb__destroy(o->skel);
	o->skel = NULL;
}

/*
 * A batch keeps the maps from one service command to the next: opening
 * the object and reusing its eight pinned maps is most of what a single
 * `service add` costs. Nothing but this file's maps is kept, and they
 * are never unpinned, so the descriptors stay the pinned maps.
 */
static struct lbobj lb_kept;
static bool keep_maps;

void service_keep_maps(bool keep)
{
	keep_maps = keep;
	if (!keep)
		lb_close(&lb_kept);
}

/* ---- attach / detach ---- */

static void link_path(char path[PATH_MAX], int i)
{
	snprintf(path, PATH_MAX, "%s/%s", PIN_LB, link_names[i]);
}

/* The cgroup id of an attached link, 0 if none is pinned. */
static int pinned_cgroup(int i, __u64 *id, int *fd, struct xerr *err)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	char path[PATH_MAX];

	*id = 0;
	link_path(path, i);
	*fd = bpf_obj_get(path);
	if (*fd < 0)
		return errno == ENOENT ? 0 : bpf_error(err, errno, path);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(*fd, &info, &len))
		return bpf_error(err, errno, path);
	*id = info.type == BPF_LINK_TYPE_CGROUP ? info.cgroup.cgroup_id : 0;
	return 0;
}

static int do_attach(const struct svc_req *req, struct xerr *err)
{
	int cg, i, ret, fd[NPROGS], made[NPROGS] = { 0 };
	char path[PATH_MAX];
	struct bpf_link *l;
	struct lbobj o;
	struct stat st;
	__u64 id;

	if (stat(req->cgroup, &st))
		return xerr_set(err, XNIC_EXIT_SYSTEM, "cannot stat %s: %s",
				req->cgroup, strerror(errno));
	cg = open(req->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0)
		return xerr_set(err, XNIC_EXIT_SYSTEM, "cannot open %s: %s",
				req->cgroup, strerror(errno));
	for (i = 0; i < NPROGS; i++)
		fd[i] = -1;
	ret = lb_load(&o, true, err);
	if (ret)
		goto out_cg;
	for (i = 0; i < NPROGS && !ret; i++) {
		ret = pinned_cgroup(i, &id, &fd[i], err);
		if (!ret && fd[i] >= 0 && !id) {
			/* Defunct (its cgroup is gone, or detached): replace. */
			link_path(path, i);
			unlink(path);
			close(fd[i]);
			fd[i] = -1;
		}
		if (!ret && fd[i] >= 0 && id != (__u64)st.st_ino)
			ret = xerr_set(err, XNIC_EXIT_BUSY,
				       "attached to another cgroup (cgroup id %llu): 'xnicctl service detach' first",
				       (unsigned long long)id);
	}
	for (i = 0; i < NPROGS && !ret; i++) {
		link_path(path, i);
		if (fd[i] >= 0) {
			/* Already there: swap in this object's program. */
			if (bpf_link_update(fd[i],
					    bpf_program__fd(o.prog[i]), NULL))
				ret = bpf_error(err, errno, path);
			continue;
		}
		l = bpf_program__attach_cgroup(o.prog[i], cg);
		if (!l) {
			ret = bpf_error(err, errno, "cannot attach to the cgroup");
			break;
		}
		if (bpf_link__pin(l, path)) {
			ret = bpf_error(err, errno, path);
			bpf_link__destroy(l);
			break;
		}
		made[i] = 1;
		bpf_link__destroy(l);	/* the pin holds it */
	}
	/* All or nothing: remove the links this run made. */
	for (i = 0; ret && i < NPROGS; i++) {
		if (!made[i])
			continue;
		link_path(path, i);
		unlink(path);
	}
	for (i = 0; i < NPROGS; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	lb_close(&o);
out_cg:
	close(cg);
	return ret;
}

static int do_detach(struct xerr *err)
{
	char path[PATH_MAX];
	int i, fd, ret = 0;

	for (i = 0; i < NPROGS; i++) {
		link_path(path, i);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			if (errno != ENOENT && !ret)
				ret = bpf_error(err, errno, path);
			continue;
		}
		/* Detach even if something else still holds the link. */
		if (bpf_link_detach(fd) && !ret)
			ret = bpf_error(err, errno, path);
		close(fd);
		if (unlink(path) && !ret)
			ret = xerr_set(err, XNIC_EXIT_SYSTEM, "cannot remove %s: %s",
				       path, strerror(errno));
	}
	return ret;
}

/* ---- the maps ---- */

static void svc_key(const struct svc_req *req, struct lb_svc_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->addr, req->vip.addr, 16);
	k->port = htons(req->vip.port);
	k->family = req->vip.family;
	k->proto = req->proto;
}

static void be_value(const struct svc_ep *ep, __u32 svc_id, struct lb_be *b)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->addr, ep->addr, 16);
	b->port = htons(ep->port);
	b->family = ep->family;
	b->weight = ep->weight;
	b->svc_id = svc_id;
}

static void be_ep(const struct lb_be *b, struct svc_ep *ep)
{
	memset(ep, 0, sizeof(*ep));
	memcpy(ep->addr, b->addr, 16);
	ep->port = ntohs(b->port);
	ep->family = b->family;
	ep->weight = b->weight;
}

static int next_id(struct lbobj *o, __u32 *id, struct xerr *err)
{
	struct lb_meta m;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(o->fd[M_META], &zero, &m))
		return bpf_error(err, errno, "lb_meta");
	if (!m.next_id)
		m.next_id = 1;
	*id = m.next_id++;
	if (bpf_map_update_elem(o->fd[M_META], &zero, &m, BPF_ANY))
		return bpf_error(err, errno, "lb_meta");
	return 0;
}

/* The backends of one service: ids and values. */
struct be_set {
	__u32 id[LB_MAX_BACKENDS];
	struct lb_be v[LB_MAX_BACKENDS];
	unsigned int n;
};

/*
 * The backends of service @svc, read from its live revision's slots:
 * a few lookups per service rather than a walk of every backend of the
 * node, which made each change O(backends) and 10,000 services O(n^2).
 * A backend written by a run killed before it switched the revision is
 * not in the slots: it is left, unreachable (ids are never reused).
 */
static int read_backends(struct lbobj *o, const struct lb_svc *svc,
			 struct be_set *s, struct xerr *err)
{
	struct lb_sel_key sk = { .id = svc->id, .rev = svc->rev };
	unsigned int i;
	__u32 id;

	s->n = 0;
	for (sk.slot = 0; sk.slot < svc->slots; sk.slot++) {
		if (bpf_map_lookup_elem(o->fd[M_SEL], &sk, &id)) {
			if (errno == ENOENT)
				continue;
			return bpf_error(err, errno, "lb_sel");
		}
		/* A backend's slots are consecutive: check the last first. */
		for (i = s->n; i > 0 && s->id[i - 1] != id; i--)
			;
		if (i || s->n >= LB_MAX_BACKENDS)
			continue;
		if (bpf_map_lookup_elem(o->fd[M_BE], &id, &s->v[s->n])) {
			if (errno == ENOENT)
				continue;
			return bpf_error(err, errno, "lb_be");
		}
		s->id[s->n++] = id;
	}
	return 0;
}

static int zero_stat(int fd, __u32 id, struct xerr *err)
{
	int ncpus = libbpf_num_possible_cpus();
	struct lb_stat *z;
	int ret = 0;

	if (ncpus < 0)
		return bpf_error(err, -ncpus, "cannot count the CPUs");
	z = calloc(ncpus, sizeof(*z));
	if (!z)
		return xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
	if (bpf_map_update_elem(fd, &id, z, BPF_ANY))
		ret = bpf_error(err, errno, "cannot create counters");
	free(z);
	return ret;
}

static void del_slots(struct lbobj *o, __u32 id, __u32 rev, __u32 slots)
{
	struct lb_sel_key k = { .id = id, .rev = rev };

	for (k.slot = 0; k.slot < slots; k.slot++)
		bpf_map_delete_elem(o->fd[M_SEL], &k);
}

/*
 * Make service @req's backends exactly @want (want[i].weight slots each),
 * creating the service if @cur is NULL. Order (bpf/service.h): new
 * backends and the new revision's slots, then the service value, then the
 * old slots and the backends no longer used.
 */
static int set_backends(struct lbobj *o, const struct svc_req *req,
			const struct lb_svc *cur, const struct svc_ep *want,
			unsigned int nwant, struct xerr *err)
{
	__u32 ids[LB_MAX_BACKENDS], newid[LB_MAX_BACKENDS] = { 0 };
	struct lb_svc_key key;
	struct lb_sel_key sk;
	struct lb_svc nv;
	struct be_set *old;
	struct svc_ep ep;
	struct lb_be b;
	unsigned int i, j, w;
	int ret = 0;

	old = calloc(1, sizeof(*old));
	if (!old)
		return xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
	svc_key(req, &key);
	memset(&nv, 0, sizeof(nv));
	if (cur) {
		nv.id = cur->id;
		nv.rev = cur->rev + 1;
		ret = read_backends(o, cur, old, err);
	} else {
		ret = next_id(o, &nv.id, err);
		if (!ret)
			ret = zero_stat(o->fd[M_SVC_STATS], nv.id, err);
	}
	/* Backends kept keep their id (and counters); others are new. */
	for (i = 0; !ret && i < nwant; i++) {
		for (j = 0; j < old->n; j++) {
			be_ep(&old->v[j], &ep);
			if (ep_same(&ep, &want[i]))
				break;
		}
		if (j < old->n) {
			ids[i] = old->id[j];
			continue;
		}
		ret = next_id(o, &ids[i], err);
		if (!ret)
			ret = zero_stat(o->fd[M_BE_STATS], ids[i], err);
		be_value(&want[i], nv.id, &b);
		if (!ret && bpf_map_update_elem(o->fd[M_BE], &ids[i], &b,
						BPF_NOEXIST))
			ret = bpf_error(err, errno, "cannot add a backend");
		if (!ret)
			newid[i] = ids[i];
	}
	memset(&sk, 0, sizeof(sk));
	sk.id = nv.id;
	sk.rev = nv.rev;
	for (i = 0; !ret && i < nwant; i++)
		for (w = 0; !ret && w < want[i].weight; w++) {
			sk.slot = nv.slots++;
			if (bpf_map_update_elem(o->fd[M_SEL], &sk, &ids[i],
						BPF_ANY))
				ret = bpf_error(err, errno,
						"cannot write the selection table");
		}
	nv.backends = nwant;
	if (!ret && bpf_map_update_elem(o->fd[M_SVC], &key, &nv,
					cur ? BPF_EXIST : BPF_NOEXIST))
		ret = bpf_error(err, errno, cur ? "cannot update the service" :
				"cannot add the service");
	if (ret) {
		/* Undo: the live revision was never switched. */
		del_slots(o, nv.id, nv.rev, nv.slots);
		for (i = 0; i < nwant; i++)
			if (newid[i]) {
				bpf_map_delete_elem(o->fd[M_BE], &newid[i]);
				bpf_map_delete_elem(o->fd[M_BE_STATS], &newid[i]);
			}
		if (!cur)
			bpf_map_delete_elem(o->fd[M_SVC_STATS], &nv.id);
		goto out;
	}
	if (cur)
		del_slots(o, cur->id, cur->rev, cur->slots);
	for (j = 0; j < old->n; j++) {
		for (i = 0; i < nwant && ids[i] != old->id[j]; i++)
			;
		if (i < nwant)
			continue;
		bpf_map_delete_elem(o->fd[M_BE], &old->id[j]);
		bpf_map_delete_elem(o->fd[M_BE_STATS], &old->id[j]);
	}
out:
	free(old);
	return ret;
}

static int do_change(struct lbobj *o, const struct svc_req *req,
		     struct xerr *err)
{
	struct svc_ep want[LB_MAX_BACKENDS];
	char name[SVC_STR_MAX];
	struct lb_svc_key key;
	struct be_set *old;
	struct lb_svc cur;
	unsigned int i, j, n = 0;
	bool exists;
	int ret;

	svc_format(&req->vip, req->proto, name);
	svc_key(req, &key);
	exists = !bpf_map_lookup_elem(o->fd[M_SVC], &key, &cur);
	if (!exists && errno != ENOENT)
		return bpf_error(err, errno, "lb_svc");
	if (req->op == SVC_ADD) {
		if (exists)
			return xerr_set(err, XNIC_EXIT_SYSTEM,
					"service %s exists (use 'service backend add', or del it first)",
					name);
		return set_backends(o, req, NULL, req->be, req->nbe, err);
	}
	if (!exists)
		return xerr_set(err, XNIC_EXIT_SYSTEM, "no service %s", name);
	if (req->op == SVC_DEL) {
		old = calloc(1, sizeof(*old));
		if (!old)
			return xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
		ret = read_backends(o, &cur, old, err);
		if (!ret && bpf_map_delete_elem(o->fd[M_SVC], &key))
			ret = bpf_error(err, errno, "cannot delete the service");
		if (!ret) {
			del_slots(o, cur.id, cur.rev, cur.slots);
			for (j = 0; j < old->n; j++) {
				bpf_map_delete_elem(o->fd[M_BE], &old->id[j]);
				bpf_map_delete_elem(o->fd[M_BE_STATS],
						    &old->id[j]);
			}
			bpf_map_delete_elem(o->fd[M_SVC_STATS], &cur.id);
		}
		free(old);
		return ret;
	}
	old = calloc(1, sizeof(*old));
	if (!old)
		return xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
	ret = read_backends(o, &cur, old, err);
	for (j = 0; !ret && j < old->n; j++)
		be_ep(&old->v[j], &want[n++]);
	/* Every argument is checked against the service before any change. */
	for (i = 0; !ret && i < req->nbe; i++) {
		for (j = 0; j < n && !ep_same(&want[j], &req->be[i]); j++)
			;
		if (req->op == SVC_BE_ADD && j < n)
			ret = xerr_set(err, XNIC_EXIT_SYSTEM,
				       "backend '%s' is already in %s",
				       req->be[i].arg, name);
		else if (req->op == SVC_BE_ADD && n >= LB_MAX_BACKENDS)
			ret = xerr_set(err, XNIC_EXIT_SYSTEM,
				       "%s would have more than %d backends",
				       name, LB_MAX_BACKENDS);
		else if (req->op == SVC_BE_ADD)
			want[n++] = req->be[i];
		else if (j == n)
			ret = xerr_set(err, XNIC_EXIT_SYSTEM,
				       "backend '%s' is not in %s",
				       req->be[i].arg, name);
		else
			want[j] = want[--n];
	}
	free(old);
	if (ret)
		return ret;
	return set_backends(o, req, &cur, want, n, err);
}

/* ---- list ---- */

static int sum_stat(int fd, __u32 id, struct lb_stat *sum)
{
	int ncpus = libbpf_num_possible_cpus(), i;
	struct lb_stat *v;

	memset(sum, 0, sizeof(*sum));
	if (ncpus < 0)
		return -1;
	v = calloc(ncpus, sizeof(*v));
	if (!v)
		return -1;
	if (!bpf_map_lookup_elem(fd, &id, v))
		for (i = 0; i < ncpus; i++) {
			sum->selected += v[i].selected;
			sum->no_backend += v[i].no_backend;
		}
	free(v);
	return 0;
}

struct svc_row {
	struct lb_svc_key k;
	struct lb_svc v;
};

static int cmp_ep(const struct svc_ep *a, const struct svc_ep *b)
{
	int c = a->family - b->family;

	if (!c)
		c = memcmp(a->addr, b->addr, 16);
	return c ? c : a->port - b->port;
}

static void key_ep(const struct lb_svc_key *k, struct svc_ep *ep)
{
	memset(ep, 0, sizeof(*ep));
	memcpy(ep->addr, k->addr, 16);
	ep->port = ntohs(k->port);
	ep->family = k->family;
}

static int cmp_row(const void *x, const void *y)
{
	const struct svc_row *a = x, *b = y;
	struct svc_ep ea, eb;
	int c;

	key_ep(&a->k, &ea);
	key_ep(&b->k, &eb);
	c = cmp_ep(&ea, &eb);
	return c ? c : a->k.proto - b->k.proto;
}

static int cmp_be(const void *x, const void *y)
{
	const struct svc_be_stat *a = x, *b = y;

	return cmp_ep(&a->ep, &b->ep);
}

/* Service @r and its backends (@bs) with their counters, into @out. */
static void stat_one(struct lbobj *o, const struct svc_row *r,
		     const struct be_set *bs, struct svc_stat *out)
{
	struct lb_stat st;
	unsigned int i;

	memset(out, 0, sizeof(*out));
	key_ep(&r->k, &out->vip);
	out->proto = r->k.proto;
	out->id = r->v.id;
	out->rev = r->v.rev;
	sum_stat(o->fd[M_SVC_STATS], r->v.id, &out->st);
	for (i = 0; i < bs->n && i < LB_MAX_BACKENDS; i++) {
		be_ep(&bs->v[i], &out->be[i].ep);
		out->be[i].id = bs->id[i];
		sum_stat(o->fd[M_BE_STATS], bs->id[i], &st);
		out->be[i].selected = st.selected;
	}
	out->nbe = i;
	qsort(out->be, out->nbe, sizeof(out->be[0]), cmp_be);
}

/* Every service of @o's maps, sorted by address, with its counters. */
static int read_stats(struct lbobj *o, struct svc_stat **v, size_t *n,
		      struct xerr *err)
{
	struct lb_svc_key key, next, *prev = NULL;
	struct svc_row *rows = NULL, *grown;
	struct be_set *bs;
	size_t i, cap = 0;
	int ret = 0;

	*v = NULL;
	*n = 0;
	bs = calloc(1, sizeof(*bs));
	if (!bs) {
		ret = xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
		goto out;
	}
	while (!bpf_map_get_next_key(o->fd[M_SVC], prev, &next)) {
		key = next;
		prev = &key;
		if (*n == cap) {
			/* Grows with the map, whatever its size. */
			cap = cap ? 2 * cap : 1024;
			grown = realloc(rows, cap * sizeof(*rows));
			if (!grown) {
				ret = xerr_set(err, XNIC_EXIT_SYSTEM,
					       "out of memory");
				goto out;
			}
			rows = grown;
		}
		if (bpf_map_lookup_elem(o->fd[M_SVC], &key, &rows[*n].v))
			continue;
		rows[(*n)++].k = key;
	}
	if (*n)
		qsort(rows, *n, sizeof(*rows), cmp_row);
	*v = calloc(*n + 1, sizeof(**v));
	if (!*v) {
		ret = xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
		goto out;
	}
	for (i = 0; i < *n && !ret; i++) {
		ret = read_backends(o, &rows[i].v, bs, err);
		if (!ret)
			stat_one(o, &rows[i], bs, &(*v)[i]);
	}
out:
	if (ret) {
		free(*v);
		*v = NULL;
		*n = 0;
	}
	free(rows);
	free(bs);
	return ret;
}

/* The maps read_stats() needs, with the sizes this xnicctl reads. */
static const struct {
	enum lb_map m;
	unsigned int key_size, value_size;
} stat_maps[] = {
	{ M_SVC, sizeof(struct lb_svc_key), sizeof(struct lb_svc) },
	{ M_SEL, sizeof(struct lb_sel_key), sizeof(__u32) },
	{ M_BE, sizeof(__u32), sizeof(struct lb_be) },
	{ M_SVC_STATS, sizeof(__u32), sizeof(struct lb_stat) },
	{ M_BE_STATS, sizeof(__u32), sizeof(struct lb_stat) },
};

int svc_stats_read(struct svc_stat **v, size_t *n, struct xerr *err)
{
	struct lbobj o = { 0 };
	char path[PATH_MAX];
	size_t i;
	int ret = 0;

	*v = NULL;
	*n = 0;
	for (i = 0; i < M_COUNT; i++)
		o.fd[i] = -1;
	for (i = 0; i < ARRAY_SIZE(stat_maps) && !ret; i++) {
		snprintf(path, sizeof(path), "%s/%s", PIN_LB,
			 map_names[stat_maps[i].m]);
		ret = bpf_pin_open(path, stat_maps[i].key_size,
				   stat_maps[i].value_size,
				   &o.fd[stat_maps[i].m], err);
	}
	if (!ret)
		ret = read_stats(&o, v, n, err);
	for (i = 0; i < M_COUNT; i++)
		if (o.fd[i] >= 0)
			close(o.fd[i]);
	return ret;
}

static void list_one(const struct svc_stat *s, struct json *j, bool json)
{
	char name[SVC_STR_MAX];
	unsigned int i;

	svc_format(&s->vip, s->proto, name);
	if (json) {
		json_object_begin(j);
		json_member_string(j, "service", name);
		json_member_int(j, "id", true, s->id);
		json_member_int(j, "rev", true, s->rev);
		json_member_int(j, "selected", true, s->st.selected);
		json_member_int(j, "no_backend", true, s->st.no_backend);
		json_key(j, "backends");
		json_array_begin(j);
	} else {
		printf("%s id %u rev %u backends %u selected %llu no_backend %llu\n",
		       name, s->id, s->rev, s->nbe,
		       (unsigned long long)s->st.selected,
		       (unsigned long long)s->st.no_backend);
	}
	for (i = 0; i < s->nbe; i++) {
		svc_format(&s->be[i].ep, 0, name);
		if (json) {
			json_object_begin(j);
			json_member_string(j, "backend", name);
			json_member_int(j, "weight", true, s->be[i].ep.weight);
			json_member_int(j, "selected", true, s->be[i].selected);
			json_object_end(j);
		} else {
			printf("  backend %s weight %u selected %llu\n", name,
			       s->be[i].ep.weight,
			       (unsigned long long)s->be[i].selected);
		}
	}
	if (json) {
		json_array_end(j);
		json_object_end(j);
	}
}

static int do_list(struct lbobj *o, bool json, struct xerr *err)
{
	struct svc_stat *v;
	struct json j;
	size_t n, i;
	int ret;

	ret = read_stats(o, &v, &n, err);
	if (ret)
		return ret;
	json_init(&j, stdout);
	if (json)
		json_array_begin(&j);
	for (i = 0; i < n; i++)
		list_one(&v[i], &j, json);
	if (json)
		json_array_end(&j);
	free(v);
	return xerr_flush(err);
}

bool cgroup_ok(const char *path)
{
	struct statfs sf;
	struct stat st;

	return !statfs(path, &sf) && sf.f_type == CGROUP2_SUPER_MAGIC &&
	       !stat(path, &st) && S_ISDIR(st.st_mode);
}

int service_save(FILE *out, struct xerr *err)
{
	char name[SVC_STR_MAX], be[SVC_STR_MAX];
	struct svc_stat *v = NULL;
	const char *path;
	size_t n = 0, i, k;
	int fd = -1, ret;
	__u64 id = 0;

	ret = svc_stats_read(&v, &n, err);
	if (ret == XNIC_EXIT_NOLINK)
		return 0;	/* never pinned */
	for (i = 0; !ret && i < n; i++) {
		svc_format(&v[i].vip, v[i].proto, name);
		fprintf(out, "service add %s", name);
		for (k = 0; k < v[i].nbe; k++) {
			svc_format(&v[i].be[k].ep, 0, be);
			fprintf(out, " --backend %s,weight=%u", be,
				v[i].be[k].ep.weight);
		}
		fputc('\n', out);
	}
	free(v);
	if (!ret)
		ret = pinned_cgroup(0, &id, &fd, err);
	if (fd >= 0)
		close(fd);
	if (ret || !id)
		return ret;
	path = cgroup_path(id);
	if (!path) {
		fprintf(out, "# service attach: cgroup %llu has no directory now\n",
			(unsigned long long)id);
		return 0;
	}
	fputs("service attach --cgroup ", out);
	batch_quote(out, path);
	fputc('\n', out);
	return 0;
}

/*
 * A service added while the socket programs are not attached is kept,
 * but no connect() sees it yet: say so once per process (a batch of
 * thousands of adds says it once), not as an error, since the
 * per-packet path (nodeport) may be what it is for.
 */
static void note_unattached(void)
{
	static bool noted;
	char path[PATH_MAX];
	struct stat st;

	link_path(path, 0);
	if (noted || !stat(path, &st))
		return;
	noted = true;
	fputs("xnicctl: service add: note: the socket load balancer is not "
	      "attached: sockets reach services after 'xnicctl service attach' "
	      "(packets entering a device, after 'service nodeport attach DEV')\n",
	      stderr);
}

static int run(const struct svc_req *req, struct xerr *err)
{
	struct lbobj o;
	struct stat st;
	int lock, ret;

	/* Checked before any bpf() or pin: a bad path changes nothing. */
	if (req->op == SVC_ATTACH && !cgroup_ok(req->cgroup))
		return xerr_set(err, XNIC_EXIT_USAGE,
				"'%s' is not a cgroup v2 directory", req->cgroup);
	/* Listing before anything was ever pinned creates nothing. */
	if (req->op == SVC_LIST && stat(PIN_LB "/lb_svc", &st)) {
		if (req->json)
			puts("[]");
		return xerr_flush(err);
	}
	ret = pin_lock(req->op != SVC_LIST && req->op != SVC_DETACH &&
		       req->op != SVC_NP_DETACH && req->op != SVC_NP_SHOW,
		       &lock, err);
	if (ret)
		return ret;
	if (req->op >= SVC_NP_ATTACH) {
		ret = np_run(req, lock, err);
	} else if (req->op == SVC_DETACH) {
		ret = lock < 0 ? 0 : do_detach(err);
	} else if (req->op == SVC_ATTACH) {
		ret = do_attach(req, err);
	} else {
		ret = lb_kept.skel ? 0 : lb_load(&o, false, err);
		if (lb_kept.skel)
			o = lb_kept;
		if (!ret) {
			ret = req->op == SVC_LIST ? do_list(&o, req->json, err) :
			      do_change(&o, req, err);
			if (!ret && req->op == SVC_ADD)
				note_unattached();
			if (keep_maps)
				lb_kept = o;
			else
				lb_close(&o);
		}
	}
	pin_unlock(lock);
	return ret;
}

int service_main(int argc, char **argv)
{
	struct svc_req *req;
	struct xerr err;
	int ret;

	req = calloc(1, sizeof(*req));
	if (!req) {
		fputs("xnicctl: service: out of memory\n", stderr);
		return XNIC_EXIT_SYSTEM;
	}
	ret = service_parse(argc, argv, req, &err);
	if (!ret && req->help)
		args_help(service_usage);
	else if (!ret)
		ret = run(req, &err);
	if (ret)
		xerr_print(service_ctx(req->op), &err);
	free(req);
	return ret;
}
