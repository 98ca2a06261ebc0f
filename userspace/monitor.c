// SPDX-License-Identifier: GPL-2.0
/* `xnicctl monitor` and `xnicctl monitor limit` (see monitor.h). */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "drop_event.h"	/* bpf/: the event layout and the maps */
#include "json.h"
#include "monitor.h"
#include "parse.h"
#include "pfobj.h"
#include "pin.h"
#include "nodeport.h"	/* bpf/: enum np_reason */
#include "npcmd.h"	/* np_reason_name() */
#include "policy.h"	/* bpf/: enum pol_reason */
#include "prefilter.h"	/* bpf/: enum pf_reason */
#include "shaping.h"	/* bpf/: enum edt_reason */
#include "stats.h"
#include "xnicctl.h"

static const char help_monitor[] =
"monitor [--json] [--count N] [--dev DEV]\n"
"    Why packets are dropped, live: one line per drop of the XDP\n"
"    prefilter, the tc policy, the EDT limit (drop_edt_horizon) or the\n"
"    service translation (nodeport, at tc or XDP) on any device:\n"
"    TIME DEV HOOK PROGRAM REASON (why) SOURCE > DESTINATION\n"
"    PROTOCOL [rule I] len BYTES.\n"
"    Events queued before the start are skipped. Stops on SIGINT or\n"
"    SIGTERM (exit 0), after showing the events already queued, and\n"
"    then prints on stderr how many events were shown, and how many\n"
"    the programs sent, suppressed by the rate limit or lost to a\n"
"    full ring meanwhile. Exit 5 when nothing is\n"
"    attached (no program uses " PIN_ROOT "/xnic_events).\n"
"    Run one monitor at a time: two would share the events.\n"
"      --json            one object per line: {time, ts_ns, dev, ifindex,\n"
"                        hook, prog, reason, reason_code, why, ethertype,\n"
"                        vlan, family, src, dst, proto, arp_op, sport,\n"
"                        dport, rule, len}, null for what does not apply;\n"
"                        the summary on stderr is one object too\n"
"      --count N         exit after N events (1..4294967295)\n"
"      --dev DEV         only DEV's events\n"
"\n"
"xnicctl monitor limit [--rate N] [--burst N] [--json]\n"
"    Show or set the drop event rate limit, applied by every program at\n"
"    its next drop (no reload): per CPU, --rate events per second on\n"
"    average and --burst at once; 0 restores the default (1000 per\n"
"    second, burst 100); a rate above 1000000000 sends every event.\n"
"    Also shows the event counters since the maps were created.\n"
"      --json            {rate, burst, effective_rate, effective_burst,\n"
"                        emitted, rate_limited, ringbuf_full}\n";

void monitor_usage(FILE *out)
{
	fprintf(out, "\nxnicctl %s", help_monitor);
}

/* ---- parsing ---- */

/*
 * A decimal number @min..UINT_MAX, digits only. (parse_uint() would
 * wrap around for a maximum this large.)
 */
static int parse_num(const char *what, const char *s, unsigned int min,
		     unsigned int *v, struct xerr *err)
{
	unsigned long long n = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9' && n <= UINT_MAX; p++)
		n = n * 10 + (*p - '0');
	if (!*s || *p || n > UINT_MAX || n < min)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"invalid %s '%s' (expected %u..%u)", what, s,
				min, UINT_MAX);
	*v = (unsigned int)n;
	return 0;
}

static int parse_limit(int argc, char **argv, struct monitor_req *req,
		       struct xerr *err)
{
	struct kwarg kw[] = {
		{ .name = "--rate" }, { .name = "--burst" }, { .name = NULL },
	};
	struct args a;
	int ret;

	ret = args_scan(argc, argv, kw, 0, ARG_OPT_JSON, &a, err);
	if (ret || a.help) {
		req->help = a.help;
		return ret;
	}
	req->json = a.opts & ARG_OPT_JSON;
	req->set_rate = kw[0].value;
	req->set_burst = kw[1].value;
	if (req->set_rate)
		ret = parse_num("rate", kw[0].value, 0, &req->rate, err);
	if (!ret && req->set_burst)
		ret = parse_num("burst", kw[1].value, 0, &req->burst, err);
	return ret;
}

