// SPDX-License-Identifier: GPL-2.0
/* The JSON Lines writer: what it writes parses back to what it was given. */
#include <limits.h>
#include <stdlib.h>
#include <json-c/json.h>
#include "jsonw.h"
#include "unit.h"

typedef void (*fill_fn)(struct jsonw *w, const void *arg);

/* One line written by fill, parsed back by json-c. */
static json_object *write_and_parse(fill_fn fill, const void *arg,
				    char **line)
{
	struct jsonw w;
	size_t len = 0;
	FILE *f = open_memstream(line, &len);

	jsonw_begin(&w, f);
	fill(&w, arg);
	jsonw_end(&w);
	fclose(f);
	CHECK(len > 0 && (*line)[len - 1] == '\n' && !memchr(*line, '\n', len - 1));
	return json_tokener_parse(*line);
}

static const char *get_str(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v)
						  : NULL;
}

static void fill_str(struct jsonw *w, const void *arg)
{
	jsonw_str(w, "s", arg);
}

static void every_byte_round_trips(void)
{
	char in[256], *line = NULL;
	json_object *o;

	for (int i = 1; i < 256; i++)
		in[i - 1] = i < 128 ? i : 'x';
	in[255] = '\0';
	o = write_and_parse(fill_str, in, &line);
	CHECK(o != NULL);
	CHECK_STR(get_str(o, "s"), in);
	/* No raw control byte may reach the line. */
	for (char *p = line; *p != '\n'; p++)
		CHECK((unsigned char)*p >= 0x20);
	json_object_put(o);
	free(line);
}

/*
 * comm and journals are anyone's: C1 controls and DEL come out escaped,
 * bytes that are not UTF-8 as U+FFFD, and real UTF-8 as it is.
 */
static void utf8_and_controls(void)
{
	char *line = NULL;
	json_object *o;

	o = write_and_parse(fill_str, "a\x7f\xc2\x9b\xff\xc3\xa9\xe2\x82"
			    "\xed\xa0\x80z", &line);
	CHECK(o != NULL);
	CHECK_STR(line, "{\"s\":\"a\\u007f\\u009b\\ufffd\xc3\xa9\\ufffd"
		  "\\ufffd\\ufffd\\ufffd\\ufffdz\"}\n");
	CHECK_STR(get_str(o, "s"), "a\x7f\xc2\x9b\xef\xbf\xbd\xc3\xa9"
		  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		  "\xef\xbf\xbdz");
	json_object_put(o);
	free(line);
}

static void fill_numbers(struct jsonw *w, const void *arg)
{
	(void)arg;
	jsonw_int(w, "min", LLONG_MIN);
	jsonw_int(w, "max", LLONG_MAX);
	jsonw_int(w, "neg", -95);
	jsonw_int(w, "zero", 0);
	jsonw_uint(w, "umax", ULLONG_MAX);
	jsonw_bool(w, "t", true);
	jsonw_bool(w, "f", false);
	jsonw_null(w, "n");
	jsonw_str(w, "nstr", NULL);
}

static void numbers_and_literals(void)
{
	char *line = NULL;
	json_object *o = write_and_parse(fill_numbers, NULL, &line), *v;

	CHECK(o != NULL);
	CHECK_STR(line, "{\"min\":-9223372036854775808,\"max\":9223372036854775807,"
		  "\"neg\":-95,\"zero\":0,\"umax\":18446744073709551615,"
		  "\"t\":true,\"f\":false,\"n\":null,\"nstr\":null}\n");
	CHECK(json_object_object_get_ex(o, "n", &v) && !v);
	json_object_put(o);
	free(line);
}

static void fill_nested(struct jsonw *w, const void *arg)
{
	(void)arg;
	jsonw_str(w, "a", "1");
	jsonw_object_begin(w, "o");
	jsonw_int(w, "x", 1);
	jsonw_array_begin(w, "l");
	jsonw_array_str(w, "p");
	jsonw_array_str(w, "q");
	jsonw_array_end(w);
	jsonw_object_end(w);
	jsonw_array_begin(w, "empty");
	jsonw_array_end(w);
	jsonw_bool(w, "b", true);
}

static void nesting(void)
{
	char *line = NULL;
	json_object *o = write_and_parse(fill_nested, NULL, &line);

	CHECK_STR(line, "{\"a\":\"1\",\"o\":{\"x\":1,\"l\":[\"p\",\"q\"]},"
		  "\"empty\":[],\"b\":true}\n");
	CHECK(o != NULL);
	json_object_put(o);
	free(line);
}

/* Longer than the line buffer, and with escapes across its boundary. */
static void long_lines(void)
{
	size_t n = 3 * JSONW_BUF + 7;
	char *in = malloc(n + 1), *line = NULL;
	json_object *o;

	for (size_t i = 0; i < n; i++)
		in[i] = i % 97 == 0 ? '"' : i % 89 == 0 ? '\t' : 'a' + i % 26;
	in[n] = '\0';
	o = write_and_parse(fill_str, in, &line);
	CHECK(o != NULL);
	CHECK_STR(get_str(o, "s"), in);
	json_object_put(o);
	free(line);
	free(in);
}

static void fill_long_key(struct jsonw *w, const void *arg)
{
	jsonw_int(w, "first", 1);
	jsonw_str(w, arg, "v");
}

/* A key longer than the line buffer goes in pieces, whole. */
static void long_key(void)
{
	size_t n = JSONW_BUF + 100;
	char *key = malloc(n + 1), *line = NULL;
	json_object *o;

	memset(key, 'k', n);
	key[n] = '\0';
	o = write_and_parse(fill_long_key, key, &line);
	CHECK(o != NULL);
	CHECK_STR(get_str(o, key), "v");
	json_object_put(o);
	free(line);
	free(key);
}

static void no_file_writes_nothing(void)
{
	struct jsonw w;

	jsonw_begin(&w, NULL);
	fill_nested(&w, NULL);
	jsonw_end(&w);
	CHECK(w.len == 0);
}

UNIT_MAIN("jsonw", UNIT_CASE(every_byte_round_trips),
	  UNIT_CASE(utf8_and_controls),
	  UNIT_CASE(numbers_and_literals), UNIT_CASE(nesting),
	  UNIT_CASE(long_lines), UNIT_CASE(long_key),
	  UNIT_CASE(no_file_writes_nothing))
