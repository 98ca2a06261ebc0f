// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the command words (grammar.c): prefixes, show/list,
 * help and ambiguity; and of -j and -p before a command (args.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "args.h"
#include "grammar.h"
#include "xnicctl.h"

/* A tree shaped like xnicctl's own, with the same traps in it. */
static const struct cmd_word tree[] = {
	CMD_NEST("link", CMD_WORDS(CMD_WORD("add"), CMD_WORD("del"),
				   CMD_WORD("show"))),
	CMD_NEST("limit",
		 CMD_WORDS(CMD_NEST("add", CMD_WORDS(CMD_WORD("dev"),
						     CMD_WORD("cgroup"))),
			   CMD_WORD("list"))),
	CMD_NEST("service",
		 CMD_WORDS(CMD_WORD("attach"), CMD_WORD("add"),
			   CMD_NEST("nodeport", CMD_WORDS(CMD_WORD("show"))))),
	CMD_WORD("stats"),
	{ .name = NULL }
};

static struct xerr err;
static char *words[8];

/* Resolve the NULL-terminated words; they are rewritten in place. */
static int resolve(const char *w0, ...)
{
	va_list ap;
	int n = 0;
	const char *w;

	memset(&err, 0, sizeof(err));
	va_start(ap, w0);
	for (w = w0; w && n < 7; w = va_arg(ap, const char *))
		words[n++] = (char *)w;
	va_end(ap);
	words[n] = NULL;
	return grammar_resolve(n, words, tree, &err);
}

static void test_exact_and_prefix(void **state)
{
	(void)state;
	assert_int_equal(resolve("link", "show", "x", NULL), 0);
	assert_string_equal(words[0], "link");
	assert_string_equal(words[1], "show");
	assert_int_equal(resolve("lin", "sh", NULL), 0);
	assert_string_equal(words[0], "link");
	assert_string_equal(words[1], "show");
	assert_int_equal(resolve("lim", "a", "d", "eth0", NULL), 0);
	assert_string_equal(words[0], "limit");
	assert_string_equal(words[1], "add");
	assert_string_equal(words[2], "dev");
	assert_string_equal(words[3], "eth0");
	assert_int_equal(resolve("se", "n", "s", NULL), 0);
	assert_string_equal(words[1], "nodeport");
	assert_string_equal(words[2], "show");
}

/* "show" and "list" are one subcommand, whichever the command names. */
static void test_show_list(void **state)
{
	(void)state;
	assert_int_equal(resolve("link", "list", NULL), 0);
	assert_string_equal(words[1], "show");
	assert_int_equal(resolve("link", "li", NULL), 0);
	assert_string_equal(words[1], "show");
	assert_int_equal(resolve("limit", "show", NULL), 0);
	assert_string_equal(words[1], "list");
	assert_int_equal(resolve("limit", "sh", NULL), 0);
	assert_string_equal(words[1], "list");
}

/* Arguments after the last subcommand are never rewritten. */
static void test_arguments_untouched(void **state)
{
	(void)state;
	/* "a" would abbreviate "add", but link show takes a NAME. */
	assert_int_equal(resolve("link", "show", "a", NULL), 0);
	assert_string_equal(words[2], "a");
	/* stats has no subcommands: its DEV may be called "help". */
	assert_int_equal(resolve("stats", "help", NULL), 0);
	assert_string_equal(words[1], "help");
	/* An option ends the walk. */
	assert_int_equal(resolve("link", "--json", NULL), 0);
	assert_string_equal(words[1], "--json");
}

/* Words that name nothing are left for the command to report. */
static void test_unknown_left(void **state)
{
	(void)state;
	assert_int_equal(resolve("frob", NULL), 0);
	assert_string_equal(words[0], "frob");
	assert_int_equal(resolve("link", "frob", NULL), 0);
	assert_string_equal(words[1], "frob");
	assert_int_equal(resolve("link", "", NULL), 0);
	assert_string_equal(words[1], "");
	assert_string_equal(err.msg, "");
}

static void test_help_word(void **state)
{
	(void)state;
	assert_int_equal(resolve("help", NULL), 0);
	assert_string_equal(words[0], "--help");
	assert_int_equal(resolve("service", "nodeport", "help", NULL), 0);
	assert_string_equal(words[2], "--help");
}

static void test_ambiguous(void **state)
{
	(void)state;
	assert_int_equal(resolve("l", NULL), XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, "ambiguous command 'l': link, limit "
				     "(try 'xnicctl --help')");
	assert_int_equal(resolve("service", "a", NULL), XNIC_EXIT_USAGE);
	assert_string_equal(err.msg, "service: ambiguous subcommand 'a': "
				     "attach, add (try 'xnicctl service --help')");
	assert_int_equal(resolve("limit", "add", "", NULL), 0);
}

/* -j before a command: JSON where the command has it, ignored elsewhere. */
static void test_global_json(void **state)
{
	struct kwarg none = { NULL, NULL };
	char *json[] = { "--json" };
	struct args a;

	(void)state;
	assert_int_equal(args_scan(0, NULL, &none, 0, ARG_OPT_JSON, &a, &err),
			 0);
	assert_false(a.opts & ARG_OPT_JSON);
	args_global_json(false);
	assert_int_equal(args_scan(0, NULL, &none, 0, ARG_OPT_JSON, &a, &err),
			 0);
	assert_true(a.opts & ARG_OPT_JSON);
	assert_int_equal(args_scan(0, NULL, &none, 0, 0, &a, &err), 0);
	assert_false(a.opts & ARG_OPT_JSON);
	/* Given again after the command, it is no duplicate. */
	assert_int_equal(args_scan(1, json, &none, 0, ARG_OPT_JSON, &a, &err),
			 0);
	assert_true(a.opts & ARG_OPT_JSON);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_and_prefix),
		cmocka_unit_test(test_show_list),
		cmocka_unit_test(test_arguments_untouched),
		cmocka_unit_test(test_unknown_left),
		cmocka_unit_test(test_help_word),
		cmocka_unit_test(test_ambiguous),
		cmocka_unit_test(test_global_json),
	};

	return cmocka_run_group_tests_name("grammar", tests, NULL, NULL);
}