int monitor_parse(int argc, char **argv, struct monitor_req *req,
		  struct xerr *err)
{
	struct kwarg kw[] = {
		{ .name = "--count" }, { .name = "--dev" }, { .name = NULL },
	};
	struct args a;
	int ret;

	memset(req, 0, sizeof(*req));
	if (argc && !strcmp(argv[0], "limit")) {
		req->limit = true;
		return parse_limit(argc - 1, argv + 1, req, err);
	}
	ret = args_scan(argc, argv, kw, 0, ARG_OPT_JSON, &a, err);
	if (ret || a.help) {
		req->help = a.help;
		return ret;
	}
	req->json = a.opts & ARG_OPT_JSON;
	if (kw[0].value)
		ret = parse_num("count", kw[0].value, 1, &req->count, err);
	req->dev = kw[1].value;
	if (!ret && req->dev)
		ret = parse_ifname(req->dev, err);
	return ret;
}

/* ---- names ---- */

static const char *const pol_names[POL_REASON_MAX] = {
	[POL_PASS_RULE] = "pass_rule",
	[POL_PASS_DEFAULT] = "pass_default",
	[POL_PASS_ARP] = "pass_arp",
	[POL_PASS_OTHER] = "pass_other",
	[POL_DROP_RULE] = "drop_rule",
	[POL_DROP_DEFAULT] = "drop_default",
	[POL_DROP_MALFORMED] = "drop_malformed",
	[POL_DROP_EXTHDR] = "drop_exthdr",
};

static const char *const pf_why[PF_REASON_MAX] = {
	[PF_DROP_V4_CIDR] = "IPv4 source in a blocked prefix",
	[PF_DROP_V6_CIDR] = "IPv6 source in a blocked prefix",
	[PF_DROP_V4_EXACT] = "IPv4 source blocked",
	[PF_DROP_V6_EXACT] = "IPv6 source blocked",
	[PF_DROP_ARP_SENDER] = "ARP sender blocked",
	[PF_DROP_MALFORMED] = "truncated or invalid header",
};

static const char *const pol_why[POL_REASON_MAX] = {
	[POL_DROP_RULE] = "a deny rule matched",
	[POL_DROP_DEFAULT] = "no rule matched, default deny",
	[POL_DROP_MALFORMED] = "truncated or invalid header",
	[POL_DROP_EXTHDR] = "too many IPv6 extension headers",
};

/* EDT drops for one reason only; the passes never send events. */
static const char *const edt_names[EDT_REASON_MAX] = {
	[EDT_DROP_HORIZON] = "drop_edt_horizon",
};

static const char *const edt_why[EDT_REASON_MAX] = {
	[EDT_DROP_HORIZON] = "would leave beyond the EDT horizon",
};

static const char *const np_why[NP_REASON_MAX] = {
	[NP_DROP_NO_BACKEND] = "service has no backend",
	[NP_DROP_MALFORMED] = "service flow with a truncated L4 header",
	[NP_DROP_FRAGMENT] = "first fragment of a service flow",
	[NP_DROP_REWRITE] = "the rewrite failed",
	[NP_DROP_XDP_ROUTE] = "XDP flow no longer routed back out of its port",
};

const char *monitor_reason_name(const struct xnic_drop_event *e)
{
	if (e->prog == XNIC_EV_PROG_NODEPORT)
		return np_reason_name(e->reason);
	if (e->prog == XNIC_EV_PROG_PREFILTER)
		return pf_reason_name(e->reason);
	if (e->prog == XNIC_EV_PROG_POLICY && e->reason < POL_REASON_MAX)
		return pol_names[e->reason];
	if (e->prog == XNIC_EV_PROG_EDT && e->reason < EDT_REASON_MAX)
		return edt_names[e->reason];
	return NULL;
}

