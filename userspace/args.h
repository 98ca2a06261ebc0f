/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line scanning shared by all commands, in the style of ip(8):
 * positional words, "KEYWORD VALUE" pairs in any order, and a few
 * options starting with '-'. Pure (no I/O); values are checked later by
 * the command with parse.h.
 */
#ifndef XNICCTL_ARGS_H
#define XNICCTL_ARGS_H

#include <stdbool.h>
#include <stdio.h>

struct xerr;

/* One "KEYWORD VALUE" pair a command accepts. */
struct kwarg {
	const char *name;
	const char *value;	/* set by args_scan(), NULL if absent */
};

/* Options a command may accept, besides -h/--help which all accept. */
#define ARG_OPT_JSON	(1u << 0)	/* --json or -j; also set by -p */
#define ARG_OPT_TC	(1u << 1)	/* --tc */
#define ARG_OPT_XDP	(1u << 2)	/* --xdp (service nodeport attach) */
#define ARG_OPT_PRETTY	(1u << 3)	/* --pretty or -p (JSON allowed) */
#define ARG_OPT_PROM	(1u << 4)	/* --prometheus (stats) */

#define ARGS_MAX_POS	4

struct args {
	const char *pos[ARGS_MAX_POS];	/* positional words, in order */
	unsigned int npos;
	unsigned int opts;		/* ARG_OPT_* seen */
	bool help;			/* -h or --help seen: nothing else set */
};

/*
 * A command's --help on stdout: "Usage:", what @usage prints, and where
 * the exit statuses are listed. Returns 0, the exit status of a help.
 */
int args_help(void (*usage)(FILE *out));

/*
 * -j (@pretty false) or -p was given before the command: every command
 * that accepts --json takes it as given (main() only).
 */
void args_global_json(bool pretty);

/* True if any word is -h or --help. */
bool args_want_help(int argc, char **argv);

/*
 * Find @argv[0] among the @n entries of @table (@stride bytes apart,
 * each starting with its `const char *name`): its index in *@i. Missing
 * or unknown: XNIC_EXIT_USAGE, pointing at 'xnicctl @cmd --help'.
 */
int args_subcmd(int argc, char **argv, const char *cmd, const void *table,
		size_t n, size_t stride, size_t *i, struct xerr *err);

/*
 * Scan @argv: words naming an entry of @kw (terminated by a NULL name)
 * take the next word as value, at most once each; words starting with
 * '-' must be one of @allowed_opts; up to @max_pos other words are
 * positional. Returns 0 or XNIC_EXIT_USAGE with the reason in @err.
 */
int args_scan(int argc, char **argv, struct kwarg *kw, unsigned int max_pos,
	      unsigned int allowed_opts, struct args *a, struct xerr *err);

#endif /* XNICCTL_ARGS_H */
