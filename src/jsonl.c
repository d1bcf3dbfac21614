// SPDX-License-Identifier: GPL-2.0
/* Strict reader of iommuwatch's JSON Lines: every field typed and known. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "jsonl.h"
#include "util.h"

struct field_spec {
	const char *key;
	enum json_type type;
	bool required;
	bool nullable;
};

struct parse {
	json_object *obj;
	struct jsonl_facts *facts;
	char *err;
	size_t errlen;
};

static enum jsonl_kind fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return JSONL_ERROR;
}

static const char *type_word(enum json_type t)
{
	switch (t) {
	case json_type_int:
		return "an integer";
	case json_type_boolean:
		return "true or false";
	case json_type_string:
		return "a string";
	case json_type_array:
		return "an array";
	default:
		return "a value";
	}
}

/* Every key known, of its type, and the required ones present. */
static int check_fields(struct parse *p, const struct field_spec *spec)
{
	json_object_object_foreach(p->obj, key, val) {
		const struct field_spec *f = spec;

		while (f->key && strcmp(f->key, key))
			f++;
		if (!f->key)
			return fail(p, "unknown field '%s'", key);
		if (!val ? !f->nullable : json_object_get_type(val) != f->type)
			return fail(p, "field '%s' must be %s%s", key,
				    type_word(f->type), f->nullable ? " or null" : "");
	}
	for (const struct field_spec *f = spec; f->key; f++)
		if (f->required && !json_object_object_get_ex(p->obj, f->key, NULL))
			return fail(p, "field '%s' is missing", f->key);
	return 0;
}

static json_object *get(struct parse *p, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(p->obj, key, &v);
	return v;
}

static bool present(struct parse *p, const char *key)
{
	return get(p, key) != NULL;
}

/* The n digits at s, already checked to be digits. */
static int num(const char *s, int n)
{
	int v = 0;

	while (n--)
		v = v * 10 + (*s++ - '0');
	return v;
}

static int month_days(int year, int month)
{
	static const unsigned char days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
	};
	bool leap = (year % 4 == 0 && year % 100) || year % 400 == 0;

	return days[month - 1] + (month == 2 && leap);
}

