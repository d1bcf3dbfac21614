// SPDX-License-Identifier: GPL-2.0
/* Reading JSON Lines back: round trip with the writer, and bad input. */
#include <stdlib.h>
#include "jsonl.h"
#include "output.h"
#include "unit.h"

static enum jsonl_kind parse(const char *line, struct iw_record *rec,
			     char *err)
{
	static struct iw_state *st;
	struct rule_ctx ctx;

	if (!st)
		st = state_new();
	ctx = (struct rule_ctx){ .st = st };
	err[0] = '\0';
	return jsonl_parse(line, strlen(line), &ctx, rec, err, 160);
}

static void round_trip(void)
{
	struct iw_record in = {
		.type = IW_REC_TRANSITION, .mono_ns = 1795000000123456789ULL,
		.latency_ns = 77, .group = 3, .device = "0000:00:03.0",
		.pasid = 5, .from = { 4, IW_DOM_UNMANAGED }, .from_known = true,
		.to = { 2, IW_DOM_BLOCKED }, .path = IW_PATH_PASID,
		.hook = "blocking_domain_set_dev_pasid", .ret = -95, .pid = 9,
		.cpu = 1, .comm = "insmod",
		.flags = IW_F_KNOWN_ALL | IW_F_REQUIRE_DIRECT |
			 IW_F_MUTEX_HELD | IW_F_HAS_OLD,
	}, out;
	struct output o;
	char *buf = NULL, err[160];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	output_init(&o, f, true);
	o.mono_to_real_ns = 0;
	output_record(&o, &in, NULL);
	fclose(f);
	CHECK(parse(buf, &out, err) == JSONL_RECORD);
	CHECK_STR(err, "");
	CHECK(out.mono_ns == in.mono_ns && out.latency_ns == 77);
	CHECK(out.group == 3 && out.pasid == 5 && out.ret == -95);
	CHECK(out.from.id == 4 && out.from.kind == IW_DOM_UNMANAGED);
	CHECK(out.from_known);
	CHECK(out.to.id == 2 && out.to.kind == IW_DOM_BLOCKED);
	CHECK(out.path == IW_PATH_PASID && out.flags == in.flags);
	CHECK_STR(out.device, in.device);
	CHECK_STR(out.hook, in.hook);
	CHECK_STR(out.comm, "insmod");
	free(buf);
}

static const struct {
	const char *line;
	const char *err;
} bad[] = {
	{ "{\"type\":\"transition\",\"time\":\"2026-11-23T18:00:00Z\"",
	  "not a JSON object (truncated?)" },
	{ "[1,2]", "not a JSON object" },
	{ "{\"time\":\"x\"}", "no \"type\" string" },
	{ "{\"type\":\"bogus\"}", "unknown record type 'bogus'" },
	{ "{\"type\":\"lost\",\"time\":\"2026-11-23T18:00:00Z\",\"count\":1,\"x\":2}",
	  "unknown field 'x'" },
	{ "{\"type\":\"lost\",\"time\":\"2026-11-23T18:00:00Z\",\"count\":\"1\"}",
	  "field 'count' must be an integer" },
	{ "{\"type\":\"domain_free\",\"time\":\"yesterday\",\"from\":\"dma\",\"from_domain\":1}",
	  "field 'time' is not RFC 3339 UTC" },
	{ "{\"type\":\"domain_free\",\"time\":\"2026-13-01T00:00:00Z\",\"from\":\"dma\",\"from_domain\":1}",
	  "field 'time' is not RFC 3339 UTC" },
	{ "{\"type\":\"domain_free\",\"time\":\"2026-11-23T18:00:00Z\",\"from\":\"DMA\",\"from_domain\":1}",
	  "field 'from' is not a domain type" },
	{ "{\"type\":\"domain_free\",\"time\":\"2026-11-23T18:00:00Z\",\"from\":\"dma\"}",
	  "field 'from_domain' is missing" },
	{ "{\"type\":\"transition\",\"time\":\"2026-11-23T18:00:00Z\",\"device\":\"d\",\"from\":\"none\",\"to\":\"dma\",\"path\":\"probe\",\"ret\":0,\"pasid\":-1}",
	  "field 'pasid' out of range (0..4294967294)" },
	{ "{\"type\":\"transition\",\"time\":\"2026-11-23T18:00:00Z\",\"device\":\"d\",\"from\":\"none\",\"to\":\"dma\",\"path\":\"sideways\",\"ret\":0}",
	  "field 'path' is not a known path" },
	{ "{\"type\":\"transition\",\"time\":\"2026-11-23T18:00:00Z\",\"device\":\"0123456789012345678901234567890123\",\"from\":\"none\",\"to\":\"dma\",\"path\":\"probe\",\"ret\":0}",
	  "field 'device' longer than 31 bytes" },
	{ "{\"type\":\"group\",\"group\":1,\"domain\":\"dma\",\"devices\":[1],\"direct\":false}",
	  "field 'devices' must hold device names" },
	{ "{\"type\":\"group\",\"group\":null,\"domain\":\"dma\",\"devices\":[],\"direct\":false}",
	  "field 'group' must be an integer" },
};

