// SPDX-License-Identifier: GPL-2.0
/*
 * The log on stderr: messages and fields carrying outside strings (file
 * and device names, what a journal says) reach a terminal or journald
 * with every control character escaped, one line each.
 */
#include <stdlib.h>
#include <unistd.h>
#include "log.h"
#include "unit.h"

static const char hostile[] = "x\x1b[2J\x07\xc2\x9b\xff\n\"\\y";

/* What fn logged on stderr; malloc'd. */
static char *captured(void (*fn)(void))
{
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	char *buf = calloc(1, 4096);

	if (!tmp || saved < 0 || !buf)
		return buf;
	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	fread(buf, 1, 4095, tmp);
	fclose(tmp);
	return buf;
}

static void log_plain(void)
{
	log_set_logfmt(false);
	log_err("cannot open %s: %s", hostile, "No such file");
}

static void log_logfmt(void)
{
	char quoted[64];

	log_set_logfmt(true);
	log_err("line 3: unknown field '%s'", hostile);
	log_fields(LOG_INFO, "journal reopened", "path=%s module=%s",
		   log_quote(quoted, sizeof(quoted), hostile), "m\x1b");
	log_set_logfmt(false);
}

static void plain_message_escaped(void)
{
	char *out = captured(log_plain);

	CHECK_STR(out, "iommuwatch: error: cannot open x\\x1b[2J\\x07\\xc2\\x9b"
		  "\\xff\\x0a\"\\\\y: No such file\n");
	free(out);
}

static void logfmt_escaped(void)
{
	char *out = captured(log_logfmt);

	CHECK_STR(out, "level=error msg=\"line 3: unknown field 'x\\u001b[2J"
		  "\\u0007\\u009b\\ufffd\\u000a\\\"\\\\y'\"\n"
		  "level=info msg=\"journal reopened\" path=\"x\\u001b[2J"
		  "\\u0007\\u009b\\ufffd\\u000a\\\"\\\\y\" module=m\\u001b\n");
	free(out);
}

/* A value too long for its buffer keeps its closing quote. */
static void quote_cut(void)
{
	char buf[8];

	CHECK_STR(log_quote(buf, sizeof(buf), "abcdefgh"), "\"abcde\"");
	CHECK_STR(log_quote(buf, sizeof(buf), "ab\x1b"), "\"ab\"");
	CHECK_STR(log_quote(buf, 3, "a"), "\"\"");
	CHECK_STR(log_quote(buf, 2, "a"), "");
}

UNIT_MAIN("log", UNIT_CASE(plain_message_escaped), UNIT_CASE(logfmt_escaped),
	  UNIT_CASE(quote_cut))
