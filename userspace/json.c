// SPDX-License-Identifier: GPL-2.0
/* A minimal streaming JSON writer (see json.h). */
#include <inttypes.h>

#include "json.h"

void json_init(struct json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->nonempty = 0;
	j->after_key = false;
}

/* Emit the comma that separates this value from the previous one. */
static void json_sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->nonempty & (1u << j->depth))
		fputc(',', j->out);
	j->nonempty |= 1u << j->depth;
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
	j->depth--;
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

static void json_quote(struct json *j, const char *s)
{
	const unsigned char *p;

	fputc('"', j->out);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(j->out, "\\%c", *p);
		/*
		 * Interface names are bytes, not UTF-8: escaping every
		 * non-ASCII byte keeps the output valid JSON whatever they
		 * hold.
		 */
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(j->out, "\\u%04x", *p);
		else
			fputc(*p, j->out);
	}
	fputc('"', j->out);
}

void json_key(struct json *j, const char *key)
{
	json_sep(j);
	json_quote(j, key);
	fputc(':', j->out);
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