/* "YYYY-MM-DDTHH:MM:SS" into tm, each field within its calendar range. */
static bool parse_civil(const char *s, struct tm *tm)
{
	static const char form[] = "dddd-dd-ddTdd:dd:dd";

	/* In order, so that the end of a short string stops it. */
	for (int i = 0; form[i]; i++)
		if (form[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != form[i])
			return false;
	tm->tm_year = num(s, 4);
	tm->tm_mon = num(s + 5, 2);
	tm->tm_mday = num(s + 8, 2);
	tm->tm_hour = num(s + 11, 2);
	tm->tm_min = num(s + 14, 2);
	tm->tm_sec = num(s + 17, 2);
	return tm->tm_mon >= 1 && tm->tm_mon <= 12 && tm->tm_mday >= 1 &&
	       tm->tm_mday <= month_days(tm->tm_year, tm->tm_mon) &&
	       tm->tm_hour <= 23 && tm->tm_min <= 59 && tm->tm_sec <= 60;
}

int parse_rfc3339(const char *s, __u64 *ns)
{
	struct tm tm = {};
	long long frac = 0, scale = NSEC_PER_SEC, sec;
	int n = 0;

	if (!parse_civil(s, &tm))
		return -EINVAL;
	s += 19;
	if (*s == '.') {
		for (n = 1; n <= 9 && s[n] >= '0' && s[n] <= '9'; n++)
			frac += (s[n] - '0') * (scale /= 10);
		if (n == 1)
			return -EINVAL;
		s += n;
	}
	if (s[0] != 'Z' || s[1])
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	sec = timegm(&tm);
	/* ns since the epoch in a signed 64-bit count: 1970 to 2262-04-11. */
	if (sec < 0 || sec > (INT64_MAX - frac) / NSEC_PER_SEC)
		return -ERANGE;
	*ns = sec * NSEC_PER_SEC + frac;
	return 0;
}

/* ---- field specs per record type ---- */

#define COMMON_FIELDS							\
	{ "type", json_type_string, true, false },			\
	{ "time", json_type_string, true, false },			\
	{ "hook", json_type_string, false, false },			\
	{ "comm", json_type_string, false, false },			\
	{ "pid", json_type_int, false, false },				\
	{ "cpu", json_type_int, false, false }

#define DEVICE_FIELDS							\
	{ "group", json_type_int, false, true },			\
	{ "device", json_type_string, true, false },			\
	{ "pasid", json_type_int, false, true },			\
	{ "require_direct", json_type_boolean, false, true },		\
	{ "attach_deferred", json_type_boolean, false, true },		\
	{ "untrusted", json_type_boolean, false, true },		\
	{ "mutex_held", json_type_boolean, false, true },		\
	{ "from", json_type_string, true, false },			\
	{ "from_domain", json_type_int, false, true },			\
	{ "path", json_type_string, true, false },			\
	IOMMU_FIELDS

/* Replay takes a group's IOMMU from its "group" record. */
#define IOMMU_FIELDS							\
	{ "iommu", json_type_string, false, true },			\
	{ "iommu_driver", json_type_string, false, true }

static const struct field_spec transition_fields[] = {
	COMMON_FIELDS, DEVICE_FIELDS,
	{ "from_kernel", json_type_boolean, false, false },
	{ "core_only", json_type_boolean, false, false },
	{ "to", json_type_string, true, false },
	{ "to_domain", json_type_int, false, true },
	{ "ret", json_type_int, true, false },
	{ "latency_ns", json_type_int, false, false },
	{},
};

static const struct field_spec release_fields[] = {
	COMMON_FIELDS, DEVICE_FIELDS,
	{ "pasids_left", json_type_int, false, false },
	{},
};

static const struct field_spec reset_fields[] = {
	COMMON_FIELDS, DEVICE_FIELDS,
	{ "ret", json_type_int, true, false },
	{ "blocked", json_type_boolean, false, true },
	{ "reset_depth", json_type_int, false, true },
	{},
};

static const struct field_spec free_fields[] = {
	COMMON_FIELDS,
	{ "from", json_type_string, true, false },
	{ "from_domain", json_type_int, true, false },
	{},
};

static const struct field_spec group_fields[] = {
	{ "type", json_type_string, true, false },
	{ "group", json_type_int, true, false },
	{ "domain", json_type_string, true, false },
	{ "devices", json_type_array, true, false },
	{ "direct", json_type_boolean, true, false },
	IOMMU_FIELDS,
	{},
};

static const struct field_spec violation_fields[] = {
	COMMON_FIELDS,
	{ "kind", json_type_string, true, false },
	{ "severity", json_type_string, true, false },
	{ "group", json_type_int, false, true },
	{ "device", json_type_string, false, false },
	{ "pasid", json_type_int, false, true },
	{ "path", json_type_string, false, false },
	{ "description", json_type_string, false, false },
	{ "evidence", json_type_object, false, false },
	{},
};

static const struct field_spec session_fields[] = {
	{ "type", json_type_string, true, false },
	{ "time", json_type_string, true, false },
	{ "version", json_type_string, false, false },
	{ "kernel", json_type_string, false, false },
	{ "deferred_locked", json_type_boolean, true, false },
	{ "ops_watched", json_type_boolean, false, false },
	{ "not_watched", json_type_array, false, false },
	{ "attach", json_type_string, false, false },
	{},
};

static const struct field_spec not_watched_fields[] = {
	{ "type", json_type_string, true, false },
	{ "time", json_type_string, true, false },
	{ "module", json_type_string, true, false },
	{ "reason", json_type_string, false, false },
	{ "ops", json_type_array, false, false },
	{},
};

static const struct field_spec lost_fields[] = {
	{ "type", json_type_string, true, false },
	{ "time", json_type_string, true, false },
	{ "count", json_type_int, true, false },
	{},
};

/* ---- values ---- */

/*
 * An absent or null integer takes dflt; a present one must be in range.
 * json-c keeps what int64 cannot hold as uint64, or clamped to INT64_MIN
 * or UINT64_MAX: every range here excludes those, so none passes as the
 * clamped value.
 */
static int int_in(struct parse *p, const char *key, long long min,
		  long long max, long long dflt, long long *out)
{
	json_object *v = get(p, key);
	bool above = v && json_object_get_uint64(v) > INT64_MAX;

	*out = v ? json_object_get_int64(v) : dflt;
	if (v && (above || *out < min || *out > max))
		return fail(p, "field '%s' out of range (%lld..%lld)", key, min,
			    max);
	return 0;
}

static int copy_str(struct parse *p, const char *key, char *buf, size_t len)
{
	json_object *v = get(p, key);
	const char *s = v ? json_object_get_string(v) : "";

	if (strlen(s) >= len)
		return fail(p, "field '%s' longer than %zu bytes", key, len - 1);
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

static int dom_field(struct parse *p, const char *kind_key,
		     const char *id_key, struct iw_dom *dom)
{
	long long id;
	int kind = dom_kind_parse(json_object_get_string(get(p, kind_key)));

	if (kind < 0)
		return fail(p, "field '%s' is not a domain type", kind_key);
	dom->kind = kind;
	if (int_in(p, id_key, 0, UINT32_MAX, 0, &id))
		return -1;
	dom->id = id;
	return 0;
}

/* A fact: true sets bit, and any non-null value sets its known bit. */
static void flag_field(struct parse *p, const char *key, __u32 bit,
		       __u32 known_bit, struct iw_record *rec)
{
	json_object *v = get(p, key);

	if (v)
		rec->flags |= known_bit;
	if (v && json_object_get_boolean(v))
		rec->flags |= bit;
}

static int time_field(struct parse *p, __u64 *ns)
{
	int err = parse_rfc3339(json_object_get_string(get(p, "time")), ns);

	if (err == -ERANGE)
		return fail(p, "field 'time' out of range (%s..%s)",
			    IW_TIME_MIN, IW_TIME_MAX);
	if (err)
		return fail(p, "field 'time' is not RFC 3339 UTC");
	return 0;
}

static int task_fields(struct parse *p, struct iw_record *rec)
{
	long long pid, cpu;

	if (time_field(p, &rec->mono_ns))
		return -1;
	/* pid_t and the kernel's cpu numbers are ints. */
	if (int_in(p, "pid", 0, INT32_MAX, 0, &pid) ||
	    int_in(p, "cpu", 0, INT32_MAX, 0, &cpu))
		return -1;
	rec->pid = pid;
	rec->cpu = cpu;
	if (copy_str(p, "hook", rec->hook, sizeof(rec->hook)))
		return -1;
	return copy_str(p, "comm", rec->comm, sizeof(rec->comm));
}

static int device_fields(struct parse *p, struct iw_record *rec)
{
	long long group, pasid;
	int path = path_parse(json_object_get_string(get(p, "path")));

	if (path < 0 && strcmp(json_object_get_string(get(p, "path")), "free"))
		return fail(p, "field 'path' is not a known path");
	rec->path = path < 0 ? IW_PATH_UNKNOWN : path;
	if (int_in(p, "group", 0, INT32_MAX, -1, &group) ||
	    int_in(p, "pasid", 0, IW_NO_PASID - 1, IW_NO_PASID, &pasid) ||
	    copy_str(p, "device", rec->device, sizeof(rec->device)))
		return -1;
	rec->group = present(p, "group") ? group : -1;
	rec->pasid = present(p, "pasid") ? pasid : IW_NO_PASID;
	if (!present(p, "group"))
		rec->flags |= IW_F_NO_GROUP;
	flag_field(p, "require_direct", IW_F_REQUIRE_DIRECT, IW_F_DIRECT_KNOWN,
		   rec);
	flag_field(p, "attach_deferred", IW_F_ATTACH_DEFERRED,
		   IW_F_DEFERRED_KNOWN, rec);
	flag_field(p, "untrusted", IW_F_UNTRUSTED, IW_F_UNTRUSTED_KNOWN, rec);
	flag_field(p, "mutex_held", IW_F_MUTEX_HELD, IW_F_MUTEX_KNOWN, rec);
	flag_field(p, "from_kernel", IW_F_HAS_OLD, 0, rec);
	if (dom_field(p, "from", "from_domain", &rec->from))
		return -1;
	rec->from_known = rec->from.kind != IW_DOM_UNKNOWN;
	return task_fields(p, rec);
}

static enum jsonl_kind parse_transition(struct parse *p, struct iw_record *rec)
{
	long long ret, lat;

	rec->type = IW_REC_TRANSITION;
	if (check_fields(p, transition_fields) || device_fields(p, rec) ||
	    dom_field(p, "to", "to_domain", &rec->to) ||
	    int_in(p, "ret", -4095, INT32_MAX, 0, &ret) ||
	    int_in(p, "latency_ns", 0, INT64_MAX, 0, &lat))
		return JSONL_ERROR;
	rec->ret = ret;
	rec->latency_ns = lat;
	flag_field(p, "core_only", IW_F_CORE_ONLY, 0, rec);
	/* Replay trusts the state for from unless the kernel said it. */
	if (!(rec->flags & IW_F_HAS_OLD))
		rec->from_known = false;
	return JSONL_RECORD;
}

static enum jsonl_kind parse_release(struct parse *p, struct iw_record *rec)
{
	long long left;

	rec->type = IW_REC_RELEASE;
	if (check_fields(p, release_fields) || device_fields(p, rec) ||
	    int_in(p, "pasids_left", 0, UINT32_MAX, 0, &left))
		return JSONL_ERROR;
	return JSONL_RECORD;
}

static enum jsonl_kind parse_reset(struct parse *p, struct iw_record *rec,
				   enum iw_record_type type)
{
	long long ret, depth;

	rec->type = type;
	if (check_fields(p, reset_fields) || device_fields(p, rec) ||
	    int_in(p, "ret", -4095, INT32_MAX, 0, &ret) ||
	    int_in(p, "reset_depth", 0, UINT32_MAX, 0, &depth))
		return JSONL_ERROR;
	rec->ret = ret;
	rec->reset_depth = depth;
	flag_field(p, "blocked", IW_F_RESET_BLOCKED, IW_F_BLOCKED_KNOWN, rec);
	if (present(p, "reset_depth"))
		rec->flags |= IW_F_DEPTH_KNOWN;
	/* The state says where the RID is. */
	rec->from_known = false;
	return JSONL_RECORD;
}

static enum jsonl_kind parse_free(struct parse *p, struct iw_record *rec)
{
	rec->type = IW_REC_DOMAIN_FREE;
	rec->group = -1;
	rec->pasid = IW_NO_PASID;
	if (check_fields(p, free_fields) || task_fields(p, rec) ||
	    dom_field(p, "from", "from_domain", &rec->from))
		return JSONL_ERROR;
	rec->from_known = true;
	return JSONL_RECORD;
}

/* A start-state group: seed it (and its devices) into the state. */
static enum jsonl_kind parse_group(struct parse *p, struct iw_state *st)
{
	char iommu[IW_IOMMU_NAME_LEN], driver[IW_IOMMU_NAME_LEN];
	json_object *devs = get(p, "devices");
	struct iw_group *grp;
	long long id;
	int kind;

	if (check_fields(p, group_fields) ||
	    int_in(p, "group", 0, INT32_MAX, 0, &id) ||
	    copy_str(p, "iommu", iommu, sizeof(iommu)) ||
	    copy_str(p, "iommu_driver", driver, sizeof(driver)))
		return JSONL_ERROR;
	kind = dom_kind_parse(json_object_get_string(get(p, "domain")));
	if (kind < 0)
		return fail(p, "field 'domain' is not a domain type");
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);

		if (!d || !json_object_is_type(d, json_type_string) ||
		    json_object_get_string_len(d) >= IW_DEV_NAME_LEN)
			return fail(p, "field 'devices' must hold device names");
	}
	grp = state_group(st, id, true);
	if (!grp)
		return fail(p, "out of memory");
	grp->dom = (struct iw_dom){ 0, kind };
	grp->dom_known = kind != IW_DOM_UNKNOWN;
	grp->direct = json_object_get_boolean(get(p, "direct"));
	grp->iommu = state_iommu(st, iommu, driver);
	for (size_t i = 0; i < json_object_array_length(devs); i++)
		state_seed_device(st, grp, json_object_get_string(
				  json_object_array_get_idx(devs, i)));
	return JSONL_GROUP;
}

