// SPDX-License-Identifier: GPL-2.0
/* `xnicctl stats` (see stats.h). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "json.h"
#include "limit.h"	/* limit_cg_read() */
#include "parse.h"
#include "pfobj.h"
#include "pin.h"
#include "polcmd.h"	/* pol_list_read() */
#include "prom.h"
#include "prefilter.h"	/* bpf/: enum pf_reason, struct pf_stat */
#include "service_cmd.h"	/* svc_stats_read() */
#include "stats.h"
#include "tcattach.h"	/* pol_dir_name() */
#include "tcobj.h"
#include "xnicctl.h"

static const char help_stats[] =
"stats [DEV] [--json | --prometheus] [--watch SECONDS]\n"
"    The prefilter's counters of DEV (default: every device it was ever\n"
"    attached to), one line per reason: DEV, REASON, PACKETS, BYTES\n"
"    (frame bytes as XDP saw them), summed over CPUs. Each device has\n"
"    its own counters; they survive detach and re-attach. Reasons:\n"
"    pass_ipv4, pass_ipv6, pass_arp, pass_other (not inspected),\n"
"    drop_v4_cidr, drop_v6_cidr, drop_v4_exact, drop_v6_exact,\n"
"    drop_arp_sender, drop_malformed.\n"
"    Then, for a device with a tc policy, its counters per direction\n"
"    and reason (REASON ingress/... and egress/..., bytes as tc saw\n"
"    them): pass_rule, pass_default, pass_arp, pass_other, drop_rule,\n"
"    drop_default, drop_malformed, drop_exthdr. Then its frames that\n"
"    came with the prefilter's metadata (meta_seen: XDP ran in front of\n"
"    tc; ingress only) and those whose metadata disagreed with what tc\n"
"    parsed (meta_mismatch; tc goes by the packet), and per redirect\n"
"    INDEX in use its packets redirected (redirINDEX) and passed on with\n"
"    the target gone (redirINDEX_gone).\n"
"    Without DEV, also (each only if its maps are pinned) the socket load\n"
"    balancer's selection counters, SERVICE and BACKEND (a service's own\n"
"    row has BACKEND '-'), WEIGHT, SELECTED, NO_BACKEND, and the sock_ops\n"
"    shaping policies, CGROUP and RULE ('default' or a rule of 'limit'),\n"
"    RATE, ESTABLISHED and LIVE connections, RTT_US (mean smoothed RTT\n"
"    at establishment, '-' if none).\n"
"      --json            {devices: [{dev, reasons: [{reason, verdict,\n"
"                        packets, bytes}], policy: [{direction, reason,\n"
"                        verdict, packets, bytes}], meta: [{direction,\n"
"                        counter (seen, mismatch), packets, bytes}],\n"
"                        redirects: [{direction, index, counter\n"
"                        (redirected, gone), packets, bytes}]}],\n"
"                        services: [{service, id, selected, no_backend,\n"
"                        backends: [{backend, id, weight, selected}]}],\n"
"                        policies: [{cgroup, id, rule, rate, established,\n"
"                        live, rtt_mean_us}]}, the same shape with or\n"
"                        without DEV: services and policies are null with\n"
"                        DEV, and [] when not pinned\n"
"      --prometheus      the same counters in the Prometheus text format,\n"
"                        for node_exporter's textfile collector: write a\n"
"                        temporary file and rename it into the collector's\n"
"                        directory. Families: xnic_prefilter_{packets,\n"
"                        bytes}_total{dev,reason,verdict},\n"
"                        xnic_policy_{packets,bytes}_total{dev,direction,\n"
"                        reason,verdict}, xnic_policy_meta_{packets,bytes}\n"
"                        _total{dev,direction,counter},\n"
"                        xnic_redirect_{packets,bytes}_total{dev,\n"
"                        direction,index,counter}, xnic_service_{selected,\n"
"                        no_backend}_total{service},\n"
"                        xnic_backend_selected_total and\n"
"                        xnic_backend_weight{service,backend},\n"
"                        xnic_shaping_{established_total,live_connections,\n"
"                        rtt_mean_microseconds,rate_bytes_per_second}\n"
"                        {cgroup,rule}; not with --watch\n"
"      --watch SECONDS   print again every SECONDS (1..86400) until\n"
"                        SIGINT or SIGTERM (exit 0), with PPS and BPS:\n"
"                        the rates over the last interval ('-' the\n"
"                        first time), SEL/S and NOBE/S for services and\n"
"                        backends, EST/S for policies;\n"
"                        with --json one object per line: {time,\n"
"                        interval, devices: [as above, plus pps, bps:\n"
"                        null the first time], services and policies\n"
"                        as above, plus selected_per_s,\n"
"                        no_backend_per_s, established_per_s}\n";