static const char *reason_why(const struct xnic_drop_event *e)
{
	const char *s = NULL;

	if (e->prog == XNIC_EV_PROG_PREFILTER && e->reason < PF_REASON_MAX)
		s = pf_why[e->reason];
	else if (e->prog == XNIC_EV_PROG_POLICY && e->reason < POL_REASON_MAX)
		s = pol_why[e->reason];
	else if (e->prog == XNIC_EV_PROG_EDT && e->reason < EDT_REASON_MAX)
		s = edt_why[e->reason];
	else if (e->prog == XNIC_EV_PROG_NODEPORT && e->reason < NP_REASON_MAX)
		s = np_why[e->reason];
	return s ? s : "unknown reason";
}

static const char *hook_name(unsigned int hook)
{
	switch (hook) {
	case XNIC_EV_HOOK_XDP:
		return "xdp";
	case XNIC_EV_HOOK_TC_INGRESS:
		return "tc-ingress";
	case XNIC_EV_HOOK_TC_EGRESS:
		return "tc-egress";
	}
	return "unknown";
}

static const char *prog_name(unsigned int prog)
{
	switch (prog) {
	case XNIC_EV_PROG_PREFILTER:
		return "prefilter";
	case XNIC_EV_PROG_POLICY:
		return "policy";
	case XNIC_EV_PROG_EDT:
		return "edt";
	case XNIC_EV_PROG_NODEPORT:
		return "nodeport";
	}
	return "unknown";
}

static const char *family_name(unsigned int family)
{
	switch (family) {
	case XNIC_EV_FAMILY_IPV4:
		return "ipv4";
	case XNIC_EV_FAMILY_IPV6:
		return "ipv6";
	case XNIC_EV_FAMILY_ARP:
		return "arp";
	}
	return NULL;
}

static const char *proto_name(unsigned int proto)
{
	switch (proto) {
	case 1:
		return "icmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 58:
		return "icmpv6";
	}
	return NULL;
}

/* ---- the monitor ---- */

#define NAME_CACHE	16

