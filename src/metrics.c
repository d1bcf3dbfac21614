// SPDX-License-Identifier: GPL-2.0
/* Metric definitions (one table: names are a contract) and rendering. */
#include <stdlib.h>
#include <string.h>
#include <json-c/linkhash.h>
#include "metrics.h"
#include "prom.h"

enum metric_id {
	M_BUILD_INFO,
	M_UP,
	M_PROBE_ATTACHED,
	M_EVENTS_DROPPED,
	M_RESYNCS,
	M_TRANSITIONS,
	M_ATTACH_DURATION,
	M_RELEASES,
	M_DOMAINS_FREED,
	M_VIOLATIONS,
	M_GROUP_DOMAIN_INFO,
	M_PASIDS,
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
		"Domain type each iommu_group is on now (always 1)" },
	[M_PASIDS] = { "iommuwatch_pasids", PROM_GAUGE,
		"PASIDs (other than the RID) attached in each iommu_group" },
};

/* Upper bounds, in seconds, of the attach duration histogram. */
static const double duration_le[] = {
	1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2, 0.1, 0.5, 1,
};
#define N_BUCKETS (int)(sizeof(duration_le) / sizeof(duration_le[0]))

struct transition_series {
	char key[128];			/* labels joined, for the table */
	int group;
	char from[16], to[16], path[16], device[IW_DEV_NAME_LEN];
	__u64 count;
};

struct metrics {
	struct metrics_info info;
	struct lh_table *transitions;	/* key -> struct transition_series */
	__u64 buckets[N_BUCKETS];	/* per bucket, not cumulative */
	__u64 duration_count;
	double duration_sum;
	__u64 violations[IW_RULES_MAX];
	__u64 releases, frees, dropped, resyncs;
};

static void free_series(struct lh_entry *e)
{
	free(lh_entry_v(e));
}

struct metrics *metrics_new(const struct metrics_info *info)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->info = *info;
	m->transitions = lh_kchar_table_new(64, free_series);
	if (!m->transitions) {
		free(m);
		return NULL;
	}
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	lh_table_free(m->transitions);
	free(m);
}

static void count_transition(struct metrics *m, const struct iw_record *rec)
{
	const char *dev = m->info.device_labels ? rec->device : "";
	const char *from = rec->from_known ? dom_kind_name(rec->from.kind)
					   : "unknown";
	struct transition_series *s;
	char key[128];
	void *found;

	snprintf(key, sizeof(key), "%d|%s|%s|%s|%s", rec->group, from,
		 dom_kind_name(rec->to.kind), path_name(rec->path), dev);
	if (lh_table_lookup_ex(m->transitions, key, &found)) {
		((struct transition_series *)found)->count++;
		return;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return;
	memcpy(s->key, key, sizeof(key));
	s->group = rec->group;
	snprintf(s->from, sizeof(s->from), "%s", from);
	snprintf(s->to, sizeof(s->to), "%s", dom_kind_name(rec->to.kind));
	snprintf(s->path, sizeof(s->path), "%s", path_name(rec->path));
	snprintf(s->device, sizeof(s->device), "%s", dev);
	s->count = 1;
	if (lh_table_insert(m->transitions, s->key, s))
		free(s);
}

static void observe_duration(struct metrics *m, __u64 ns)
{
	double sec = ns / 1e9;

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

static void render_health(struct metrics *m, FILE *f)
{
	const struct hook_set *hs = m->info.hooks;
	struct prom_label info[] = { { "version", m->info.version },
				     { "kernel", m->info.kernel } };

	family(f, M_BUILD_INFO);
	prom_sample(f, metric_defs[M_BUILD_INFO].name, info, 2, 1);
	single(f, M_UP, hs && hooks_count(hs, HOOK_ACTIVE) > 0);
	if (hs) {
		family(f, M_PROBE_ATTACHED);
		for (int i = 0; i < hs->n; i++) {
			struct prom_label l[] = { { "hook", hs->hooks[i].func },
						  { "role", hs->hooks[i].role } };

			prom_sample(f, metric_defs[M_PROBE_ATTACHED].name, l, 2,
				    hs->hooks[i].status == HOOK_ACTIVE);
		}
	}
	single(f, M_EVENTS_DROPPED, m->dropped);
	single(f, M_RESYNCS, m->resyncs);
}

static int cmp_series(const void *a, const void *b)
{
	const struct transition_series *x = *(void *const *)a;
	const struct transition_series *y = *(void *const *)b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Sorted, so that scrapes list series in a stable order. */
static void render_transitions(struct metrics *m, FILE *f)
{
	int n = m->transitions->count, i = 0;
	struct transition_series **all = calloc(n ? n : 1, sizeof(*all));
	struct lh_entry *e;

	family(f, M_TRANSITIONS);
	if (!all)
		return;
	lh_foreach(m->transitions, e)
		all[i++] = lh_entry_v(e);
	qsort(all, n, sizeof(*all), cmp_series);
	for (i = 0; i < n; i++) {
		char group[12];
		struct prom_label l[] = {
			{ "group", group }, { "from", all[i]->from },
			{ "to", all[i]->to }, { "path", all[i]->path },
			{ "device", all[i]->device },
		};

		snprintf(group, sizeof(group), "%d", all[i]->group);
		prom_sample(f, metric_defs[M_TRANSITIONS].name, l,
			    m->info.device_labels ? 5 : 4, all[i]->count);
	}
	free(all);
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

struct pasid_count {
	unsigned int *per_group;
	int n_groups;
};

static int count_pasids(struct iw_device *dev, void *arg)
{
	struct pasid_count *pc = arg;

	if (!dev->released && dev->group >= 0 && dev->group < pc->n_groups)
		pc->per_group[dev->group] += dev->n_pasids;
	return 0;
}

static void render_groups(struct iw_state *st, FILE *f)
{
	int max = state_max_group(st);
	struct pasid_count pc = { calloc(max + 2, sizeof(unsigned int)),
				  max + 1 };
	char group[12];

	if (pc.per_group)
		state_for_each_device(st, count_pasids, &pc);
	family(f, M_GROUP_DOMAIN_INFO);
	for (int id = 0; id <= max; id++) {
		struct iw_group *g = state_group(st, id, false);
		struct prom_label l[] = { { "group", group }, { "type", NULL } };

		if (!g)
			continue;
		snprintf(group, sizeof(group), "%d", id);
		l[1].value = g->dom_known ? dom_kind_name(g->dom.kind) : "unknown";
		prom_sample(f, metric_defs[M_GROUP_DOMAIN_INFO].name, l, 2, 1);
	}
	family(f, M_PASIDS);
	for (int id = 0; id <= max && pc.per_group; id++) {
		struct prom_label l[] = { { "group", group } };

		if (!state_group(st, id, false))
			continue;
		snprintf(group, sizeof(group), "%d", id);
		prom_sample(f, metric_defs[M_PASIDS].name, l, 1,
			    pc.per_group[id]);
	}
	free(pc.per_group);
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
}

char *metrics_render_buf(struct metrics *m, struct iw_state *st, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	metrics_render(m, st, f);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}
