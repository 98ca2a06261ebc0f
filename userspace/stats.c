// SPDX-License-Identifier: GPL-2.0
/* `xnicctl stats` (see stats.h). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "json.h"
#include "parse.h"
#include "pfobj.h"
#include "pin.h"
#include "prefilter.h"	/* bpf/: enum pf_reason, struct pf_stat */
#include "stats.h"
#include "xnicctl.h"

static const char help_stats[] =
"stats [DEV] [--json]\n"
"    The prefilter's counters of DEV (default: every device it was ever\n"
"    attached to), one line per reason: DEV, REASON, PACKETS, BYTES\n"
"    (frame bytes as XDP saw them), summed over CPUs. Each device has\n"
"    its own counters; they survive detach and re-attach. Reasons:\n"
"    pass_ipv4, pass_ipv6, pass_arp, pass_other (not inspected),\n"
"    drop_v4_cidr, drop_v6_cidr, drop_v4_exact, drop_v6_exact,\n"
"    drop_arp_sender, drop_malformed.\n"
"      --json            [{dev, reasons: [{reason, verdict, packets,\n"
"                        bytes}]}]\n";

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

void stats_usage(FILE *out)
{
	fprintf(out, "\nxnicctl %s", help_stats);
}

int stats_parse(int argc, char **argv, struct stats_req *req,
		struct xerr *err)
{
	struct kwarg none = { .name = NULL };
	struct args a;
	int ret;

	memset(req, 0, sizeof(*req));
	ret = args_scan(argc, argv, &none, 1, ARG_OPT_JSON, &a, err);
	if (ret || a.help) {
		req->help = a.help;
		return ret;
	}
	req->json = a.opts & ARG_OPT_JSON;
	req->dev = a.npos ? a.pos[0] : NULL;
	return req->dev ? parse_ifname(req->dev, err) : 0;
}

/* Sum one device's per-CPU counters into @sum. */
static int read_stats(const char *dev, struct pf_stat sum[PF_REASON_MAX],
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
		return errno == ENOENT ?
		       xerr_set(err, XNIC_EXIT_NOLINK,
				"no counters for '%s' (the prefilter was never attached to it)",
				dev) :
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

static void print_dev(const char *dev, const struct pf_stat *sum,
		      struct json *j)
{
	unsigned int r;

	if (!j) {
		for (r = 0; r < PF_REASON_MAX; r++)
			printf("%-15s %-16s %12llu %14llu\n", dev,
			       reason_names[r],
			       (unsigned long long)sum[r].packets,
			       (unsigned long long)sum[r].bytes);
		return;
	}
	json_object_begin(j);
	json_key(j, "dev");
	json_string(j, dev);
	json_key(j, "reasons");
	json_array_begin(j);
	for (r = 0; r < PF_REASON_MAX; r++) {
		json_object_begin(j);
		json_key(j, "reason");
		json_string(j, reason_names[r]);
		json_key(j, "verdict");
		json_string(j, PF_REASON_IS_DROP(r) ? "drop" : "pass");
		json_key(j, "packets");
		json_int(j, sum[r].packets);
		json_key(j, "bytes");
		json_int(j, sum[r].bytes);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

struct dev_stats {
	const char *dev;
	struct pf_stat sum[PF_REASON_MAX];
};

/* Every device's counters, read before anything is printed. */
static int read_all(const struct stats_req *req, struct dirent **names,
		    int n, struct dev_stats *v, int *nv, struct xerr *err)
{
	int i, ret;

	*nv = 0;
	if (req->dev) {
		v[0].dev = req->dev;
		*nv = 1;
		return read_stats(req->dev, v[0].sum, err);
	}
	for (i = 0; i < n; i++) {
		v[*nv].dev = names[i]->d_name;
		ret = read_stats(v[*nv].dev, v[*nv].sum, err);
		if (ret == XNIC_EXIT_NOLINK)
			continue;	/* a directory without counters */
		if (ret)
			return ret;
		(*nv)++;
	}
	return 0;
}

static void print_all(const struct dev_stats *v, int n, bool json)
{
	struct json j;
	int i;

	if (!json) {
		printf("%-15s %-16s %12s %14s\n", "DEV", "REASON", "PACKETS",
		       "BYTES");
		for (i = 0; i < n; i++)
			print_dev(v[i].dev, v[i].sum, NULL);
		return;
	}
	json_init(&j, stdout);
	json_array_begin(&j);
	for (i = 0; i < n; i++)
		print_dev(v[i].dev, v[i].sum, &j);
	json_array_end(&j);
}

static int run(const struct stats_req *req, struct xerr *err)
{
	struct dirent **names = NULL;
	struct dev_stats *v = NULL;
	int lock, ret, n = 0, nv = 0;

	ret = pin_lock(false, &lock, err);
	if (ret)
		return ret;
	ret = req->dev ? 0 : pin_dev_list(&names, &n, err);
	if (ret)
		goto out;
	v = calloc(n + 1, sizeof(*v));
	if (!v) {
		ret = xerr_set(err, XNIC_EXIT_SYSTEM, "out of memory");
		goto out;
	}
	ret = read_all(req, names, n, v, &nv, err);
	if (!ret)
		print_all(v, nv, req->json);
out:
	free(v);
	pin_dev_list_free(names, n);
	pin_unlock(lock);
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
