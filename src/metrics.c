// SPDX-License-Identifier: GPL-2.0
/* Metric definitions (one table: names are a contract) and rendering. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdio_ext.h>
#include <json-c/linkhash.h>
#include "intmap.h"
#include "metrics.h"
#include "prom.h"
#include "util.h"

enum metric_id {
	M_BUILD_INFO,
	M_UP,
	M_PROBE_ATTACHED,
	M_EVENTS_DROPPED,
	M_RESYNCS,
	M_OPS_NOT_WATCHED,
	M_TRANSITIONS,
	M_ATTACH_DURATION,
	M_RELEASES,
	M_DOMAINS_FREED,
	M_VIOLATIONS,
	M_GROUP_DOMAIN_INFO,
	M_PASIDS,
	M_DEVICES_IN_RESET,
	M_RESET_LONGEST,
	M_MAX,
};

static const struct metric_def {
	const char *name;
	enum prom_type type;
	const char *help;
} metric_defs[M_MAX] = {
	[M_BUILD_INFO] = { "iommuwatch_build_info", PROM_GAUGE,
		"iommuwatch version and the kernel it runs on (always 1)" },
	[M_UP] = { "iommuwatch_up", PROM_GAUGE,
		"1 when at least one IOMMU hook is attached" },
	[M_PROBE_ATTACHED] = { "iommuwatch_probe_attached", PROM_GAUGE,
		"1 when the hook is attached, 0 when missing or failed" },
	[M_EVENTS_DROPPED] = { "iommuwatch_events_dropped_total", PROM_COUNTER,
		"Events the kernel could not queue (ring buffer full)" },
	[M_RESYNCS] = { "iommuwatch_resyncs_total", PROM_COUNTER,
		"State reloads from sysfs after lost events" },
	[M_OPS_NOT_WATCHED] = { "iommuwatch_ops_not_watched", PROM_GAUGE,
		"Op implementations of driver modules loaded after iommuwatch started: not watched until it restarts" },
	[M_TRANSITIONS] = { "iommuwatch_transitions_total", PROM_COUNTER,
		"Domain transitions of a device RID or PASID, by group, old and new domain type and path" },
	[M_ATTACH_DURATION] = { "iommuwatch_attach_duration_seconds", PROM_HISTOGRAM,
		"Time spent in the drivers' attach_dev, set_dev_pasid and remove_dev_pasid" },
	[M_RELEASES] = { "iommuwatch_releases_total", PROM_COUNTER,
		"Devices released from the IOMMU core" },
	[M_DOMAINS_FREED] = { "iommuwatch_domains_freed_total", PROM_COUNTER,
		"IOMMU domains freed" },
	[M_VIOLATIONS] = { "iommuwatch_violations_total", PROM_COUNTER,
		"Transitions that broke an invariant of the IOMMU core, by rule" },
	[M_GROUP_DOMAIN_INFO] = { "iommuwatch_group_domain_info", PROM_GAUGE,
		"Domain type each iommu_group is on now, and the IOMMU instance its devices sit behind (always 1)" },
	[M_PASIDS] = { "iommuwatch_pasids", PROM_GAUGE,
		"PASIDs (other than the RID) attached in each iommu_group" },
	[M_DEVICES_IN_RESET] = { "iommuwatch_devices_in_reset", PROM_GAUGE,
		"Devices between a PCI reset's prepare and done (7.x), as seen since start" },
	[M_RESET_LONGEST] = { "iommuwatch_reset_longest_seconds", PROM_GAUGE,
		"How long the device longest in a PCI reset has been in it (0: none)" },
};

/* Upper bounds, in seconds, of the attach duration histogram. */
static const double duration_le[] = {
	1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2, 0.1, 0.5, 1,
};
#define N_BUCKETS (int)ARRAY_SIZE(duration_le)

/*
 * Transition series, per group (a host has few kinds of transition per
 * group): a short vector searched linearly, 16 bytes a series, listed in
 * a stable order without sorting. Devices, for --device-labels, are
 * interned once and named by index.
 */
struct series {
	__u8 from, to, path, from_known;
	__u32 dev;
	__u64 count;
};

struct group_series {
	struct series *v;
	unsigned int n, cap;
};

struct metrics {
	struct metrics_info info;
	struct group_series *by_group;	/* index: group id + 1 (0: none) */
	int n_by_group;
	struct lh_table *dev_index;	/* device name -> index + 1 */
	char **dev_names;		/* owned; keys of dev_index */
	unsigned int n_devs, cap_devs;
	unsigned int n_series;
	size_t last_render;		/* bytes, to size the next one */
	__u64 buckets[N_BUCKETS];	/* per bucket, not cumulative */
	__u64 duration_count;
	double duration_sum;
	__u64 violations[IW_RULES_MAX];
	__u64 releases, frees, dropped, resyncs, ops_not_watched;
};

