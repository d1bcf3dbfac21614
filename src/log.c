// SPDX-License-Identifier: GPL-2.0
/* Leveled messages to stderr; stdout is kept for data. */
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include "log.h"

static enum log_level max_level = LOG_INFO;

static const char *const level_prefix[] = {
	[LOG_ERR] = "iommuwatch: error: ",
	[LOG_WARN] = "iommuwatch: warning: ",
	[LOG_INFO] = "iommuwatch: ",
	[LOG_DEBUG] = "iommuwatch: debug: ",
};

void log_set_level(enum log_level level)
{
	max_level = level;
}

bool log_enabled(enum log_level level)
{
	return level <= max_level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(level))
		return;
	fputs(level_prefix[level], stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

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
