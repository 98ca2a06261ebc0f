// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of what `xnicctl stats` prints for the socket load
 * balancer's services and the sock_ops shaping policies
 * (userspace/stats.c): samples built here, printed as text and JSON,
 * once and under --watch (rates over the interval, '-' or null where
 * there is no earlier figure). Pure: nothing here touches a map.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "limit.h"
#include "service_cmd.h"
#include "stats.h"
#include "xnicctl.h"

static char out[16384];

/* What stats_print() wrote. */
static const char *print(const struct stats_req *req,
			 const struct stats_sample *sm,
			 const struct stats_sample *was)
{
	FILE *tmp = tmpfile();
	size_t n;

	assert_non_null(tmp);
	stats_print(tmp, req, sm, was);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return out;
}

static struct svc_stat svc[2];
static struct limit_cg_stat cg;

/* A TCP service with two backends, a UDP one with none. */
static void make_services(void)
{
	struct xerr err;

	memset(svc, 0, sizeof(svc));
	assert_int_equal(svc_parse_service("10.96.0.1:80/tcp", &svc[0].vip,
					   &svc[0].proto, &err), 0);
	svc[0].id = 1;
	svc[0].st.selected = 30;
	svc[0].st.no_backend = 2;
	svc[0].nbe = 2;
	assert_int_equal(svc_parse_backend("10.0.0.1:8080,weight=2",
					   &svc[0].be[0].ep, &err), 0);
	svc[0].be[0].id = 2;
	svc[0].be[0].selected = 20;
	assert_int_equal(svc_parse_backend("10.0.0.2:8080", &svc[0].be[1].ep,
					   &err), 0);
	svc[0].be[1].id = 3;
	svc[0].be[1].selected = 10;
	assert_int_equal(svc_parse_service("[fd00::1]:53/udp", &svc[1].vip,
					   &svc[1].proto, &err), 0);
	svc[1].id = 4;
}

static void make_policy(void)
{
	fixture_cgroup(&cg);
}

static const char head[] =
"DEV             REASON                      PACKETS          BYTES\n";

static void test_text(void **state)
{
	struct stats_sample sm = { .svc = svc, .nsvc = 2, .cg = &cg, .ncg = 1 };
	struct stats_req req = { 0 };

	(void)state;
	make_services();
	make_policy();
	assert_string_equal(print(&req, &sm, NULL),
"DEV             REASON                      PACKETS          BYTES\n"
"\n"
"SERVICE                  BACKEND                  WEIGHT     SELECTED   NO_BACKEND\n"
"10.96.0.1:80/tcp         -                             -           30            2\n"
"10.96.0.1:80/tcp         10.0.0.1:8080                 2           20            -\n"
"10.96.0.1:80/tcp         10.0.0.2:8080                 1           10            -\n"
"[fd00::1]:53/udp         -                             -            0            0\n"
"\n"
"CGROUP                       RULE                         RATE  ESTABLISHED     LIVE   RTT_US\n"
"/sys/fs/cgroup/lim           default                    20mbit            3        1      100\n"
"/sys/fs/cgroup/lim           port 5201                   1mbit            5        5        -\n");
}

/*
 * Sections whose maps are not pinned are left out of the text, and are
 * empty in JSON; with DEV, the text has none and JSON has null: the
 * same JSON members whatever the arguments.
 */
static void test_absent(void **state)
{
	struct stats_sample none = { 0 };
	struct stats_sample sm = { .svc = svc, .nsvc = 2, .cg = &cg, .ncg = 1 };
	struct stats_req req = { 0 };
	struct stats_sample only_svc = { .svc = svc, .nsvc = 2 };

	(void)state;
	make_services();
	make_policy();
	assert_string_equal(print(&req, &none, NULL), head);
	req.json = true;
	assert_string_equal(print(&req, &none, NULL),
			    "{\"devices\":[],\"services\":[],\"policies\":[]}\n");
	assert_non_null(strstr(print(&req, &only_svc, NULL),
			       "],\"policies\":[]}\n"));
	assert_non_null(strstr(out, "\"services\":[{"));
	req.dev = "xnic0";
	assert_string_equal(print(&req, &sm, NULL),
			    "{\"devices\":[],\"services\":null,\"policies\":null}\n");
	req.json = false;
	assert_string_equal(print(&req, &sm, NULL), head);
}

