// SPDX-License-Identifier: GPL-2.0
/* Human and JSON Lines rendering of records. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/utsname.h>
#include "escape.h"
#include "output.h"
#include "util.h"

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
	memset(out, 0, sizeof(*out));
	out->f = f;
	out->json = json;
	out->mono_to_real_ns = mono_to_real_offset();
	out->tc.sec = -1;
}

/*
 * Wall time as strftime's fmt, then a fraction of the second. The second's
 * text is kept in tc (when given): records come many to a second, and
 * strftime was a fifth of a JSON line's cost.
 */
static void format_time(struct time_cache *tc, __u64 real_ns, bool utc,
			const char *fmt, int digits, char *buf, size_t len)
{
	struct time_cache one = { .sec = -1 };
	time_t sec = real_ns / NSEC_PER_SEC;
	unsigned long frac = real_ns % NSEC_PER_SEC;
	struct tm tm;
	size_t n;

	if (!tc)
		tc = &one;
	if (tc->sec != sec) {
		if (utc)
			gmtime_r(&sec, &tm);
		else
			localtime_r(&sec, &tm);
		tc->len = strftime(tc->text, sizeof(tc->text), fmt, &tm);
		tc->sec = sec;
	}
	n = tc->len;
	if (len < n + digits + 3) {	/* '.', 'Z', NUL */
		if (len)
			buf[0] = '\0';
		return;
	}
	memcpy(buf, tc->text, n);
	buf[n++] = '.';
	for (int d = 9; d > digits; d--)
		frac /= 10;
	for (int d = digits; d > 0; d--, frac /= 10)
		buf[n + d - 1] = '0' + frac % 10;
	n += digits;
	if (utc)
		buf[n++] = 'Z';
	buf[n] = '\0';
}

static void rfc3339(struct time_cache *tc, __u64 real_ns, char *buf,
		    size_t len)
{
	format_time(tc, real_ns, true, "%Y-%m-%dT%H:%M:%S", 9, buf, len);
}

void format_rfc3339(__u64 real_ns, char *buf, size_t len)
{
	rfc3339(NULL, real_ns, buf, len);
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
#define HUMAN_FMT "%-12s %4s %-12s %5s %-13s %-13s %-8s %4s %8s %s\n"
#define HUMAN_COMM 12

/* A device name as the table shows it: "-" for none, escaped. */
static const char *human_device(const char *name, char *buf, size_t len)
{
	return esc_str(buf, len, name[0] ? name : "-", ESC_TEXT);
}

void output_header(struct output *out)
{
	if (out->json)
		return;
	fprintf(out->f, HUMAN_FMT, "TIME", "GROUP", "DEVICE", "PASID", "FROM",
		"TO", "PATH", "RET", "LAT(us)", "COMM");
}

static void human_time(struct output *out, __u64 mono_ns, char *buf,
		       size_t len)
{
	format_time(&out->tc, mono_ns + out->mono_to_real_ns, false,
		    "%H:%M:%S", 3, buf, len);
}

static void human_record(struct output *out, const struct iw_record *r)
{
	char tbuf[24], group[12] = "-", pasid[12] = "-", from[24], to[24];
	char ret[12] = "", lat[16] = "", dev[4 * IW_DEV_NAME_LEN];
	char comm[HUMAN_COMM + 1];

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
	case IW_REC_RESET_PREPARE:
		snprintf(to, sizeof(to), "(prepare)");
		snprintf(ret, sizeof(ret), "%d", r->ret);
		break;
	case IW_REC_RESET_DONE:
		snprintf(to, sizeof(to), "(done)");
		break;
	case IW_REC_GROUP_TYPE:	/* the pipeline expands it */
		break;
	}
	fprintf(out->f, HUMAN_FMT, tbuf, group,
		human_device(r->device, dev, sizeof(dev)), pasid, from, to,
		record_path_name(r->type, r->path), ret, lat,
		esc_str(comm, sizeof(comm), r->comm, ESC_TEXT));
}

/* ---- JSON ---- */

/* A flag the kernel may not have told us: null when unknown. */
static void json_flag(struct jsonw *w, const char *k, __u32 flags,
		      __u32 bit, bool known)
{
	if (known)
		jsonw_bool(w, k, flags & bit);
	else
		jsonw_null(w, k);
}

static void json_begin(struct output *out, const char *type, __u64 mono_ns)
{
	char tbuf[40];

	rfc3339(&out->tc, mono_ns + out->mono_to_real_ns, tbuf, sizeof(tbuf));
	jsonw_begin(&out->jw, out->f);
	jsonw_str(&out->jw, "type", type);
	jsonw_str(&out->jw, "time", tbuf);
}

static void json_end(struct output *out)
{
	jsonw_end(&out->jw);
}

