// SPDX-License-Identifier: GPL-2.0
/* `xnicctl batch` (see batch.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "batch.h"
#include "service_cmd.h"
#include "xnicctl.h"

static const char help_batch[] =
"batch FILE\n"
"    Run the commands in FILE ('-': standard input), one per line without\n"
"    the word xnicctl (e.g. 'service add 10.96.0.1:80/tcp --backend\n"
"    10.0.0.2:8080'), in this one process: the exec, the loading of\n"
"    xnicctl and libbpf's opening of the service maps are paid once for\n"
"    the file, not once per line. Words are split at spaces and tabs;\n"
"    '...' quotes literally, \"...\" quotes with \\\" and \\\\ inside, \\\n"
"    outside quotes escapes the next character; a word starting with #\n"
"    comments out the rest of the line; blank lines are skipped. The\n"
"    first line that fails stops the batch with that command's exit\n"
"    status and its own error after \"batch: line N: \"; the lines before\n"
"    it stay applied, and the failing command changed nothing, as when\n"
"    run alone. Lines are read as they run: a later line's error is only\n"
"    found when its turn comes. Every line starts in the network\n"
"    namespace the batch started in. A batch cannot run 'batch'.\n";

void batch_usage(FILE *out)
{
	fprintf(out, "\nxnicctl %s", help_batch);
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int batch_split(char *line, char **argv, int *argc, struct xerr *err)
{
	char *r = line, *w = line, quote, end;

	*argc = 0;
	for (;;) {
		while (blank(*r))
			r++;
		if (!*r || *r == '#')
			return 0;
		argv[(*argc)++] = w;
		/* One word, copied down over its quotes and escapes (w <= r). */
		while (*r && !blank(*r)) {
			if (*r == '\\') {
				if (!r[1] || r[1] == '\n')
					return xerr_set(err, XNIC_EXIT_USAGE,
							"'\\' at the end of the line");
				*w++ = r[1];
				r += 2;
				continue;
			}
			if (*r != '\'' && *r != '"') {
				*w++ = *r++;
				continue;
			}
			quote = *r++;
			while (*r && *r != quote) {
				if (quote == '"' && *r == '\\' &&
				    (r[1] == '"' || r[1] == '\\'))
					r++;
				*w++ = *r++;
			}
			if (!*r)
				return xerr_set(err, XNIC_EXIT_USAGE,
						"unterminated %s quote",
						quote == '"' ? "double" :
						"single");
			r++;
		}
		/* @w may be at the separator itself: read it first. */
		end = *r;
		*w++ = '\0';
		if (!end)
			return 0;
		r++;
	}
}

/* Print @err, return @ret: report(ctx, xerr_set(&err, ...), &err). */
static int report(const char *ctx, int ret, const struct xerr *err)
{
	xerr_print(ctx, err);
	return ret;
}

/* Run one line; its status. */
static int run_line(char *line, size_t len, batch_cmd_fn run)
{
	struct xerr err;
	char **argv;
	int argc, ret;

	if (strlen(line) != len)
		return report(NULL, xerr_set(&err, XNIC_EXIT_USAGE,
						 "a NUL byte in the line"),
			      &err);
	argv = calloc(len / 2 + 2, sizeof(*argv));
	if (!argv)
		return report(NULL, xerr_set(&err, XNIC_EXIT_SYSTEM,
						 "out of memory"), &err);
	ret = batch_split(line, argv, &argc, &err);
	if (ret)
		xerr_print(NULL, &err);
	else if (argc && !strcmp(argv[0], "batch"))
		ret = report(NULL, xerr_set(&err, XNIC_EXIT_USAGE,
						"a batch cannot run 'batch'"),
			     &err);
	else if (argc)
		ret = run(argc, argv);
	free(argv);
	return ret;
}

/*
 * `link ... netns NS` enters NS and stays there, which ends a process
 * but would move every later line of a batch: put it back.
 */
static int netns_back(int fd, const struct stat *home, struct xerr *err)
{
	struct stat now;

	if (fd < 0 || (!stat("/proc/self/ns/net", &now) &&
		       now.st_ino == home->st_ino &&
		       now.st_dev == home->st_dev))
		return 0;
	if (setns(fd, CLONE_NEWNET))
		return xerr_set(err, XNIC_EXIT_SYSTEM,
				"cannot return to the batch's network namespace: %s",
				strerror(errno));
	return 0;
}

void batch_quote(FILE *out, const char *word)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789._-:/@+,=[]%";
	const char *c;

	if (*word && word[strspn(word, plain)] == '\0') {
		fputs(word, out);
		return;
	}
	if (!strchr(word, '\'')) {
		fprintf(out, "'%s'", word);
		return;
	}
	fputc('"', out);
	for (c = word; *c; c++) {
		if (*c == '"' || *c == '\\')
			fputc('\\', out);
		fputc(*c, out);
	}
	fputc('"', out);
}

int batch_run(FILE *in, const char *name, batch_cmd_fn run)
{
	char where[48], *line = NULL;
	unsigned long n = 0;
	struct stat home;
	size_t cap = 0;
	struct xerr err;
	ssize_t len;
	int ret = 0, ns;

	ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ns >= 0 && fstat(ns, &home)) {
		close(ns);
		ns = -1;
	}
	/* Each command reuses what the previous one opened. */
	service_keep_maps(true);
	while (!ret && (len = getline(&line, &cap, in)) >= 0) {
		snprintf(where, sizeof(where), "batch: line %lu: ", ++n);
		xerr_where(where);
		ret = run_line(line, len, run);
		if (!ret && netns_back(ns, &home, &err))
			ret = report(NULL, XNIC_EXIT_SYSTEM, &err);
	}
	xerr_where(NULL);
	if (ns >= 0)
		close(ns);
	if (!ret && ferror(in))
		ret = report("batch", xerr_set(&err, XNIC_EXIT_SYSTEM,
					       "cannot read %s: %s", name,
					       strerror(errno)), &err);
	service_keep_maps(false);
	free(line);
	return ret;
}

int batch_main(int argc, char **argv, batch_cmd_fn run)
{
	struct kwarg none = { .name = NULL };
	const char *name;
	struct xerr err;
	struct args a;
	FILE *in;
	int ret;

	ret = args_scan(argc, argv, &none, 1, 0, &a, &err);
	if (!ret && a.help)
		return args_help(batch_usage);
	if (!ret && !a.npos)
		ret = xerr_set(&err, XNIC_EXIT_USAGE,
			       "missing FILE (or '-' for standard input)");
	if (ret)
		return report("batch", ret, &err);
	name = a.pos[0];
	in = strcmp(name, "-") ? fopen(name, "re") : stdin;
	if (!in)
		return report("batch", xerr_set(&err, XNIC_EXIT_USAGE,
						"cannot open %s: %s", name,
						strerror(errno)), &err);
	ret = batch_run(in, strcmp(name, "-") ? name : "standard input",
			run);
	if (in != stdin)
		fclose(in);
	return ret;
}
