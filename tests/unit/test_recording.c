// SPDX-License-Identifier: GPL-2.0
/*
 * Recorded JSON Lines read line by line with a bound: a line longer than
 * the parser takes is read through without being held (an endless one on
 * stdin included), counted as one bad line with its number, and the lines
 * after it are read as usual; lines across the reads' chunks and a last
 * line without its newline are whole.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "recording.h"
#include "unit.h"

#define LOST(n) "{\"type\":\"lost\",\"time\":\"2026-01-01T00:00:00Z\",\"count\":" #n "}"

struct seen {
	int lost;		/* lost lines handed on */
	__u64 last;		/* the last one's count */
};

static void on_line(void *arg, enum jsonl_kind kind, struct iw_record *rec,
		    const struct jsonl_facts *facts)
{
	struct seen *s = arg;

	(void)rec;
	if (kind == JSONL_LOST) {
		s->lost++;
		s->last = facts->lost;
	}
}

/* Read path (or "-"); stderr caught into err. 0 or -errno. */
static int read_rec(const char *path, struct seen *s, unsigned long *bad,
		    char *err, size_t len)
{
	struct rule_ctx ctx = { .st = state_new() };
	struct recording r = { .ctx = &ctx, .on_line = on_line, .arg = s };
	char *files[] = { (char *)path };
	int rc;

	memset(s, 0, sizeof(*s));
	unit_stderr_begin();
	rc = recording_read(&r, files, 1);
	unit_stderr_end(err, len);
	state_free(ctx.st);
	*bad = r.bad;
	return rc;
}

static char path[] = "/tmp/iw-recording-XXXXXX";

/* A file of: a good line, n bytes of x (no newline if !nl), good ones. */
static void write_file(size_t n, bool nl)
{
	FILE *f = fopen(path, "w");

	fputs(LOST(1) "\n", f);
	for (size_t i = 0; i < n; i++)
		fputc('x', f);
	if (nl)
		fputs("\n" LOST(2) "\n" LOST(3), f);	/* the last: no \n */
	fclose(f);
}

static void test_long_line_skipped(void)
{
	unsigned long bad;
	struct seen s;
	char err[512];
	size_t sizes[] = { IW_JSONL_MAX_LINE + 2, 5 << 20 };

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		write_file(sizes[i], true);
		CHECK(read_rec(path, &s, &bad, err, sizeof(err)) == 0);
		CHECK(bad == 1 && s.lost == 3 && s.last == 3);
		CHECK(strstr(err, ":2: longer than 65536 bytes\n"));
	}
	write_file(5 << 20, false);		/* ends inside the long line */
	CHECK(read_rec(path, &s, &bad, err, sizeof(err)) == 0);
	CHECK(bad == 1 && s.lost == 1);
}

/* 65536 bytes is still a line; 65537 is one byte too long. */
static void test_limit_exact(void)
{
	static char line[IW_JSONL_MAX_LINE + 2];
	unsigned long bad;
	struct seen s;
	char err[512];
	FILE *f;

	for (int extra = 0; extra < 2; extra++) {
		size_t len = IW_JSONL_MAX_LINE + extra;

		memset(line, ' ', len);
		memcpy(line + len - (sizeof(LOST(7)) - 1), LOST(7),
		       sizeof(LOST(7)) - 1);
		f = fopen(path, "w");
		fwrite(line, 1, len, f);
		fputc('\n', f);
		fclose(f);
		CHECK(read_rec(path, &s, &bad, err, sizeof(err)) == 0);
		CHECK(bad == (unsigned long)extra && s.lost == 1 - extra);
	}
}

/* 20000 lines: many cross the reads' 256 KiB chunks, all read whole. */
static void test_many_lines(void)
{
	unsigned long bad;
	struct seen s;
	char err[512];
	FILE *f = fopen(path, "w");

	for (int i = 1; i <= 20000; i++)
		fprintf(f, "{\"type\":\"lost\",\"time\":\"2026-01-01T00:00:00Z\",\"count\":%d}\n",
			i);
	fclose(f);
	CHECK(read_rec(path, &s, &bad, err, sizeof(err)) == 0);
	CHECK(bad == 0 && s.lost == 20000 && s.last == 20000);
}

/* The writer's end: 256 MiB with no newline, then a good line. */
static void write_endless(int fd)
{
	static char chunk[1 << 16];

	memset(chunk, 'x', sizeof(chunk));
	for (int i = 0; i < 4096; i++)
		if (write(fd, chunk, sizeof(chunk)) < 0)
			_exit(1);
	dprintf(fd, "\n" LOST(9) "\n");
	_exit(0);
}

/* The reader's end on stdin; exit 0 if it read what was written. */
static void read_endless(int fd)
{
	unsigned long bad;
	struct seen s;
	char err[512];

	dup2(fd, 0);
	_exit(read_rec("-", &s, &bad, err, sizeof(err)) || bad != 1 ||
	      s.lost != 1 || s.last != 9 ||
	      !strstr(err, "stdin:1: longer than 65536 bytes\n"));
}

/*
 * stdin through a pipe, read in a child: the long line skipped, the next
 * read, and the child's peak memory within 64 MiB of this process's (a
 * reader that held the line would have grown by 256 MiB).
 */
static void test_endless_stdin(void)
{
	struct rusage child, self;
	pid_t writer, reader;
	int fds[2], status = -1;

	if (pipe(fds))
		abort();
	writer = fork();
	if (!writer) {
		close(fds[0]);
		write_endless(fds[1]);
	}
	reader = fork();
	if (!reader) {
		close(fds[1]);
		read_endless(fds[0]);
	}
	close(fds[0]);
	close(fds[1]);
	wait4(reader, &status, 0, &child);
	waitpid(writer, NULL, 0);
	getrusage(RUSAGE_SELF, &self);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(child.ru_maxrss < self.ru_maxrss + (64 << 10));
}

__attribute__((constructor)) static void make_file(void)
{
	int fd = mkstemp(path);

	if (fd >= 0)
		close(fd);
}

__attribute__((destructor)) static void remove_file(void)
{
	unlink(path);
}

UNIT_MAIN("recording", UNIT_CASE(test_long_line_skipped),
	  UNIT_CASE(test_limit_exact),
	  UNIT_CASE(test_many_lines),
	  UNIT_CASE(test_endless_stdin))
