/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small table-driven test harness: each test is a function; CHECK records
 * a failure with its location and goes on. main() comes from UNIT_MAIN.
 */
#ifndef __IW_UNIT_H
#define __IW_UNIT_H

#include <stdio.h>
#include <string.h>
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
