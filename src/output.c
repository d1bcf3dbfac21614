// SPDX-License-Identifier: GPL-2.0
/* Human and JSON Lines rendering of records. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/utsname.h>
#include <json-c/json.h>
#include "output.h"

#define NSEC_PER_SEC	1000000000ULL

static __s64 mono_to_real_offset(void)
{
	struct timespec mono, real;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	return ((__s64)real.tv_sec - mono.tv_sec) * (__s64)NSEC_PER_SEC +
	       (real.tv_nsec - mono.tv_nsec);
}

void output_init(struct output *out, FILE *f, bool json)
{
	out->f = f;
	out->json = json;
	out->mono_to_real_ns = mono_to_real_offset();
}

/* Wall time as strftime's fmt, then a fraction of the second. */
static void format_time(__u64 real_ns, bool utc, const char *fmt,
			int digits, char *buf, size_t len)
{
	time_t sec = real_ns / NSEC_PER_SEC;
	unsigned long long frac = real_ns % NSEC_PER_SEC;
	struct tm tm;
	size_t n;

	if (utc)
		gmtime_r(&sec, &tm);
	else
		localtime_r(&sec, &tm);
	n = strftime(buf, len, fmt, &tm);
	for (int d = digits; d < 9; d++)
		frac /= 10;
	snprintf(buf + n, len - n, ".%0*llu%s", digits, frac, utc ? "Z" : "");
}

void format_rfc3339(__u64 real_ns, char *buf, size_t len)
{
	format_time(real_ns, true, "%Y-%m-%dT%H:%M:%S", 9, buf, len);
}

static void dom_label(const struct iw_dom *dom, bool known, char *buf,
		      size_t len)
{
	if (!known)
		snprintf(buf, len, "?");
	else if (dom->id)
		snprintf(buf, len, "%s#%u", dom_kind_name(dom->kind), dom->id);
	else
		snprintf(buf, len, "%s", dom_kind_name(dom->kind));
}

/* ---- human ---- */

/* 100 columns for groups < 10000, PASIDs < 100000 and domain ids < 1000. */
#define HUMAN_FMT "%-12s %4s %-12s %5s %-13s %-13s %-8s %4s %8s %.12s\n"

void output_header(struct output *out)
{
	if (out->json)
		return;
	fprintf(out->f, HUMAN_FMT, "TIME", "GROUP", "DEVICE", "PASID", "FROM",
		"TO", "PATH", "RET", "LAT(us)", "COMM");
}

static void human_time(const struct output *out, __u64 mono_ns, char *buf,
		       size_t len)
{
	format_time(mono_ns + out->mono_to_real_ns, false, "%H:%M:%S", 3, buf,
		    len);
}

static void human_record(struct output *out, const struct iw_record *r)
{
	char tbuf[24], group[12] = "-", pasid[12] = "-", from[24], to[24];
	char ret[12] = "", lat[16] = "";

	human_time(out, r->mono_ns, tbuf, sizeof(tbuf));
	if (r->group >= 0)
		snprintf(group, sizeof(group), "%d", r->group);
	if (r->pasid != IW_NO_PASID)
		snprintf(pasid, sizeof(pasid), "%u", r->pasid);
	dom_label(&r->from, r->from_known, from, sizeof(from));
	switch (r->type) {
	case IW_REC_TRANSITION:
		dom_label(&r->to, true, to, sizeof(to));
		snprintf(ret, sizeof(ret), "%d", r->ret);
		snprintf(lat, sizeof(lat), "%.1f", r->latency_ns / 1000.0);
		break;
	case IW_REC_RELEASE:
		snprintf(to, sizeof(to), "(released)");
		break;
	case IW_REC_DOMAIN_FREE:
		snprintf(to, sizeof(to), "(freed)");
		break;
	case IW_REC_GROUP_TYPE:	/* the pipeline expands it */
		break;
	}
	fprintf(out->f, HUMAN_FMT, tbuf, group, r->device[0] ? r->device : "-",
		pasid, from, to,
		r->type == IW_REC_DOMAIN_FREE ? "free" : path_name(r->path),
		ret, lat, r->comm);
}

/* ---- JSON ---- */

