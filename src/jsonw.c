// SPDX-License-Identifier: GPL-2.0
/* JSON Lines built in a line buffer, one fwrite a line. */
#include <string.h>
#include "escape.h"
#include "jsonw.h"

/* A writer with no FILE (a daemon without a journal) writes nothing. */
static void flush(struct jsonw *w)
{
	if (w->f)
		fwrite_unlocked(w->buf, 1, w->len, w->f);
	w->len = 0;
}

/* What does not fit: flush the line so far; longer pieces go out as is. */
static void put_slow(struct jsonw *w, const char *s, size_t n)
{
	flush(w);
	if (n > sizeof(w->buf)) {
		if (w->f)
			fwrite_unlocked(s, 1, n, w->f);
		return;
	}
	memcpy(w->buf, s, n);
	w->len = n;
}

static inline void put(struct jsonw *w, const char *s, size_t n)
{
	if (w->len + n > sizeof(w->buf)) {
		put_slow(w, s, n);
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static inline void put_char(struct jsonw *w, char c)
{
	if (w->len == sizeof(w->buf))
		flush(w);
	w->buf[w->len++] = c;
}

/*
 * Bytes to look at before writing: what a JSON string cannot hold as it
 * is, DEL, and every non-ASCII byte (C1 controls and bytes that are not
 * UTF-8 are escaped, the rest copied); NUL ends the scan too.
 */
static const bool needs_escape[256] = {
	[0 ... 0x1f] = true, ['"'] = true, ['\\'] = true, [0x7f ... 0xff] = true,
};

/*
 * A JSON string literal (RFC 8259) that is valid UTF-8 and holds no
 * control character a terminal would act on: \u00XX for those, \ufffd
 * for a byte that is not UTF-8. comm and journals are anyone's to write.
 */
static void put_string(struct jsonw *w, const char *s)
{
	char unit[ESC_UNIT_MAX];
	const char *run;
	size_t n, used;

	put_char(w, '"');
	for (;;) {
		for (run = s; !needs_escape[(unsigned char)*s]; s++)
			;
		put(w, run, s - run);
		if (!*s)
			break;
		n = esc_unit(s, ESC_JSON, unit, &used);
		put(w, unit, n);
		s += used;
	}
	put_char(w, '"');
}

/* Digits by hand: snprintf's format parsing was most of a number's cost. */
static void put_uint(struct jsonw *w, unsigned long long v)
{
	char digits[20];
	int i = sizeof(digits);

	do {
		digits[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	put(w, digits + i, sizeof(digits) - i);
}

/*
 * The separator and key of the next member (key NULL: an array element),
 * written at once: keys are the program's own short literals, with
 * nothing to escape. One longer than the buffer goes in pieces.
 */
static void member(struct jsonw *w, const char *key)
{
	size_t klen = key ? strlen(key) : 0;
	bool sep = !w->first[w->depth];
	char *p;

	w->first[w->depth] = false;
	if (klen + 4 > sizeof(w->buf)) {
		if (sep)
			put_char(w, ',');
		put_char(w, '"');
		put(w, key, klen);
		put(w, "\":", 2);
		return;
	}
	if (w->len + klen + 4 > sizeof(w->buf))
		flush(w);
	p = w->buf + w->len;
	if (sep)
		*p++ = ',';
	if (key) {
		*p++ = '"';
		memcpy(p, key, klen);
		p += klen;
		*p++ = '"';
		*p++ = ':';
	}
	w->len = p - w->buf;
}

static void open_level(struct jsonw *w, char c)
{
	put_char(w, c);
	if (w->depth + 1 < JSONW_MAX_DEPTH)
		w->first[++w->depth] = true;
}

static void close_level(struct jsonw *w, char c)
{
	put_char(w, c);
	if (w->depth > 0)
		w->depth--;
}

void jsonw_begin(struct jsonw *w, FILE *f)
{
	w->f = f;
	w->len = 0;
	w->depth = 0;
	w->first[0] = true;
	open_level(w, '{');
}

void jsonw_end(struct jsonw *w)
{
	close_level(w, '}');
	put_char(w, '\n');
	flush(w);
}

void jsonw_str(struct jsonw *w, const char *key, const char *val)
{
	member(w, key);
	if (val)
		put_string(w, val);
	else
		put(w, "null", 4);
}

void jsonw_int(struct jsonw *w, const char *key, long long val)
{
	member(w, key);
	if (val < 0) {
		put_char(w, '-');
		put_uint(w, -(unsigned long long)val);
	} else {
		put_uint(w, val);
	}
}

void jsonw_uint(struct jsonw *w, const char *key, unsigned long long val)
{
	member(w, key);
	put_uint(w, val);
}

void jsonw_bool(struct jsonw *w, const char *key, bool val)
{
	member(w, key);
	if (val)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void jsonw_null(struct jsonw *w, const char *key)
{
	member(w, key);
	put(w, "null", 4);
}

void jsonw_opt_int(struct jsonw *w, const char *key, bool set, long long val)
{
	if (set)
		jsonw_int(w, key, val);
	else
		jsonw_null(w, key);
}

void jsonw_object_begin(struct jsonw *w, const char *key)
{
	member(w, key);
	open_level(w, '{');
}

void jsonw_object_end(struct jsonw *w)
{
	close_level(w, '}');
}

void jsonw_array_begin(struct jsonw *w, const char *key)
{
	member(w, key);
	open_level(w, '[');
}

void jsonw_array_str(struct jsonw *w, const char *val)
{
	member(w, NULL);
	put_string(w, val);
}

void jsonw_array_end(struct jsonw *w)
{
	close_level(w, ']');
}
