/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JSON Lines, streamed: one object a line, built member by member in a
 * line buffer and written with one fwrite. A tree library (json-c) built,
 * serialised and freed an object for every event: 14x the cost of all else
 * trace does with an event (tests/bench/consumer.c measures both).
 */
#ifndef __IW_JSONW_H
#define __IW_JSONW_H

#include <stdbool.h>
#include <stdio.h>

/* Objects and arrays nest at most this deep (a violation needs 2). */
#define JSONW_MAX_DEPTH	4

/* Longer lines go out in pieces. */
#define JSONW_BUF	2048

struct jsonw {
	FILE *f;
	int depth;
	bool first[JSONW_MAX_DEPTH];	/* no member yet at this depth */
	size_t len;
	char buf[JSONW_BUF];
};

/* An object on f, closed and ended with a newline by jsonw_end(). */
void jsonw_begin(struct jsonw *w, FILE *f);
void jsonw_end(struct jsonw *w);

/* Members of the innermost object; a NULL string is written as null. */
void jsonw_str(struct jsonw *w, const char *key, const char *val);
void jsonw_int(struct jsonw *w, const char *key, long long val);
void jsonw_uint(struct jsonw *w, const char *key, unsigned long long val);
void jsonw_bool(struct jsonw *w, const char *key, bool val);
void jsonw_null(struct jsonw *w, const char *key);
/* val when set, else null. */
void jsonw_opt_int(struct jsonw *w, const char *key, bool set, long long val);

/* Nested objects, and arrays of strings. */
void jsonw_object_begin(struct jsonw *w, const char *key);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w, const char *key);
void jsonw_array_str(struct jsonw *w, const char *val);
void jsonw_array_end(struct jsonw *w);

#endif /* __IW_JSONW_H */
