/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading recorded JSON Lines (a journal, trace --json) from files or
 * stdin, for replay and report: bad lines are reported with their number
 * and skipped, the rest is handed on.
 */
#ifndef __IW_RECORDING_H
#define __IW_RECORDING_H

#include "jsonl.h"

/* Told of every good line but blank ones, with what it was parsed into. */
typedef void (*recording_line_fn)(void *arg, enum jsonl_kind kind,
				  struct iw_record *rec,
				  const struct jsonl_facts *facts);

struct recording {
	struct rule_ctx *ctx;	/* the rules' facts and the state to seed */
	recording_line_fn on_line;
	void *arg;
	unsigned long bad;	/* lines refused */
};

/*
 * Every file in turn ("-" is stdin) until one cannot be read: 0, or
 * -errno (logged). Bad lines are logged and counted, not errors.
 */
int recording_read(struct recording *r, char *const *files, int n_files);
/* Say how many bad lines were not shown one by one. */
void recording_finish(const struct recording *r);

#endif /* __IW_RECORDING_H */
