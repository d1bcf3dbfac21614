/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What happens to every record, live or replayed: the state advances, the
 * rules run, and what the session asked for is printed and counted.
 */
#ifndef __IW_PIPELINE_H
#define __IW_PIPELINE_H

#include "output.h"
#include "rules.h"
#include "state.h"

struct pipeline {
	struct iw_state *st;
	struct output *out;		/* NULL: count only */
	bool show_records;		/* false: print violations only */
	struct rule_ctx rules;
	int group;			/* -1: all */
	const char *device;		/* NULL: all */
	__u64 seen[IW_REC_SHOWN_TYPES];	/* records shown, by type */
	__u64 violations[IW_RULES_MAX];	/* by rule index */
	__u64 n_violations;
	/* Also told of every shown record and its violations (metrics). */
	void (*sink)(void *arg, const struct iw_record *rec,
		     const struct iw_violation *v, int n_violations);
	void *sink_arg;
};

void pipeline_init(struct pipeline *pl, struct iw_state *st,
		   struct output *out);
void pipeline_feed(struct pipeline *pl, struct iw_record *rec);
/* The start state as "group" records (JSON output only). */
void pipeline_print_state(struct pipeline *pl);
void pipeline_summary(const struct pipeline *pl, FILE *f);

#endif /* __IW_PIPELINE_H */
