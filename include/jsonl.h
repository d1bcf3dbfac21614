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
};

/*
 * Parse one line (len bytes, not NUL-terminated necessarily). On error,
 * err gets one sentence without the line number.
 */
enum jsonl_kind jsonl_parse(const char *line, size_t len, struct rule_ctx *ctx,
			    struct iw_record *rec, char *err, size_t errlen);

/* What ns since the epoch in a signed 64-bit count can name. */
#define IW_TIME_MIN	"1970-01-01T00:00:00Z"
#define IW_TIME_MAX	"2262-04-11T23:47:16.854775807Z"

/*
 * "2026-11-23T18:42:51.123456789Z" -> ns since the epoch: 0, -EINVAL if
 * not that form, -ERANGE if outside IW_TIME_MIN..IW_TIME_MAX.
 */
int parse_rfc3339(const char *s, __u64 *ns);

#endif /* __IW_JSONL_H */
