/* SPDX-License-Identifier: GPL-2.0 */
/* Reading back the JSON Lines iommuwatch writes (for replay). */
#ifndef __IW_JSONL_H
#define __IW_JSONL_H

#include <stddef.h>
#include "record.h"
#include "rules.h"
#include "state.h"

/* Lines longer than this are refused, not parsed. */
#define IW_JSONL_MAX_LINE	65536

enum jsonl_kind {
	JSONL_ERROR = -1,
	JSONL_SKIP,		/* valid, nothing to replay (violation, lost) */
	JSONL_RECORD,		/* rec filled */
	JSONL_GROUP,		/* a start-state group: seeded into ctx->st */
	JSONL_SESSION,		/* the recording kernel's facts: set in ctx */
	JSONL_LOST,		/* events lost: facts->time, facts->lost */
	JSONL_NOT_WATCHED,	/* a late module: facts->time, facts->module */
};

/* What a session, lost or not_watched line says beyond the rules' facts. */
struct jsonl_facts {
	__u64 time;		/* ns since the epoch */
	char version[32];
	char kernel[65];
	char attach[16];
	__u64 lost;
	char module[64];
};

/*
 * Parse one line (len bytes, not NUL-terminated necessarily). On error,
 * err gets one sentence without the line number.
 */
enum jsonl_kind jsonl_parse(const char *line, size_t len, struct rule_ctx *ctx,
			    struct iw_record *rec, char *err, size_t errlen);
/* The same, and the facts of session, lost and not_watched lines. */
enum jsonl_kind jsonl_parse_facts(const char *line, size_t len,
				  struct rule_ctx *ctx, struct iw_record *rec,
				  struct jsonl_facts *facts, char *err,
				  size_t errlen);

/* What ns since the epoch in a signed 64-bit count can name. */
#define IW_TIME_MIN	"1970-01-01T00:00:00Z"
#define IW_TIME_MAX	"2262-04-11T23:47:16.854775807Z"

/*
 * "2026-11-23T18:42:51.123456789Z" -> ns since the epoch: 0, -EINVAL if
 * not that form, -ERANGE if outside IW_TIME_MIN..IW_TIME_MAX.
 */
int parse_rfc3339(const char *s, __u64 *ns);

#endif /* __IW_JSONL_H */
