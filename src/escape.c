// SPDX-License-Identifier: GPL-2.0
/*
 * Outside strings escaped for a terminal, JSON, logfmt or a Prometheus
 * label. UTF-8 is decoded here: no library the binary links offers a
 * validating decoder, and RFC 3629's rules fit in one function.
 */
#include <string.h>
#include "escape.h"

int utf8_char(const char *str, __u32 *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	__u32 c, min;
	int n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] < 0xc2) {		/* a continuation byte, or overlong */
		return 0;
	} else if (s[0] < 0xe0) {
		n = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] < 0xf0) {
		n = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] < 0xf5) {
		n = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* the NUL stops here too */
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static const char hex[] = "0123456789abcdef";

/* \xNN for each of the n bytes at s. */
static size_t hex_bytes(const char *s, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		out[4 * i] = '\\';
		out[4 * i + 1] = 'x';
		out[4 * i + 2] = hex[(unsigned char)s[i] >> 4];
		out[4 * i + 3] = hex[s[i] & 0xf];
	}
	return 4 * n;
}

/* \u00NN: a control character in a JSON string. */
static size_t json_control(__u32 cp, char *out)
{
	memcpy(out, "\\u00", 4);
	out[4] = hex[cp >> 4];
	out[5] = hex[cp & 0xf];
	return 6;
}

size_t esc_unit(const char *s, enum esc_style style, char *out,
		size_t *used)
{
	int n;
	__u32 cp;

	n = utf8_char(s, &cp);
	*used = n ? n : 1;
	if (n && !is_control(cp)) {
		if (*s == '\\' || (*s == '"' && style != ESC_TEXT)) {
			out[0] = '\\';
			out[1] = *s;
			return 2;
		}
		memcpy(out, s, n);
		return n;
	}
	switch (style) {
	case ESC_TEXT:
		return hex_bytes(s, *used, out);
	case ESC_JSON:
		if (n)
			return json_control(cp, out);
		memcpy(out, "\\ufffd", 6);
		return 6;
	case ESC_PROM:
		if (n && cp == '\n') {
			memcpy(out, "\\n", 2);
			return 2;
		}
		memcpy(out, "\xef\xbf\xbd", 3);	/* U+FFFD */
		return 3;
	}
	return 0;
}

/* Bytes that are written as they are, whatever the style. */
static inline bool plain(char c, enum esc_style style)
{
	return c >= 0x20 && c < 0x7f && c != '\\' &&
	       (c != '"' || style == ESC_TEXT);
}

const char *esc_str(char *buf, size_t size, const char *s,
		    enum esc_style style)
{
	char unit[ESC_UNIT_MAX];
	size_t at = 0, n, used;

	if (!size)
		return buf;
	while (*s) {
		if (plain(*s, style)) {
			if (at + 1 >= size)
				break;
			buf[at++] = *s++;
			continue;
		}
		n = esc_unit(s, style, unit, &used);
		if (at + n >= size)
			break;
		memcpy(buf + at, unit, n);
		at += n;
		s += used;
	}
	buf[at] = '\0';
	return buf;
}

void esc_fputs(FILE *f, const char *s, enum esc_style style)
{
	char unit[ESC_UNIT_MAX];
	size_t n, used;

	while (*s) {
		for (n = 0; plain(s[n], style); n++)
			;
		fwrite(s, 1, n, f);
		s += n;
		if (!*s)
			break;
		n = esc_unit(s, style, unit, &used);
		fwrite(unit, 1, n, f);
		s += used;
	}
}
