// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the whole replay pipeline on a stream of lines, as
 * `replay --all` reads them: the reader, the state, the rules, the table
 * or JSON output (by the input's length, so both are reached), then the
 * state printed as group records, which walks every group.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "jsonl.h"
#include "pipeline.h"

static FILE *sink(void)
{
	static FILE *null;

	if (!null)
		null = fopen("/dev/null", "w");
	return null;
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
	return 0;
}