struct monitor {
	const struct monitor_req *req;
	unsigned int ifindex;	/* --dev, or 0 */
	bool skipping;		/* reading what was queued before the start */
	unsigned long long shown, skipped, odd;
	long long clock_off;	/* CLOCK_REALTIME - CLOCK_MONOTONIC, ns */
	struct {
		unsigned int ifindex;
		char name[IF_NAMESIZE];
	} names[NAME_CACHE];
	unsigned int next_name;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* A device's name, remembered (each lookup is a socket and an ioctl). */
static const char *dev_name(struct monitor *m, unsigned int ifindex)
{
	unsigned int i = m->next_name % NAME_CACHE;
	char name[IF_NAMESIZE];
	int k;

	for (k = 0; k < NAME_CACHE; k++)
		if (m->names[k].ifindex == ifindex)
			return m->names[k].name;
	if (!if_indextoname(ifindex, name))
		return NULL;
	m->names[i].ifindex = ifindex;
	memcpy(m->names[i].name, name, IF_NAMESIZE);
	m->next_name++;
	return m->names[i].name;
}

static void addr_str(const struct xnic_drop_event *e, const __u8 *a,
		     char *out, size_t size)
{
	if (!inet_ntop(e->family == XNIC_EV_FAMILY_IPV6 ? AF_INET6 : AF_INET,
		       a, out, size))
		snprintf(out, size, "?");
}

static void time_str(const struct monitor *m, __u64 ts, bool iso, char *out,
		     size_t size)
{
	long long ns = (long long)ts + m->clock_off;
	time_t sec = ns / 1000000000;
	struct tm tm;
	char buf[32];

	if (iso) {
		gmtime_r(&sec, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(out, size, "%s.%06lldZ", buf, ns % 1000000000 / 1000);
	} else {
		localtime_r(&sec, &tm);
		strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
		snprintf(out, size, "%s.%06lld", buf, ns % 1000000000 / 1000);
	}
}

static void print_text(struct monitor *m, const struct xnic_drop_event *e)
{
	char t[48], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	const char *name = monitor_reason_name(e);
	const char *dev = dev_name(m, e->ifindex);
	const char *proto = proto_name(e->proto);
	bool v6 = e->family == XNIC_EV_FAMILY_IPV6;

	time_str(m, e->ts_ns, false, t, sizeof(t));
	printf("%s %s", t, dev ? dev : "?");
	if (!dev)
		printf("(ifindex %u)", e->ifindex);
	printf(" %s %s ", hook_name(e->hook), prog_name(e->prog));
	if (name)
		printf("%s", name);
	else
		printf("reason %u", e->reason);
	printf(" (%s)", reason_why(e));
	if (e->family == XNIC_EV_FAMILY_ARP) {
		addr_str(e, e->saddr, src, sizeof(src));
		addr_str(e, e->daddr, dst, sizeof(dst));
		printf(" arp %s %s > %s", e->proto == 1 ? "request" :
		       e->proto == 2 ? "reply" : "op", src, dst);
	} else if (e->family) {
		addr_str(e, e->saddr, src, sizeof(src));
		addr_str(e, e->daddr, dst, sizeof(dst));
		if (e->flags & XNIC_EV_F_PORTS)
			printf(v6 ? " [%s]:%u > [%s]:%u" : " %s:%u > %s:%u", src,
			       e->sport, dst, e->dport);
		else
			printf(" %s > %s", src, dst);
		if (proto)
			printf(" %s", proto);
		else
			printf(" proto %u", e->proto);
	} else {
		printf(" ethertype %#06x", e->ethertype);
	}
	if (e->flags & XNIC_EV_F_VLAN)
		printf(" vlan");
	if (e->flags & XNIC_EV_F_RULE)
		printf(" rule %u", e->rule);
	printf(" len %u\n", e->len);
}

static void print_json(struct monitor *m, const struct xnic_drop_event *e)
{
	char t[48], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	bool ip = e->family == XNIC_EV_FAMILY_IPV4 ||
		  e->family == XNIC_EV_FAMILY_IPV6;
	bool ports = e->flags & XNIC_EV_F_PORTS;
	struct json j;

	time_str(m, e->ts_ns, true, t, sizeof(t));
	if (e->family) {
		addr_str(e, e->saddr, src, sizeof(src));
		addr_str(e, e->daddr, dst, sizeof(dst));
	}
	json_init(&j, stdout);
	json_object_begin(&j);
	json_member_string(&j, "time", t);
	json_member_int(&j, "ts_ns", true, (int64_t)e->ts_ns);
	json_member_string(&j, "dev", dev_name(m, e->ifindex));
	json_member_int(&j, "ifindex", true, e->ifindex);
	json_member_string(&j, "hook", hook_name(e->hook));
	json_member_string(&j, "prog", prog_name(e->prog));
	json_member_string(&j, "reason", monitor_reason_name(e));
	json_member_int(&j, "reason_code", true, e->reason);
	json_member_string(&j, "why", reason_why(e));
	json_member_int(&j, "ethertype", true, e->ethertype);
	json_key(&j, "vlan");
	json_bool(&j, e->flags & XNIC_EV_F_VLAN);
	json_member_string(&j, "family", family_name(e->family));
	json_member_string(&j, "src", e->family ? src : NULL);
	json_member_string(&j, "dst", e->family ? dst : NULL);
	json_member_int(&j, "proto", ip, e->proto);
	json_member_int(&j, "arp_op", e->family == XNIC_EV_FAMILY_ARP, e->proto);
	json_member_int(&j, "sport", ports, e->sport);
	json_member_int(&j, "dport", ports, e->dport);
	json_member_int(&j, "rule", e->flags & XNIC_EV_F_RULE, e->rule);
	json_member_int(&j, "len", true, e->len);
	json_object_end(&j);
}

/* ring_buffer callback: < 0 stops reading (the record is consumed). */
#define MONITOR_DONE	(-ECANCELED)

static int on_event(void *ctx, void *data, size_t size)
{
	const struct xnic_drop_event *e = data;
	struct monitor *m = ctx;

	if (m->skipping) {
		m->skipped++;
		return 0;
	}
	/* Another layout (an older or newer program): not ours to print. */
	if (size < sizeof(*e) || e->version != XNIC_EV_VERSION) {
		m->odd++;
		return 0;
	}
	if (m->ifindex && e->ifindex != m->ifindex)
		return 0;
	if (m->req->json)
		print_json(m, e);
	else
		print_text(m, e);
	m->shown++;
	if (m->req->count && m->shown >= m->req->count)
		return MONITOR_DONE;
	return 0;
}

/* ---- maps ---- */

/*
 * Open a pinned drop event map, checking its type and value size.
 * XNIC_EXIT_NOLINK if it is not pinned.
 */
static int open_map(const char *name, __u32 type, __u32 value_size, int *fd,
		    __u32 *id, struct xerr *err)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	char path[PATH_MAX];

	pin_map_path(path, name);
	*fd = bpf_obj_get(path);
	if (*fd < 0)
		return errno == ENOENT ?
		       xerr_set(err, XNIC_EXIT_NOLINK,
				"nothing attached: no %s (attach a program first: xnicctl attach DEV)",
				path) :
		       bpf_error(err, errno, path);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(*fd, &info, &len))
		return bpf_error(err, errno, path);
	if (info.type != type || info.value_size != value_size)
		return xerr_set(err, XNIC_EXIT_SYSTEM,
				"%s is not a %s map of this xnicctl", path,
				name);
	if (id)
		*id = info.id;
	return 0;
}

