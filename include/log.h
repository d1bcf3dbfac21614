/* SPDX-License-Identifier: GPL-2.0 */
/* Leveled messages to stderr (stdout is for data), plain or logfmt. */
#ifndef __IW_LOG_H
#define __IW_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level {
	LOG_ERR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
};

/* Messages this severe or more are printed; -v lowers it to LOG_DEBUG. */
void log_set_level(enum log_level level);
bool log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* logfmt lines (level=info msg="...") for the daemon under journald. */
void log_set_logfmt(bool on);
/* A message and logfmt fields: "key=value key2=\"v 2\"". */
void log_fields(enum log_level level, const char *msg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* s as a quoted logfmt value in buf ("...", escaped), for a %s field. */
const char *log_quote(char *buf, size_t size, const char *s);
/* libbpf's own messages through the log (log_libbpf.c: not in the core). */
void log_setup_libbpf(void);

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif /* __IW_LOG_H */