struct metrics *metrics_new(const struct metrics_info *info)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->info = *info;
	if (info->device_labels) {
		m->dev_index = lh_kchar_table_new(64, NULL);
		if (!m->dev_index) {
			free(m);
			return NULL;
		}
	}
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->n_by_group; i++)
		free(m->by_group[i].v);
	free(m->by_group);
	if (m->dev_index)
		lh_table_free(m->dev_index);
	for (unsigned int i = 0; i < m->n_devs; i++)
		free(m->dev_names[i]);
	free(m->dev_names);
	free(m);
}

/* Index + 1 of a device name, interned on first sight; 0: out of memory. */
static __u32 device_index(struct metrics *m, const char *name)
{
	char **grown, *copy;
	void *found;

	if (lh_table_lookup_ex(m->dev_index, name, &found))
		return (uintptr_t)found;
	if (m->n_devs == m->cap_devs) {
		unsigned int cap = m->cap_devs ? m->cap_devs * 2 : 64;

		grown = realloc(m->dev_names, sizeof(*grown) * cap);
		if (!grown)
			return 0;
		m->dev_names = grown;
		m->cap_devs = cap;
	}
	copy = strdup(name);
	if (!copy || lh_table_insert(m->dev_index, copy,
				     (void *)(uintptr_t)(m->n_devs + 1))) {
		free(copy);
		return 0;
	}
	m->dev_names[m->n_devs] = copy;
	return ++m->n_devs;
}

static struct group_series *group_slot(struct metrics *m, int group)
{
	int idx = group + 1, n;
	struct group_series *grown;

	if (idx < 0)
		return NULL;
	if (idx >= m->n_by_group) {
		n = idx < 64 ? 64 : idx * 2;
		grown = realloc(m->by_group, sizeof(*grown) * n);
		if (!grown)
			return NULL;
		memset(grown + m->n_by_group, 0,
		       sizeof(*grown) * (n - m->n_by_group));
		m->by_group = grown;
		m->n_by_group = n;
	}
	return &m->by_group[idx];
}

static void count_transition(struct metrics *m, const struct iw_record *rec)
{
	struct series key = {
		.from = rec->from.kind, .to = rec->to.kind, .path = rec->path,
		.from_known = rec->from_known,
		.dev = m->dev_index ? device_index(m, rec->device) : 0,
	};
	struct group_series *gs = group_slot(m, rec->group);
	struct series *grown;

	if (!gs)
		return;
	for (unsigned int i = 0; i < gs->n; i++) {
		if (!memcmp(&gs->v[i], &key, offsetof(struct series, count))) {
			gs->v[i].count++;
			return;
		}
	}
	if (gs->n == gs->cap) {
		grown = realloc(gs->v, sizeof(*grown) * (gs->cap ? gs->cap * 2 : 4));
		if (!grown)
			return;
		gs->v = grown;
		gs->cap = gs->cap ? gs->cap * 2 : 4;
	}
	key.count = 1;
	gs->v[gs->n++] = key;
	m->n_series++;
}

static void observe_duration(struct metrics *m, __u64 ns)
{
	double sec = ns / (double)NSEC_PER_SEC;

	for (int i = 0; i < N_BUCKETS; i++) {
		if (sec <= duration_le[i]) {
			m->buckets[i]++;
			break;
		}
	}
	m->duration_count++;
	m->duration_sum += sec;
}

void metrics_record(void *arg, const struct iw_record *rec,
		    const struct iw_violation *v, int n_violations)
{
	struct metrics *m = arg;

	switch (rec->type) {
	case IW_REC_TRANSITION:
		count_transition(m, rec);
		if (rec->latency_ns)
			observe_duration(m, rec->latency_ns);
		break;
	case IW_REC_RELEASE:
		m->releases++;
		break;
	case IW_REC_DOMAIN_FREE:
		m->frees++;
		break;
	case IW_REC_RESET_PREPARE:
	case IW_REC_RESET_DONE:	/* gauges of the state */
	case IW_REC_GROUP_TYPE:	/* the pipeline expands it */
		break;
	}
	for (int i = 0; i < n_violations; i++)
		m->violations[v[i].rule - iw_rules]++;
}

void metrics_set_dropped(struct metrics *m, __u64 dropped)
{
	m->dropped = dropped;
}

void metrics_count_resync(struct metrics *m)
{
	m->resyncs++;
}

