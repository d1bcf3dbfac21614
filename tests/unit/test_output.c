// SPDX-License-Identifier: GPL-2.0
/* Both output formats: the JSON contract field by field, the table's width. */
#include <stdlib.h>
#include <json-c/json.h>
#include "output.h"
#include "unit.h"

static struct iw_record transition(void)
{
	struct iw_record r = {
		.type = IW_REC_TRANSITION, .mono_ns = 1000000000ULL,
		.latency_ns = 2500, .group = 3, .device = "0000:00:03.0",
		.pasid = IW_NO_PASID, .from = { 4, IW_DOM_DMA_FQ },
		.to = { 5, IW_DOM_BLOCKED }, .from_known = true,
		.path = IW_PATH_RELEASE, .hook = "blocking_domain_attach_dev",
		.ret = 0, .pid = 42, .cpu = 1, .comm = "bash",
		.flags = IW_F_KNOWN_ALL | IW_F_REQUIRE_DIRECT | IW_F_MUTEX_HELD,
	};
	return r;
}

/* Render one record into a string with a fixed clock offset. */
static char *render(const struct iw_record *r, bool json)
{
	struct output out;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	output_init(&out, f, json);
	out.mono_to_real_ns = 1795000000LL * 1000000000LL;
	output_record(&out, r, NULL);
	fclose(f);
	return buf;
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v)
						  : NULL;
}

static bool jnull(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) && !v;
}

static void json_transition_fields(void)
{
	struct iw_record r = transition();
	char *line = render(&r, true);
	json_object *o = json_tokener_parse(line);

	CHECK(o != NULL);
	CHECK(line[strlen(line) - 1] == '\n' && !strchr(line, '\n')[1]);
	CHECK_STR(jstr(o, "type"), "transition");
	CHECK_STR(jstr(o, "time"), "2026-11-18T11:06:41.000000000Z");
	CHECK_STR(jstr(o, "group"), "3");
	CHECK_STR(jstr(o, "device"), "0000:00:03.0");
	CHECK(jnull(o, "pasid"));
	CHECK_STR(jstr(o, "from"), "dma-fq");
	CHECK_STR(jstr(o, "to"), "blocked");
	CHECK_STR(jstr(o, "from_domain"), "4");
	CHECK_STR(jstr(o, "to_domain"), "5");
	CHECK_STR(jstr(o, "path"), "release");
	CHECK_STR(jstr(o, "ret"), "0");
	CHECK_STR(jstr(o, "latency_ns"), "2500");
	CHECK_STR(jstr(o, "require_direct"), "true");
	CHECK_STR(jstr(o, "attach_deferred"), "false");
	CHECK_STR(jstr(o, "mutex_held"), "true");
	CHECK_STR(jstr(o, "hook"), "blocking_domain_attach_dev");
	CHECK_STR(jstr(o, "comm"), "bash");
	CHECK_STR(jstr(o, "pid"), "42");
	json_object_put(o);
	free(line);
}

static void json_nulls_where_unknown(void)
{
	struct iw_record r = transition();
	json_object *o;
	char *line;

	/* 6.1: no require_direct flag; a PASID; from never seen. */
	r.flags = 0;
	r.pasid = 1;
	r.from_known = false;
	r.from.id = 0;
	r.group = -1;
	r.flags |= IW_F_NO_GROUP;
	line = render(&r, true);
	o = json_tokener_parse(line);
	CHECK(jnull(o, "require_direct") && jnull(o, "attach_deferred"));
	CHECK(jnull(o, "mutex_held") && jnull(o, "group"));
	CHECK(jnull(o, "from_domain"));
	CHECK_STR(jstr(o, "pasid"), "1");
	CHECK_STR(jstr(o, "from"), "unknown");
	json_object_put(o);
	free(line);
}