/* The order is enum pf_reason's; the size check keeps the two in step. */
static const char *const reason_names[] = {
	[PF_PASS_IPV4] = "pass_ipv4",
	[PF_PASS_IPV6] = "pass_ipv6",
	[PF_PASS_ARP] = "pass_arp",
	[PF_PASS_OTHER] = "pass_other",
	[PF_DROP_V4_CIDR] = "drop_v4_cidr",
	[PF_DROP_V6_CIDR] = "drop_v6_cidr",
	[PF_DROP_V4_EXACT] = "drop_v4_exact",
	[PF_DROP_V6_EXACT] = "drop_v6_exact",
	[PF_DROP_ARP_SENDER] = "drop_arp_sender",
	[PF_DROP_MALFORMED] = "drop_malformed",
};
_Static_assert(ARRAY_SIZE(reason_names) == PF_REASON_MAX,
	       "a pf_reason has no name");

const char *pf_reason_name(unsigned int reason)
{
	return reason < PF_REASON_MAX ? reason_names[reason] : NULL;
}

static const char *const pol_names[] = {
	[POL_PASS_RULE] = "pass_rule",
	[POL_PASS_DEFAULT] = "pass_default",
	[POL_PASS_ARP] = "pass_arp",
	[POL_PASS_OTHER] = "pass_other",
	[POL_DROP_RULE] = "drop_rule",
	[POL_DROP_DEFAULT] = "drop_default",
	[POL_DROP_MALFORMED] = "drop_malformed",
	[POL_DROP_EXTHDR] = "drop_exthdr",
};
_Static_assert(ARRAY_SIZE(pol_names) == POL_REASON_MAX,
	       "a pol_reason has no name");

const char *pol_reason_name(unsigned int reason)
{
	return reason < POL_REASON_MAX ? pol_names[reason] : NULL;
}

void stats_usage(FILE *out)
{
	fprintf(out, "\nxnicctl %s", help_stats);
}

int stats_parse(int argc, char **argv, struct stats_req *req,
		struct xerr *err)
{
	struct kwarg kw[] = { { .name = "--watch" }, { .name = NULL } };
	struct args a;
	int ret;

	memset(req, 0, sizeof(*req));
	ret = args_scan(argc, argv, kw, 1, ARG_OPT_JSON | ARG_OPT_PROM, &a,
			err);
	if (ret || a.help) {
		req->help = a.help;
		return ret;
	}
	req->json = a.opts & ARG_OPT_JSON;
	req->prometheus = a.opts & ARG_OPT_PROM;
	if (req->json && req->prometheus)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"--prometheus and --json are two formats: give one");
	/* The collector reads the file at each scrape: one sample is all. */
	if (req->prometheus && kw[0].value)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"--prometheus prints one sample: no --watch");
	req->dev = a.npos ? a.pos[0] : NULL;
	if (req->dev) {
		ret = parse_ifname(req->dev, err);
		if (ret)
			return ret;
	}
	if (kw[0].value && (parse_uint(kw[0].value, STATS_WATCH_MAX,
				       &req->watch) || !req->watch))
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid interval '%s' (expected 1..%d seconds)",
				kw[0].value, STATS_WATCH_MAX);
	return 0;
}