void metrics_set_ops_not_watched(struct metrics *m, __u64 n)
{
	m->ops_not_watched = n;
}

/* ---- rendering ---- */

static void family(FILE *f, enum metric_id id)
{
	prom_family(f, metric_defs[id].name, metric_defs[id].type,
		    metric_defs[id].help);
}

static void single(FILE *f, enum metric_id id, double v)
{
	family(f, id);
	prom_sample(f, metric_defs[id].name, NULL, 0, v);
}

static bool any_active(const struct metrics_info *info)
{
	for (int i = 0; i < info->n_hooks; i++)
		if (info->hooks[i].active)
			return true;
	return false;
}

static void render_health(struct metrics *m, FILE *f)
{
	const struct metrics_hook *h = m->info.hooks;
	struct prom_label info[] = { { "version", m->info.version },
				     { "kernel", m->info.kernel } };

	family(f, M_BUILD_INFO);
	prom_sample(f, metric_defs[M_BUILD_INFO].name, info, 2, 1);
	single(f, M_UP, h && any_active(&m->info));
	if (h) {
		family(f, M_PROBE_ATTACHED);
		for (int i = 0; i < m->info.n_hooks; i++) {
			struct prom_label l[] = { { "hook", h[i].func },
						  { "role", h[i].role } };

			prom_sample(f, metric_defs[M_PROBE_ATTACHED].name, l, 2,
				    h[i].active);
		}
	}
	single(f, M_EVENTS_DROPPED, m->dropped);
	single(f, M_RESYNCS, m->resyncs);
	single(f, M_OPS_NOT_WATCHED, m->ops_not_watched);
}

/* Groups in id order, each group's series in the order they appeared. */
static void render_transitions(struct metrics *m, FILE *f)
{
	char group[12];
	struct prom_label l[] = {
		{ "group", group }, { "from", NULL }, { "to", NULL },
		{ "path", NULL }, { "device", NULL },
	};

	family(f, M_TRANSITIONS);
	for (int idx = 0; idx < m->n_by_group; idx++) {
		const struct group_series *gs = &m->by_group[idx];

		if (idx)
			snprintf(group, sizeof(group), "%d", idx - 1);
		else
			snprintf(group, sizeof(group), "none");
		for (unsigned int i = 0; i < gs->n; i++) {
			const struct series *s = &gs->v[i];

			l[1].value = s->from_known ? dom_kind_name(s->from)
						   : "unknown";
			l[2].value = dom_kind_name(s->to);
			l[3].value = path_name(s->path);
			l[4].value = s->dev ? m->dev_names[s->dev - 1] : "";
			prom_sample(f, metric_defs[M_TRANSITIONS].name, l,
				    m->dev_index ? 5 : 4, s->count);
		}
	}
}

static void render_duration(struct metrics *m, FILE *f)
{
	__u64 cumulative[N_BUCKETS], sum = 0;

	for (int i = 0; i < N_BUCKETS; i++)
		cumulative[i] = sum += m->buckets[i];
	family(f, M_ATTACH_DURATION);
	prom_histogram(f, metric_defs[M_ATTACH_DURATION].name, duration_le,
		       cumulative, N_BUCKETS, m->duration_sum,
		       m->duration_count);
}

/* Every rule is exported from the start, at 0 until it fires. */
static void render_violations(struct metrics *m, FILE *f)
{
	family(f, M_VIOLATIONS);
	for (int i = 0; i < iw_n_rules; i++) {
		struct prom_label l[] = {
			{ "kind", iw_rules[i].kind },
			{ "severity", severity_name(iw_rules[i].severity) },
		};

		prom_sample(f, metric_defs[M_VIOLATIONS].name, l, 2,
			    m->violations[i]);
	}
}

/* Group id + 1 (key 0 is free) -> PASIDs on its devices besides RIDs. */
static int count_pasids(struct iw_device *dev, void *arg)
{
	struct intmap *pasids = arg;
	__u64 key = (__u64)dev->group + 1, *n;
	unsigned int own = device_pasids(dev);

	if (dev->released || dev->group < 0 || !own)
		return 0;
	n = intmap_get(pasids, key);
	if (n) {
		*n += own;
		return 0;
	}
	return intmap_put(pasids, key, own);
}

struct group_render {
	FILE *f;
	struct intmap *pasids;
};

