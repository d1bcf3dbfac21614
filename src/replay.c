// SPDX-License-Identifier: GPL-2.0
/*
 * iommuwatch replay: run the rules over recorded JSON Lines. Bad lines are
 * reported with their number and skipped; the rest is still analysed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "jsonl.h"
#include "log.h"
#include "pipeline.h"

/* Past this many, bad lines are only counted. */
#define MAX_REPORTED	20

struct replay {
	struct pipeline pl;
	unsigned long bad;
};

static void bad_line(struct replay *r, const char *name, unsigned long no,
		     const char *why)
{
	if (++r->bad <= MAX_REPORTED)
		log_err("%s:%lu: %s", name, no, why);
}

static int replay_stream(struct replay *r, FILE *f, const char *name)
{
	struct iw_record rec;
	unsigned long no = 0;
	char *line = NULL, err[160];
	size_t cap = 0;
	ssize_t len;

	while ((len = getline(&line, &cap, f)) >= 0) {
		no++;
		if (len == 0 || (len == 1 && line[0] == '\n'))
			continue;
		switch (jsonl_parse(line, len, &r->pl.rules, &rec, err,
				    sizeof(err))) {
		case JSONL_ERROR:
			bad_line(r, name, no, err);
			break;
		case JSONL_RECORD:
			pipeline_feed(&r->pl, &rec);
			break;
		default:
			break;
		}
	}
	free(line);
	if (ferror(f)) {
		log_err("%s: read error: %s", name, strerror(errno));
		return -EIO;
	}
	return 0;
}

static int replay_file(struct replay *r, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	int err;

	if (!f) {
		err = -errno;
		log_err("cannot open %s: %s", path, strerror(-err));
		return err;
	}
	err = replay_stream(r, f, strcmp(path, "-") ? path : "stdin");
	if (f != stdin)
		fclose(f);
	return err;
}

int cmd_replay(const struct replay_opts *opts)
{
	struct output out;
	struct replay r = {};
	struct iw_state *st = state_new();
	int err = 0;

	if (!st) {
		log_err("out of memory");
		return EXIT_FAILURE;
	}
	output_init(&out, stdout, opts->c.json);
	out.mono_to_real_ns = 0;	/* recorded times are wall-clock */
	pipeline_init(&r.pl, st, &out);
	r.pl.group = opts->group;
	r.pl.device = opts->device;
	r.pl.show_records = opts->all;
	for (int i = 0; i < opts->n_files && !err; i++)
		err = replay_file(&r, opts->files[i]);
	if (r.bad > MAX_REPORTED)
		log_err("%lu more bad lines not shown", r.bad - MAX_REPORTED);
	pipeline_summary(&r.pl, stderr);
	fprintf(stderr, ", %lu bad lines\n", r.bad);
	state_free(st);
	if (err || r.bad)
		return EXIT_FAILURE;
	return r.pl.n_violations ? IW_EXIT_VIOLATIONS : EXIT_SUCCESS;
}