static void json_device(struct jsonw *w, const struct iw_record *r)
{
	__u32 f = r->flags;

	jsonw_opt_int(w, "group", r->group >= 0, r->group);
	jsonw_str(w, "device", r->device);
	jsonw_opt_int(w, "pasid", r->pasid != IW_NO_PASID, r->pasid);
	json_flag(w, "require_direct", f, IW_F_REQUIRE_DIRECT,
		  f & IW_F_DIRECT_KNOWN);
	json_flag(w, "attach_deferred", f, IW_F_ATTACH_DEFERRED,
		  f & IW_F_DEFERRED_KNOWN);
	json_flag(w, "untrusted", f, IW_F_UNTRUSTED, f & IW_F_UNTRUSTED_KNOWN);
	json_flag(w, "mutex_held", f, IW_F_MUTEX_HELD, f & IW_F_MUTEX_KNOWN);
}

/* The IOMMU instance and its driver; null each when unknown. */
static void json_iommu(struct jsonw *w, const struct iw_iommu *u)
{
	if (u)
		jsonw_str(w, "iommu", u->name);
	else
		jsonw_null(w, "iommu");
	if (u && u->driver[0])
		jsonw_str(w, "iommu_driver", u->driver);
	else
		jsonw_null(w, "iommu_driver");
}

static void json_task(struct jsonw *w, const struct iw_record *r)
{
	jsonw_str(w, "hook", r->hook);
	jsonw_str(w, "comm", r->comm);
	jsonw_uint(w, "pid", r->pid);
	jsonw_uint(w, "cpu", r->cpu);
}

/* How the kernel's group_device was left: null where it cannot be read. */
static void json_reset(struct jsonw *w, const struct iw_record *r)
{
	jsonw_str(w, "path", path_name(r->path));
	jsonw_int(w, "ret", r->ret);
	json_flag(w, "blocked", r->flags, IW_F_RESET_BLOCKED,
		  r->flags & IW_F_BLOCKED_KNOWN);
	if (r->flags & IW_F_DEPTH_KNOWN)
		jsonw_uint(w, "reset_depth", r->reset_depth);
	else
		jsonw_null(w, "reset_depth");
}

static void json_record(struct output *out, const struct iw_record *r,
			const struct iw_prior *prior)
{
	static const char *const types[] = {
		[IW_REC_TRANSITION] = "transition",
		[IW_REC_RELEASE] = "release",
		[IW_REC_DOMAIN_FREE] = "domain_free",
		[IW_REC_RESET_PREPARE] = "reset_prepare",
		[IW_REC_RESET_DONE] = "reset_done",
	};
	struct jsonw *w = &out->jw;

	json_begin(out, types[r->type], r->mono_ns);
	if (r->type != IW_REC_DOMAIN_FREE) {
		json_device(w, r);
		json_iommu(w, prior ? prior->iommu : NULL);
	}
	jsonw_str(w, "from", r->from_known ? dom_kind_name(r->from.kind)
					   : "unknown");
	jsonw_opt_int(w, "from_domain", r->from.id, r->from.id);
	if (r->type == IW_REC_TRANSITION) {
		jsonw_bool(w, "from_kernel", r->flags & IW_F_HAS_OLD);
		if (r->flags & IW_F_CORE_ONLY)
			jsonw_bool(w, "core_only", true);
		jsonw_str(w, "to", dom_kind_name(r->to.kind));
		jsonw_opt_int(w, "to_domain", r->to.id, r->to.id);
		jsonw_str(w, "path", path_name(r->path));
		jsonw_int(w, "ret", r->ret);
		jsonw_uint(w, "latency_ns", r->latency_ns);
	} else if (r->type == IW_REC_RELEASE) {
		jsonw_str(w, "path", path_name(r->path));
		jsonw_uint(w, "pasids_left", prior ? prior->pasids_left : 0);
	} else if (is_reset_record(r)) {
		json_reset(w, r);
	}
	json_task(w, r);
	json_end(out);
}

void output_record(struct output *out, const struct iw_record *rec,
		   const struct iw_prior *prior)
{
	if (out->json)
		json_record(out, rec, prior);
	else
		human_record(out, rec);
}

void output_not_watched(struct output *out, __u64 mono_ns,
			const char *module, const char *const *ops, int n_ops)
{
	struct jsonw *w = &out->jw;

	if (!out->json)
		return;
	json_begin(out, "not_watched", mono_ns);
	jsonw_str(w, "module", module);
	jsonw_str(w, "reason", "loaded after start");
	jsonw_array_begin(w, "ops");
	for (int i = 0; i < n_ops; i++)
		jsonw_array_str(w, ops[i]);
	jsonw_array_end(w);
	json_end(out);
}

