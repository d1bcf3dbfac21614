// SPDX-License-Identifier: GPL-2.0
/* Leveled messages to stderr; stdout is kept for data. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "escape.h"
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

/*
 * Fields come formatted, quotes and all (log_quote() quotes a value):
 * only what a terminal or a log reader would act on is escaped here.
 */
static void put_fields(const char *s)
{
	char unit[ESC_UNIT_MAX];
	size_t n, used;

	while (*s) {
		if (*s == '"' || *s == '\\') {
			fputc(*s++, stderr);
			continue;
		}
		n = esc_unit(s, ESC_JSON, unit, &used);
		fwrite(unit, 1, n, stderr);
		s += used;
	}
}

/*
 * Messages name files, devices and what journals say: every control
 * character is escaped, as logfmt (JSON's escapes, which logfmt readers
 * decode) or as \xNN on a terminal.
 */
static void vlog(enum log_level level, const char *fields, const char *fmt,
		 va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (logfmt) {
		fprintf(stderr, "level=%s msg=\"", level_names[level]);
		esc_fputs(stderr, msg, ESC_JSON);
		fputc('"', stderr);
		if (fields) {
			fputc(' ', stderr);
			put_fields(fields);
		}
	} else {
		fputs(level_prefix[level], stderr);
		esc_fputs(stderr, msg, ESC_TEXT);
		if (fields) {
			fputs(": ", stderr);
			esc_fputs(stderr, fields, ESC_TEXT);
		}
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

const char *log_quote(char *buf, size_t size, const char *s)
{
	size_t n;

	if (size < 3) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	buf[0] = '"';
	n = strlen(esc_str(buf + 1, size - 2, s, ESC_JSON));
	buf[n + 1] = '"';
	buf[n + 2] = '\0';
	return buf;
}
