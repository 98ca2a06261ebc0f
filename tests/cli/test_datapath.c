// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the datapath commands' parsers: prefilter, arp-block
 * (userspace/blocklist.c: arguments, the map each entry goes to and its
 * key layout), attach/detach (attach.c) and stats (stats.c: its
 * arguments, and how it prints counters it was given). Pure: nothing
 * here touches a map or a device.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "blocklist.h"
#include "prefilter.h"
#include "stats.h"
#include "xnicctl.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__ })
#define ARGC(...) ((int)ARRAY_SIZE(ARGV(__VA_ARGS__)))
#define BL(kind, ...) bl_parse(kind, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))
#define BL_BAD(kind, msg, ...) \
	bl_bad(kind, msg, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static struct bl_req req;

static void bl_parse(enum bl_kind kind, int argc, char **argv)
{
	struct xerr err;

	blocklist_free(&req);
	if (blocklist_parse(kind, argc, argv, &req, &err))
		fail_msg("refused: %s", err.msg);
}

static void bl_bad(enum bl_kind kind, const char *msg, int argc, char **argv)
{
	struct xerr err;

	blocklist_free(&req);
	assert_int_equal(blocklist_parse(kind, argc, argv, &req, &err),
			 XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, msg);
}

static int teardown(void **state)
{
	(void)state;
	blocklist_free(&req);
	return 0;
}

static void test_prefilter_add(void **state)
{
	(void)state;
	BL(BL_PREFILTER, "add", "10.0.0.0/8", "192.0.2.1", "2001:db8::/32",
	   "2001:db8::1");
	assert_int_equal(req.op, BL_ADD);
	assert_int_equal(req.n, 4);
	assert_int_equal(req.v[0].map, PF_MAP_V4_LPM);
	assert_int_equal(req.v[1].map, PF_MAP_V4_EXACT);
	assert_int_equal(req.v[2].map, PF_MAP_V6_LPM);
	assert_int_equal(req.v[3].map, PF_MAP_V6_EXACT);
	assert_string_equal(req.v[2].arg, "2001:db8::/32");
	BL(BL_PREFILTER, "del", "0.0.0.0/0");
	assert_int_equal(req.op, BL_DEL);
	assert_int_equal(req.n, 1);
}

/* One bad word anywhere refuses the whole command. */
static void test_prefilter_bad(void **state)
{
	(void)state;
	BL_BAD(BL_PREFILTER, "missing PREFIX", "add");
	BL_BAD(BL_PREFILTER,
	       "invalid prefix '10.0.0.1/8' (host bits set: did you mean 10.0.0.0/8?)",
	       "add", "192.0.2.1", "10.0.0.1/8");
	BL_BAD(BL_PREFILTER,
	       "invalid prefix '192.0.2.0/33' (length must be 0..32)",
	       "del", "192.0.2.0/33", "192.0.2.1");
	BL_BAD(BL_PREFILTER,
	       "invalid prefix 'bogus' (expected an IPv4 or IPv6 address, optionally /LEN)",
	       "add", "192.0.2.1", "bogus");
	BL_BAD(BL_PREFILTER, "unknown option '--json'", "add", "--json");
	BL_BAD(BL_PREFILTER, "unknown subcommand 'show' (try 'xnicctl prefilter --help')",
	       "show");
	BL_BAD(BL_PREFILTER, "unknown keyword '192.0.2.1'", "list",
	       "192.0.2.1");
	assert_string_equal(blocklist_ctx(BL_PREFILTER, BL_ADD),
			    "prefilter add");
	assert_string_equal(blocklist_ctx(BL_ARP, BL_NONE), "arp-block");
}

static void test_duplicates(void **state)
{
	(void)state;
	BL_BAD(BL_PREFILTER, "duplicate entry '192.0.2.1'",
	       "add", "192.0.2.1", "10.0.0.0/8", "192.0.2.1");
	BL_BAD(BL_PREFILTER, "duplicate entry '192.0.2.1/32' (same as '192.0.2.1')",
	       "add", "192.0.2.1", "192.0.2.1/32");
	BL_BAD(BL_PREFILTER, "duplicate entry '0::1' (same as '::1')",
	       "del", "::1", "0::1");
	BL_BAD(BL_PREFILTER,
	       "duplicate entry '2001:DB8::/32' (same as '2001:db8:0::/32')",
	       "add", "2001:db8:0::/32", "2001:DB8::/32");
	/* Same address, other length: two entries. */
	BL(BL_PREFILTER, "add", "10.0.0.0/8", "10.0.0.0/16", "10.0.0.0");
	assert_int_equal(req.n, 3);
}

static void test_arp(void **state)
{
	(void)state;
	BL(BL_ARP, "add", "192.0.2.7", "192.0.2.8");
	assert_int_equal(req.n, 2);
	assert_int_equal(req.v[0].map, PF_MAP_ARP);
	assert_int_equal(req.v[1].map, PF_MAP_ARP);
	BL_BAD(BL_ARP, "missing ADDR", "del");
	BL_BAD(BL_ARP,
	       "invalid address '192.0.2.0/24' (expected an IPv4 address, e.g. 192.0.2.1)",
	       "add", "192.0.2.0/24");
	BL_BAD(BL_ARP,
	       "invalid address '2001:db8::1' (expected an IPv4 address, e.g. 192.0.2.1)",
	       "add", "192.0.2.7", "2001:db8::1");
	BL_BAD(BL_ARP, "duplicate entry '192.0.2.7'", "add", "192.0.2.7",
	       "192.0.2.7");
}

static void test_list_and_help(void **state)
{
	(void)state;
	BL(BL_ARP, "list");
	assert_int_equal(req.op, BL_LIST);
	assert_false(req.json);
	BL(BL_PREFILTER, "list", "--json");
	assert_true(req.json);
	BL(BL_PREFILTER, "add", "bogus", "--help");
	assert_true(req.help);
	assert_int_equal(req.op, BL_ADD);
	bl_bad(BL_PREFILTER, "missing subcommand (try 'xnicctl prefilter --help')",
	       0, NULL);
}

/* Single addresses to the hashes, shorter prefixes to the tries. */
static void test_maps(void **state)
{
	static const struct {
		const char *s;
		enum pf_map map;
	} cases[] = {
		{ "192.0.2.1", PF_MAP_V4_EXACT },
		{ "192.0.2.1/32", PF_MAP_V4_EXACT },
		{ "192.0.2.0/31", PF_MAP_V4_LPM },
		{ "0.0.0.0/0", PF_MAP_V4_LPM },
		{ "2001:db8::1", PF_MAP_V6_EXACT },
		{ "2001:db8::1/128", PF_MAP_V6_EXACT },
		{ "2001:db8::/127", PF_MAP_V6_LPM },
		{ "::/0", PF_MAP_V6_LPM },
	};
	struct prefix p;
	struct xerr err;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(parse_prefix(cases[i].s, &p, &err), 0);
		assert_int_equal(blocklist_map(BL_PREFILTER, &p), cases[i].map);
		assert_int_equal(blocklist_map(BL_ARP, &p), PF_MAP_ARP);
	}
}