static void bad_input(void)
{
	struct iw_record rec;
	char err[160];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(parse(bad[i].line, &rec, err) == JSONL_ERROR);
		CHECK_STR(err, bad[i].err);
	}
}

static void binary_and_huge(void)
{
	struct rule_ctx ctx = { .st = state_new() };
	char err[160], *huge = malloc(IW_JSONL_MAX_LINE + 10);
	struct iw_record rec;
	const char bin[] = "{\"type\":\0\"lost\"}";

	CHECK(jsonl_parse(bin, sizeof(bin) - 1, &ctx, &rec, err, sizeof(err)) ==
	      JSONL_ERROR);
	CHECK_STR(err, "contains a NUL byte (binary data?)");
	memset(huge, ' ', IW_JSONL_MAX_LINE + 10);
	CHECK(jsonl_parse(huge, IW_JSONL_MAX_LINE + 10, &ctx, &rec, err,
			  sizeof(err)) == JSONL_ERROR);
	CHECK_STR(err, "longer than 65536 bytes");
	free(huge);
	state_free(ctx.st);
}

static void session_group_and_skips(void)
{
	struct rule_ctx ctx = { .st = state_new() };
	const char *session = "{\"type\":\"session\",\"time\":\"2026-11-23T18:00:00.5Z\",\"deferred_locked\":true,\"not_watched\":[]}\n";
	const char *group = "{\"type\":\"group\",\"group\":4,\"domain\":\"identity\",\"devices\":[\"0000:00:04.0\"],\"direct\":true}";
	const char *viol = "{\"type\":\"violation\",\"time\":\"2026-11-23T18:00:00Z\",\"kind\":\"x\",\"severity\":\"error\",\"evidence\":{}}";
	struct iw_record rec;
	char err[160];

	CHECK(jsonl_parse(session, strlen(session), &ctx, &rec, err, 160) ==
	      JSONL_SESSION);
	CHECK(ctx.deferred_locked);
	CHECK(jsonl_parse(group, strlen(group), &ctx, &rec, err, 160) ==
	      JSONL_GROUP);
	CHECK(state_group(ctx.st, 4, false)->direct);
	CHECK(state_device(ctx.st, "0000:00:04.0", false)->rid.kind ==
	      IW_DOM_IDENTITY);
	CHECK(jsonl_parse(viol, strlen(viol), &ctx, &rec, err, 160) ==
	      JSONL_SKIP);
	CHECK(parse_rfc3339("2026-11-23T18:00:00.5Z") ==
	      1795456800LL * 1000000000LL + 500000000LL);
	state_free(ctx.st);
}

UNIT_MAIN("jsonl", UNIT_CASE(round_trip), UNIT_CASE(bad_input),
	  UNIT_CASE(binary_and_huge), UNIT_CASE(session_group_and_skips))
