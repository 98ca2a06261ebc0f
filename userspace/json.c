// SPDX-License-Identifier: GPL-2.0
/* A minimal streaming JSON writer (see json.h). */
#include <inttypes.h>

#include "json.h"

/* -p: set for the whole process by the command line (see args.c). */
static bool json_pretty;

void json_set_pretty(bool pretty)
{
	json_pretty = pretty;
}

void json_init(struct json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->nonempty = 0;
	j->after_key = false;
	j->pretty = json_pretty;
}

/* Pretty output: a new line, indented to the current depth. */
static void json_newline(struct json *j)
{
	unsigned int i;

	if (!j->pretty)
		return;
	fputc('\n', j->out);
	for (i = 0; i < j->depth; i++)
		fputs("    ", j->out);
}

/* Emit what separates this value from the previous one. */
static void json_sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->nonempty & (1u << j->depth))
		fputc(',', j->out);
	j->nonempty |= 1u << j->depth;
	if (j->depth)
		json_newline(j);
}

static void json_open(struct json *j, char c)
{
	json_sep(j);
	fputc(c, j->out);
	j->depth++;
	j->nonempty &= ~(1u << j->depth);
}

static void json_close(struct json *j, char c)
{
	bool had_members = j->nonempty & (1u << j->depth);

	j->depth--;
	if (had_members)
		json_newline(j);
	fputc(c, j->out);
	if (!j->depth)
		fputc('\n', j->out);
}

void json_array_begin(struct json *j)
{
	json_open(j, '[');
}

void json_array_end(struct json *j)
{
	json_close(j, ']');
}

void json_object_begin(struct json *j)
{
	json_open(j, '{');
}

void json_object_end(struct json *j)
{
	json_close(j, '}');
}

/*
 * The length of the well-formed UTF-8 sequence at @p (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF), or 0.
 */
static size_t utf8_len(const unsigned char *p)
{
	size_t n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;	/* also stops at the terminating NUL */
	if ((p[0] == 0xe0 && p[1] < 0xa0) ||	/* overlong */
	    (p[0] == 0xed && p[1] >= 0xa0) ||	/* surrogate */
	    (p[0] == 0xf0 && p[1] < 0x90) ||	/* overlong */
	    (p[0] == 0xf4 && p[1] >= 0x90))	/* past U+10FFFF */
		return 0;
	return n;
}

static void json_quote(struct json *j, const char *s)
{
	const unsigned char *p;
	size_t n;

	fputc('"', j->out);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			fprintf(j->out, "\\%c", *p);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(j->out, "\\u%04x", *p);
		} else if (*p < 0x80) {
			fputc(*p, j->out);
		} else if (utf8_len(p)) {
			/* UTF-8 is kept as it is: "café" stays readable. */
			n = utf8_len(p);
			fwrite(p, 1, n, j->out);
			p += n - 1;
		} else {
			/*
			 * Names are bytes, not always UTF-8: a byte that
			 * starts no valid sequence is written as the code
			 * point of the same value, so the output stays
			 * valid JSON whatever the name holds.
			 */
			fprintf(j->out, "\\u%04x", *p);
		}
	}
	fputc('"', j->out);
}

void json_key(struct json *j, const char *key)
{
	json_sep(j);
	json_quote(j, key);
	fputs(j->pretty ? ": " : ":", j->out);
	j->after_key = true;
}

void json_string(struct json *j, const char *s)
{
	json_sep(j);
	json_quote(j, s);
}

void json_int(struct json *j, int64_t v)
{
	json_sep(j);
	fprintf(j->out, "%" PRId64, v);
}

void json_bool(struct json *j, bool v)
{
	json_sep(j);
	fputs(v ? "true" : "false", j->out);
}

void json_null(struct json *j)
{
	json_sep(j);
	fputs("null", j->out);
}

void json_member_int(struct json *j, const char *key, bool have, int64_t v)
{
	json_key(j, key);
	if (have)
		json_int(j, v);
	else
		json_null(j);
}

void json_member_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	if (s)
		json_string(j, s);
	else
		json_null(j);
}