/* Does any loaded program use map @id? */
static bool map_in_use(__u32 id)
{
	__u32 prog = 0, ids[64], i, n;
	struct bpf_prog_info info;
	bool used = false;
	__u32 len;
	int fd;

	while (!used && !bpf_prog_get_next_id(prog, &prog)) {
		fd = bpf_prog_get_fd_by_id(prog);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		info.nr_map_ids = ARRAY_SIZE(ids);
		info.map_ids = (__u64)(uintptr_t)ids;
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			n = info.nr_map_ids < ARRAY_SIZE(ids) ? info.nr_map_ids :
								ARRAY_SIZE(ids);
			for (i = 0; i < n; i++)
				used |= ids[i] == id;
		}
		close(fd);
	}
	return used;
}

static int read_ev_stats(int fd, struct xnic_ev_stats *sum, struct xerr *err)
{
	int ncpus = libbpf_num_possible_cpus(), i;
	struct xnic_ev_stats *v;
	__u32 key = 0;

	if (ncpus < 0)
		return bpf_error(err, -ncpus, "cannot count the CPUs");
	v = calloc(ncpus, sizeof(*v));
	if (!v)
		return xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(fd, &key, v)) {
		free(v);
		return bpf_error(err, errno, "xnic_ev_stats");
	}
	for (i = 0; i < ncpus; i++) {
		sum->emitted += v[i].emitted;
		sum->rate_limited += v[i].rate_limited;
		sum->ringbuf_full += v[i].ringbuf_full;
	}
	free(v);
	return 0;
}

/* ---- monitor ---- */

static long long clock_offset(void)
{
	struct timespec r, mo;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &mo);
	return (r.tv_sec - mo.tv_sec) * 1000000000LL + (r.tv_nsec - mo.tv_nsec);
}

static void summary(const struct monitor *m, const struct xnic_ev_stats *a,
		    const struct xnic_ev_stats *b)
{
	unsigned long long emitted = b->emitted - a->emitted;
	unsigned long long limited = b->rate_limited - a->rate_limited;
	unsigned long long full = b->ringbuf_full - a->ringbuf_full;
	struct json j;

	if (!m->req->json) {
		fprintf(stderr,
			"%llu event(s) shown, %llu queued before the start skipped\n"
			"while monitoring, the programs sent %llu event(s); %llu were suppressed by the rate limit, %llu lost to a full ring\n",
			m->shown, m->skipped, emitted, limited, full);
		return;
	}
	json_init(&j, stderr);
	json_object_begin(&j);
	json_key(&j, "summary");
	json_object_begin(&j);
	json_member_int(&j, "shown", true, (int64_t)m->shown);
	json_member_int(&j, "skipped", true, (int64_t)m->skipped);
	json_member_int(&j, "emitted", true, (int64_t)emitted);
	json_member_int(&j, "rate_limited", true, (int64_t)limited);
	json_member_int(&j, "ringbuf_full", true, (int64_t)full);
	json_object_end(&j);
	json_object_end(&j);
}

