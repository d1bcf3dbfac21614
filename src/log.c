// SPDX-License-Identifier: GPL-2.0
/* Leveled messages to stderr; stdout is kept for data. */
#include <stdarg.h>
#include <stdio.h>
#include "log.h"

static enum log_level max_level = LOG_INFO;
static bool logfmt;

static const char *const level_names[] = {
	[LOG_ERR] = "error",
	[LOG_WARN] = "warn",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

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

void log_set_logfmt(bool on)
{
	logfmt = on;
}

static void put_quoted(const char *s)
{
	fputc('"', stderr);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', stderr);
		fputc(*s == '\n' ? ' ' : *s, stderr);
	}
	fputc('"', stderr);
}

static void vlog(enum log_level level, const char *fields, const char *fmt,
		 va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (logfmt) {
		fprintf(stderr, "level=%s msg=", level_names[level]);
		put_quoted(msg);
		if (fields)
			fprintf(stderr, " %s", fields);
	} else {
		fprintf(stderr, "%s%s%s%s", level_prefix[level], msg,
			fields ? ": " : "", fields ? fields : "");
	}
	fputc('\n', stderr);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vlog(level, NULL, fmt, ap);
	va_end(ap);
}

static void log_fixed(enum log_level level, const char *fields,
		      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fields, fmt, ap);
	va_end(ap);
}

void log_fields(enum log_level level, const char *msg, const char *fmt, ...)
{
	char fields[512];
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(fields, sizeof(fields), fmt, ap);
	va_end(ap);
	log_fixed(level, fields, "%s", msg);
}
