// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the whole replay pipeline on a stream of lines, as
 * `replay --all` reads them: the reader, the state, the rules, the table
 * or JSON output (by the input's length, so both are reached), then the
 * state printed as group records, which walks every group; then the same
 * lines through `report`: the timeline, small caps so they are reached,
 * and the page written.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "jsonl.h"
#include "pipeline.h"
#include "report.h"
#include "report_html.h"

static FILE *sink(void)
{
	static FILE *null;

	if (!null)
		null = fopen("/dev/null", "w");
	return null;
}

/* Each line as report reads it; its page. */
static void report_pass(const char *p, const char *end)
{
	struct report_page page = { .title = "fuzz" };
	struct jsonl_facts facts;
	struct iw_record rec;
	struct report r;
	enum jsonl_kind kind;
	char err[160];

	if (report_init(&r, -1, NULL, 4, 3))
		return;
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		kind = jsonl_parse_facts(p, len, &r.pl.rules, &rec, &facts, err,
					 sizeof(err));
		if (kind != JSONL_ERROR)
			report_line(&r, kind, &rec, &facts);
		else
			page.bad_lines++;
		p += len + 1;
	}
	report_end(&r);
	report_html_write(sink(), r.tl, &page);
	report_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iw_state *st = state_new();
	const char *p = (const char *)data, *end = p + size;
	struct iw_record rec;
	struct output out;
	struct pipeline pl;
	char err[160];

	if (!st || !sink())
		return 0;
	output_init(&out, sink(), size & 1);
	out.mono_to_real_ns = 0;
	pipeline_init(&pl, st, &out);
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (jsonl_parse(p, len, &pl.rules, &rec, err, sizeof(err)) ==
		    JSONL_RECORD)
			pipeline_feed(&pl, &rec);
		p += len + 1;
	}
	out.json = true;
	pipeline_print_state(&pl);
	pipeline_summary(&pl, sink());
	state_free(st);
	report_pass((const char *)data, (const char *)data + size);
	return 0;
}
