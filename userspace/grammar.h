/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command words of xnicctl, as ip(8) and bpftool(8) users expect
 * them: a command or subcommand may be shortened to any prefix no other
 * word at its place shares ("xnicctl li sh"), "show" and "list" name the
 * same subcommand, and "help" in a subcommand's place asks for help.
 * Pure (no I/O): words are rewritten in place before the command parses.
 */
#ifndef XNICCTL_GRAMMAR_H
#define XNICCTL_GRAMMAR_H

#include <stdio.h>

struct xerr;

/* A command or subcommand, and the words that may follow it. */
struct cmd_word {
	const char *name;
	const struct cmd_word *sub;	/* NULL-terminated, or NULL */
};

/* Building a tree: CMD_WORDS(CMD_WORD("add"), CMD_NEST("backend", ...)). */
#define CMD_WORDS(...) \
	((const struct cmd_word[]){ __VA_ARGS__, { .name = NULL } })
#define CMD_WORD(word) { .name = (word) }
#define CMD_NEST(word, subs) { .name = (word), .sub = (subs) }

/*
 * Resolve @argv[0] against @words, then each next word against the
 * subcommands of the one before: a word becomes the full name it
 * abbreviates ("show" where only "list" exists becomes "list", and
 * back), and "help" becomes "--help". The first word that names nothing
 * (an argument, an option, a typo) ends the walk and is left for the
 * command to judge. Returns 0, or XNIC_EXIT_USAGE for a prefix that fits
 * two words, the message naming both.
 */
int grammar_resolve(int argc, char **argv, const struct cmd_word *words,
		    struct xerr *err);

/*
 * For shell completion: the words that may come at the place of the
 * last of @argv (a word being typed, maybe ""), after the words before
 * it resolved as grammar_resolve() does; one per line on @out, of show
 * and list the one the word begins. Nothing where an argument is due.
 */
void grammar_complete(int argc, char **argv, const struct cmd_word *words,
		      FILE *out);

#endif /* XNICCTL_GRAMMAR_H */