static void test_json(void **state)
{
	struct stats_sample sm = { .svc = svc, .nsvc = 2, .cg = &cg, .ncg = 1 };
	struct stats_req req = { .json = true };

	(void)state;
	make_services();
	make_policy();
	assert_string_equal(print(&req, &sm, NULL),
"{\"devices\":[],\"services\":["
"{\"service\":\"10.96.0.1:80/tcp\",\"id\":1,\"selected\":30,\"no_backend\":2,\"backends\":["
"{\"backend\":\"10.0.0.1:8080\",\"id\":2,\"weight\":2,\"selected\":20},"
"{\"backend\":\"10.0.0.2:8080\",\"id\":3,\"weight\":1,\"selected\":10}]},"
"{\"service\":\"[fd00::1]:53/udp\",\"id\":4,\"selected\":0,\"no_backend\":0,\"backends\":[]}],"
"\"policies\":["
"{\"cgroup\":\"/sys/fs/cgroup/lim\",\"id\":77,\"rule\":\"default\",\"rate\":\"20mbit\",\"rate_bytes\":2500000,\"established\":3,\"live\":1,\"rtt_mean_us\":100},"
"{\"cgroup\":\"/sys/fs/cgroup/lim\",\"id\":77,\"rule\":\"port 5201\",\"rate\":\"1mbit\",\"rate_bytes\":125000,\"established\":5,\"live\":5,\"rtt_mean_us\":null}]}\n");
}

/*
 * Two samples 2 s apart, the later printed with the earlier (none if
 * @first): rates per second; a backend new since the previous sample
 * and a counter that went back have none.
 */
static const char *print_watch(const struct stats_req *req, bool first)
{
	struct stats_sample was = { .svc = NULL }, now = { .svc = svc };
	struct limit_cg_stat wcg;
	struct svc_stat wsvc[2];

	make_services();
	make_policy();
	memcpy(wsvc, svc, sizeof(wsvc));
	wcg = cg;
	wsvc[0].st.selected = 10;		/* 20 in 2 s: 10/s */
	wsvc[0].st.no_backend = 2;		/* 0/s */
	wsvc[0].be[0].selected = 30;		/* went back: none */
	wsvc[0].be[1].id = 9;			/* backend 3 is new */
	wcg.st[3].established = 1;		/* 4 in 2 s: 2/s */
	was.svc = wsvc;
	was.nsvc = 2;
	was.cg = &wcg;
	was.ncg = 1;
	was.mono.tv_sec = 100;
	was.wall = 1000;
	now.nsvc = 2;
	now.cg = &cg;
	now.ncg = 1;
	now.mono.tv_sec = 102;
	now.wall = 1002;
	return print(req, &now, first ? NULL : &was);
}

static void test_watch(void **state)
{
	struct stats_req req = { .watch = 2 };

	(void)state;
	print_watch(&req, false);
	assert_non_null(strstr(out,
"SERVICE                  BACKEND                  WEIGHT     SELECTED   NO_BACKEND    SEL/S   NOBE/S\n"
"10.96.0.1:80/tcp         -                             -           30            2       10        0\n"
"10.96.0.1:80/tcp         10.0.0.1:8080                 2           20            -        -        -\n"
"10.96.0.1:80/tcp         10.0.0.2:8080                 1           10            -        -        -\n"
"[fd00::1]:53/udp         -                             -            0            0        0        0\n"
"\n"
"CGROUP                       RULE                         RATE  ESTABLISHED     LIVE   RTT_US    EST/S\n"
"/sys/fs/cgroup/lim           default                    20mbit            3        1      100        0\n"
"/sys/fs/cgroup/lim           port 5201                   1mbit            5        5        -        2\n"));
	/* The first sample has no rates. */
	print_watch(&req, true);
	assert_non_null(strstr(out,
"10.96.0.1:80/tcp         -                             -           30            2        -        -\n"));
	assert_non_null(strstr(out,
"/sys/fs/cgroup/lim           port 5201                   1mbit            5        5        -        -\n"));
}

static void test_watch_json(void **state)
{
	struct stats_req req = { .watch = 2, .json = true };

	(void)state;
	print_watch(&req, false);
	assert_non_null(strstr(out, "{\"time\":1002,\"interval\":2,\"devices\":[],\"services\":["
"{\"service\":\"10.96.0.1:80/tcp\",\"id\":1,\"selected\":30,\"no_backend\":2,\"selected_per_s\":10,\"no_backend_per_s\":0,\"backends\":["
"{\"backend\":\"10.0.0.1:8080\",\"id\":2,\"weight\":2,\"selected\":20,\"selected_per_s\":null},"
"{\"backend\":\"10.0.0.2:8080\",\"id\":3,\"weight\":1,\"selected\":10,\"selected_per_s\":null}]},"));
	assert_non_null(strstr(out, "\"rule\":\"port 5201\",\"rate\":\"1mbit\",\"rate_bytes\":125000,\"established\":5,\"live\":5,\"rtt_mean_us\":null,\"established_per_s\":2}]}\n"));
	/* One object on one line. */
	assert_int_equal(out[strlen(out) - 1], '\n');
	assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_watch),
		cmocka_unit_test(test_watch_json),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
