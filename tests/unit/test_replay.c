// SPDX-License-Identifier: GPL-2.0
/*
 * replay on input from another host: each value out of range is one
 * message with its line number, the line skipped, and exit 1 at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands.h"
#include "unit.h"

#define LINE(group, time) "{\"type\":\"transition\",\"time\":\"" time "\"," \
	"\"group\":" group ",\"device\":\"0000:00:03.0\",\"from\":\"dma\"," \
	"\"to\":\"identity\",\"path\":\"default\",\"ret\":0}\n"

static const char journal[] =
	LINE("50000000", "2026-01-01T00:00:00Z")
	LINE("2147483648", "2026-01-01T00:00:01Z")
	LINE("7", "2262-06-01T00:00:00Z")
	LINE("2147483647", "2026-01-01T00:00:02Z");

/* Run replay on text; its stderr into err (NUL-terminated). */
static int replay_text(const char *text, char *err, size_t len)
{
	char path[] = "/tmp/iw-replay-XXXXXX", *files[] = { path };
	struct replay_opts opts = { .group = -1, .files = files, .n_files = 1 };
	int fd = mkstemp(path), rc;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	unit_stderr_begin();
	rc = cmd_replay(&opts);
	unit_stderr_end(err, len);
	unlink(path);
	return rc;
}

static void out_of_range_lines_named(void)
{
	char err[4096];

	CHECK(replay_text(journal, err, sizeof(err)) == EXIT_FAILURE);
	CHECK(strstr(err, ":2: field 'group' out of range (0..2147483647)\n"));
	CHECK(strstr(err, ":3: field 'time' out of range (1970-01-01T00:00:00Z..2262-04-11T23:47:16.854775807Z)\n"));
	CHECK(!strstr(err, ":1: ") && !strstr(err, ":4: "));
	CHECK(strstr(err, "2 transitions, 0 releases, 0 domains freed, 0 violations, 2 bad lines\n"));
}

static void huge_group_alone_is_clean(void)
{
	char err[4096];

	CHECK(replay_text(LINE("50000000", "2026-01-01T00:00:00Z"), err,
			  sizeof(err)) == EXIT_SUCCESS);
	CHECK(strstr(err, "1 transitions, 0 releases, 0 domains freed, 0 violations, 0 bad lines\n"));
}

UNIT_MAIN("replay", UNIT_CASE(out_of_range_lines_named),
	  UNIT_CASE(huge_group_alone_is_clean))