/* Sum one device's per-CPU prefilter counters into @sum. */
static int read_pf(const char *dev, struct pf_stat sum[PF_REASON_MAX],
		   struct xerr *err)
{
	int ncpus = libbpf_num_possible_cpus();
	struct bpf_map_info info;
	__u32 len = sizeof(info), r;
	char path[PATH_MAX];
	struct pf_stat *v;
	int fd, i, ret = 0;

	if (ncpus < 0)
		return bpf_error(err, -ncpus, "cannot count the CPUs");
	pin_dev_path(path, dev, PIN_STATS);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? XNIC_EXIT_NOLINK :
		       bpf_error(err, errno, path);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		ret = bpf_error(err, errno, path);
		goto out;
	}
	/* A pin of an older layout would be misread: refuse it instead. */
	if (info.type != BPF_MAP_TYPE_PERCPU_ARRAY ||
	    info.value_size != sizeof(struct pf_stat) ||
	    info.max_entries < PF_REASON_MAX) {
		ret = xerr_set(err, XNIC_EXIT_SYSTEM,
			       "%s is not a pf_stats map of this xnicctl", path);
		goto out;
	}
	v = calloc(ncpus, sizeof(*v));
	if (!v) {
		ret = xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
		goto out;
	}
	memset(sum, 0, PF_REASON_MAX * sizeof(*sum));
	for (r = 0; r < PF_REASON_MAX && !ret; r++) {
		if (bpf_map_lookup_elem(fd, &r, v)) {
			ret = bpf_error(err, errno, path);
			break;
		}
		for (i = 0; i < ncpus; i++) {
			sum[r].packets += v[i].packets;
			sum[r].bytes += v[i].bytes;
		}
	}
	free(v);
out:
	close(fd);
	return ret;
}

/* The redirects in use in each direction and their counters. */
static int read_redir(const int *fd, struct dev_stats *s, struct xerr *err)
{
	struct pol_list *l;
	unsigned int d, i;
	int ret = 0, e = 0;

	l = malloc(sizeof(*l));
	if (!l)
		return xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
	for (d = 0; d < POL_DIRS && !ret && !e; d++) {
		ret = pol_list_read(pol_list_maps(fd, true), d, l, err);
		s->nredir[d] = ret ? 0 : l->n;
		for (i = 0; i < s->nredir[d] && !e; i++)
			e = pol_redir_stat_sum(fd[POL_MAP_REDIR_STATS],
					       POL_KEY(d, i), &s->redir[d][i]);
	}
	free(l);
	return e ? bpf_error(err, e, "cannot read pol_redir_stats") : ret;
}

/* The tc policy's counters, if DEV has a policy. */
static int read_pol(const char *dev, struct dev_stats *s, struct xerr *err)
{
	int fd[POL_MAP_COUNT];
	int ret, e = 0;
	__u32 k;

	ret = tcobj_open_pins(dev, fd, err);
	if (ret)
		return ret;
	for (k = 0; k < STATS_POL_N && !e; k++)
		e = pol_stat_sum(fd[POL_MAP_STATS], k, &s->pol[k]);
	if (e) {
		ret = bpf_error(err, e, "cannot read pol_stats");
		goto out;
	}
	for (k = 0; k < POL_DIRS && !e; k++) {
		struct pol_stat two[2];

		e = pol_stat_sum_n(fd[POL_MAP_META_STATS], k, two, 2);
		s->meta[k].seen = two[0];
		s->meta[k].mismatch = two[1];
	}
	if (e)
		ret = bpf_error(err, e, "cannot read pol_meta_stats");
	else
		ret = read_redir(fd, s, err);
out:
	tcobj_close_fds(fd);
	return ret;
}

