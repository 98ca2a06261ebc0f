// SPDX-License-Identifier: GPL-2.0
/* The Prometheus text format of `stats` (see prom.h). */
#include <stdbool.h>

#include "limit.h"		/* struct limit_cg_stat */
#include "prom.h"
#include "service_cmd.h"	/* struct svc_stat */
#include "stats.h"
#include "tcattach.h"		/* pol_dir_name() */

/* A label value, escaped as the format asks: backslash, quote, newline. */
static void label(FILE *out, const char *name, const char *value, bool first)
{
	const char *c;

	fprintf(out, "%s%s=\"", first ? "" : ",", name);
	for (c = value; *c; c++) {
		if (*c == '\\' || *c == '"')
			fprintf(out, "\\%c", *c);
		else if (*c == '\n')
			fputs("\\n", out);
		else
			fputc(*c, out);
	}
	fputc('"', out);
}

static void family(FILE *out, const char *name, const char *type,
		   const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The labels every device counter starts with. */
static void dev_labels(FILE *out, const char *metric, const char *dev,
		       const char *dir)
{
	fprintf(out, "%s{", metric);
	label(out, "dev", dev, true);
	if (dir)
		label(out, "direction", dir, false);
}

static void prefilter(FILE *out, const struct stats_sample *sm, bool bytes)
{
	const char *m = bytes ? "xnic_prefilter_bytes_total" :
				"xnic_prefilter_packets_total";
	unsigned int k;
	int i;

	family(out, m, "counter", bytes ?
	       "Frame bytes the XDP prefilter counted, by device and reason." :
	       "Packets the XDP prefilter counted, by device and reason.");
	for (i = 0; i < sm->n; i++) {
		const struct dev_stats *s = &sm->v[i];

		for (k = 0; s->has_pf && k < PF_REASON_MAX; k++) {
			dev_labels(out, m, s->dev, NULL);
			label(out, "reason", pf_reason_name(k), false);
			label(out, "verdict",
			      PF_REASON_IS_DROP(k) ? "drop" : "pass", false);
			fprintf(out, "} %llu\n", (unsigned long long)
				(bytes ? s->pf[k].bytes : s->pf[k].packets));
		}
	}
}

static void policy(FILE *out, const struct stats_sample *sm, bool bytes)
{
	const char *m = bytes ? "xnic_policy_bytes_total" :
				"xnic_policy_packets_total";
	unsigned int k, r;
	int i;

	family(out, m, "counter", bytes ?
	       "Bytes the tc policy counted, by device, direction and reason." :
	       "Packets the tc policy counted, by device, direction and reason.");
	for (i = 0; i < sm->n; i++) {
		const struct dev_stats *s = &sm->v[i];

		for (k = 0; s->has_pol && k < STATS_POL_N; k++) {
			r = k % POL_REASON_MAX;
			dev_labels(out, m, s->dev,
				   pol_dir_name(k / POL_REASON_MAX));
			label(out, "reason", pol_reason_name(r), false);
			label(out, "verdict",
			      POL_REASON_IS_DROP(r) ? "drop" : "pass", false);
			fprintf(out, "} %llu\n", (unsigned long long)
				(bytes ? s->pol[k].bytes : s->pol[k].packets));
		}
	}
}

static void value(FILE *out, const struct pol_stat *st, bool bytes)
{
	fprintf(out, "} %llu\n",
		(unsigned long long)(bytes ? st->bytes : st->packets));
}

static void meta(FILE *out, const struct stats_sample *sm, bool bytes)
{
	const char *m = bytes ? "xnic_policy_meta_bytes_total" :
				"xnic_policy_meta_packets_total";
	unsigned int d;
	int i;

	family(out, m, "counter",
	       "Frames tc saw with the prefilter's metadata (seen) and with "
	       "metadata that disagreed with the packet (mismatch).");
	for (i = 0; i < sm->n; i++) {
		const struct dev_stats *s = &sm->v[i];

		for (d = 0; s->has_pol && d < POL_DIRS; d++) {
			dev_labels(out, m, s->dev, pol_dir_name(d));
			label(out, "counter", "seen", false);
			value(out, &s->meta[d].seen, bytes);
			dev_labels(out, m, s->dev, pol_dir_name(d));
			label(out, "counter", "mismatch", false);
			value(out, &s->meta[d].mismatch, bytes);
		}
	}
}

static void redirects(FILE *out, const struct stats_sample *sm, bool bytes)
{
	const char *m = bytes ? "xnic_redirect_bytes_total" :
				"xnic_redirect_packets_total";
	char index[16];
	unsigned int d, r;
	int i;

	family(out, m, "counter",
	       "Packets each redirect in use sent to its target (redirected) "
	       "or let go on their way with the target gone (gone).");
	for (i = 0; i < sm->n; i++) {
		const struct dev_stats *s = &sm->v[i];

		for (d = 0; s->has_pol && d < POL_DIRS; d++) {
			for (r = 0; r < s->nredir[d]; r++) {
				snprintf(index, sizeof(index), "%u", r);
				dev_labels(out, m, s->dev, pol_dir_name(d));
				label(out, "index", index, false);
				label(out, "counter", "redirected", false);
				value(out, &s->redir[d][r].redirected, bytes);
				dev_labels(out, m, s->dev, pol_dir_name(d));
				label(out, "index", index, false);
				label(out, "counter", "gone", false);
				value(out, &s->redir[d][r].gone, bytes);
			}
		}
	}
}

static void services(FILE *out, const struct stats_sample *sm)
{
	static const char *const names[] = {
		"xnic_service_selected_total", "xnic_service_no_backend_total",
	};
	static const char *const helps[] = {
		"Connections and datagrams the socket load balancer sent to a "
		"backend of the service.",
		"Connections and datagrams refused since the service had no "
		"backend.",
	};
	char svc[SVC_STR_MAX];
	size_t f, i;

	for (f = 0; f < 2; f++) {
		family(out, names[f], "counter", helps[f]);
		for (i = 0; i < sm->nsvc; i++) {
			svc_format(&sm->svc[i].vip, sm->svc[i].proto, svc);
			fprintf(out, "%s{", names[f]);
			label(out, "service", svc, true);
			fprintf(out, "} %llu\n", (unsigned long long)
				(f ? sm->svc[i].st.no_backend :
				     sm->svc[i].st.selected));
		}
	}
}

static void backends(FILE *out, const struct stats_sample *sm, bool weight)
{
	const char *m = weight ? "xnic_backend_weight" :
				 "xnic_backend_selected_total";
	char svc[SVC_STR_MAX], be[SVC_STR_MAX];
	const struct svc_be_stat *b;
	size_t i, k;

	family(out, m, weight ? "gauge" : "counter", weight ?
	       "The backend's weight in its service (1..100)." :
	       "Connections and datagrams the load balancer sent to the "
	       "backend.");
	for (i = 0; i < sm->nsvc; i++) {
		svc_format(&sm->svc[i].vip, sm->svc[i].proto, svc);
		for (k = 0; k < sm->svc[i].nbe; k++) {
			b = &sm->svc[i].be[k];
			svc_format(&b->ep, 0, be);
			fprintf(out, "%s{", m);
			label(out, "service", svc, true);
			label(out, "backend", be, false);
			fprintf(out, "} %llu\n", (unsigned long long)
				(weight ? b->ep.weight : b->selected));
		}
	}
}

enum shaping_metric {
	SHP_M_ESTABLISHED, SHP_M_LIVE, SHP_M_RTT, SHP_M_RATE, SHP_M_MAX
};

static const struct {
	const char *name, *type, *help;
} shaping_families[SHP_M_MAX] = {
	[SHP_M_ESTABLISHED] = { "xnic_shaping_established_total", "counter",
		"TCP connections of the cgroup established under the rule." },
	[SHP_M_LIVE] = { "xnic_shaping_live_connections", "gauge",
		"TCP connections of the cgroup under the rule now open." },
	[SHP_M_RTT] = { "xnic_shaping_rtt_mean_microseconds", "gauge",
		"Mean smoothed RTT at establishment (absent before the first)." },
	[SHP_M_RATE] = { "xnic_shaping_rate_bytes_per_second", "gauge",
		"The rule's pacing rate (absent for a default of none)." },
};

static void shaping(FILE *out, const struct stats_sample *sm,
		    enum shaping_metric f)
{
	const struct limit_cg_stat *c;
	const struct shp_cg_stat *st;
	char rule[80];
	long long v;
	unsigned int k;
	size_t i;
	__u64 rate;
	bool have;

	family(out, shaping_families[f].name, shaping_families[f].type,
	       shaping_families[f].help);
	for (i = 0; i < sm->ncg; i++) {
		c = &sm->cg[i];
		for (k = 0; k <= SHP_CG_RULES; k++) {
			rate = k ? c->pol.rule[k - 1].rate : c->pol.rate;
			if (k && !rate)
				continue;	/* an empty rule slot */
			st = &c->st[k];
			have = true;
			if (f == SHP_M_ESTABLISHED) {
				v = (long long)st->established;
			} else if (f == SHP_M_LIVE) {
				v = st->live;
			} else if (f == SHP_M_RTT) {
				v = limit_rtt_mean_us(st);
				have = v >= 0;
			} else {
				v = (long long)rate;
				have = rate;
			}
			if (!have)
				continue;
			limit_rule_desc(&c->pol, k, rule, sizeof(rule));
			fprintf(out, "%s{", shaping_families[f].name);
			label(out, "cgroup", c->path[0] ? c->path : "?", true);
			label(out, "rule", rule, false);
			fprintf(out, "} %lld\n", v);
		}
	}
}

void stats_prometheus(FILE *out, const struct stats_sample *sm)
{
	unsigned int f;

	prefilter(out, sm, false);
	prefilter(out, sm, true);
	policy(out, sm, false);
	policy(out, sm, true);
	meta(out, sm, false);
	meta(out, sm, true);
	redirects(out, sm, false);
	redirects(out, sm, true);
	services(out, sm);
	backends(out, sm, false);
	backends(out, sm, true);
	for (f = 0; f < SHP_M_MAX; f++)
		shaping(out, sm, f);
}
