// SPDX-License-Identifier: GPL-2.0
/* libbpf's messages through the log; outside the core library (libbpf). */
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include "log.h"

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	/* libbpf's warnings are noise unless asked for: we report causes. */
	if (!log_enabled(LOG_DEBUG))
		return 0;
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

void log_setup_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