static int read_dev(const char *dev, struct dev_stats *s, struct xerr *err)
{
	int ret;

	memset(s, 0, sizeof(*s));
	snprintf(s->dev, sizeof(s->dev), "%s", dev);
	ret = read_pf(dev, s->pf, err);
	s->has_pf = !ret;
	if (ret && ret != XNIC_EXIT_NOLINK)
		return ret;
	ret = read_pol(dev, s, err);
	s->has_pol = !ret;
	if (ret && ret != XNIC_EXIT_NOLINK)
		return ret;
	if (!s->has_pf && !s->has_pol)
		return xerr_set(err, XNIC_EXIT_NOLINK,
				"no counters for '%s' (neither the prefilter nor the tc policy was ever attached to it)",
				dev);
	return 0;
}

static void sample_free(struct stats_sample *sm)
{
	free(sm->v);
	free(sm->svc);
	free(sm->cg);
	memset(sm, 0, sizeof(*sm));
}

/* The node-wide sections: services and shaping policies, if pinned. */
static int read_node(struct stats_sample *sm, struct xerr *err)
{
	int ret;

	free(sm->svc);
	free(sm->cg);
	sm->cg = NULL;
	sm->ncg = 0;
	ret = svc_stats_read(&sm->svc, &sm->nsvc, err);
	if (ret && ret != XNIC_EXIT_NOLINK)
		return ret;
	ret = limit_cg_read(&sm->cg, &sm->ncg, err);
	return ret == XNIC_EXIT_NOLINK ? 0 : ret;
}

/* Every device's counters, read before anything is printed. */
static int read_all(const struct stats_req *req, struct stats_sample *sm,
		    struct xerr *err)
{
	struct dirent **names = NULL;
	int lock, ret, n = 0, i;

	sm->n = 0;
	ret = pin_lock(false, &lock, err);
	if (ret)
		return ret;
	ret = req->dev ? 0 : pin_dev_list(&names, &n, err);
	if (ret)
		goto out;
	free(sm->v);
	sm->v = calloc(n + 1, sizeof(*sm->v));
	if (!sm->v) {
		ret = xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &sm->mono);
	sm->wall = time(NULL);
	if (req->dev) {
		ret = read_dev(req->dev, &sm->v[0], err);
		sm->n = !ret;
	}
	for (i = 0; i < n && !ret; i++) {
		ret = read_dev(names[i]->d_name, &sm->v[sm->n], err);
		if (ret == XNIC_EXIT_NOLINK)
			ret = 0;	/* a directory without counters */
		else if (!ret)
			sm->n++;
	}
	if (!ret && !req->dev)
		ret = read_node(sm, err);
out:
	pin_dev_list_free(names, n);
	pin_unlock(lock);
	return ret;
}

/*
 * What is printed for one counter: a value, its rates if known. In
 * JSON either a reason with its verdict or a counter's name (with an
 * index for a redirect); in text the label after DIR/.
 */
struct row {
	const char *reason;	/* NULL: a counter */
	bool drop;
	const char *counter;
	int index;		/* < 0: none */
	char label[32];
	__u64 packets, bytes;
	bool rated;
	__u64 pps, bps;
};

struct printer {
	FILE *out;
	struct json *j;		/* NULL: text */
	bool watch;
	double secs;		/* since the previous sample, 0 if none */
};

/*
 * The rate of a counter from @was (NULL: not in the previous sample) to
 * @now over the interval; false if there is none.
 */
static bool per_sec(const struct printer *p, __u64 now, const __u64 *was,
		    __u64 *out)
{
	/* A counter that went back (its map re-created): no rate. */
	if (p->secs <= 0 || !was || now < *was)
		return false;
	*out = (now - *was) / p->secs;
	return true;
}

static void rate(const struct printer *p, __u64 now_p, __u64 now_b,
		 const __u64 *was_p, const __u64 *was_b, struct row *r)
{
	r->packets = now_p;
	r->bytes = now_b;
	r->rated = per_sec(p, now_p, was_p, &r->pps) &&
		   per_sec(p, now_b, was_b, &r->bps);
}

