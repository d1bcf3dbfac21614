// SPDX-License-Identifier: GPL-2.0
/* Recorded JSON Lines, line by line: bad ones numbered and skipped. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "log.h"
#include "recording.h"

/* Past this many, bad lines are only counted. */
#define MAX_REPORTED	20

/*
 * A line is held only up to what the parser takes (and a \r): a longer
 * one is read through and dropped, so memory is this buffer whatever the
 * input (an endless line on stdin too).
 */
#define LINE_KEEP	(IW_JSONL_MAX_LINE + 1)
#define READ_CHUNK	(256 << 10)

struct lines {
	int fd;
	char *buf;		/* LINE_KEEP + READ_CHUNK bytes */
	size_t pos, len;	/* not yet handed out: buf[pos, len) */
	bool eof;
};

/* The next read after the line in buf so far (none when skipping). */
static int fill(struct lines *ls, bool skipping)
{
	ssize_t n;

	if (skipping) {
		ls->len = 0;
	} else {
		ls->len -= ls->pos;
		memmove(ls->buf, ls->buf + ls->pos, ls->len);
	}
	ls->pos = 0;
	do
		n = read(ls->fd, ls->buf + ls->len,
			 LINE_KEEP + READ_CHUNK - ls->len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	ls->eof = !n;
	ls->len += n;
	return 0;
}

/*
 * The next line, its newline dropped, at *line (n bytes), or NULL for one
 * longer than LINE_KEEP (read through). 1, 0 at the end, or -errno.
 */
static int next_line(struct lines *ls, const char **line, size_t *n)
{
	bool skipping = false;
	char *start, *nl;
	size_t end;
	int err;

	for (;;) {
		start = ls->buf + ls->pos;
		nl = memchr(start, '\n', ls->len - ls->pos);
		if (nl || (ls->eof && (ls->len > ls->pos || skipping))) {
			end = nl ? (size_t)(nl - ls->buf) : ls->len;
			*line = skipping ? NULL : start;
			*n = end - ls->pos;
			ls->pos = nl ? end + 1 : end;
			return 1;
		}
		if (ls->eof)
			return 0;
		skipping |= ls->len - ls->pos > LINE_KEEP;
		err = fill(ls, skipping);
		if (err)
			return err;
	}
}

static void bad_line(struct recording *r, const char *name, unsigned long no,
		     const char *why)
{
	if (++r->bad <= MAX_REPORTED)
		log_err("%s:%lu: %s", name, no, why);
}

static void parse_line(struct recording *r, const char *name,
		       unsigned long no, const char *line, size_t len)
{
	struct jsonl_facts facts;
	struct iw_record rec;
	enum jsonl_kind kind;
	char err[160];

	if (!line) {
		snprintf(err, sizeof(err), "longer than %d bytes",
			 IW_JSONL_MAX_LINE);
		bad_line(r, name, no, err);
		return;
	}
	if (!len)
		return;
	kind = jsonl_parse_facts(line, len, r->ctx, &rec, &facts, err,
				 sizeof(err));
	if (kind == JSONL_ERROR)
		bad_line(r, name, no, err);
	else
		r->on_line(r->arg, kind, &rec, &facts);
}

static int read_fd(struct recording *r, int fd, const char *name)
{
	struct lines ls = { .fd = fd };
	unsigned long no = 0;
	const char *line = NULL;
	size_t len = 0;
	int err;

	ls.buf = malloc(LINE_KEEP + READ_CHUNK);
	if (!ls.buf) {
		log_err("out of memory");
		return -ENOMEM;
	}
	while ((err = next_line(&ls, &line, &len)) > 0)
		parse_line(r, name, ++no, line, len);
	free(ls.buf);
	if (err) {
		log_err("%s: read error: %s", name, strerror(-err));
		return -EIO;
	}
	return 0;
}

static int read_file(struct recording *r, const char *path)
{
	bool is_stdin = !strcmp(path, "-");
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	int err;

	if (fd < 0) {
		err = -errno;
		log_err("cannot open %s: %s", path, strerror(-err));
		return err;
	}
	err = read_fd(r, fd, is_stdin ? "stdin" : path);
	if (!is_stdin)
		close(fd);
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