/* Open what monitoring needs, under the lock; nothing is changed. */
static int monitor_open(struct monitor *m, int *ring_fd, int *stats_fd,
			struct xerr *err)
{
	__u32 ring_id = 0;
	int lock, ret;

	ret = pin_lock(false, &lock, err);
	if (ret)
		return ret;
	if (lock < 0) {
		ret = xerr_set(err, XNIC_EXIT_NOLINK,
			       "nothing attached: no %s (attach a program first: xnicctl attach DEV)",
			       PIN_ROOT);
		goto out;
	}
	ret = open_map("xnic_events", BPF_MAP_TYPE_RINGBUF, 0, ring_fd,
		       &ring_id, err);
	if (!ret)
		ret = open_map("xnic_ev_stats", BPF_MAP_TYPE_PERCPU_ARRAY,
			       sizeof(struct xnic_ev_stats), stats_fd, NULL,
			       err);
	if (!ret && !map_in_use(ring_id))
		ret = xerr_set(err, XNIC_EXIT_NOLINK,
			       "nothing attached: no program uses %s/xnic_events (xnicctl attach DEV)",
			       PIN_ROOT);
	if (!ret && m->req->dev) {
		m->ifindex = if_nametoindex(m->req->dev);
		if (!m->ifindex)
			ret = xerr_set(err, XNIC_EXIT_NOLINK,
				       "no such interface '%s'", m->req->dev);
	}
out:
	pin_unlock(lock);
	return ret;
}

