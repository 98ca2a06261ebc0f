// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of `xnicctl stats --prometheus` (userspace/prom.c): a
 * sample built here, printed in the text exposition format and checked
 * line by line against the format's rules (HELP, then TYPE, then the
 * family's samples, each family once; label values escaped), and for
 * the figures of the sample. Pure: nothing here touches a map.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "limit.h"
#include "prom.h"
#include "service_cmd.h"
#include "stats.h"
#include "xnicctl.h"

static char *out;

static void print(const struct stats_sample *sm)
{
	size_t len;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	stats_prometheus(f, sm);
	fclose(f);
}

static struct dev_stats dev[2];
static struct svc_stat svc;
static struct limit_cg_stat cg;

/*
 * pf0: the prefilter only, with a name that needs escaping; tb: a
 * policy with one ingress redirect.
 */
static struct stats_sample *sample(void)
{
	static struct stats_sample sm;
	struct xerr err;

	memset(dev, 0, sizeof(dev));
	snprintf(dev[0].dev, sizeof(dev[0].dev), "p\"f\\0");
	dev[0].has_pf = true;
	dev[0].pf[PF_PASS_IPV4] = (struct pf_stat){ 4, 400 };
	dev[0].pf[PF_DROP_V4_CIDR] = (struct pf_stat){ 6, 360 };
	snprintf(dev[1].dev, sizeof(dev[1].dev), "tb");
	dev[1].has_pol = true;
	dev[1].pol[POL_STAT_KEY(POL_EGRESS, POL_DROP_RULE)] =
		(struct pol_stat){ 7, 700 };
	dev[1].meta[POL_INGRESS].mismatch = (struct pol_stat){ 1, 100 };
	dev[1].nredir[POL_INGRESS] = 1;
	dev[1].redir[POL_INGRESS][0].gone = (struct pol_stat){ 2, 200 };

	memset(&svc, 0, sizeof(svc));
	assert_int_equal(svc_parse_service("10.96.0.1:80/tcp", &svc.vip,
					   &svc.proto, &err), 0);
	svc.st.selected = 30;
	svc.nbe = 1;
	assert_int_equal(svc_parse_backend("10.0.0.1:8080,weight=2",
					   &svc.be[0].ep, &err), 0);
	svc.be[0].selected = 30;

	fixture_cgroup(&cg);
	cg.st[3].live = -1;	/* closed before counted: shown as it is */

	sm = (struct stats_sample){ .v = dev, .n = 2, .svc = &svc, .nsvc = 1,
				    .cg = &cg, .ncg = 1 };
	return &sm;
}

static void has(const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (!strstr(out, want))
		fail_msg("no line '%s' in:\n%s", line, out);
}

static void test_figures(void **state)
{
	(void)state;
	print(sample());
	has("xnic_prefilter_packets_total{dev=\"p\\\"f\\\\0\",reason=\"pass_ipv4\",verdict=\"pass\"} 4");
	has("xnic_prefilter_bytes_total{dev=\"p\\\"f\\\\0\",reason=\"drop_v4_cidr\",verdict=\"drop\"} 360");
	has("xnic_policy_packets_total{dev=\"tb\",direction=\"egress\",reason=\"drop_rule\",verdict=\"drop\"} 7");
	has("xnic_policy_meta_bytes_total{dev=\"tb\",direction=\"ingress\",counter=\"mismatch\"} 100");
	has("xnic_redirect_packets_total{dev=\"tb\",direction=\"ingress\",index=\"0\",counter=\"gone\"} 2");
	has("xnic_service_selected_total{service=\"10.96.0.1:80/tcp\"} 30");
	has("xnic_service_no_backend_total{service=\"10.96.0.1:80/tcp\"} 0");
	has("xnic_backend_weight{service=\"10.96.0.1:80/tcp\",backend=\"10.0.0.1:8080\"} 2");
	has("xnic_shaping_established_total{cgroup=\"/sys/fs/cgroup/lim\",rule=\"port 5201\"} 5");
	has("xnic_shaping_live_connections{cgroup=\"/sys/fs/cgroup/lim\",rule=\"port 5201\"} -1");
	has("xnic_shaping_rtt_mean_microseconds{cgroup=\"/sys/fs/cgroup/lim\",rule=\"default\"} 100");
	has("xnic_shaping_rate_bytes_per_second{cgroup=\"/sys/fs/cgroup/lim\",rule=\"default\"} 2500000");
	/* No RTT sample yet: no figure made up. */
	assert_null(strstr(out, "rtt_mean_microseconds{cgroup=\"/sys/fs/cgroup/lim\",rule=\"port"));
	/* Only the device with a policy has policy counters. */
	assert_null(strstr(out, "xnic_policy_packets_total{dev=\"p"));
	free(out);
}

/*
 * The format's rules: every line a HELP, a TYPE or a sample; HELP and
 * TYPE name the family the samples after them belong to; no family
 * twice; every family typed counter (ending _total) or gauge.
 */
static void check_format(void)
{
	regex_t sample_re;
	char family[128] = "", seen[4096] = " ", name[128], *line, *save;
	char *copy = strdup(out);
	int samples = 0;

	assert_non_null(copy);
	assert_int_equal(regcomp(&sample_re,
				 "^[a-z_]+\\{([a-z_]+=\"([^\"\\\\]|\\\\.)*\",?)+\\} -?[0-9]+$",
				 REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(out[strlen(out) - 1], '\n');
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char type[16], key[136];

		if (sscanf(line, "# HELP %127s", name) == 1) {
			snprintf(key, sizeof(key), " %s ", name);
			if (strstr(seen, key))
				fail_msg("family %s twice", name);
			strcat(seen, key + 1);
			strcpy(family, name);
			continue;
		}
		if (sscanf(line, "# TYPE %127s %15s", name, type) == 2) {
			assert_string_equal(name, family);
			size_t n = strlen(name);
			bool total = n > 6 && !strcmp(name + n - 6, "_total");

			assert_string_equal(type, total ? "counter" : "gauge");
			continue;
		}
		if (regexec(&sample_re, line, 0, NULL, 0))
			fail_msg("not a sample line: '%s'", line);
		if (strncmp(line, family, strlen(family)) ||
		    line[strlen(family)] != '{')
			fail_msg("'%s' is not of family %s", line, family);
		samples++;
	}
	assert_true(samples > 0);
	regfree(&sample_re);
	free(copy);
}

static void test_format(void **state)
{
	(void)state;
	print(sample());
	check_format();
	free(out);
}

/* The HELP and TYPE lines of the output, in order. */
static char *headers(void)
{
	char *h = calloc(1, strlen(out) + 1);
	const char *p, *end;

	assert_non_null(h);
	for (p = out; *p; p = end + 1) {
		end = strchr(p, '\n');
		if (*p == '#')
			strncat(h, p, end - p + 1);
	}
	return h;
}

/* Nothing pinned: the same families announced, with no samples. */
static void test_empty(void **state)
{
	struct stats_sample none = { 0 };
	char *full;

	(void)state;
	print(sample());
	full = headers();
	free(out);
	print(&none);
	assert_string_equal(out, full);
	assert_non_null(strstr(out, "# TYPE xnic_shaping_live_connections gauge\n"));
	free(full);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_figures),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests_name("prom", tests, NULL, NULL);
}