void output_lost(struct output *out, __u64 mono_ns, __u64 count)
{
	if (!out->json) {
		fprintf(out->f, "-- %llu events lost in the kernel; state resynced from sysfs --\n",
			(unsigned long long)count);
		return;
	}
	json_begin(out, "lost", mono_ns);
	jsonw_uint(&out->jw, "count", count);
	json_end(out);
}

/* ---- violations ---- */

static void evidence_json(struct jsonw *w, const struct iw_violation *v)
{
	jsonw_object_begin(w, "evidence");
	for (int i = 0; i < v->n_evidence; i++) {
		const struct iw_evidence *e = &v->evidence[i];

		if (e->type == IW_EVID_STR)
			jsonw_str(w, e->key, e->str);
		else if (e->type == IW_EVID_BOOL)
			jsonw_bool(w, e->key, e->num);
		else
			jsonw_int(w, e->key, e->num);
	}
	jsonw_object_end(w);
}

static void violation_json(struct output *out, const struct iw_record *r,
			   const struct iw_violation *v)
{
	struct jsonw *w = &out->jw;

	json_begin(out, "violation", r->mono_ns);
	jsonw_str(w, "kind", v->rule->kind);
	jsonw_str(w, "severity", severity_name(v->rule->severity));
	jsonw_opt_int(w, "group", r->group >= 0, r->group);
	jsonw_str(w, "device", r->device);
	jsonw_opt_int(w, "pasid", r->pasid != IW_NO_PASID, r->pasid);
	jsonw_str(w, "path", record_path_name(r->type, r->path));
	jsonw_str(w, "hook", r->hook);
	jsonw_str(w, "description", v->rule->description);
	evidence_json(w, v);
	json_end(out);
}

static void violation_human(struct output *out, const struct iw_record *r,
			    const struct iw_violation *v)
{
	char tbuf[24], evidence[512], shown[512], dev[4 * IW_DEV_NAME_LEN];

	human_time(out, r->mono_ns, tbuf, sizeof(tbuf));
	fprintf(out->f, "%-12s !! %s %s: %s", tbuf,
		severity_name(v->rule->severity), v->rule->kind,
		human_device(r->device, dev, sizeof(dev)));
	if (r->group >= 0)
		fprintf(out->f, " group %d", r->group);
	if (r->pasid != IW_NO_PASID)
		fprintf(out->f, " pasid %u", r->pasid);
	evidence_text(v, evidence, sizeof(evidence));
	fprintf(out->f, " path=%s%s%s\n", record_path_name(r->type, r->path),
		v->n_evidence ? " " : "",
		esc_str(shown, sizeof(shown), evidence, ESC_TEXT));
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
	struct jsonw *w;
};

static int add_group_device(struct iw_device *dev, void *arg)
{
	struct group_devices *gd = arg;

	if (dev->group == gd->group && !dev->released)
		jsonw_array_str(gd->w, dev->name);
	return 0;
}

void output_group(struct output *out, struct iw_state *st,
		  const struct iw_group *g)
{
	struct group_devices gd = { g->id, &out->jw };
	struct jsonw *w = &out->jw;

	if (!out->json)
		return;
	jsonw_begin(w, out->f);
	jsonw_str(w, "type", "group");
	jsonw_int(w, "group", g->id);
	jsonw_str(w, "domain", g->dom_known ? dom_kind_name(g->dom.kind)
					   : "unknown");
	jsonw_array_begin(w, "devices");
	state_for_each_device(st, add_group_device, &gd);
	jsonw_array_end(w);
	jsonw_bool(w, "direct", g->direct);
	json_iommu(w, g->iommu);
	json_end(out);
}

/*
 * not_watched is the comma separated list hooks_uncovered_roles() gives,
 * attach the mechanisms of the active hooks (hooks_mechanisms()).
 */
void output_session(struct output *out, __u64 mono_ns,
		    const struct rule_ctx *rules,
		    const char *not_watched, const char *attach)
{
	struct jsonw *w = &out->jw;
	char buf[256], *tok, *save;
	struct utsname u;

	if (!out->json)
		return;
	json_begin(out, "session", mono_ns);
	jsonw_str(w, "version", IOMMUWATCH_VERSION);
	jsonw_str(w, "kernel", uname(&u) ? "unknown" : u.release);
	jsonw_bool(w, "deferred_locked", rules->deferred_locked);
	jsonw_bool(w, "ops_watched", rules->ops_watched);
	snprintf(buf, sizeof(buf), "%s", not_watched);
	jsonw_array_begin(w, "not_watched");
	for (tok = strtok_r(buf, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save))
		jsonw_array_str(w, tok);
	jsonw_array_end(w);
	jsonw_str(w, "attach", attach);
	json_end(out);
}