static void print_row(const struct printer *p, const char *dev,
		      const char *dir, const struct row *r)
{
	char reason[48];

	if (p->j) {
		json_object_begin(p->j);
		if (dir)
			json_member_string(p->j, "direction", dir);
		if (r->index >= 0)
			json_member_int(p->j, "index", true, r->index);
		if (r->reason) {
			json_member_string(p->j, "reason", r->reason);
			json_member_string(p->j, "verdict",
					   r->drop ? "drop" : "pass");
		} else {
			json_member_string(p->j, "counter", r->counter);
		}
		json_member_int(p->j, "packets", true, r->packets);
		json_member_int(p->j, "bytes", true, r->bytes);
		if (p->watch) {
			json_member_int(p->j, "pps", r->rated, r->pps);
			json_member_int(p->j, "bps", r->rated, r->bps);
		}
		json_object_end(p->j);
		return;
	}
	snprintf(reason, sizeof(reason), "%s%s%s", dir ? dir : "",
		 dir ? "/" : "", r->reason ? r->reason : r->label);
	fprintf(p->out, "%-15s %-22s %12llu %14llu", dev, reason,
		(unsigned long long)r->packets, (unsigned long long)r->bytes);
	if (p->watch && r->rated)
		fprintf(p->out, " %10llu %14llu", (unsigned long long)r->pps,
			(unsigned long long)r->bps);
	else if (p->watch)
		fprintf(p->out, " %10s %14s", "-", "-");
	fputc('\n', p->out);
}

/* A counter of @now's, rated against the same one of @was if given. */
static void print_counter(const struct printer *p, const char *dev,
			  unsigned int dir, const struct pol_stat *now,
			  const struct pol_stat *was, struct row *r)
{
	rate(p, now->packets, now->bytes, was ? &was->packets : NULL,
	     was ? &was->bytes : NULL, r);
	print_row(p, dev, pol_dir_name(dir), r);
}

/* The metadata counters, then each redirect's, of every direction. */
static void print_meta_redir(const struct printer *p,
			     const struct dev_stats *s,
			     const struct dev_stats *was)
{
	bool w = was && was->has_pol;
	struct row r = { .index = -1 };
	unsigned int d, i;

	if (p->j) {
		json_key(p->j, "meta");
		json_array_begin(p->j);
	}
	for (d = 0; s->has_pol && d < POL_DIRS; d++) {
		r.counter = "seen";
		snprintf(r.label, sizeof(r.label), "meta_seen");
		print_counter(p, s->dev, d, &s->meta[d].seen,
			      w ? &was->meta[d].seen : NULL, &r);
		r.counter = "mismatch";
		snprintf(r.label, sizeof(r.label), "meta_mismatch");
		print_counter(p, s->dev, d, &s->meta[d].mismatch,
			      w ? &was->meta[d].mismatch : NULL, &r);
	}
	if (p->j) {
		json_array_end(p->j);
		json_key(p->j, "redirects");
		json_array_begin(p->j);
	}
	for (d = 0; s->has_pol && d < POL_DIRS; d++) {
		for (i = 0; i < s->nredir[d]; i++) {
			/* A slot past the last sample's list has no rate. */
			bool wi = w && i < was->nredir[d];

			r.index = i;
			r.counter = "redirected";
			snprintf(r.label, sizeof(r.label), "redir%u", i);
			print_counter(p, s->dev, d, &s->redir[d][i].redirected,
				      wi ? &was->redir[d][i].redirected : NULL,
				      &r);
			r.counter = "gone";
			snprintf(r.label, sizeof(r.label), "redir%u_gone", i);
			print_counter(p, s->dev, d, &s->redir[d][i].gone,
				      wi ? &was->redir[d][i].gone : NULL, &r);
		}
	}
	if (p->j)
		json_array_end(p->j);
}