static int render_group_domain(struct iw_group *g, void *arg)
{
	struct group_render *gr = arg;
	const char *type = g->dom_known ? dom_kind_name(g->dom.kind) : "unknown";
	const char *iommu = g->iommu ? g->iommu->name : "unknown";
	char group[12];
	struct prom_label l[] = {
		{ "group", group }, { "type", type }, { "iommu", iommu },
	};

	/* Its last device left: the kernel freed the group (sysfs has none). */
	if (!g->n_devices)
		return 0;
	snprintf(group, sizeof(group), "%d", g->id);
	prom_sample(gr->f, metric_defs[M_GROUP_DOMAIN_INFO].name, l,
		    ARRAY_SIZE(l), 1);
	return 0;
}

static int render_group_pasids(struct iw_group *g, void *arg)
{
	struct group_render *gr = arg;
	__u64 *n = intmap_get(gr->pasids, (__u64)g->id + 1);
	char group[12];
	struct prom_label l[] = { { "group", group } };

	snprintf(group, sizeof(group), "%d", g->id);
	prom_sample(gr->f, metric_defs[M_PASIDS].name, l, 1, n ? *n : 0);
	return 0;
}

/* Sparse by group: ids come from the kernel's ida, any int. */
static void render_groups(struct iw_state *st, FILE *f)
{
	struct group_render gr = { f, intmap_new() };

	/* Out of memory: no PASID samples rather than wrong ones. */
	if (gr.pasids && state_for_each_device(st, count_pasids, gr.pasids)) {
		intmap_free(gr.pasids);
		gr.pasids = NULL;
	}
	family(f, M_GROUP_DOMAIN_INFO);
	state_for_each_group(st, render_group_domain, &gr);
	family(f, M_PASIDS);
	if (gr.pasids)
		state_for_each_group(st, render_group_pasids, &gr);
	intmap_free(gr.pasids);
}

struct reset_scan {
	unsigned int n;
	__u64 oldest_ns;	/* CLOCK_MONOTONIC, as the events' times */
};

static int scan_resets(struct iw_device *dev, void *arg)
{
	struct reset_scan *rs = arg;

	if (dev->released || !dev->resets_open)
		return 0;
	if (!rs->n++ || dev->reset_since_ns < rs->oldest_ns)
		rs->oldest_ns = dev->reset_since_ns;
	return 0;
}

/* A stuck reset leaves a device without DMA: its age is the signal. */
static void render_resets(struct metrics *m, struct iw_state *st, FILE *f)
{
	struct reset_scan rs = {};
	double age = 0;

	state_for_each_device(st, scan_resets, &rs);
	if (rs.n) {
		__u64 now_ns = m->info.now_ns ? m->info.now_ns() : mono_now_ns();

		if (now_ns > rs.oldest_ns)
			age = (now_ns - rs.oldest_ns) / 1e9;
	}
	single(f, M_DEVICES_IN_RESET, rs.n);
	single(f, M_RESET_LONGEST, age);
}

void metrics_render(struct metrics *m, struct iw_state *st, FILE *f)
{
	render_health(m, f);
	render_transitions(m, f);
	render_duration(m, f);
	single(f, M_RELEASES, m->releases);
	single(f, M_DOMAINS_FREED, m->frees);
	render_violations(m, f);
	render_groups(st, f);
	render_resets(m, st, f);
}

/* One render into a buffer of cap bytes; NULL if it did not fit. */
static char *render_into(struct metrics *m, struct iw_state *st, size_t cap,
			 size_t *len)
{
	char *buf = malloc(cap);
	bool full;
	FILE *f;
	long pos;

	if (!buf)
		return NULL;
	f = fmemopen(buf, cap, "w");
	if (!f) {
		free(buf);
		return NULL;
	}
	/* Only this thread writes f: skip stdio's per-call locking. */
	__fsetlocking(f, FSETLOCKING_BYCALLER);
	metrics_render(m, st, f);
	fflush(f);
	pos = ftell(f);
	full = ferror(f) || pos < 0 || (size_t)pos >= cap - 1;
	fclose(f);
	if (full) {
		free(buf);
		return NULL;
	}
	*len = pos;
	return buf;
}

/*
 * Sized from the last render (plus room to grow), so that a large
 * exposition is not built by doubling: that would hold up to three times
 * its size at the peak.
 */
char *metrics_render_buf(struct metrics *m, struct iw_state *st, size_t *len)
{
	size_t cap = m->last_render ? m->last_render + m->last_render / 8
				    : (size_t)(m->n_series + 2 *
					       state_n_groups(st)) * 96;
	char *buf;

	for (cap += 16384; cap < ((size_t)1 << 31); cap *= 2) {
		buf = render_into(m, st, cap, len);
		if (buf) {
			m->last_render = *len;
			return buf;
		}
	}
	return NULL;
}