static enum jsonl_kind parse_session(struct parse *p, struct rule_ctx *ctx)
{
	struct jsonl_facts *f = p->facts;

	if (check_fields(p, session_fields) || time_field(p, &f->time) ||
	    copy_str(p, "version", f->version, sizeof(f->version)) ||
	    copy_str(p, "kernel", f->kernel, sizeof(f->kernel)) ||
	    copy_str(p, "attach", f->attach, sizeof(f->attach)))
		return JSONL_ERROR;
	ctx->deferred_locked = json_object_get_boolean(get(p, "deferred_locked"));
	/* Older recordings do not say: unknown, so not watched. */
	ctx->ops_watched = json_object_get_boolean(get(p, "ops_watched"));
	return JSONL_SESSION;
}

/* Violations are recomputed: checked, not used. */
static enum jsonl_kind parse_violation(struct parse *p)
{
	__u64 t;

	if (check_fields(p, violation_fields) || time_field(p, &t))
		return JSONL_ERROR;
	return JSONL_SKIP;
}

static enum jsonl_kind parse_lost(struct parse *p)
{
	long long count;

	if (check_fields(p, lost_fields) || time_field(p, &p->facts->time) ||
	    int_in(p, "count", 0, INT64_MAX, 0, &count))
		return JSONL_ERROR;
	p->facts->lost = count;
	return JSONL_LOST;
}