static void json_add_u64(json_object *o, const char *k, __u64 v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

static void json_add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void json_add_opt_int(json_object *o, const char *k, bool set,
			     __s64 v)
{
	json_object_object_add(o, k, set ? json_object_new_int64(v) : NULL);
}

static void json_add_flag(json_object *o, const char *k, __u32 flags,
			  __u32 bit, bool known)
{
	json_object_object_add(o, k, known ? json_object_new_boolean(flags & bit)
					   : NULL);
}

static json_object *json_base(const struct output *out, const char *type,
			      __u64 mono_ns)
{
	json_object *o = json_object_new_object();
	char tbuf[40];

	format_rfc3339(mono_ns + out->mono_to_real_ns, tbuf, sizeof(tbuf));
	json_add_str(o, "type", type);
	json_add_str(o, "time", tbuf);
	return o;
}

static void json_device(json_object *o, const struct iw_record *r)
{
	bool known = r->flags & IW_F_FLAGS_KNOWN;

	json_add_opt_int(o, "group", r->group >= 0, r->group);
	json_add_str(o, "device", r->device);
	json_add_opt_int(o, "pasid", r->pasid != IW_NO_PASID, r->pasid);
	json_add_flag(o, "require_direct", r->flags, IW_F_REQUIRE_DIRECT, known);
	json_add_flag(o, "attach_deferred", r->flags, IW_F_ATTACH_DEFERRED,
		      known);
	json_add_flag(o, "untrusted", r->flags, IW_F_UNTRUSTED, true);
	json_add_flag(o, "mutex_held", r->flags, IW_F_MUTEX_HELD,
		      !(r->flags & IW_F_NO_GROUP));
}

static void json_task(json_object *o, const struct iw_record *r)
{
	json_add_str(o, "hook", r->hook);
	json_add_str(o, "comm", r->comm);
	json_add_u64(o, "pid", r->pid);
	json_add_u64(o, "cpu", r->cpu);
}

static json_object *json_record(const struct output *out,
				const struct iw_record *r,
				const struct iw_prior *prior)
{
	static const char *const types[] = {
		[IW_REC_TRANSITION] = "transition",
		[IW_REC_RELEASE] = "release",
		[IW_REC_DOMAIN_FREE] = "domain_free",
	};
	json_object *o = json_base(out, types[r->type], r->mono_ns);

	if (r->type != IW_REC_DOMAIN_FREE)
		json_device(o, r);
	json_add_str(o, "from", r->from_known ? dom_kind_name(r->from.kind)
					      : "unknown");
	json_add_opt_int(o, "from_domain", r->from.id, r->from.id);
	if (r->type == IW_REC_TRANSITION) {
		json_object_object_add(o, "from_kernel", json_object_new_boolean(
					       r->flags & IW_F_HAS_OLD));
		json_add_str(o, "to", dom_kind_name(r->to.kind));
		json_add_opt_int(o, "to_domain", r->to.id, r->to.id);
		json_add_str(o, "path", path_name(r->path));
		json_object_object_add(o, "ret", json_object_new_int(r->ret));
		json_add_u64(o, "latency_ns", r->latency_ns);
	} else if (r->type == IW_REC_RELEASE) {
		json_add_str(o, "path", path_name(r->path));
		json_add_u64(o, "pasids_left", prior ? prior->pasids_left : 0);
	}
	json_task(o, r);
	return o;
}

static void json_emit(struct output *out, json_object *o)
{
	if (!out->f) {
		json_object_put(o);
		return;
	}
	fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE),
	      out->f);
	fputc('\n', out->f);
	json_object_put(o);
}

void output_record(struct output *out, const struct iw_record *rec,
		   const struct iw_prior *prior)
{
	if (out->json)
		json_emit(out, json_record(out, rec, prior));
	else
		human_record(out, rec);
}

void output_lost(struct output *out, __u64 mono_ns, __u64 count)
{
	json_object *o;

	if (!out->json) {
		fprintf(out->f, "-- %llu events lost in the kernel; state resynced from sysfs --\n",
			(unsigned long long)count);
		return;
	}
	o = json_base(out, "lost", mono_ns);
	json_add_u64(o, "count", count);
	json_emit(out, o);
}

/* ---- violations ---- */

static void evidence_json(json_object *o, const struct iw_violation *v)
{
	json_object *ev = json_object_new_object();

	for (int i = 0; i < v->n_evidence; i++) {
		const struct iw_evidence *e = &v->evidence[i];
		json_object *val;

		if (e->type == IW_EV_STR)
			val = json_object_new_string(e->str);
		else if (e->type == IW_EV_BOOL)
			val = json_object_new_boolean(e->num);
		else
			val = json_object_new_int64(e->num);
		json_object_object_add(ev, e->key, val);
	}
	json_object_object_add(o, "evidence", ev);
}

