// SPDX-License-Identifier: GPL-2.0
/*
 * iommuwatch replay: run the rules over recorded JSON Lines. Bad lines are
 * reported with their number and skipped; the rest is still analysed.
 */
#include <stdio.h>
#include <stdlib.h>
#include "commands.h"
#include "log.h"
#include "pipeline.h"
#include "recording.h"

static void replay_line(void *arg, enum jsonl_kind kind,
			struct iw_record *rec, const struct jsonl_facts *facts)
{
	(void)facts;
	if (kind == JSONL_RECORD)
		pipeline_feed(arg, rec);
}

int cmd_replay(const struct replay_opts *opts)
{
	struct output out;
	struct pipeline pl;
	struct recording r = { .on_line = replay_line, .arg = &pl };
	struct iw_state *st = state_new();
	int err;

	if (!st) {
		log_err("out of memory");
		return EXIT_FAILURE;
	}
	output_init(&out, stdout, opts->c.json);
	out.mono_to_real_ns = 0;	/* recorded times are wall-clock */
	pipeline_init(&pl, st, &out);
	pl.group = opts->group;
	pl.device = opts->device;
	pl.show_records = opts->all;
	r.ctx = &pl.rules;
	err = recording_read(&r, opts->files, opts->n_files);
	recording_finish(&r);
	pipeline_summary(&pl, stderr);
	fprintf(stderr, ", %lu bad lines\n", r.bad);
	state_free(st);
	if (err || r.bad)
		return EXIT_FAILURE;
	return pl.n_violations ? IW_EXIT_VIOLATIONS : EXIT_SUCCESS;
}