/* A driver module's ops, from now on, are not all watched. */
static enum jsonl_kind parse_not_watched(struct parse *p, struct rule_ctx *ctx)
{
	struct jsonl_facts *f = p->facts;

	if (check_fields(p, not_watched_fields) || time_field(p, &f->time) ||
	    copy_str(p, "module", f->module, sizeof(f->module)))
		return JSONL_ERROR;
	ctx->ops_watched = false;
	return JSONL_NOT_WATCHED;
}

static enum jsonl_kind parse_object(struct parse *p, struct rule_ctx *ctx,
				    struct iw_record *rec)
{
	json_object *type = get(p, "type");
	const char *t;

	if (!type || !json_object_is_type(type, json_type_string))
		return fail(p, "no \"type\" string");
	t = json_object_get_string(type);
	memset(rec, 0, sizeof(*rec));
	memset(p->facts, 0, sizeof(*p->facts));
	if (!strcmp(t, "transition"))
		return parse_transition(p, rec);
	if (!strcmp(t, "release"))
		return parse_release(p, rec);
	if (!strcmp(t, "domain_free"))
		return parse_free(p, rec);
	if (!strcmp(t, "reset_prepare"))
		return parse_reset(p, rec, IW_REC_RESET_PREPARE);
	if (!strcmp(t, "reset_done"))
		return parse_reset(p, rec, IW_REC_RESET_DONE);
	if (!strcmp(t, "group"))
		return parse_group(p, ctx->st);
	if (!strcmp(t, "session"))
		return parse_session(p, ctx);
	if (!strcmp(t, "violation"))
		return parse_violation(p);
	if (!strcmp(t, "lost"))
		return parse_lost(p);
	if (!strcmp(t, "not_watched"))
		return parse_not_watched(p, ctx);
	return fail(p, "unknown record type '%.32s'", t);
}