static void violation_json(struct output *out, const struct iw_record *r,
			   const struct iw_violation *v)
{
	json_object *o = json_base(out, "violation", r->mono_ns);

	json_add_str(o, "kind", v->rule->kind);
	json_add_str(o, "severity", severity_name(v->rule->severity));
	json_add_opt_int(o, "group", r->group >= 0, r->group);
	json_add_str(o, "device", r->device);
	json_add_opt_int(o, "pasid", r->pasid != IW_NO_PASID, r->pasid);
	json_add_str(o, "path", r->type == IW_REC_DOMAIN_FREE ?
			   "free" : path_name(r->path));
	json_add_str(o, "hook", r->hook);
	json_add_str(o, "description", v->rule->description);
	evidence_json(o, v);
	json_emit(out, o);
}

static void violation_human(struct output *out, const struct iw_record *r,
			    const struct iw_violation *v)
{
	char tbuf[24];

	human_time(out, r->mono_ns, tbuf, sizeof(tbuf));
	fprintf(out->f, "%-12s !! %s %s: %s", tbuf,
		severity_name(v->rule->severity), v->rule->kind,
		r->device[0] ? r->device : "-");
	if (r->group >= 0)
		fprintf(out->f, " group %d", r->group);
	if (r->pasid != IW_NO_PASID)
		fprintf(out->f, " pasid %u", r->pasid);
	fprintf(out->f, " path=%s", r->type == IW_REC_DOMAIN_FREE ?
		"free" : path_name(r->path));
	for (int i = 0; i < v->n_evidence; i++) {
		const struct iw_evidence *e = &v->evidence[i];

		if (e->type == IW_EV_STR)
			fprintf(out->f, " %s=%s", e->key, e->str);
		else if (e->type == IW_EV_BOOL)
			fprintf(out->f, " %s=%s", e->key, e->num ? "true" : "false");
		else
			fprintf(out->f, " %s=%lld", e->key, e->num);
	}
	fputc('\n', out->f);
}

void output_violation(struct output *out, const struct iw_record *rec,
		      const struct iw_violation *v)
{
	if (out->json)
		violation_json(out, rec, v);
	else
		violation_human(out, rec, v);
}

/* ---- start state ---- */

struct group_devices {
	int group;
	json_object *list;
};

static int add_group_device(struct iw_device *dev, void *arg)
{
	struct group_devices *gd = arg;

	if (dev->group == gd->group && !dev->released)
		json_object_array_add(gd->list,
				      json_object_new_string(dev->name));
	return 0;
}

json_object *group_json(struct iw_state *st, const struct iw_group *g)
{
	struct group_devices gd = { g->id, json_object_new_array() };
	json_object *o = json_object_new_object();

	state_for_each_device(st, add_group_device, &gd);
	json_add_str(o, "type", "group");
	json_object_object_add(o, "group", json_object_new_int(g->id));
	json_add_str(o, "domain", g->dom_known ? dom_kind_name(g->dom.kind)
					      : "unknown");
	json_object_object_add(o, "devices", gd.list);
	json_object_object_add(o, "direct", json_object_new_boolean(g->direct));
	return o;
}

void output_group(struct output *out, struct iw_state *st,
		  const struct iw_group *grp)
{
	if (out->json)
		json_emit(out, group_json(st, grp));
}

/* not_watched is the comma separated list hooks_uncovered_roles() gives. */
void output_session(struct output *out, __u64 mono_ns, bool deferred_locked,
		    const char *not_watched)
{
	json_object *o, *roles = json_object_new_array();
	char buf[256], *tok, *save;
	struct utsname u;

	if (!out->json) {
		json_object_put(roles);
		return;
	}
	o = json_base(out, "session", mono_ns);
	json_add_str(o, "version", IOMMUWATCH_VERSION);
	json_add_str(o, "kernel", uname(&u) ? "unknown" : u.release);
	json_object_object_add(o, "deferred_locked",
			       json_object_new_boolean(deferred_locked));
	snprintf(buf, sizeof(buf), "%s", not_watched);
	for (tok = strtok_r(buf, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save))
		json_object_array_add(roles, json_object_new_string(tok));
	json_object_object_add(o, "not_watched", roles);
	json_emit(out, o);
}