static void print_dev(const struct printer *p, const struct dev_stats *s,
		      const struct dev_stats *was)
{
	struct row r = { .index = -1 };
	unsigned int k;

	if (p->j) {
		json_object_begin(p->j);
		json_member_string(p->j, "dev", s->dev);
		json_key(p->j, "reasons");
		json_array_begin(p->j);
	}
	for (k = 0; s->has_pf && k < PF_REASON_MAX; k++) {
		bool w = was && was->has_pf;

		rate(p, s->pf[k].packets, s->pf[k].bytes,
		     w ? &was->pf[k].packets : NULL,
		     w ? &was->pf[k].bytes : NULL, &r);
		r.reason = reason_names[k];
		r.drop = PF_REASON_IS_DROP(k);
		print_row(p, s->dev, NULL, &r);
	}
	if (p->j) {
		json_array_end(p->j);
		json_key(p->j, "policy");
		json_array_begin(p->j);
	}
	for (k = 0; s->has_pol && k < STATS_POL_N; k++) {
		bool w = was && was->has_pol;

		rate(p, s->pol[k].packets, s->pol[k].bytes,
		     w ? &was->pol[k].packets : NULL,
		     w ? &was->pol[k].bytes : NULL, &r);
		r.reason = pol_names[k % POL_REASON_MAX];
		r.drop = POL_REASON_IS_DROP(k % POL_REASON_MAX);
		print_row(p, s->dev, pol_dir_name(k / POL_REASON_MAX), &r);
	}
	if (p->j)
		json_array_end(p->j);
	print_meta_redir(p, s, was);
	if (p->j)
		json_object_end(p->j);
}

static const struct dev_stats *find_dev(const struct stats_sample *sm,
					const char *dev)
{
	int i;

	for (i = 0; sm && i < sm->n; i++)
		if (!strcmp(sm->v[i].dev, dev))
			return &sm->v[i];
	return NULL;
}

/* A rate column under --watch, or the JSON member @key: '-' or null if none. */
static void print_rate(const struct printer *p, const char *key, __u64 now,
		       const __u64 *was)
{
	__u64 r = 0;
	bool have = per_sec(p, now, was, &r);

	if (!p->watch)
		return;
	if (p->j)
		json_member_int(p->j, key, have, r);
	else if (have)
		fprintf(p->out, " %8llu", (unsigned long long)r);
	else
		fprintf(p->out, " %8s", "-");
}

static const struct svc_stat *find_svc(const struct stats_sample *sm, __u32 id)
{
	size_t i;

	for (i = 0; sm && i < sm->nsvc; i++)
		if (sm->svc[i].id == id)
			return &sm->svc[i];
	return NULL;
}

static const __u64 *be_was(const struct svc_stat *was, __u32 id)
{
	unsigned int i;

	for (i = 0; was && i < was->nbe; i++)
		if (was->be[i].id == id)
			return &was->be[i].selected;
	return NULL;
}

/* One service's row, then one per backend (its SELECTED only). */
static void print_svc(const struct printer *p, const struct svc_stat *s,
		      const struct svc_stat *was)
{
	char name[SVC_STR_MAX], be[SVC_STR_MAX];
	unsigned int i;

	svc_format(&s->vip, s->proto, name);
	if (p->j) {
		json_object_begin(p->j);
		json_member_string(p->j, "service", name);
		json_member_int(p->j, "id", true, s->id);
		json_member_int(p->j, "selected", true, s->st.selected);
		json_member_int(p->j, "no_backend", true, s->st.no_backend);
	} else {
		fprintf(p->out, "%-24s %-24s %6s %12llu %12llu", name, "-",
			"-", (unsigned long long)s->st.selected,
			(unsigned long long)s->st.no_backend);
	}
	print_rate(p, "selected_per_s", s->st.selected,
		   was ? &was->st.selected : NULL);
	print_rate(p, "no_backend_per_s", s->st.no_backend,
		   was ? &was->st.no_backend : NULL);
	if (p->j) {
		json_key(p->j, "backends");
		json_array_begin(p->j);
	} else {
		fputc('\n', p->out);
	}
	for (i = 0; i < s->nbe; i++) {
		svc_format(&s->be[i].ep, 0, be);
		if (p->j) {
			json_object_begin(p->j);
			json_member_string(p->j, "backend", be);
			json_member_int(p->j, "id", true, s->be[i].id);
			json_member_int(p->j, "weight", true,
					s->be[i].ep.weight);
			json_member_int(p->j, "selected", true,
					s->be[i].selected);
		} else {
			fprintf(p->out, "%-24s %-24s %6u %12llu %12s", name,
				be, s->be[i].ep.weight,
				(unsigned long long)s->be[i].selected, "-");
		}
		print_rate(p, "selected_per_s", s->be[i].selected,
			   be_was(was, s->be[i].id));
		if (p->j)
			json_object_end(p->j);
		else if (p->watch)
			fprintf(p->out, " %8s\n", "-");
		else
			fputc('\n', p->out);
	}
	if (p->j) {
		json_array_end(p->j);
		json_object_end(p->j);
	}
}