/* Keys as bpf/prefilter.h lays them out, and back. */
static void test_keys(void **state)
{
	static const unsigned char v4[] = { 198, 51, 100, 0 };
	unsigned char key[BL_KEY_MAX];
	struct pf_v4_lpm_key k4;
	struct pf_v6_lpm_key k6;
	struct prefix p, back;
	struct xerr err;

	(void)state;
	assert_int_equal(parse_prefix("198.51.100.0/24", &p, &err), 0);
	assert_int_equal(blocklist_key(PF_MAP_V4_LPM, &p, key), sizeof(k4));
	memcpy(&k4, key, sizeof(k4));
	assert_int_equal(k4.prefixlen, 24);	/* host order */
	assert_memory_equal(&k4.addr, v4, 4);
	blocklist_prefix(PF_MAP_V4_LPM, key, &back);
	assert_true(prefix_equal(&p, &back));

	assert_int_equal(parse_prefix("198.51.100.0", &p, &err), 0);
	assert_int_equal(blocklist_key(PF_MAP_V4_EXACT, &p, key), 4);
	assert_memory_equal(key, v4, 4);
	blocklist_prefix(PF_MAP_V4_EXACT, key, &back);
	assert_true(prefix_equal(&p, &back));

	assert_int_equal(parse_prefix("2001:db8::/32", &p, &err), 0);
	assert_int_equal(blocklist_key(PF_MAP_V6_LPM, &p, key), sizeof(k6));
	memcpy(&k6, key, sizeof(k6));
	assert_int_equal(k6.prefixlen, 32);
	assert_memory_equal(&k6.addr, p.addr, 16);
	blocklist_prefix(PF_MAP_V6_LPM, key, &back);
	assert_true(prefix_equal(&p, &back));

	assert_int_equal(parse_prefix("2001:db8::1", &p, &err), 0);
	assert_int_equal(blocklist_key(PF_MAP_V6_EXACT, &p, key), 16);
	assert_memory_equal(key, p.addr, 16);
	blocklist_prefix(PF_MAP_V6_EXACT, key, &back);
	assert_true(prefix_equal(&p, &back));
}