enum jsonl_kind jsonl_parse(const char *line, size_t len, struct rule_ctx *ctx,
			    struct iw_record *rec, char *err, size_t errlen)
{
	struct jsonl_facts facts;

	return jsonl_parse_facts(line, len, ctx, rec, &facts, err, errlen);
}

enum jsonl_kind jsonl_parse_facts(const char *line, size_t len,
				  struct rule_ctx *ctx, struct iw_record *rec,
				  struct jsonl_facts *facts, char *err,
				  size_t errlen)
{
	struct parse p = { .facts = facts, .err = err, .errlen = errlen };
	struct json_tokener *tok;
	enum jsonl_kind kind;

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len > IW_JSONL_MAX_LINE)
		return fail(&p, "longer than %d bytes", IW_JSONL_MAX_LINE);
	if (memchr(line, '\0', len))
		return fail(&p, "contains a NUL byte (binary data?)");
	tok = json_tokener_new_ex(32);
	if (!tok)
		return fail(&p, "out of memory");
	p.obj = json_tokener_parse_ex(tok, line, len);
	if (!p.obj || json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(p.obj, json_type_object)) {
		kind = fail(&p, "not a JSON object%s",
			    json_tokener_get_error(tok) == json_tokener_continue ?
			    " (truncated?)" : "");
	} else {
		kind = parse_object(&p, ctx, rec);
	}
	json_object_put(p.obj);
	json_tokener_free(tok);
	return kind;
}
