/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A recording read into a timeline, line by line: the rules run as in
 * replay, records and their violations are drawn, group lines seed lanes.
 * cmd_report() reads files with it; the fuzzer feeds it directly.
 */
#ifndef __IW_REPORT_H
#define __IW_REPORT_H

#include "jsonl.h"
#include "pipeline.h"
#include "timeline.h"

/* A picture of at most 512 lanes; the last 1000 violations listed. */
#define REPORT_LANES		512
#define REPORT_VIOLATIONS	1000

struct report {
	struct pipeline pl;
	struct iw_state *st;
	struct timeline *tl;
	bool seed_pending;	/* group lines read, not drawn yet */
};

/* Only group (-1: all) or device (NULL: all); 0 or -ENOMEM. */
int report_init(struct report *r, int group, const char *device,
		int max_lanes, int max_violations);
/* A recording_line_fn: arg is the report. */
void report_line(void *arg, enum jsonl_kind kind, struct iw_record *rec,
		 const struct jsonl_facts *facts);
/* After the last line: lanes for groups read but not drawn yet. */
void report_end(struct report *r);
void report_free(struct report *r);

#endif /* __IW_REPORT_H */