static void test_attach(void **state)
{
	struct attach_req r;
	struct xerr err;

	(void)state;
	assert_int_equal(attach_parse(false, ARGC("xnic0"), ARGV("xnic0"), &r, &err), 0);
	assert_string_equal(r.dev, "xnic0");
	assert_int_equal(r.mode, XDP_MODE_NATIVE);
	assert_false(r.detach);
	assert_int_equal(attach_parse(false, ARGC("--xdp", "generic", "veth0"),
				ARGV("--xdp", "generic", "veth0"), &r, &err), 0);
	assert_int_equal(r.mode, XDP_MODE_GENERIC);
	assert_string_equal(r.dev, "veth0");
	assert_int_equal(attach_parse(false, ARGC("xnic0", "--xdp", "off"),
				ARGV("xnic0", "--xdp", "off"), &r, &err), 0);
	assert_true(r.detach);
	assert_int_equal(attach_parse(true, ARGC("xnic0"), ARGV("xnic0"), &r, &err), 0);
	assert_true(r.detach);
}

static void attach_bad(bool detach, int argc, char **argv, const char *msg)
{
	struct attach_req r;
	struct xerr err;

	assert_int_equal(attach_parse(detach, argc, argv, &r, &err), XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, msg);
}

static void test_attach_bad(void **state)
{
	(void)state;
	attach_bad(false, 0, NULL, "missing interface name");
	attach_bad(false, ARGC("xnic0", "--xdp"), ARGV("xnic0", "--xdp"),
		   "missing value after '--xdp'");
	attach_bad(false, ARGC("xnic0", "--xdp", "drv"),
		   ARGV("xnic0", "--xdp", "drv"),
		   "invalid XDP mode 'drv' (expected native, generic or off)");
	attach_bad(false, ARGC("xnic0", "--xdp", "native", "--xdp", "generic"),
		   ARGV("xnic0", "--xdp", "native", "--xdp", "generic"),
		   "duplicate keyword '--xdp'");
	attach_bad(false, ARGC("a/b"), ARGV("a/b"),
		   "invalid interface name 'a/b' (contains '/')");
	attach_bad(false, ARGC("a", "b"), ARGV("a", "b"),
		   "unknown keyword 'b'");
	attach_bad(true, ARGC("xnic0", "--xdp", "off"),
		   ARGV("xnic0", "--xdp", "off"), "unknown option '--xdp'");
}

