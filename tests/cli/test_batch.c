// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of `xnicctl batch` (userspace/batch.c): splitting a line
 * into words, and running lines through a recording stand-in for the
 * commands, which shows where a batch stops and what it returns. The
 * messages of the real binary are checked in test_cli.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "batch.h"
#include "xnicctl.h"

static char *words[64];
static int nwords;

/* A line and the words it must split into (at most 5 checked). */
struct split_case {
	const char *line;
	int n;
	const char *w[5];
};

static void split_ok(const struct split_case *cases, size_t n)
{
	char buf[256];
	struct xerr err;
	size_t i;
	int j;

	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s", cases[i].line);
		if (batch_split(buf, words, &nwords, &err))
			fail_msg("'%s' refused: %s", cases[i].line, err.msg);
		assert_int_equal(nwords, cases[i].n);
		for (j = 0; j < nwords && j < 5; j++)
			if (cases[i].w[j])
				assert_string_equal(words[j], cases[i].w[j]);
	}
}

static void split_bad(const char *line, const char *msg)
{
	char buf[256];
	struct xerr err;

	snprintf(buf, sizeof(buf), "%s", line);
	assert_int_equal(batch_split(buf, words, &nwords, &err),
			 XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, msg);
}

static void test_split(void **state)
{
	static const struct split_case cases[] = {
		{ "service add 10.0.0.1:80/tcp --backend 10.1.0.1:80\n", 5,
		  { "service", "add", "10.0.0.1:80/tcp", "--backend",
		    "10.1.0.1:80" } },
		{ "  \tlink\t show  x  \r\n", 3, { "link", "show", "x" } },
		{ "a", 1, { "a" } },
	};

	(void)state;
	split_ok(cases, ARRAY_SIZE(cases));
}

/* Blank lines and comments: no words. */
static void test_split_empty(void **state)
{
	static const struct split_case cases[] = {
		{ "", 0, { NULL } },
		{ "\n", 0, { NULL } },
		{ " \t \n", 0, { NULL } },
		{ "# service add 10.0.0.1:80/tcp\n", 0, { NULL } },
		{ "   #comment", 0, { NULL } },
		{ "status # what it shows\n", 1, { "status" } },
		/* '#' inside a word is no comment. */
		{ "a#b c", 2, { "a#b", "c" } },
	};

	(void)state;
	split_ok(cases, ARRAY_SIZE(cases));
}

static void test_split_quotes(void **state)
{
	static const struct split_case cases[] = {
		{ "policy add 'a b' \"c d\" e\\ f\n", 5,
		  { "policy", "add", "a b", "c d", "e f" } },
		{ "x '' \"\" y", 4, { "x", "", "", "y" } },
		{ "pre'in'post \"say \\\"hi\\\" \\\\ \\n\"", 2,
		  { "preinpost", "say \"hi\" \\ \\n" } },
		{ "'it''s' '#not' \\#nor", 3, { "its", "#not", "#nor" } },
		{ "'a\\b'", 1, { "a\\b" } },
	};

	(void)state;
	split_ok(cases, ARRAY_SIZE(cases));
}

static void test_split_bad(void **state)
{
	(void)state;
	split_bad("service add 'x", "unterminated single quote");
	split_bad("service add \"x\\\"\n", "unterminated double quote");
	split_bad("link show \\", "'\\' at the end of the line");
	split_bad("link show \\\n", "'\\' at the end of the line");
}

/* ---- batch_run with a stand-in for the commands ---- */

static char calls[16][128];
static int ncalls;

static int record(int argc, char **argv)
{
	size_t len = 0;
	int i;

	assert_true(ncalls < 16);
	calls[ncalls][0] = '\0';
	for (i = 0; i < argc; i++)
		len += snprintf(calls[ncalls] + len, sizeof(calls[0]) - len,
				"%s%s", i ? "|" : "", argv[i]);
	ncalls++;
	if (!strcmp(argv[0], "fail"))
		return XNIC_EXIT_SYSTEM;
	if (!strcmp(argv[0], "frob"))	/* as run_command() */
		return XNIC_EXIT_USAGE;
	return 0;
}

static int run_buf(const char *text, size_t len)
{
	FILE *in = fmemopen((void *)text, len, "r");
	int ret;

	assert_non_null(in);
	ncalls = 0;
	ret = batch_run(in, "test", record);
	fclose(in);
	return ret;
}

static int run_text(const char *text)
{
	return run_buf(text, strlen(text));
}

static void test_run_all(void **state)
{
	(void)state;
	assert_int_equal(run_text("a 1\n# two\n\nb '2 3'\nc"), 0);
	assert_int_equal(ncalls, 3);
	assert_string_equal(calls[0], "a|1");
	assert_string_equal(calls[1], "b|2 3");
	assert_string_equal(calls[2], "c");
	assert_int_equal(run_text(""), 0);
	assert_int_equal(ncalls, 0);
}

/* The first failing line ends the batch with its status. */
static void test_run_stops(void **state)
{
	(void)state;
	assert_int_equal(run_text("a\nb\nfrob x\nc\nd\n"), XNIC_EXIT_USAGE);
	assert_int_equal(ncalls, 3);
	assert_string_equal(calls[2], "frob|x");
	assert_int_equal(run_text("a\nfail\nc\n"), XNIC_EXIT_SYSTEM);
	assert_int_equal(ncalls, 2);
	/* A line that does not split runs nothing, nor what follows. */
	assert_int_equal(run_text("a\nb 'x\nc\n"), XNIC_EXIT_USAGE);
	assert_int_equal(ncalls, 1);
	/* Nor does a nested batch. */
	assert_int_equal(run_text("a\nbatch f\nc\n"), XNIC_EXIT_USAGE);
	assert_int_equal(ncalls, 1);
	/* A NUL byte would cut the line short: refused. */
	assert_int_equal(run_buf("a\nb\0c\nd\n", 9), XNIC_EXIT_USAGE);
	assert_int_equal(ncalls, 1);
}

/* batch_quote() writes what batch_split() reads back as the same word. */
static void test_quote_round_trip(void **state)
{
	static const char *const words[] = {
		"plain", "10.0.0.0/8", "[fd00::1]:53/udp", "", "two words",
		"#comment", "it's", "q\"b\\s", "tab\there", "a'b\"c",
	};
	char buf[256], *argv[64];
	struct xerr err;
	size_t i;
	int argc;
	FILE *f;

	(void)state;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		f = fmemopen(buf, sizeof(buf), "w");
		assert_non_null(f);
		fputs("cmd ", f);
		batch_quote(f, words[i]);
		fputs(" end", f);
		fclose(f);
		assert_int_equal(batch_split(buf, argv, &argc, &err), 0);
		assert_int_equal(argc, 3);
		assert_string_equal(argv[1], words[i]);
		assert_string_equal(argv[2], "end");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_round_trip),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_empty),
		cmocka_unit_test(test_split_quotes),
		cmocka_unit_test(test_split_bad),
		cmocka_unit_test(test_run_all),
		cmocka_unit_test(test_run_stops),
	};

	return cmocka_run_group_tests_name("batch", tests, NULL, NULL);
}
