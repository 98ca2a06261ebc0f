// SPDX-License-Identifier: GPL-2.0
/* Unit tests of address and prefix parsing (userspace/addr.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "xnicctl.h"

/* @s parses, and prints back as @canon. */
static void good(const char *s, int family, unsigned int plen,
		 const char *canon)
{
	char buf[PREFIX_STR_MAX];
	struct prefix p;
	struct xerr err;

	if (parse_prefix(s, &p, &err))
		fail_msg("'%s' refused: %s", s, err.msg);
	assert_int_equal(p.family, family);
	assert_int_equal(p.plen, plen);
	prefix_format(&p, buf);
	assert_string_equal(buf, canon);
}

static void bad(const char *s, const char *why)
{
	char want[XERR_MAX];
	struct prefix p;
	struct xerr err;

	snprintf(want, sizeof(want), "invalid prefix '%s' (%s)", s, why);
	assert_int_equal(parse_prefix(s, &p, &err), XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, want);
}

static const char syntax[] =
	"expected an IPv4 or IPv6 address, optionally /LEN";

static void test_ipv4(void **state)
{
	(void)state;
	good("192.0.2.1", AF_INET, 32, "192.0.2.1");
	good("192.0.2.1/32", AF_INET, 32, "192.0.2.1");
	good("10.0.0.0/8", AF_INET, 8, "10.0.0.0/8");
	good("198.51.100.128/25", AF_INET, 25, "198.51.100.128/25");
	good("0.0.0.0/0", AF_INET, 0, "0.0.0.0/0");
	good("0.0.0.0", AF_INET, 32, "0.0.0.0");
	good("255.255.255.255/32", AF_INET, 32, "255.255.255.255");
	good("10.0.0.0/08", AF_INET, 8, "10.0.0.0/8");
}

static void test_ipv6(void **state)
{
	(void)state;
	good("2001:db8::1", AF_INET6, 128, "2001:db8::1");
	good("2001:db8::1/128", AF_INET6, 128, "2001:db8::1");
	good("2001:0DB8:0000:0000:0000:0000:0000:0001", AF_INET6, 128,
	     "2001:db8::1");
	good("2001:db8::/32", AF_INET6, 32, "2001:db8::/32");
	good("2001:db8:0:0::/64", AF_INET6, 64, "2001:db8::/64");
	good("::/0", AF_INET6, 0, "::/0");
	good("::", AF_INET6, 128, "::");
	good("::1", AF_INET6, 128, "::1");
	good("fe80::/10", AF_INET6, 10, "fe80::/10");
	good("::ffff:192.0.2.1", AF_INET6, 128, "::ffff:192.0.2.1");
}

static void test_lengths(void **state)
{
	(void)state;
	bad("192.0.2.1/33", "length must be 0..32");
	bad("2001:db8::/129", "length must be 0..128");
	bad("192.0.2.1/", "length must be 0..32");
	bad("192.0.2.1/-1", "length must be 0..32");
	bad("192.0.2.1/+8", "length must be 0..32");
	bad("192.0.2.1/ 8", "length must be 0..32");
	bad("192.0.2.1/8 ", "length must be 0..32");
	bad("192.0.2.1/0x8", "length must be 0..32");
	bad("192.0.2.1/32/1", "length must be 0..32");
	bad("192.0.2.1/4294967328", "length must be 0..32");
}

static void test_host_bits(void **state)
{
	(void)state;
	bad("10.0.0.1/8", "host bits set: did you mean 10.0.0.0/8?");
	bad("192.0.2.1/0", "host bits set: did you mean 0.0.0.0/0?");
	bad("198.51.100.129/25",
	    "host bits set: did you mean 198.51.100.128/25?");
	bad("2001:db8::1/64", "host bits set: did you mean 2001:db8::/64?");
	bad("fe80::1:0/111", "host bits set: did you mean fe80::/111?");
	bad("::1/0", "host bits set: did you mean ::/0?");
}

static void test_garbage(void **state)
{
	(void)state;
	bad("", syntax);
	bad("/8", syntax);
	bad("garbage", syntax);
	bad("192.0.2", syntax);
	bad("192.0.2.256", syntax);
	bad("192.0.2.1.5", syntax);
	bad("192.0.2.01", syntax);
	bad(" 192.0.2.1", syntax);
	bad("192.0.2.1 ", syntax);
	bad("2001:db8:::1", syntax);
	bad("2001:db8::1::2", syntax);
	bad("fe80::1%eth0", syntax);
	bad("1:2:3:4:5:6:7:8:9", syntax);
	bad("0000:0000:0000:0000:0000:0000:0000:0000:0000/1", syntax);
}

static void test_ipv4_only(void **state)
{
	struct prefix p;
	struct xerr err;

	(void)state;
	assert_int_equal(parse_ipv4("192.0.2.7", &p, &err), 0);
	assert_int_equal(p.family, AF_INET);
	assert_int_equal(p.plen, 32);
	assert_int_equal(parse_ipv4("2001:db8::1", &p, &err), XNIC_EXIT_USAGE);
	assert_string_equal(err.msg,
			    "invalid address '2001:db8::1' (expected an IPv4 address, e.g. 192.0.2.1)");
	assert_int_equal(parse_ipv4("192.0.2.7/32", &p, &err), XNIC_EXIT_USAGE);
	assert_int_equal(parse_ipv4("", &p, &err), XNIC_EXIT_USAGE);
}

static void test_equal_and_order(void **state)
{
	struct prefix a, b;
	struct xerr err;

	(void)state;
	assert_int_equal(parse_prefix("2001:db8::1", &a, &err), 0);
	assert_int_equal(parse_prefix("2001:DB8:0::1/128", &b, &err), 0);
	assert_true(prefix_equal(&a, &b));
	assert_int_equal(parse_prefix("10.0.0.0/8", &a, &err), 0);
	assert_int_equal(parse_prefix("10.0.0.0/16", &b, &err), 0);
	assert_false(prefix_equal(&a, &b));
	assert_true(prefix_cmp(&a, &b) < 0);
	assert_int_equal(parse_prefix("::/0", &b, &err), 0);
	assert_true(prefix_cmp(&a, &b) < 0);	/* IPv4 first */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_host_bits),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_ipv4_only),
		cmocka_unit_test(test_equal_and_order),
	};

	return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}
