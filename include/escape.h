/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strings from outside (the kernel, another process, a file) escaped for
 * where they are printed. A task names itself (prctl), a journal comes
 * from another host: neither may reach a terminal, a log line or a page
 * as control characters or bytes that are not UTF-8.
 */
#ifndef __IW_ESCAPE_H
#define __IW_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

/* How control characters and bytes that are not UTF-8 are written. */
enum esc_style {
	/* A terminal, a table, an error message: \xNN per byte, \\. */
	ESC_TEXT,
	/* Inside a JSON or logfmt string: \", \\, \u00NN, \ufffd. */
	ESC_JSON,
	/* A Prometheus label value: \", \\, \n; others become U+FFFD. */
	ESC_PROM,
};

/* The longest text one character of the input can become. */
#define ESC_UNIT_MAX	8

/*
 * The UTF-8 character at s: its length (1 to 4) and code point, or 0 when
 * s does not start one (RFC 3629: no overlong form, surrogate or code
 * point past U+10FFFF; a sequence cut by the NUL is not one either).
 */
int utf8_char(const char *s, __u32 *cp);

/* C0, DEL and C1 (U+0080..U+009F): what a terminal acts on. */
static inline bool is_control(__u32 cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}

/*
 * The first character of s (not its NUL) as style writes it: *used gets
 * the bytes of s it took, out (ESC_UNIT_MAX bytes, not NUL-terminated)
 * the text; returns the text's length.
 */
size_t esc_unit(const char *s, enum esc_style style, char *out,
		size_t *used);

/*
 * s escaped into buf, NUL-terminated: as much as fits in size bytes,
 * never half an escape or half a character. Returns buf.
 */
const char *esc_str(char *buf, size_t size, const char *s,
		    enum esc_style style);

/* s escaped to f. */
void esc_fputs(FILE *f, const char *s, enum esc_style style);

#endif /* __IW_ESCAPE_H */