static const struct limit_cg_stat *find_cg(const struct stats_sample *sm, __u64 id)
{
	size_t i;

	for (i = 0; sm && i < sm->ncg; i++)
		if (sm->cg[i].id == id)
			return &sm->cg[i];
	return NULL;
}

/* A cgroup's policy slots: its default, then each rule in use. */
static void print_cg(const struct printer *p, const struct limit_cg_stat *c,
		     const struct limit_cg_stat *was)
{
	char rule[80], rate[RATE_STR_MAX];
	const struct shp_cg_stat *st;
	unsigned int k;
	__u64 r;
	long long rtt;

	for (k = 0; k <= SHP_CG_RULES; k++) {
		r = k ? c->pol.rule[k - 1].rate : c->pol.rate;
		if (k && !r)
			continue;	/* an empty rule slot */
		st = &c->st[k];
		rtt = limit_rtt_mean_us(st);
		limit_rule_desc(&c->pol, k, rule, sizeof(rule));
		format_rate(r, rate);
		if (p->j) {
			json_object_begin(p->j);
			json_member_string(p->j, "cgroup",
					   c->path[0] ? c->path : NULL);
			json_member_int(p->j, "id", true, (int64_t)c->id);
			json_member_string(p->j, "rule", rule);
			json_member_string(p->j, "rate", r ? rate : NULL);
			json_member_int(p->j, "rate_bytes", r, (int64_t)r);
			json_member_int(p->j, "established", true,
					(int64_t)st->established);
			json_member_int(p->j, "live", true, st->live);
			json_member_int(p->j, "rtt_mean_us", rtt >= 0, rtt);
		} else {
			fprintf(p->out, "%-28s %-20s %12s %12llu %8lld",
				c->path[0] ? c->path : "?", rule,
				r ? rate : "none",
				(unsigned long long)st->established,
				(long long)st->live);
			if (rtt >= 0)
				fprintf(p->out, " %8lld", rtt);
			else
				fprintf(p->out, " %8s", "-");
		}
		print_rate(p, "established_per_s", st->established,
			   was ? &was->st[k].established : NULL);
		if (p->j)
			json_object_end(p->j);
		else
			fputc('\n', p->out);
	}
}

/*
 * Services and policies: text sections if pinned; JSON members always,
 * null when DEV was named (not asked for), else arrays (empty if not
 * pinned), so the shape never depends on the arguments.
 */
static void print_node(const struct printer *p, const struct stats_sample *sm,
		       const struct stats_sample *was, bool asked)
{
	size_t i;

	if (p->j) {
		json_key(p->j, "services");
		if (asked)
			json_array_begin(p->j);
		else
			json_null(p->j);
	} else if (asked && sm->svc) {
		fprintf(p->out, "\n%-24s %-24s %6s %12s %12s", "SERVICE",
			"BACKEND", "WEIGHT", "SELECTED", "NO_BACKEND");
		fprintf(p->out, p->watch ? " %8s %8s\n" : "\n", "SEL/S",
			"NOBE/S");
	}
	for (i = 0; asked && i < sm->nsvc; i++)
		print_svc(p, &sm->svc[i], find_svc(was, sm->svc[i].id));
	if (p->j && asked)
		json_array_end(p->j);
	if (p->j) {
		json_key(p->j, "policies");
		if (asked)
			json_array_begin(p->j);
		else
			json_null(p->j);
	} else if (asked && sm->cg) {
		fprintf(p->out, "\n%-28s %-20s %12s %12s %8s %8s", "CGROUP",
			"RULE", "RATE", "ESTABLISHED", "LIVE", "RTT_US");
		fprintf(p->out, p->watch ? " %8s\n" : "\n", "EST/S");
	}
	for (i = 0; asked && i < sm->ncg; i++)
		print_cg(p, &sm->cg[i], find_cg(was, sm->cg[i].id));
	if (p->j && asked)
		json_array_end(p->j);
}