static void test_stats(void **state)
{
	struct stats_req r;
	struct xerr err;

	(void)state;
	assert_int_equal(stats_parse(0, NULL, &r, &err), 0);
	assert_null(r.dev);
	assert_false(r.json);
	assert_int_equal(stats_parse(ARGC("--json", "xnic0"),
				     ARGV("--json", "xnic0"), &r, &err), 0);
	assert_string_equal(r.dev, "xnic0");
	assert_true(r.json);
	assert_int_equal(stats_parse(ARGC("a", "b"), ARGV("a", "b"), &r, &err),
			 XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, "unknown keyword 'b'");
}

/*
 * Two devices: tb with a policy (metadata counters, a second ingress
 * redirect that moved, none on egress), pf0 with only the prefilter.
 */
static struct dev_stats *stats_devs(void)
{
	struct dev_stats *v = calloc(2, sizeof(*v));

	assert_non_null(v);
	snprintf(v[0].dev, sizeof(v[0].dev), "tb");
	v[0].has_pol = true;
	v[0].pol[POL_STAT_KEY(POL_EGRESS, POL_DROP_RULE)] =
		(struct pol_stat){ 7, 700 };
	v[0].meta[POL_INGRESS].seen = (struct pol_stat){ 5, 500 };
	v[0].meta[POL_INGRESS].mismatch = (struct pol_stat){ 1, 100 };
	v[0].nredir[POL_INGRESS] = 2;
	v[0].redir[POL_INGRESS][1].redirected = (struct pol_stat){ 3, 300 };
	v[0].redir[POL_INGRESS][1].gone = (struct pol_stat){ 2, 200 };
	/* Past the list's end: never printed. */
	v[0].redir[POL_INGRESS][2].redirected = (struct pol_stat){ 9, 900 };
	v[0].redir[POL_EGRESS][0].redirected = (struct pol_stat){ 9, 900 };
	snprintf(v[1].dev, sizeof(v[1].dev), "pf0");
	v[1].has_pf = true;
	v[1].pf[PF_PASS_IPV4] = (struct pf_stat){ 4, 400 };
	return v;
}

/* What stats_print() writes for @req: @now, rated against @was if any. */
static char *stats_output_of(const struct stats_req *req,
			     const struct stats_sample *now,
			     const struct stats_sample *was)
{
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	stats_print(f, req, now, was);
	fclose(f);
	return out;
}

/* stats_devs() printed as `stats [--json]` without DEV prints them. */
static char *stats_output(bool json)
{
	struct stats_req req = { .json = json };
	struct stats_sample sm = { .v = stats_devs(), .n = 2 };
	char *out = stats_output_of(&req, &sm, NULL);

	free(sm.v);
	return out;
}

/* The text row of DEV and REASON: 1 and its numbers if there is one. */
static int text_row(const char *text, const char *dev, const char *reason,
		    unsigned long long *packets, unsigned long long *bytes)
{
	unsigned long long p, b;
	char d[64], r[64];
	const char *line;
	int n = 0;

	for (line = text; line && *line; line = strchr(line, '\n'),
	     line = line ? line + 1 : NULL) {
		if (sscanf(line, "%63s %63s %llu %llu", d, r, &p, &b) == 4 &&
		    !strcmp(d, dev) && !strcmp(r, reason)) {
			*packets = p;
			*bytes = b;
			n++;
		}
	}
	return n;
}

static void expect_row(const char *text, const char *dev, const char *reason,
		       unsigned long long packets, unsigned long long bytes)
{
	unsigned long long p = 0, b = 0;

	if (text_row(text, dev, reason, &p, &b) != 1)
		fail_msg("no single row %s %s in:\n%s", dev, reason, text);
	assert_int_equal(p, packets);
	assert_int_equal(b, bytes);
}