static int monitor_run(const struct monitor_req *req, struct xerr *err)
{
	struct monitor m = { .req = req };
	struct xnic_ev_stats before, after;
	struct ring_buffer *rb = NULL;
	int ring_fd = -1, stats_fd = -1, ret, n;
	struct sigaction sa;

	ret = monitor_open(&m, &ring_fd, &stats_fd, err);
	if (!ret)
		ret = read_ev_stats(stats_fd, &before, err);
	if (ret)
		goto out;
	rb = ring_buffer__new(ring_fd, on_event, &m, NULL);
	if (!rb) {
		ret = bpf_error(err, errno, "cannot open the ring buffer");
		goto out;
	}
	/* Live: what waited in the ring since the last reader is stale. */
	m.skipping = true;
	n = ring_buffer__consume(rb);
	m.skipping = false;
	if (n < 0) {
		ret = bpf_error(err, -n, "cannot read the ring buffer");
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: the poll returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A reader at the other end of a pipe sees each event at once. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	m.clock_off = clock_offset();
	while (!stop) {
		n = ring_buffer__poll(rb, 500);
		if (n == MONITOR_DONE)
			break;
		if (n < 0 && n != -EINTR) {
			ret = bpf_error(err, -n, "cannot read the ring buffer");
			goto out;
		}
	}
	/* Stopped by a signal: events already in the ring are shown too. */
	if (stop) {
		n = ring_buffer__consume(rb);
		if (n < 0 && n != MONITOR_DONE) {
			ret = bpf_error(err, -n, "cannot read the ring buffer");
			goto out;
		}
	}
	ret = read_ev_stats(stats_fd, &after, err);
	if (!ret)
		ret = xerr_flush(err);
	if (!ret)
		summary(&m, &before, &after);
out:
	ring_buffer__free(rb);
	if (ring_fd >= 0)
		close(ring_fd);
	if (stats_fd >= 0)
		close(stats_fd);
	return ret;
}

/* ---- monitor limit ---- */

static int limit_run(const struct monitor_req *req, struct xerr *err)
{
	struct xnic_ev_config cfg = { 0 };
	struct xnic_ev_stats st = { 0 };
	int lock, cfg_fd = -1, st_fd = -1, ret;
	bool set = req->set_rate || req->set_burst;
	__u32 key = 0, rate, burst;
	struct pfobj o;
	struct json j;

	ret = pin_lock(set, &lock, err);
	if (ret)
		return ret;
	ret = lock < 0 ? XNIC_EXIT_NOLINK :
	      open_map("xnic_ev_config", BPF_MAP_TYPE_ARRAY, sizeof(cfg),
		       &cfg_fd, NULL, err);
	/* Like the blocklists, the limit can be set before any attach. */
	if (ret == XNIC_EXIT_NOLINK && set) {
		if (cfg_fd >= 0)
			close(cfg_fd);
		ret = pfobj_load(&o, NULL, err);
		if (!ret) {
			pfobj_close(&o);
			ret = open_map("xnic_ev_config", BPF_MAP_TYPE_ARRAY,
				       sizeof(cfg), &cfg_fd, NULL, err);
		}
	}
	if (ret == XNIC_EXIT_NOLINK && !set) {
		ret = 0;	/* nothing pinned: the defaults, nothing counted */
	} else if (!ret) {
		if (bpf_map_lookup_elem(cfg_fd, &key, &cfg))
			ret = bpf_error(err, errno, "xnic_ev_config");
		if (!ret && req->set_rate)
			cfg.rate = req->rate;
		if (!ret && req->set_burst)
			cfg.burst = req->burst;
		if (!ret && set &&
		    bpf_map_update_elem(cfg_fd, &key, &cfg, BPF_ANY))
			ret = bpf_error(err, errno, "cannot set the limit");
		if (!ret)
			ret = open_map("xnic_ev_stats", BPF_MAP_TYPE_PERCPU_ARRAY,
				       sizeof(st), &st_fd, NULL, err);
		if (!ret)
			ret = read_ev_stats(st_fd, &st, err);
	}
	pin_unlock(lock);
	if (cfg_fd >= 0)
		close(cfg_fd);
	if (st_fd >= 0)
		close(st_fd);
	if (ret)
		return ret;
	rate = cfg.rate ? cfg.rate : XNIC_EV_RATE_DEFAULT;
	burst = cfg.burst ? cfg.burst : XNIC_EV_BURST_DEFAULT;
	if (!req->json) {
		if (rate > 1000000000)
			printf("rate unlimited");
		else
			printf("rate %u/s%s", rate, cfg.rate ? "" : " (default)");
		printf(" burst %u%s per CPU\n", burst,
		       cfg.burst ? "" : " (default)");
		printf("events emitted %llu, rate-limited %llu, lost to a full ring %llu\n",
		       (unsigned long long)st.emitted,
		       (unsigned long long)st.rate_limited,
		       (unsigned long long)st.ringbuf_full);
		return xerr_flush(err);
	}
	json_init(&j, stdout);
	json_object_begin(&j);
	json_member_int(&j, "rate", true, cfg.rate);
	json_member_int(&j, "burst", true, cfg.burst);
	json_member_int(&j, "effective_rate", true, rate);
	json_member_int(&j, "effective_burst", true, burst);
	json_member_int(&j, "emitted", true, (int64_t)st.emitted);
	json_member_int(&j, "rate_limited", true, (int64_t)st.rate_limited);
	json_member_int(&j, "ringbuf_full", true, (int64_t)st.ringbuf_full);
	json_object_end(&j);
	return xerr_flush(err);
}

int monitor_main(int argc, char **argv)
{
	struct monitor_req req;
	struct xerr err;
	int ret;

	ret = monitor_parse(argc, argv, &req, &err);
	if (!ret && req.help)
		return args_help(monitor_usage);
	if (!ret)
		ret = req.limit ? limit_run(&req, &err) :
				  monitor_run(&req, &err);
	if (ret)
		xerr_print(req.limit ? "monitor limit" : "monitor", &err);
	return ret;
}
