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
#include "parse.h"
#include "pfobj.h"
#include "pin.h"
#include "prefilter.h"	/* bpf/: enum pf_reason, struct pf_stat */
#include "stats.h"
#include "tcattach.h"	/* pol_dir_name() */
#include "tcobj.h"
#include "xnicctl.h"

static const char help_stats[] =
"stats [DEV] [--json] [--watch SECONDS]\n"
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
"    drop_default, drop_malformed, drop_exthdr.\n"
"      --json            [{dev, reasons: [{reason, verdict, packets,\n"
"                        bytes}], policy: [{direction, reason, verdict,\n"
"                        packets, bytes}]}]\n"
"      --watch SECONDS   print again every SECONDS (1..86400) until\n"
"                        SIGINT or SIGTERM (exit 0), with PPS and BPS:\n"
"                        the rates over the last interval ('-' the\n"
"                        first time);\n"
"                        with --json one object per line: {time,\n"
"                        interval, devices: [as above, plus pps, bps:\n"
"                        null the first time]}\n";

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
	ret = args_scan(argc, argv, kw, 1, ARG_OPT_JSON, &a, err);
	if (ret || a.help) {
		req->help = a.help;
		return ret;
	}
	req->json = a.opts & ARG_OPT_JSON;
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

#define POL_NSTATS	(POL_DIRS * POL_REASON_MAX)

/* One device's counters, summed over CPUs. */
struct dev_stats {
	char dev[256];
	bool has_pf, has_pol;
	struct pf_stat pf[PF_REASON_MAX];
	struct pol_stat pol[POL_NSTATS];
};

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

/* The tc policy's counters, if DEV has a policy. */
static int read_pol(const char *dev, struct dev_stats *s, struct xerr *err)
{
	int fd[POL_MAP_COUNT];
	int ret, e = 0;
	__u32 k;

	ret = tcobj_open_pins(dev, fd, err);
	if (ret)
		return ret;
	for (k = 0; k < POL_NSTATS && !e; k++)
		e = pol_stat_sum(fd[POL_MAP_STATS], k, &s->pol[k]);
	tcobj_close_fds(fd);
	return e ? bpf_error(err, e, "cannot read pol_stats") : 0;
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

/* One sample of every device's counters, and when it was taken. */
struct sample {
	struct dev_stats *v;
	int n;
	struct timespec mono;
	time_t wall;
};

/* Every device's counters, read before anything is printed. */
static int read_all(const struct stats_req *req, struct sample *sm,
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
out:
	pin_dev_list_free(names, n);
	pin_unlock(lock);
	return ret;
}

/* What is printed for one counter: a value, its rates if known. */
struct row {
	const char *reason;
	bool drop;
	__u64 packets, bytes;
	bool rated;
	__u64 pps, bps;
};

struct printer {
	struct json *j;		/* NULL: text */
	bool watch;
	double secs;		/* since the previous sample, 0 if none */
};

static void rate(const struct printer *p, __u64 now_p, __u64 now_b,
		 const __u64 *was_p, const __u64 *was_b, struct row *r)
{
	r->packets = now_p;
	r->bytes = now_b;
	/* Counters that went back (DEV re-created): no rate. */
	r->rated = p->secs > 0 && was_p && now_p >= *was_p && now_b >= *was_b;
	if (r->rated) {
		r->pps = (now_p - *was_p) / p->secs;
		r->bps = (now_b - *was_b) / p->secs;
	}
}

static void print_row(const struct printer *p, const char *dev,
		      const char *dir, const struct row *r)
{
	char reason[40];

	if (p->j) {
		json_object_begin(p->j);
		if (dir)
			json_member_string(p->j, "direction", dir);
		json_member_string(p->j, "reason", r->reason);
		json_member_string(p->j, "verdict", r->drop ? "drop" : "pass");
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
		 dir ? "/" : "", r->reason);
	printf("%-15s %-22s %12llu %14llu", dev, reason,
	       (unsigned long long)r->packets, (unsigned long long)r->bytes);
	if (p->watch && r->rated)
		printf(" %10llu %14llu", (unsigned long long)r->pps,
		       (unsigned long long)r->bps);
	else if (p->watch)
		printf(" %10s %14s", "-", "-");
	putchar('\n');
}

static void print_dev(const struct printer *p, const struct dev_stats *s,
		      const struct dev_stats *was)
{
	struct row r;
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
	for (k = 0; s->has_pol && k < POL_NSTATS; k++) {
		bool w = was && was->has_pol;

		rate(p, s->pol[k].packets, s->pol[k].bytes,
		     w ? &was->pol[k].packets : NULL,
		     w ? &was->pol[k].bytes : NULL, &r);
		r.reason = pol_names[k % POL_REASON_MAX];
		r.drop = POL_REASON_IS_DROP(k % POL_REASON_MAX);
		print_row(p, s->dev, pol_dir_name(k / POL_REASON_MAX), &r);
	}
	if (p->j) {
		json_array_end(p->j);
		json_object_end(p->j);
	}
}

static const struct dev_stats *find_dev(const struct sample *sm,
					const char *dev)
{
	int i;

	for (i = 0; sm && i < sm->n; i++)
		if (!strcmp(sm->v[i].dev, dev))
			return &sm->v[i];
	return NULL;
}

/* @was: the previous sample under --watch, NULL otherwise or the first time. */
static void print_all(const struct stats_req *req, const struct sample *sm,
		      const struct sample *was)
{
	struct printer p = { .watch = req->watch > 0 };
	struct json j;
	char when[32];
	int i;

	if (was)
		p.secs = (sm->mono.tv_sec - was->mono.tv_sec) +
			 (sm->mono.tv_nsec - was->mono.tv_nsec) / 1e9;
	if (req->json) {
		p.j = &j;
		json_init(&j, stdout);
		if (p.watch) {
			json_object_begin(&j);
			json_member_int(&j, "time", true, sm->wall);
			json_member_int(&j, "interval", was != NULL,
					(int64_t)(p.secs + 0.5));
			json_key(&j, "devices");
		}
		json_array_begin(&j);
		for (i = 0; i < sm->n; i++)
			print_dev(&p, &sm->v[i], find_dev(was, sm->v[i].dev));
		json_array_end(&j);
		if (p.watch)
			json_object_end(&j);
		return;
	}
	if (p.watch) {
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ",
			 gmtime(&sm->wall));
		printf("%s%s\n", was ? "\n" : "", when);
	}
	printf("%-15s %-22s %12s %14s", "DEV", "REASON", "PACKETS", "BYTES");
	if (p.watch)
		printf(" %10s %14s", "PPS", "BPS");
	putchar('\n');
	for (i = 0; i < sm->n; i++)
		print_dev(&p, &sm->v[i], find_dev(was, sm->v[i].dev));
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
	struct sample s[2] = { { 0 } };
	struct timespec t;
	int cur = 0, ret = 0;
	bool first = true;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop) {
		ret = read_all(req, &s[cur], err);
		if (ret)
			break;
		print_all(req, &s[cur], first ? NULL : &s[!cur]);
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
	free(s[0].v);
	free(s[1].v);
	return ret;
}

static int run(const struct stats_req *req, struct xerr *err)
{
	struct sample sm = { 0 };
	int ret;

	if (req->watch)
		return watch(req, err);
	ret = read_all(req, &sm, err);
	if (!ret)
		print_all(req, &sm, NULL);
	free(sm.v);
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
