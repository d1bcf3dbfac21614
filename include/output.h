/* SPDX-License-Identifier: GPL-2.0 */
/* Records as a human table or as JSON Lines; the field names are a contract. */
#ifndef __IW_OUTPUT_H
#define __IW_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include "jsonw.h"
#include "record.h"
#include "rules.h"
#include "state.h"

/* The text of the last second formatted. */
struct time_cache {
	time_t sec;
	size_t len;
	char text[24];
};

struct output {
	FILE *f;
	bool json;
	__s64 mono_to_real_ns;	/* add to CLOCK_MONOTONIC for wall time */
	struct jsonw jw;
	struct time_cache tc;
};

void output_init(struct output *out, FILE *f, bool json);
void output_header(struct output *out);
void output_record(struct output *out, const struct iw_record *rec,
		   const struct iw_prior *prior);
void output_violation(struct output *out, const struct iw_record *rec,
		      const struct iw_violation *v);
/* JSON only: the first line of a session, with the kernel's facts. */
void output_session(struct output *out, __u64 mono_ns,
		    const struct rule_ctx *rules,
		    const char *not_watched, const char *attach);
/* JSON only: one group, as status and a trace's start state show it. */
void output_group(struct output *out, struct iw_state *st,
		  const struct iw_group *grp);
/* Events lost in the kernel since the last report. */
void output_lost(struct output *out, __u64 mono_ns, __u64 count);
/* A driver module loaded after start, and the ops of it not hooked. */
void output_not_watched(struct output *out, __u64 mono_ns,
			const char *module, const char *const *ops, int n_ops);

/* RFC 3339 UTC with nanoseconds: 2026-11-23T18:42:51.123456789Z */
void format_rfc3339(__u64 real_ns, char *buf, size_t len);

#endif /* __IW_OUTPUT_H */
