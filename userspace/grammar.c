// SPDX-License-Identifier: GPL-2.0
/* Command words: prefixes, show/list and help (see grammar.h). */
#include <stdio.h>
#include <string.h>

#include "grammar.h"
#include "xnicctl.h"

/* The other name of a subcommand every listing command answers to. */
static const char *synonym(const char *name)
{
	if (!strcmp(name, "show"))
		return "list";
	if (!strcmp(name, "list"))
		return "show";
	return NULL;
}

/* Does @word name @c exactly, or (@prefix) abbreviate it? */
static int names(const struct cmd_word *c, const char *word, int prefix)
{
	const char *alt = synonym(c->name);
	size_t len = strlen(word);

	if (prefix)
		return !strncmp(c->name, word, len) ||
		       (alt && !strncmp(alt, word, len));
	return !strcmp(c->name, word) || (alt && !strcmp(alt, word));
}

/* Append @sep and @word to the string in @buf, cutting it short if full. */
static void append(char *buf, size_t size, const char *sep, const char *word)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%s", len ? sep : "", word);
}

/*
 * The entry of @words that @word names: an exact name first, else the
 * one entry it is a prefix of. NULL if none; XNIC_EXIT_USAGE if two.
 */
static int lookup(const struct cmd_word *words, const char *word,
		  const char *path, const struct cmd_word **found,
		  struct xerr *err)
{
	const struct cmd_word *c, *hit = NULL;
	char list[256] = "";
	int many = 0;

	*found = NULL;
	if (!*word || *word == '-')
		return 0;
	for (c = words; c->name; c++)
		if (names(c, word, 0)) {
			*found = c;
			return 0;
		}
	for (c = words; c->name; c++) {
		if (!names(c, word, 1))
			continue;
		many += !!hit;
		hit = c;
		append(list, sizeof(list), ", ", c->name);
	}
	if (many)
		return xerr_set(err, XNIC_EXIT_USAGE,
				"%s%sambiguous %s '%s': %s (try 'xnicctl %s%s--help')",
				path, *path ? ": " : "",
				*path ? "subcommand" : "command", word, list,
				path, *path ? " " : "");
	*found = hit;
	return 0;
}

int grammar_resolve(int argc, char **argv, const struct cmd_word *words,
		    struct xerr *err)
{
	const struct cmd_word *c;
	char path[128] = "";
	int i, ret;

	for (i = 0; i < argc && words; i++) {
		if (!strcmp(argv[i], "help")) {
			argv[i] = (char *)"--help";
			return 0;
		}
		ret = lookup(words, argv[i], path, &c, err);
		if (ret || !c)
			return ret;
		argv[i] = (char *)c->name;
		append(path, sizeof(path), " ", c->name);
		words = c->sub;
	}
	return 0;
}

void grammar_complete(int argc, char **argv, const struct cmd_word *words,
		      FILE *out)
{
	const struct cmd_word *c;
	const char *part;
	struct xerr err;
	size_t len;
	int i;

	if (argc < 1)
		return;
	for (i = 0; i < argc - 1 && words; i++) {
		if (lookup(words, argv[i], "", &c, &err) || !c)
			return;	/* an argument, or an ambiguous prefix */
		words = c->sub;
	}
	part = argv[argc - 1];
	len = strlen(part);
	/* The name the typed part begins: "show" for "sh" where "list". */
	for (c = words; c && c->name; c++)
		if (names(c, part, 1))
			fprintf(out, "%s\n", !strncmp(c->name, part, len) ?
				c->name : synonym(c->name));
	if (words && !strncmp("help", part, len))
		fputs("help\n", out);
}
