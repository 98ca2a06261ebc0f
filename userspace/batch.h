/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `xnicctl batch FILE`: many commands in one process, in the spirit of
 * `ip -batch` and `bpftool batch file`. What a run of one command costs
 * besides its own work (exec, the dynamic loader, libbpf opening the
 * object and reusing its pinned maps) is paid once for the file.
 * Splitting a line into words (batch_split) is pure and unit-tested in
 * tests/cli/test_batch.c.
 */
#ifndef XNICCTL_BATCH_H
#define XNICCTL_BATCH_H

#include <stdio.h>

struct xerr;

/*
 * Runs one command, @argv[0] being its name ("service", ...), printing
 * its own error; returns its exit status.
 */
typedef int (*batch_cmd_fn)(int argc, char **argv);

/*
 * Split @line in place into words: at spaces and tabs; '...' quotes
 * literally, "..." quotes with \" and \\ escaped, \ outside quotes
 * escapes the next character; a word starting with '#' ends the line.
 * @argv must have room for strlen(@line) / 2 + 1 words. No words: 0 and
 * *@argc = 0. An unterminated quote or a trailing \: XNIC_EXIT_USAGE.
 */
int batch_split(char *line, char **argv, int *argc, struct xerr *err);

/*
 * Write @word to @out so that batch_split() reads it back as one word:
 * as it is if it needs no quoting, else in '...' (or "..." with \"
 * and \\ escaped if it holds a single quote). For `save`.
 */
void batch_quote(FILE *out, const char *word);

/*
 * Run the lines of @in through @run until one fails: its exit status,
 * with "batch: line N: " before every error printed meanwhile. @name
 * names @in in read errors.
 */
int batch_run(FILE *in, const char *name, batch_cmd_fn run);

int batch_main(int argc, char **argv, batch_cmd_fn run);
void batch_usage(FILE *out);

#endif /* XNICCTL_BATCH_H */
