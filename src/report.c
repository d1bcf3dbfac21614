// SPDX-License-Identifier: GPL-2.0
/*
 * iommuwatch report: recorded JSON Lines drawn as one self-contained HTML
 * page. The rules run as in replay, so the violations drawn are those the
 * recording's records make now, whatever the recording said.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "log.h"
#include "outfile.h"
#include "pipeline.h"
#include "recording.h"
#include "report.h"
#include "report_html.h"

static void report_sink(void *arg, const struct iw_record *rec,
			const struct iw_violation *v, int n)
{
	struct report *r = arg;

	timeline_record(r->tl, rec, rec->mono_ns, v, n);
}

/* The groups drawn from the start state: all, one, or (by device) none. */
static int seed_filter(const struct pipeline *pl)
{
	return pl->device ? TL_SEED_NONE : pl->group;
}

void report_line(void *arg, enum jsonl_kind kind, struct iw_record *rec,
		 const struct jsonl_facts *facts)
{
	struct report *r = arg;

	if (kind == JSONL_GROUP) {
		r->seed_pending = true;
		return;
	}
	if (r->seed_pending) {
		timeline_seed(r->tl, r->pl.st, seed_filter(&r->pl));
		r->seed_pending = false;
	}
	switch (kind) {
	case JSONL_RECORD:
		pipeline_feed(&r->pl, rec);
		break;
	case JSONL_SESSION:
		if (!r->tl->have_session)
			r->tl->session = *facts;
		r->tl->have_session = true;
		break;
	case JSONL_LOST:
		timeline_lost(r->tl, facts->time, facts->lost);
		break;
	case JSONL_NOT_WATCHED:
		timeline_not_watched(r->tl, facts->time, facts->module);
		break;
	default:
		break;
	}
}

/* To stdout, or whole to opts->output: rendered, then replaced at once. */
static int write_page(const struct report_opts *opts, struct timeline *tl,
		      unsigned long bad)
{
	struct report_page page = { .title = "iommuwatch report",
				    .bad_lines = bad };
	char *buf = NULL;
	size_t len;
	FILE *f;
	int err;

	if (!opts->output) {
		err = report_html_write(stdout, tl, &page);
		if (err)
			log_err("cannot write the report: %s", strerror(-err));
		return err;
	}
	f = open_memstream(&buf, &len);
	err = f ? report_html_write(f, tl, &page) : -ENOMEM;
	if (f && fclose(f) && !err)
		err = -ENOMEM;
	if (err)
		log_err("cannot write %s: %s", opts->output, strerror(-err));
	else
		err = file_replace(opts->output, buf, len, OUTFILE_MODE);
	free(buf);
	return err;
}

int report_init(struct report *r, int group, const char *device,
		int max_lanes, int max_violations)
{
	memset(r, 0, sizeof(*r));
	r->tl = timeline_new(max_lanes, max_violations);
	r->st = state_new();
	if (!r->tl || !r->st) {
		report_free(r);
		return -ENOMEM;
	}
	pipeline_init(&r->pl, r->st, NULL);
	r->pl.group = group;
	r->pl.device = device;
	r->pl.sink = report_sink;
	r->pl.sink_arg = r;
	return 0;
}

void report_end(struct report *r)
{
	if (r->seed_pending)
		timeline_seed(r->tl, r->st, seed_filter(&r->pl));
	r->seed_pending = false;
}

void report_free(struct report *r)
{
	timeline_free(r->tl);
	state_free(r->st);
	r->tl = NULL;
	r->st = NULL;
}

int cmd_report(const struct report_opts *opts)
{
	struct report r;
	struct recording rd = { .on_line = report_line, .arg = &r };
	int err;

	err = report_init(&r, opts->group, opts->device, REPORT_LANES,
			  REPORT_VIOLATIONS);
	if (err) {
		log_err("out of memory");
		return EXIT_FAILURE;
	}
	rd.ctx = &r.pl.rules;
	err = recording_read(&rd, opts->files, opts->n_files);
	recording_finish(&rd);
	report_end(&r);
	if (!err)
		err = write_page(opts, r.tl, rd.bad);
	if (!err)
		log_info("report: %llu records, %llu violations, %lu bad lines",
			 (unsigned long long)timeline_n_records(r.tl),
			 (unsigned long long)r.tl->n_viol, rd.bad);
	if (!err && rd.bad)
		err = -EINVAL;
	report_free(&r);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
