// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the JSON writer behind every --json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"

static char *out;
static size_t out_len;
static struct json j;

static int open_out(void **state)
{
	FILE *f = open_memstream(&out, &out_len);

	(void)state;
	if (!f)
		return -1;
	json_init(&j, f);
	return 0;
}

/* Close the stream and return what was written. */
static const char *written(void)
{
	fclose(j.out);
	return out;
}

static int free_out(void **state)
{
	(void)state;
	free(out);
	out = NULL;
	return 0;
}

static void test_empty_array(void **state)
{
	(void)state;
	json_array_begin(&j);
	json_array_end(&j);
	assert_string_equal(written(), "[]\n");
}

static void test_commas(void **state)
{
	(void)state;
	json_array_begin(&j);
	json_int(&j, 1);
	json_int(&j, -2);
	json_bool(&j, true);
	json_bool(&j, false);
	json_null(&j);
	json_string(&j, "s");
	json_array_end(&j);
	assert_string_equal(written(), "[1,-2,true,false,null,\"s\"]\n");
}

static void test_nesting(void **state)
{
	(void)state;
	json_array_begin(&j);
	json_object_begin(&j);
	json_key(&j, "a");
	json_int(&j, 1);
	json_key(&j, "b");
	json_array_begin(&j);
	json_array_end(&j);
	json_key(&j, "c");
	json_object_begin(&j);
	json_object_end(&j);
	json_object_end(&j);
	json_object_begin(&j);
	json_object_end(&j);
	json_array_end(&j);
	assert_string_equal(written(), "[{\"a\":1,\"b\":[],\"c\":{}},{}]\n");
}

static void test_escaping(void **state)
{
	(void)state;
	json_array_begin(&j);
	json_string(&j, "q\"b\\n\n\t\x01\x7f");
	json_array_end(&j);
	assert_string_equal(written(),
			    "[\"q\\\"b\\\\n\\u000a\\u0009\\u0001\\u007f\"]\n");
}

/* Well-formed UTF-8 is kept as it is, in sequences of 2, 3 and 4 bytes. */
static void test_utf8_kept(void **state)
{
	(void)state;
	json_array_begin(&j);
	json_string(&j, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9d");
	json_array_end(&j);
	assert_string_equal(written(),
			    "[\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9d\"]\n");
}

/*
 * Bytes that start no well-formed sequence are escaped one by one: a
 * lone continuation byte, an overlong '/', a UTF-16 surrogate, a code
 * point past U+10FFFF and a sequence cut by the end of the string.
 */
static void test_utf8_invalid_escaped(void **state)
{
	(void)state;
	json_array_begin(&j);
	json_string(&j, "\x80|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xe2\x82");
	json_array_end(&j);
	assert_string_equal(written(),
			    "[\"\\u0080|\\u00c0\\u00af|"
			    "\\u00ed\\u00a0\\u0080|"
			    "\\u00f4\\u0090\\u0080\\u0080|"
			    "\\u00e2\\u0082\"]\n");
}

/* -p: four spaces a level, empty containers kept on one line. */
static void test_pretty(void **state)
{
	(void)state;
	json_set_pretty(true);
	json_init(&j, j.out);
	json_set_pretty(false);
	json_array_begin(&j);
	json_object_begin(&j);
	json_key(&j, "a");
	json_int(&j, 1);
	json_key(&j, "b");
	json_array_begin(&j);
	json_array_end(&j);
	json_key(&j, "c");
	json_array_begin(&j);
	json_string(&j, "x");
	json_array_end(&j);
	json_object_end(&j);
	json_array_end(&j);
	assert_string_equal(written(),
			    "[\n"
			    "    {\n"
			    "        \"a\": 1,\n"
			    "        \"b\": [],\n"
			    "        \"c\": [\n"
			    "            \"x\"\n"
			    "        ]\n"
			    "    }\n"
			    "]\n");
}

static void test_int_range(void **state)
{
	(void)state;
	json_array_begin(&j);
	json_int(&j, INT64_MIN);
	json_int(&j, UINT32_MAX);
	json_array_end(&j);
	assert_string_equal(written(), "[-9223372036854775808,4294967295]\n");
}

/* Members whose value may be missing print null, not a made-up value. */
static void test_members(void **state)
{
	(void)state;
	json_object_begin(&j);
	json_member_int(&j, "a", true, 0);
	json_member_int(&j, "b", false, 7);
	json_member_string(&j, "c", "x");
	json_member_string(&j, "d", NULL);
	json_object_end(&j);
	assert_string_equal(written(),
			    "{\"a\":0,\"b\":null,\"c\":\"x\",\"d\":null}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_array, open_out,
						free_out),
		cmocka_unit_test_setup_teardown(test_commas, open_out,
						free_out),
		cmocka_unit_test_setup_teardown(test_nesting, open_out,
						free_out),
		cmocka_unit_test_setup_teardown(test_escaping, open_out,
						free_out),
		cmocka_unit_test_setup_teardown(test_utf8_kept, open_out,
						free_out),
		cmocka_unit_test_setup_teardown(test_utf8_invalid_escaped,
						open_out, free_out),
		cmocka_unit_test_setup_teardown(test_pretty, open_out,
						free_out),
		cmocka_unit_test_setup_teardown(test_members, open_out,
						free_out),
		cmocka_unit_test_setup_teardown(test_int_range, open_out,
						free_out),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
