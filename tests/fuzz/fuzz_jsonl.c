// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the replay reader and everything a parsed line reaches
 * (state, rules). Each input is a stream of lines, as replay reads them.
 */
#include <stdint.h>
#include <string.h>
#include "jsonl.h"
#include "pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iw_state *st = state_new();
	struct pipeline pl;
	struct iw_record rec;
	char err[160];
	const char *p = (const char *)data, *end = p + size;

	pipeline_init(&pl, st, NULL);
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (jsonl_parse(p, len, &pl.rules, &rec, err, sizeof(err)) ==
		    JSONL_RECORD)
			pipeline_feed(&pl, &rec);
		p += len + 1;
	}
	state_free(st);
	return 0;
}
