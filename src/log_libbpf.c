// SPDX-License-Identifier: GPL-2.0
/* libbpf's messages through the log; outside the core library (libbpf). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "escape.h"
#include "log.h"

/*
 * libbpf names a kprobe by its address when it was attached by one (a
 * copy of a duplicate name): kernel addresses stay out of the output.
 */
static void mask_kernel_addresses(char *s)
{
	for (char *p = s; (p = strstr(p, "0xffff")); p += 2) {
		size_t n = strspn(p + 2, "0123456789abcdef");

		if (n >= 12)
			memset(p + 2, 'x', n);
	}
}

/*
 * libbpf's text holds the kernel's (verifier logs, BTF names): escaped as
 * any outside string, but for its own newlines and the tabs of the
 * verifier's source lines.
 */
static void put_escaped(char *s)
{
	size_t n;
	char c;

	for (;;) {
		n = strcspn(s, "\n\t");
		c = s[n];
		s[n] = '\0';
		esc_fputs(stderr, s, ESC_TEXT);
		if (!c)
			break;
		fputc(c, stderr);
		s += n + 1;
	}
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	char *buf;
	int n;

	/* libbpf's warnings are noise unless asked for: we report causes. */
	if (!log_enabled(LOG_DEBUG))
		return 0;
	(void)level;
	/* Verifier logs come whole: as long as they are. */
	n = vasprintf(&buf, fmt, ap);
	if (n < 0)
		return n;
	mask_kernel_addresses(buf);
	put_escaped(buf);
	free(buf);
	return n;
}

void log_setup_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
