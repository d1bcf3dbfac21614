// SPDX-License-Identifier: GPL-2.0
/*
 * Escaping outside strings: RFC 3629's decoder, each style's escapes, and
 * a buffer too small cuts between units, never inside one.
 */
#include <stdlib.h>
#include "escape.h"
#include "unit.h"

static void utf8_valid_and_invalid(void)
{
	static const struct {
		const char *s;
		int len;
		__u32 cp;
	} cases[] = {
		{ "A", 1, 'A' },
		{ "\x7f", 1, 0x7f },
		{ "\xc2\x80", 2, 0x80 },		/* C1, valid UTF-8 */
		{ "\xc3\xa9", 2, 0xe9 },
		{ "\xe2\x82\xac", 3, 0x20ac },
		{ "\xed\x9f\xbf", 3, 0xd7ff },
		{ "\xf0\x9f\x98\x80", 4, 0x1f600 },
		{ "\xf4\x8f\xbf\xbf", 4, 0x10ffff },
		{ "\x80", 0, 0 },			/* lone continuation */
		{ "\xc0\x80", 0, 0 },			/* overlong NUL */
		{ "\xc1\xbf", 0, 0 },
		{ "\xe0\x80\x80", 0, 0 },		/* overlong, 3 bytes */
		{ "\xf0\x8f\xbf\xbf", 0, 0 },		/* overlong, 4 bytes */
		{ "\xed\xa0\x80", 0, 0 },		/* a surrogate */
		{ "\xf4\x90\x80\x80", 0, 0 },		/* past U+10FFFF */
		{ "\xf5\x80\x80\x80", 0, 0 },
		{ "\xff", 0, 0 },
		{ "\xc3", 0, 0 },			/* cut by the NUL */
		{ "\xe2\x82", 0, 0 },
		{ "\xc3" "A", 0, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		__u32 cp = 0xdead;
		int n = utf8_char(cases[i].s, &cp);

		if (n != cases[i].len)
			fprintf(stderr, "  case %zu: %d\n", i, n);
		CHECK(n == cases[i].len);
		if (n)
			CHECK(cp == cases[i].cp);
	}
}

static const char hostile[] = "a\x1b[31mb\x7f\xc2\x9b" "1m\xff\xc3\xa9\"\\\n";

static void text_style(void)
{
	char buf[128];

	CHECK_STR(esc_str(buf, sizeof(buf), hostile, ESC_TEXT),
		  "a\\x1b[31mb\\x7f\\xc2\\x9b1m\\xff\xc3\xa9\"\\\\\\x0a");
	CHECK_STR(esc_str(buf, sizeof(buf), "0000:00:03.0", ESC_TEXT),
		  "0000:00:03.0");
	CHECK_STR(esc_str(buf, sizeof(buf), "", ESC_TEXT), "");
}

static void json_style(void)
{
	char buf[128];

	CHECK_STR(esc_str(buf, sizeof(buf), hostile, ESC_JSON),
		  "a\\u001b[31mb\\u007f\\u009b1m\\ufffd\xc3\xa9\\\"\\\\\\u000a");
}

static void prom_style(void)
{
	char buf[128];

	CHECK_STR(esc_str(buf, sizeof(buf), hostile, ESC_PROM),
		  "a\xef\xbf\xbd[31mb\xef\xbf\xbd\xef\xbf\xbd" "1m\xef\xbf\xbd"
		  "\xc3\xa9\\\"\\\\\\n");
}

/* What does not fit is left out whole. */
static void cut_between_units(void)
{
	char buf[16];

	CHECK_STR(esc_str(buf, 7, "ab\x1b", ESC_TEXT), "ab\\x1b");
	CHECK_STR(esc_str(buf, 6, "ab\x1b", ESC_TEXT), "ab");
	CHECK_STR(esc_str(buf, 3, "a\xc3\xa9", ESC_TEXT), "a");
	CHECK_STR(esc_str(buf, 4, "a\xc3\xa9", ESC_TEXT), "a\xc3\xa9");
	CHECK_STR(esc_str(buf, 8, "\xc2\x9b", ESC_TEXT), "");
	CHECK_STR(esc_str(buf, 9, "\xc2\x9b", ESC_TEXT), "\\xc2\\x9b");
	CHECK_STR(esc_str(buf, 1, "abc", ESC_TEXT), "");
	CHECK_STR(esc_str(buf, 3, "abc", ESC_TEXT), "ab");
}

/* The stream and the buffer agree, on every byte value. */
static void stream_matches_buffer(void)
{
	char in[256], buf[2048], *out = NULL;
	enum esc_style styles[] = { ESC_TEXT, ESC_JSON, ESC_PROM };
	size_t len;

	for (int i = 1; i < 256; i++)
		in[i - 1] = i;
	in[255] = '\0';
	for (size_t s = 0; s < ARRAY_SIZE(styles); s++) {
		FILE *f = open_memstream(&out, &len);

		esc_fputs(f, in, styles[s]);
		fclose(f);
		CHECK_STR(out, esc_str(buf, sizeof(buf), in, styles[s]));
		/* Nothing a terminal acts on is left. */
		for (const char *p = out; *p; ) {
			__u32 cp;
			int n = utf8_char(p, &cp);

			CHECK(n > 0 && !is_control(cp));
			p += n ? n : 1;
		}
		free(out);
		out = NULL;
	}
}

UNIT_MAIN("escape", UNIT_CASE(utf8_valid_and_invalid), UNIT_CASE(text_style),
	  UNIT_CASE(json_style), UNIT_CASE(prom_style),
	  UNIT_CASE(cut_between_units), UNIT_CASE(stream_matches_buffer))
