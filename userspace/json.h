/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal streaming JSON writer for --json output: compact output, or
 * indented by four spaces a level after json_set_pretty(true); commas
 * and string escaping handled here (UTF-8 kept, other bytes escaped),
 * nesting up to 31 levels (one bit each in @nonempty).
 */
#ifndef XNICCTL_JSON_H
#define XNICCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json {
	FILE *out;
	unsigned int depth;
	unsigned int nonempty;	/* bit d: level d already has a member */
	bool after_key;		/* next value completes a "key": pair */
	bool pretty;		/* indented, from json_set_pretty() */
};

/* Indent the output of every json_init() that follows (-p). */
void json_set_pretty(bool pretty);
void json_init(struct json *j, FILE *out);

void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);

/* The key of the next member of the current object. */
void json_key(struct json *j, const char *key);

void json_string(struct json *j, const char *s);
void json_int(struct json *j, int64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* A "key": value member whose value may be missing: null if !@have. */
void json_member_int(struct json *j, const char *key, bool have, int64_t v);
/* A "key": "string" member; null if @s is NULL. */
void json_member_string(struct json *j, const char *key, const char *s);

#endif /* XNICCTL_JSON_H */