static void json_escapes_device_names(void)
{
	struct iw_record r = transition();
	json_object *o;
	char *line;

	snprintf(r.device, sizeof(r.device), "odd\"name\\\n");
	snprintf(r.comm, sizeof(r.comm), "a/b");
	line = render(&r, true);
	o = json_tokener_parse(line);
	CHECK(o != NULL);
	CHECK_STR(jstr(o, "device"), "odd\"name\\\n");
	CHECK_STR(jstr(o, "comm"), "a/b");
	CHECK(strchr(line, '\n') == line + strlen(line) - 1);
	json_object_put(o);
	free(line);
}

static void human_fits_100_columns(void)
{
	struct iw_record r = transition();
	char *line;

	/* The widest the table promises to fit: see HUMAN_FMT. */
	r.group = 9999;
	r.from = (struct iw_dom){ 999, IW_DOM_UNMANAGED };
	r.to = (struct iw_dom){ 998, IW_DOM_IDENTITY };
	r.pasid = 99999;
	r.ret = -95;
	r.latency_ns = 99999900ULL;
	snprintf(r.comm, sizeof(r.comm), "kworker/u16:123");
	line = render(&r, false);
	CHECK(strlen(line) <= 101);
	CHECK(strstr(line, " 0000:00:03.0 ") != NULL);
	CHECK(strstr(line, " unmanaged#999 identity#998 ") != NULL);
	CHECK(strstr(line, " -95  99999.9 kworker/u16:\n") != NULL);
	free(line);

	r = transition();
	line = render(&r, false);
	CHECK(strstr(line, " dma-fq#4 ") && strstr(line, " blocked#5 "));
	CHECK(strstr(line, " release ") && strstr(line, " 2.5 bash\n"));
	free(line);
}

/* Bytes a terminal would act on: C0 but newline, DEL, C1 in UTF-8. */
static bool has_control(const char *s)
{
	for (; *s; s++) {
		unsigned char c = *s;

		if ((c < 0x20 && c != '\n') || c == 0x7f ||
		    (c == 0xc2 && (unsigned char)s[1] >= 0x80 &&
		     (unsigned char)s[1] < 0xa0))
			return true;
	}
	return false;
}

/* comm is any process's to set, a device name a journal's to say. */
static void human_escapes_outside_strings(void)
{
	struct iw_record r = transition();
	struct iw_violation v = { .rule = &iw_rules[0], .n_evidence = 1 };
	struct output out;
	char *line, *buf = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(r.comm, sizeof(r.comm), "\x1b]0;x\x07\xc2\x9b" "2J\xff");
	snprintf(r.device, sizeof(r.device), "0000:\x1b[2J\x7f");
	line = render(&r, false);
	CHECK(!has_control(line));
	CHECK(strstr(line, " 0000:\\x1b[2J\\x7f ") != NULL);
	CHECK(strstr(line, " \\x1b]0;x\\x07\n") != NULL);
	free(line);

	v.evidence[0] = (struct iw_evidence){ .key = "hook", .type = IW_EVID_STR,
					      .str = "f\x1b[5m" };
	f = open_memstream(&buf, &len);
	output_init(&out, f, false);
	output_violation(&out, &r, &v);
	fclose(f);
	CHECK(!has_control(buf));
	CHECK(strstr(buf, ": 0000:\\x1b[2J\\x7f group 3 ") != NULL);
	CHECK(strstr(buf, " hook=f\\x1b[5m\n") != NULL);
	free(buf);
}

static void rfc3339(void)
{
	char buf[40];

	format_rfc3339(0, buf, sizeof(buf));
	CHECK_STR(buf, "1970-01-01T00:00:00.000000000Z");
	format_rfc3339(1795000000123456789ULL, buf, sizeof(buf));
	CHECK_STR(buf, "2026-11-18T11:06:40.123456789Z");
}

UNIT_MAIN("output", UNIT_CASE(json_transition_fields),
	  UNIT_CASE(json_nulls_where_unknown),
	  UNIT_CASE(json_escapes_device_names),
	  UNIT_CASE(human_fits_100_columns),
	  UNIT_CASE(human_escapes_outside_strings), UNIT_CASE(rfc3339))
