// SPDX-License-Identifier: GPL-2.0
/* Command-line scanning (see args.h). */
#include <string.h>

#include "args.h"
#include "xnicctl.h"

#include "json.h"

/*
 * @flag is the option's bit in args.opts, @needs the bit a command must
 * allow: -p is JSON, indented.
 */
static const struct {
	const char *name;
	unsigned int flag;
	unsigned int needs;
} options[] = {
	{ "--json", ARG_OPT_JSON, ARG_OPT_JSON },
	{ "-j", ARG_OPT_JSON, ARG_OPT_JSON },
	{ "--pretty", ARG_OPT_PRETTY, ARG_OPT_JSON },
	{ "-p", ARG_OPT_PRETTY, ARG_OPT_JSON },
	{ "--tc", ARG_OPT_TC, ARG_OPT_TC },
	/* a flag where no keyword takes it */
	{ "--xdp", ARG_OPT_XDP, ARG_OPT_XDP },
	{ "--prometheus", ARG_OPT_PROM, ARG_OPT_PROM },
};

/* -j or -p given before the command (main() only; never cleared). */
static bool global_json, global_pretty;

void args_global_json(bool pretty)
{
	global_json = true;
	global_pretty |= pretty;
}

int args_help(void (*usage)(FILE *out))
{
	fputs("Usage:\n", stdout);
	usage(stdout);
	fputs("\nExit status: see 'xnicctl --help'.\n", stdout);
	return 0;
}

bool args_want_help(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

int args_subcmd(int argc, char **argv, const char *cmd, const void *table,
		size_t n, size_t stride, size_t *i, struct xerr *err)
{
	const char *name;

	if (!argc)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"missing subcommand (try 'xnicctl %s --help')",
				cmd);
	for (*i = 0; *i < n; (*i)++) {
		memcpy(&name, (const char *)table + *i * stride, sizeof(name));
		if (!strcmp(argv[0], name))
			return 0;
	}
	return xerr_set(err, XNIC_EXIT_USAGE,
			"unknown subcommand '%s' (try 'xnicctl %s --help')",
			argv[0], cmd);
}

static int scan_option(const char *word, unsigned int allowed,
		       struct args *a, struct xerr *err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(options); i++) {
		if (strcmp(word, options[i].name) ||
		    !(allowed & options[i].needs))
			continue;
		if (a->opts & options[i].flag)
			return xerr_set(err, XNIC_EXIT_USAGE,
					"duplicate option '%s'", word);
		a->opts |= options[i].flag;
		return 0;
	}
	return xerr_set(err, XNIC_EXIT_USAGE, "unknown option '%s'", word);
}

static struct kwarg *find_kw(struct kwarg *kw, const char *word)
{
	for (; kw->name; kw++)
		if (!strcmp(kw->name, word))
			return kw;
	return NULL;
}

int args_scan(int argc, char **argv, struct kwarg *kw, unsigned int max_pos,
	      unsigned int allowed_opts, struct args *a, struct xerr *err)
{
	struct kwarg *k;
	int i, ret;

	memset(a, 0, sizeof(*a));
	if (args_want_help(argc, argv)) {
		a->help = true;
		return 0;
	}
	for (i = 0; i < argc; i++) {
		const char *word = argv[i];

		/* Keywords first: "--xdp MODE" is a keyword with a value. */
		k = find_kw(kw, word);
		if (!k && word[0] == '-' && word[1]) {
			ret = scan_option(word, allowed_opts, a, err);
			if (ret)
				return ret;
		} else if (k) {
			if (k->value)
				return xerr_set(err, XNIC_EXIT_USAGE,
						"duplicate keyword '%s'", word);
			if (i + 1 >= argc)
				return xerr_set(err, XNIC_EXIT_USAGE,
						"missing value after '%s'",
						word);
			k->value = argv[++i];
		} else if (a->npos < max_pos && a->npos < ARGS_MAX_POS) {
			a->pos[a->npos++] = word;
		} else {
			return xerr_set(err, XNIC_EXIT_USAGE,
					"unknown keyword '%s'", word);
		}
	}
	/* A -j before a command that prints nothing is ignored, as by ip. */
	if ((a->opts & ARG_OPT_PRETTY) ||
	    (global_json && (allowed_opts & ARG_OPT_JSON)))
		a->opts |= ARG_OPT_JSON;
	json_set_pretty(global_pretty || (a->opts & ARG_OPT_PRETTY));
	return 0;
}
