/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small table-driven test harness: each test is a function; CHECK records
 * a failure with its location and goes on. main() comes from UNIT_MAIN.
 */
#ifndef __IW_UNIT_H
#define __IW_UNIT_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "util.h"

static int unit_case_failed;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n",	\
				__FILE__, __LINE__, #cond);		\
			unit_case_failed = 1;				\
		}							\
	} while (0)

#define CHECK_STR(a, b)							\
	do {								\
		const char *_a = (a), *_b = (b);			\
		if (!_a || !_b || strcmp(_a, _b)) {			\
			fprintf(stderr, "  %s:%d: \"%s\" != \"%s\"\n",	\
				__FILE__, __LINE__, _a ? _a : "(null)",	\
				_b ? _b : "(null)");			\
			unit_case_failed = 1;				\
		}							\
	} while (0)

/* Write text to DIR/REL, a fake sysfs or /proc file (errors: no file). */
static inline void unit_put_file(const char *dir, const char *rel,
				 const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* A file's first 4 KiB as a string (static; a FIFO is not waited on). */
static inline const char *unit_slurp(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY | O_NONBLOCK);
	ssize_t n;

	if (fd < 0)
		return "(none)";
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

/* What is at path, not followed (S_ISLNK...); 0 if nothing. */
static inline mode_t unit_lmode(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? 0 : st.st_mode;
}

#define UNIT_VICTIM_TEXT	"root's own file\n"

/* dir.victim: a 0600 file beside dir that no write may ever change. */
static inline const char *unit_victim(const char *dir)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s.victim", dir);
	unit_put_file("/", path, UNIT_VICTIM_TEXT);
	chmod(path, 0600);
	return path;
}

/* stderr caught between these two, for a case to read what was logged. */
static FILE *unit_cap;
static int unit_saved_stderr = -1;

static inline void unit_stderr_begin(void)
{
	fflush(stderr);
	unit_cap = tmpfile();
	unit_saved_stderr = dup(STDERR_FILENO);
	if (!unit_cap || unit_saved_stderr < 0)
		abort();
	dup2(fileno(unit_cap), STDERR_FILENO);
}

/* What was caught, into buf (NUL-terminated); stderr back as it was. */
static inline const char *unit_stderr_end(char *buf, size_t len)
{
	size_t n;

	fflush(stderr);
	dup2(unit_saved_stderr, STDERR_FILENO);
	close(unit_saved_stderr);
	rewind(unit_cap);
	n = fread(buf, 1, len - 1, unit_cap);
	buf[n] = '\0';
	fclose(unit_cap);
	return buf;
}

struct unit_case {
	const char *name;
	void (*fn)(void);
};

static inline int unit_run(const char *suite, const struct unit_case *cases,
			   int n)
{
	int passed = 0, failed = 0;

	/*
	 * Each result line out before the next case runs: a case that
	 * crashes or exits leaves the lines before it, and the harness
	 * (run.sh) sees no closing line.
	 */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < n; i++) {
		unit_case_failed = 0;
		cases[i].fn();
		printf("%s  %s.%s\n", unit_case_failed ? "FAIL" : "PASS", suite,
		       cases[i].name);
		if (unit_case_failed)
			failed++;
		else
			passed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

#define UNIT_CASE(fn) { #fn, fn }
#define UNIT_MAIN(suite, ...)						\
	int main(void)							\
	{								\
		static const struct unit_case cases[] = { __VA_ARGS__ }; \
		return unit_run(suite, cases, ARRAY_SIZE(cases));	\
	}

#endif /* __IW_UNIT_H */
