// SPDX-License-Identifier: GPL-2.0
/* Error messages: one line each, whatever the user typed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xnicctl.h"

int xerr_set(struct xerr *err, int status, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);

	/*
	 * Messages quote user input, which may hold newlines or escape
	 * sequences; keep the promise of a single printable line.
	 */
	for (p = err->msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return status;
}

static const char *where = "";

void xerr_where(const char *w)
{
	where = w ? w : "";
}

void xerr_print(const char *ctx, const struct xerr *err)
{
	if (ctx)
		fprintf(stderr, "xnicctl: %s%s: %s\n", where, ctx, err->msg);
	else
		fprintf(stderr, "xnicctl: %s%s\n", where, err->msg);
}

int xerr_flush(struct xerr *err)
{
	if (fflush(stdout) || ferror(stdout))
		return xerr_set(err, XNIC_EXIT_SYSTEM,
				"cannot write output: %s", strerror(errno));
	return 0;
}
