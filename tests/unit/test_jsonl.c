// SPDX-License-Identifier: GPL-2.0
/* Reading JSON Lines back: round trip with the writer, and bad input. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "jsonl.h"
#include "output.h"
#include "unit.h"
#include "util.h"

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

/* The record as trace --json prints it; the caller frees the line. */
static char *to_json(const struct iw_record *rec)
{
	struct output o;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	output_init(&o, f, true);
	o.mono_to_real_ns = 0;
	output_record(&o, rec, NULL);
	fclose(f);
	return buf;
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
	char *buf = to_json(&in), err[160];

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

/*
 * Facts the programs could not read are written as null: replay must take
 * them back as unknown (a daemon's journal once had "untrusted":null that
 * replay refused).
 */
static void round_trip_unknown_facts(void)
{
	struct iw_record in = {
		.type = IW_REC_TRANSITION, .mono_ns = 1795000000000000000ULL,
		.group = 2, .device = "0000:00:02.0", .pasid = IW_NO_PASID,
		.to = { 1, IW_DOM_IDENTITY }, .path = IW_PATH_RELEASE,
		.hook = "amd_iommu_identity_attach", .comm = "bash",
	}, out;
	char *buf = to_json(&in), err[160];

	CHECK(strstr(buf, "\"untrusted\":null") != NULL);
	CHECK(strstr(buf, "\"iommu\":null") != NULL);
	CHECK(parse(buf, &out, err) == JSONL_RECORD);
	CHECK_STR(err, "");
	CHECK(out.flags == in.flags);
	free(buf);
}

/* Reset records: both phases, their kernel facts known and not. */
static void round_trip_resets(void)
{
	struct iw_record in = {
		.type = IW_REC_RESET_PREPARE, .mono_ns = 1795000000000000000ULL,
		.group = 7, .device = "0000:01:00.0", .pasid = IW_NO_PASID,
		.path = IW_PATH_RESET, .hook = "pci_dev_reset_iommu_prepare",
		.ret = -16, .comm = "bash", .reset_depth = 2,
		.flags = IW_F_KNOWN_ALL | IW_F_MUTEX_HELD | IW_F_BLOCKED_KNOWN |
			 IW_F_RESET_BLOCKED | IW_F_DEPTH_KNOWN,
	}, out;
	char *buf = to_json(&in), err[160];

	CHECK(strstr(buf, "\"type\":\"reset_prepare\"") != NULL);
	CHECK(parse(buf, &out, err) == JSONL_RECORD);
	CHECK_STR(err, "");
	CHECK(out.type == IW_REC_RESET_PREPARE && out.ret == -16);
	CHECK(out.flags == in.flags && out.reset_depth == 2);
	CHECK(out.path == IW_PATH_RESET && out.group == 7);
	free(buf);
	in.type = IW_REC_RESET_DONE;
	in.ret = 0;
	in.flags = IW_F_KNOWN_ALL | IW_F_MUTEX_HELD;
	buf = to_json(&in);
	CHECK(strstr(buf, "\"blocked\":null,\"reset_depth\":null") != NULL);
	CHECK(parse(buf, &out, err) == JSONL_RECORD);
	CHECK(out.type == IW_REC_RESET_DONE && out.flags == in.flags);
	free(buf);
}

struct refused {
	const char *line;
	const char *err;
};

static const struct refused bad[] = {
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

/* A transition at time T with members M (each with its leading comma). */
#define AT(t, m) "{\"type\":\"transition\",\"time\":\"" t "\",\"device\":\"d\"," \
		 "\"from\":\"none\",\"to\":\"dma\",\"path\":\"probe\"" m "}"
#define T0 "2026-11-23T18:00:00Z"
#define WITH(m) AT(T0, ",\"ret\":0" m)
#define TIME_RANGE "field 'time' out of range " \
		   "(1970-01-01T00:00:00Z..2262-04-11T23:47:16.854775807Z)"
#define NOT_TIME "field 'time' is not RFC 3339 UTC"

/* Values no kernel gives, each refused by name, not wrapped or clamped. */
static const struct refused out_of_range[] = {
	{ WITH(",\"group\":2147483648"), "field 'group' out of range (0..2147483647)" },
	{ WITH(",\"group\":-1"), "field 'group' out of range (0..2147483647)" },
	{ WITH(",\"pasid\":4294967295"), "field 'pasid' out of range (0..4294967294)" },
	{ WITH(",\"pid\":2147483648"), "field 'pid' out of range (0..2147483647)" },
	{ WITH(",\"cpu\":-1"), "field 'cpu' out of range (0..2147483647)" },
	{ WITH(",\"to_domain\":4294967296"), "field 'to_domain' out of range (0..4294967295)" },
	{ WITH(",\"from_domain\":-1"), "field 'from_domain' out of range (0..4294967295)" },
	{ WITH(",\"latency_ns\":9223372036854775808"), "field 'latency_ns' out of range (0..9223372036854775807)" },
	{ WITH(",\"latency_ns\":99999999999999999999999"), "field 'latency_ns' out of range (0..9223372036854775807)" },
	{ WITH(",\"latency_ns\":-1"), "field 'latency_ns' out of range (0..9223372036854775807)" },
	{ AT(T0, ",\"ret\":-9223372036854775809"), "field 'ret' out of range (-4095..2147483647)" },
	{ AT(T0, ",\"ret\":2147483648"), "field 'ret' out of range (-4095..2147483647)" },
	{ AT("2262-04-11T23:47:16.854775808Z", ",\"ret\":0"), TIME_RANGE },
	{ AT("2262-04-12T00:00:00Z", ",\"ret\":0"), TIME_RANGE },
	{ AT("2262-06-01T00:00:00Z", ",\"ret\":0"), TIME_RANGE },
	{ AT("2262-12-31T23:59:59.999999999Z", ",\"ret\":0"), TIME_RANGE },
	{ AT("9999-12-31T23:59:59Z", ",\"ret\":0"), TIME_RANGE },
	{ AT("1969-12-31T23:59:59Z", ",\"ret\":0"), TIME_RANGE },
	{ AT("2026-02-29T00:00:00Z", ",\"ret\":0"), NOT_TIME },
	{ AT("2026-11-23T18:00:00.Z", ",\"ret\":0"), NOT_TIME },
	{ AT("2026-11-23T18:00:00.1234567890Z", ",\"ret\":0"), NOT_TIME },
	{ AT("2026-11-23T18:00:0", ",\"ret\":0"), NOT_TIME },
	{ AT("2026-11-23 18:00:00Z", ",\"ret\":0"), NOT_TIME },
	{ AT("+026-11-23T18:00:00Z", ",\"ret\":0"), NOT_TIME },
	{ AT("2026-11-23T18:00:00+00:00", ",\"ret\":0"), NOT_TIME },
	{ "{\"type\":\"lost\",\"time\":\"" T0 "\",\"count\":-1}",
	  "field 'count' out of range (0..9223372036854775807)" },
	{ "{\"type\":\"lost\",\"time\":\"2263-01-01T00:00:00Z\",\"count\":1}",
	  TIME_RANGE },
	{ "{\"type\":\"group\",\"group\":2147483648,\"domain\":\"dma\",\"devices\":[],\"direct\":false}",
	  "field 'group' out of range (0..2147483647)" },
};

static void check_refused(const struct refused *t, size_t n)
{
	struct iw_record rec;
	char err[160];

	for (size_t i = 0; i < n; i++) {
		CHECK(parse(t[i].line, &rec, err) == JSONL_ERROR);
		CHECK_STR(err, t[i].err);
	}
}

static void bad_input(void)
{
	check_refused(bad, ARRAY_SIZE(bad));
}

static void out_of_range_input(void)
{
	struct iw_record rec;
	char err[160];

	check_refused(out_of_range, ARRAY_SIZE(out_of_range));
	/* The edges themselves are valid. */
	CHECK(parse(AT("2262-04-11T23:47:16.854775807Z", ",\"ret\":-4095,"
		       "\"group\":2147483647,\"latency_ns\":9223372036854775807"),
		    &rec, err) == JSONL_RECORD);
	CHECK(rec.mono_ns == INT64_MAX && rec.group == INT32_MAX);
	CHECK(rec.latency_ns == INT64_MAX && rec.ret == -4095);
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
	const char *session = "{\"type\":\"session\",\"time\":\"2026-11-23T18:00:00.5Z\",\"deferred_locked\":true,\"ops_watched\":true,\"not_watched\":[],\"kernel\":\"7.3.4+deb13-amd64\"}\n";
	const char *lost = "{\"type\":\"lost\",\"time\":\"2026-11-23T18:00:02Z\",\"count\":17}";
	const char *older = "{\"type\":\"session\",\"time\":\"2026-11-23T18:00:00.5Z\",\"deferred_locked\":true}";
	const char *group = "{\"type\":\"group\",\"group\":4,\"domain\":\"identity\",\"devices\":[\"0000:00:04.0\"],\"direct\":true,\"iommu\":\"ivhd0\",\"iommu_driver\":\"amd-iommu\"}";
	const char *late = "{\"type\":\"not_watched\",\"time\":\"2026-11-23T18:00:01Z\",\"module\":\"virtio_iommu\",\"reason\":\"loaded after start\",\"ops\":[\"viommu_attach_dev\"]}";
	const char *viol = "{\"type\":\"violation\",\"time\":\"2026-11-23T18:00:00Z\",\"kind\":\"x\",\"severity\":\"error\",\"evidence\":{}}";
	struct jsonl_facts facts;
	struct iw_record rec;
	__u64 ns;
	char err[160];

	CHECK(jsonl_parse_facts(session, strlen(session), &ctx, &rec, &facts,
				err, 160) == JSONL_SESSION);
	CHECK(ctx.deferred_locked && ctx.ops_watched);
	CHECK_STR(facts.kernel, "7.3.4+deb13-amd64");
	CHECK(jsonl_parse_facts(lost, strlen(lost), &ctx, &rec, &facts, err,
				160) == JSONL_LOST && facts.lost == 17);
	CHECK(jsonl_parse(group, strlen(group), &ctx, &rec, err, 160) ==
	      JSONL_GROUP);
	CHECK(state_group(ctx.st, 4, false)->direct);
	CHECK_STR(state_group(ctx.st, 4, false)->iommu->name, "ivhd0");
	CHECK_STR(state_group(ctx.st, 4, false)->iommu->driver, "amd-iommu");
	CHECK(jsonl_parse_facts(late, strlen(late), &ctx, &rec, &facts, err,
				160) == JSONL_NOT_WATCHED);
	CHECK_STR(facts.module, "virtio_iommu");
	CHECK(facts.time == 1795456801LL * 1000000000LL);
	CHECK(!ctx.ops_watched);	/* the module's ops from then on */
	CHECK(jsonl_parse(session, strlen(session), &ctx, &rec, err, 160) ==
	      JSONL_SESSION && ctx.ops_watched);
	/* A recording from before ops_watched: unknown, so not watched. */
	CHECK(jsonl_parse(older, strlen(older), &ctx, &rec, err, 160) ==
	      JSONL_SESSION && !ctx.ops_watched);
	CHECK(state_device(ctx.st, "0000:00:04.0", false)->rid.kind ==
	      IW_DOM_IDENTITY);
	CHECK(jsonl_parse(viol, strlen(viol), &ctx, &rec, err, 160) ==
	      JSONL_SKIP);
	CHECK(parse_rfc3339("2026-11-23T18:00:00.5Z", &ns) == 0 &&
	      ns == 1795456800LL * 1000000000LL + 500000000LL);
	state_free(ctx.st);
}

/* The edges of what int64 ns since the epoch can name. */
static void time_edges(void)
{
	__u64 ns;

	CHECK(parse_rfc3339("1970-01-01T00:00:00Z", &ns) == 0 && ns == 0);
	CHECK(parse_rfc3339("2262-04-11T23:47:16.854775807Z", &ns) == 0 &&
	      ns == INT64_MAX);
	CHECK(parse_rfc3339("2262-04-11T23:47:16.854775808Z", &ns) == -ERANGE);
	CHECK(parse_rfc3339("2262-04-12T00:00:00Z", &ns) == -ERANGE);
	CHECK(parse_rfc3339("2024-02-29T23:59:60Z", &ns) == 0 &&
	      ns == 1709251200ULL * 1000000000ULL);
	CHECK(parse_rfc3339("2000-02-29T00:00:00.000000001Z", &ns) == 0 &&
	      ns == 951782400ULL * 1000000000ULL + 1);
	CHECK(parse_rfc3339("2100-02-29T00:00:00Z", &ns) == -EINVAL);
	CHECK(parse_rfc3339("", &ns) == -EINVAL);
}

/* A huge group id in a valid line is replayed, and costs one group. */
static void huge_group_replayed(void)
{
	struct rule_ctx ctx = { .st = state_new() };
	const char *line = "{\"type\":\"transition\",\"time\":\"2026-01-01T00:00:00Z\",\"group\":50000000,\"device\":\"0000:00:03.0\",\"from\":\"dma\",\"to\":\"identity\",\"path\":\"default\",\"ret\":0}";
	const char *top = "{\"type\":\"group\",\"group\":2147483647,\"domain\":\"dma\",\"devices\":[\"0000:00:04.0\"],\"direct\":false}";
	struct iw_record rec;
	char err[160];

	CHECK(jsonl_parse(line, strlen(line), &ctx, &rec, err, 160) ==
	      JSONL_RECORD);
	CHECK(rec.group == 50000000);
	state_apply(ctx.st, &rec, NULL);
	CHECK(jsonl_parse(top, strlen(top), &ctx, &rec, err, 160) ==
	      JSONL_GROUP);
	CHECK(state_n_groups(ctx.st) == 2);
	CHECK(state_group(ctx.st, 2147483647, false)->n_devices == 1);
	state_free(ctx.st);
}

UNIT_MAIN("jsonl", UNIT_CASE(round_trip), UNIT_CASE(round_trip_unknown_facts),
	  UNIT_CASE(round_trip_resets),
	  UNIT_CASE(bad_input),
	  UNIT_CASE(out_of_range_input),
	  UNIT_CASE(binary_and_huge), UNIT_CASE(session_group_and_skips),
	  UNIT_CASE(time_edges), UNIT_CASE(huge_group_replayed))
