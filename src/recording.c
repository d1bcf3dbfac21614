// SPDX-License-Identifier: GPL-2.0
/* Recorded JSON Lines, line by line: bad ones numbered and skipped. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "recording.h"

/* Past this many, bad lines are only counted. */
#define MAX_REPORTED	20

static void bad_line(struct recording *r, const char *name, unsigned long no,
		     const char *why)
{
	if (++r->bad <= MAX_REPORTED)
		log_err("%s:%lu: %s", name, no, why);
}

static int read_stream(struct recording *r, FILE *f, const char *name)
{
	struct jsonl_facts facts;
	struct iw_record rec;
	unsigned long no = 0;
	char *line = NULL, err[160];
	enum jsonl_kind kind;
	size_t cap = 0;
	ssize_t len;

	while ((len = getline(&line, &cap, f)) >= 0) {
		no++;
		if (len == 0 || (len == 1 && line[0] == '\n'))
			continue;
		kind = jsonl_parse_facts(line, len, r->ctx, &rec, &facts, err,
					 sizeof(err));
		if (kind == JSONL_ERROR)
			bad_line(r, name, no, err);
		else
			r->on_line(r->arg, kind, &rec, &facts);
	}
	free(line);
	if (ferror(f)) {
		log_err("%s: read error: %s", name, strerror(errno));
		return -EIO;
	}
	return 0;
}

static int read_file(struct recording *r, const char *path)
{
	bool is_stdin = !strcmp(path, "-");
	FILE *f = is_stdin ? stdin : fopen(path, "r");
	int err;

	if (!f) {
		err = -errno;
		log_err("cannot open %s: %s", path, strerror(-err));
		return err;
	}
	err = read_stream(r, f, is_stdin ? "stdin" : path);
	if (!is_stdin)
		fclose(f);
	return err;
}

int recording_read(struct recording *r, char *const *files, int n_files)
{
	int err = 0;

	for (int i = 0; i < n_files && !err; i++)
		err = read_file(r, files[i]);
	return err;
}

void recording_finish(const struct recording *r)
{
	if (r->bad > MAX_REPORTED)
		log_err("%lu more bad lines not shown", r->bad - MAX_REPORTED);
}