static void test_stats_text(void **state)
{
	unsigned long long p, b;
	char *out = stats_output(false);
	int lines = 0;
	const char *c;

	(void)state;
	for (c = out; *c; c++)
		lines += *c == '\n';
	/* Header, tb: 16 policy, 4 metadata, 2 per redirect; pf0: 10. */
	assert_int_equal(lines, 1 + 16 + 4 + 2 * 2 + PF_REASON_MAX);
	expect_row(out, "tb", "egress/drop_rule", 7, 700);
	expect_row(out, "tb", "ingress/meta_seen", 5, 500);
	expect_row(out, "tb", "ingress/meta_mismatch", 1, 100);
	expect_row(out, "tb", "egress/meta_seen", 0, 0);
	expect_row(out, "tb", "egress/meta_mismatch", 0, 0);
	expect_row(out, "tb", "ingress/redir0", 0, 0);
	expect_row(out, "tb", "ingress/redir0_gone", 0, 0);
	expect_row(out, "tb", "ingress/redir1", 3, 300);
	expect_row(out, "tb", "ingress/redir1_gone", 2, 200);
	assert_int_equal(text_row(out, "tb", "ingress/redir2", &p, &b), 0);
	assert_int_equal(text_row(out, "tb", "egress/redir0", &p, &b), 0);
	expect_row(out, "pf0", "pass_ipv4", 4, 400);
	assert_int_equal(text_row(out, "pf0", "ingress/meta_seen", &p, &b), 0);
	free(out);
}

static const char json_meta[] =
	"\"meta\":[{\"direction\":\"ingress\",\"counter\":\"seen\",\"packets\":5,\"bytes\":500},"
	"{\"direction\":\"ingress\",\"counter\":\"mismatch\",\"packets\":1,\"bytes\":100},"
	"{\"direction\":\"egress\",\"counter\":\"seen\",\"packets\":0,\"bytes\":0},"
	"{\"direction\":\"egress\",\"counter\":\"mismatch\",\"packets\":0,\"bytes\":0}],";
static const char json_redirects[] =
	"\"redirects\":[{\"direction\":\"ingress\",\"index\":0,\"counter\":\"redirected\",\"packets\":0,\"bytes\":0},"
	"{\"direction\":\"ingress\",\"index\":0,\"counter\":\"gone\",\"packets\":0,\"bytes\":0},"
	"{\"direction\":\"ingress\",\"index\":1,\"counter\":\"redirected\",\"packets\":3,\"bytes\":300},"
	"{\"direction\":\"ingress\",\"index\":1,\"counter\":\"gone\",\"packets\":2,\"bytes\":200}]}";

static void test_stats_json(void **state)
{
	static const char with_dev_end[] =
		"}],\"services\":null,\"policies\":null}\n";
	struct stats_req req = { .json = true, .dev = "tb" };
	struct stats_sample sm = { .n = 1 };
	char *out = stats_output(true);

	(void)state;
	/* Without DEV: the devices in an object. */
	assert_ptr_equal(strstr(out, "{\"devices\":[{\"dev\":\"tb\","), out);
	assert_non_null(strstr(out, json_meta));
	assert_non_null(strstr(out, json_redirects));
	/* Without a policy: empty lists, not missing ones. */
	assert_non_null(strstr(out, "\"dev\":\"pf0\""));
	assert_non_null(strstr(out, "\"policy\":[],\"meta\":[],\"redirects\":[]}]"));
	free(out);

	/* With DEV: the same object, services and policies null. */
	sm.v = stats_devs();
	out = stats_output_of(&req, &sm, NULL);
	assert_ptr_equal(strstr(out, "{\"devices\":[{\"dev\":\"tb\","), out);
	assert_non_null(strstr(out, json_meta));
	assert_non_null(strstr(out, json_redirects));
	assert_string_equal(out + strlen(out) - strlen(with_dev_end),
			    with_dev_end);
	free(sm.v);
	free(out);
}

/* DEV, REASON's rate columns under --watch ("-" if none): 1 if found. */
static int text_rates(const char *text, const char *dev, const char *reason,
		      char pps[16], char bps[16])
{
	char d[64], r[64];
	const char *line;

	for (line = text; line && *line; line = strchr(line, '\n'),
	     line = line ? line + 1 : NULL)
		if (sscanf(line, "%63s %63s %*s %*s %15s %15s", d, r, pps,
			   bps) == 4 && !strcmp(d, dev) && !strcmp(reason, r))
			return 1;
	return 0;
}