void stats_print(FILE *out, const struct stats_req *req,
		 const struct stats_sample *sm, const struct stats_sample *was)
{
	struct printer p = { .out = out, .watch = req->watch > 0 };
	struct json j;
	char when[32];
	int i;

	if (was)
		p.secs = (sm->mono.tv_sec - was->mono.tv_sec) +
			 (sm->mono.tv_nsec - was->mono.tv_nsec) / 1e9;
	if (req->json) {
		p.j = &j;
		json_init(&j, out);
		json_object_begin(&j);
		if (p.watch) {
			json_member_int(&j, "time", true, sm->wall);
			json_member_int(&j, "interval", was != NULL,
					(int64_t)(p.secs + 0.5));
		}
		json_key(&j, "devices");
		json_array_begin(&j);
		for (i = 0; i < sm->n; i++)
			print_dev(&p, &sm->v[i], find_dev(was, sm->v[i].dev));
		json_array_end(&j);
		print_node(&p, sm, was, !req->dev);
		json_object_end(&j);
		return;
	}
	if (p.watch) {
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ",
			 gmtime(&sm->wall));
		fprintf(out, "%s%s\n", was ? "\n" : "", when);
	}
	fprintf(out, "%-15s %-22s %12s %14s", "DEV", "REASON", "PACKETS",
		"BYTES");
	if (p.watch)
		fprintf(out, " %10s %14s", "PPS", "BPS");
	fputc('\n', out);
	for (i = 0; i < sm->n; i++)
		print_dev(&p, &sm->v[i], find_dev(was, sm->v[i].dev));
	print_node(&p, sm, was, !req->dev);
}

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * Until SIGINT or SIGTERM: sample, print, sleep. The handlers are
 * installed without SA_RESTART, so a signal cuts the sleep short.
 */
static int watch(const struct stats_req *req, struct xerr *err)
{
	struct sigaction sa = { .sa_handler = on_stop };
	struct stats_sample s[2] = { { 0 } };
	struct timespec t;
	int cur = 0, ret = 0;
	bool first = true;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop) {
		ret = read_all(req, &s[cur], err);
		if (ret)
			break;
		stats_print(stdout, req, &s[cur], first ? NULL : &s[!cur]);
		ret = xerr_flush(err);
		if (ret)
			break;
		fflush(stdout);
		first = false;
		cur = !cur;
		t.tv_sec = req->watch;
		t.tv_nsec = 0;
		while (!stop && nanosleep(&t, &t) && errno == EINTR)
			;
	}
	sample_free(&s[0]);
	sample_free(&s[1]);
	return ret;
}

static int run(const struct stats_req *req, struct xerr *err)
{
	struct stats_sample sm = { 0 };
	int ret;

	if (req->watch)
		return watch(req, err);
	ret = read_all(req, &sm, err);
	if (!ret && req->prometheus)
		stats_prometheus(stdout, &sm);
	else if (!ret)
		stats_print(stdout, req, &sm, NULL);
	sample_free(&sm);
	return ret ? ret : xerr_flush(err);
}

int stats_main(int argc, char **argv)
{
	struct stats_req req;
	struct xerr err;
	int ret;

	ret = stats_parse(argc, argv, &req, &err);
	if (!ret && req.help)
		return args_help(stats_usage);
	if (!ret)
		ret = run(&req, &err);
	if (ret)
		xerr_print("stats", &err);
	return ret;
}