static void expect_rates(const char *text, const char *dev,
			 const char *reason, const char *pps, const char *bps)
{
	char p[16], b[16];

	if (!text_rates(text, dev, reason, p, b))
		fail_msg("no row %s %s in:\n%s", dev, reason, text);
	assert_string_equal(p, pps);
	assert_string_equal(b, bps);
}

/*
 * Under --watch, 2 s after a sample in which tb's metadata counters were
 * lower (mismatch higher: went back) and it had one ingress redirect:
 * the metadata and redirect rows' rates, none for the new redirect.
 */
static void test_stats_watch(void **state)
{
	struct stats_req req = { .watch = 2 };
	struct stats_sample now = { .v = stats_devs(), .n = 2 };
	struct stats_sample was = { .v = stats_devs(), .n = 2 };
	char *out;

	(void)state;
	now.mono.tv_sec = 102;
	was.mono.tv_sec = 100;
	was.v[0].meta[POL_INGRESS].seen = (struct pol_stat){ 1, 100 };
	was.v[0].meta[POL_INGRESS].mismatch = (struct pol_stat){ 3, 300 };
	was.v[0].nredir[POL_INGRESS] = 1;
	out = stats_output_of(&req, &now, &was);
	expect_rates(out, "tb", "ingress/meta_seen", "2", "200");
	expect_rates(out, "tb", "ingress/meta_mismatch", "-", "-");
	expect_rates(out, "tb", "egress/meta_seen", "0", "0");
	expect_rates(out, "tb", "ingress/redir0", "0", "0");
	expect_rates(out, "tb", "ingress/redir1", "-", "-");
	expect_rates(out, "tb", "ingress/redir1_gone", "-", "-");
	free(out);

	req.json = true;
	out = stats_output_of(&req, &now, &was);
	assert_non_null(strstr(out,
		"{\"direction\":\"ingress\",\"counter\":\"seen\",\"packets\":5,\"bytes\":500,\"pps\":2,\"bps\":200},"
		"{\"direction\":\"ingress\",\"counter\":\"mismatch\",\"packets\":1,\"bytes\":100,\"pps\":null,\"bps\":null},"));
	assert_non_null(strstr(out,
		"{\"direction\":\"ingress\",\"index\":0,\"counter\":\"gone\",\"packets\":0,\"bytes\":0,\"pps\":0,\"bps\":0},"
		"{\"direction\":\"ingress\",\"index\":1,\"counter\":\"redirected\",\"packets\":3,\"bytes\":300,\"pps\":null,\"bps\":null},"));
	free(out);
	free(now.v);
	free(was.v);
}

/* Every reason has its own name: output never shows a gap or a twin. */
static void test_reason_names(void **state)
{
	unsigned int r, s;

	(void)state;
	for (r = 0; pf_reason_name(r); r++) {
		assert_true(strlen(pf_reason_name(r)) > 0);
		for (s = 0; s < r; s++)
			assert_string_not_equal(pf_reason_name(r),
						pf_reason_name(s));
	}
	assert_int_equal(r, PF_REASON_MAX);
	assert_string_equal(pf_reason_name(0), "pass_ipv4");
	assert_string_equal(pf_reason_name(r - 1), "drop_malformed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_prefilter_add, teardown),
		cmocka_unit_test_teardown(test_prefilter_bad, teardown),
		cmocka_unit_test_teardown(test_duplicates, teardown),
		cmocka_unit_test_teardown(test_arp, teardown),
		cmocka_unit_test_teardown(test_list_and_help, teardown),
		cmocka_unit_test(test_maps),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_attach),
		cmocka_unit_test(test_attach_bad),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_stats_text),
		cmocka_unit_test(test_stats_json),
		cmocka_unit_test(test_stats_watch),
		cmocka_unit_test(test_reason_names),
	};

	return cmocka_run_group_tests_name("datapath", tests, NULL, NULL);
}
