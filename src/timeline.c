// SPDX-License-Identifier: GPL-2.0
/*
 * The report's picture, aggregated as records come: every lane has
 * TL_BUCKETS buckets over one shared time range; a time outside it doubles
 * the bucket width (twice, ..., until it fits) and merges the old buckets
 * pairwise, so memory is fixed per lane and a million records cost what a
 * hundred do. Time may run backwards between files: the range grows to the
 * left as well.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "timeline.h"

/* The first bucket width: 1.024 us, fine enough for a short trace. */
#define TL_START_WIDTH	1024ULL

struct timeline *timeline_new(int max_lanes, int max_violations)
{
	struct timeline *tl = calloc(1, sizeof(*tl));

	if (!tl)
		return NULL;
	tl->max_lanes = max_lanes;
	tl->max_viol = max_violations;
	tl->lane_ids = intmap_new();
	tl->viol = calloc(max_violations, sizeof(*tl->viol));
	if (!tl->lane_ids || !tl->viol) {
		timeline_free(tl);
		return NULL;
	}
	return tl;
}

void timeline_free(struct timeline *tl)
{
	if (!tl)
		return;
	for (int i = 0; i < tl->n_lanes; i++)
		free(tl->lanes[i]);
	free(tl->lanes);
	free(tl->viol);
	intmap_free(tl->lane_ids);
	free(tl);
}

/* ---- the time range ---- */

static void merge_bucket(struct tl_bucket *into, const struct tl_bucket *b)
{
	if (!b->n && b->kind < 0)
		return;
	into->n += b->n;
	into->failed += b->failed;
	into->viol += b->viol;
	if (b->worst > into->worst)
		into->worst = b->worst;
	if (b->kind >= 0)
		into->kind = b->kind;
	if (b->n)
		into->last = b->last;
}

/* Old bucket i starts at t0 + i * width; it falls whole in new bucket j. */
static int new_index(const struct timeline *tl, int i, __u64 t0, __u64 width)
{
	return (tl->t0 + (__u64)i * tl->width - t0) / width;
}

static void rebucket_lane(const struct timeline *tl, struct tl_lane *lane,
			  __u64 t0, __u64 width)
{
	struct tl_bucket old[TL_BUCKETS];

	memcpy(old, lane->b, sizeof(old));
	for (int j = 0; j < TL_BUCKETS; j++)
		lane->b[j] = (struct tl_bucket){ .kind = -1, .worst = -1 };
	for (int i = 0; i < TL_BUCKETS; i++)
		merge_bucket(&lane->b[new_index(tl, i, t0, width)], &old[i]);
}

static void rebucket(struct timeline *tl, __u64 t0, __u64 width)
{
	__u64 lost[TL_BUCKETS] = {};
	bool gap[TL_BUCKETS] = {};

	for (int l = 0; l < tl->n_lanes; l++)
		rebucket_lane(tl, tl->lanes[l], t0, width);
	for (int i = 0; i < TL_BUCKETS; i++) {
		int j = new_index(tl, i, t0, width);

		lost[j] += tl->lost[i];
		gap[j] |= tl->gap[i];
	}
	memcpy(tl->lost, lost, sizeof(lost));
	memcpy(tl->gap, gap, sizeof(gap));
	tl->t0 = t0;
	tl->width = width;
}

/* Grow the range until it holds t: both old ends and t fit, aligned. */
static void cover(struct timeline *tl, __u64 t)
{
	unsigned __int128 end, lo, hi;
	__u64 width;

	if (!tl->width) {
		tl->width = TL_START_WIDTH;
		tl->t0 = t - t % TL_START_WIDTH;
		tl->first = tl->last = t;
		return;
	}
	tl->first = t < tl->first ? t : tl->first;
	tl->last = t > tl->last ? t : tl->last;
	end = (unsigned __int128)tl->t0 + (unsigned __int128)TL_BUCKETS * tl->width;
	if (t >= tl->t0 && t < end)
		return;
	lo = t < tl->t0 ? t : tl->t0;
	hi = t >= end ? (unsigned __int128)t + 1 : end;
	width = tl->width;
	do
		width *= 2;
	while (hi - (lo - lo % width) > (unsigned __int128)TL_BUCKETS * width);
	rebucket(tl, lo - lo % width, width);
}

void timeline_touch(struct timeline *tl, __u64 time)
{
	cover(tl, time);
}

int timeline_bucket(const struct timeline *tl, __u64 time)
{
	__u64 i;

	if (!tl->width || time < tl->t0)
		return 0;
	i = (time - tl->t0) / tl->width;
	return i < TL_BUCKETS ? (int)i : TL_BUCKETS - 1;
}

/* ---- lanes ---- */

/* Group -1 (no group) and PASID IW_NO_PASID both map to non-zero keys. */
static __u64 lane_key(int group, __u32 pasid)
{
	return ((__u64)((__u32)group + 2) << 32) | (__u32)(pasid + 1);
}

int timeline_lane(const struct timeline *tl, int group, __u32 pasid)
{
	__u64 *id = intmap_get(tl->lane_ids, lane_key(group, pasid));

	return id ? (int)*id - 1 : -1;
}

static struct tl_lane *lane_get(struct timeline *tl, int group, __u32 pasid,
				enum iw_dom_kind start)
{
	int at = timeline_lane(tl, group, pasid);
	struct tl_lane *lane, **grown;

	if (at >= 0)
		return tl->lanes[at];
	if (tl->n_lanes == tl->max_lanes)
		return NULL;
	grown = realloc(tl->lanes, (tl->n_lanes + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	tl->lanes = grown;
	lane = calloc(1, sizeof(*lane));
	if (!lane ||
	    intmap_put(tl->lane_ids, lane_key(group, pasid), tl->n_lanes + 1)) {
		free(lane);
		return NULL;
	}
	lane->group = group;
	lane->pasid = pasid;
	lane->start = start;
	for (int j = 0; j < TL_BUCKETS; j++)
		lane->b[j] = (struct tl_bucket){ .kind = -1, .worst = -1 };
	tl->lanes[tl->n_lanes++] = lane;
	return lane;
}

/* Append item to the list in buf (size bytes) after sep, if it fits whole. */
static void list_append(char *buf, size_t size, const char *sep,
			const char *item)
{
	size_t at = strlen(buf);

	if (at + (at ? strlen(sep) : 0) + strlen(item) < size)
		snprintf(buf + at, size - at, "%s%s", at ? sep : "", item);
}

/* Add dev to a group lane's list once, while it fits. */
static void lane_add_device(struct tl_lane *lane, const char *dev)
{
	size_t n = strlen(dev);
	const char *p = lane->devices;

	while ((p = strstr(p, dev))) {
		if ((p == lane->devices || p[-1] == ' ') &&
		    (p[n] == ' ' || !p[n]))
			return;
		p += n;
	}
	list_append(lane->devices, sizeof(lane->devices), " ", dev);
}

struct seed {
	struct timeline *tl;
	int only;
};

static int seed_group(struct iw_group *grp, void *arg)
{
	struct seed *s = arg;

	if (s->only == -1 || s->only == grp->id)
		lane_get(s->tl, grp->id, IW_NO_PASID,
			 grp->dom_known ? grp->dom.kind : IW_DOM_UNKNOWN);
	return 0;
}

static int seed_device(struct iw_device *dev, void *arg)
{
	struct timeline *tl = arg;
	int l = timeline_lane(tl, dev->group, IW_NO_PASID);

	if (l >= 0)
		lane_add_device(tl->lanes[l], dev->name);
	return 0;
}

void timeline_seed(struct timeline *tl, struct iw_state *st, int only)
{
	struct seed s = { tl, only };

	if (only == TL_SEED_NONE)
		return;
	state_for_each_group(st, seed_group, &s);
	state_for_each_device(st, seed_device, tl);
}

__u64 timeline_n_records(const struct timeline *tl)
{
	__u64 n = 0;

	for (int t = 0; t < IW_REC_SHOWN_TYPES; t++)
		n += tl->records[t];
	return n;
}

/* ---- records ---- */

static void mark_from(struct tl_mark *m, const struct iw_record *rec,
		      __u64 time)
{
	m->time = time;
	m->type = rec->type;
	m->group = rec->group;
	snprintf(m->device, sizeof(m->device), "%s", rec->device);
	m->pasid = rec->pasid;
	m->from = rec->from_known ? rec->from.kind : IW_DOM_UNKNOWN;
	m->to = rec->to.kind;
	m->path = rec->path;
	m->ret = rec->ret;
}

/* The record, already a mark m, on its lane's bucket. */
static void lane_record(struct timeline *tl, const struct iw_record *rec,
			const struct tl_mark *m, const struct iw_violation *v,
			int n_viol)
{
	/* A PASID's lane starts empty: nothing was attached there. */
	struct tl_lane *lane = lane_get(tl, rec->group, rec->pasid,
					rec->pasid == IW_NO_PASID ?
					IW_DOM_UNKNOWN : IW_DOM_NONE);
	struct tl_bucket *b;

	if (!lane) {
		tl->undrawn++;
		return;
	}
	if (rec->pasid == IW_NO_PASID)
		lane_add_device(lane, rec->device);
	else if (!lane->device[0])
		snprintf(lane->device, sizeof(lane->device), "%s", rec->device);
	b = &lane->b[timeline_bucket(tl, m->time)];
	b->n++;
	if (rec->ret)
		b->failed++;
	if (rec->type == IW_REC_TRANSITION && !rec->ret)
		b->kind = rec->to.kind;
	b->last = *m;
	b->viol += n_viol;
	for (int i = 0; i < n_viol; i++)
		if ((int)v[i].rule->severity > b->worst)
			b->worst = v[i].rule->severity;
}

static void keep_violation(struct timeline *tl, const struct iw_record *rec,
			   __u64 time, const struct iw_violation *v)
{
	struct tl_violation *k = &tl->viol[tl->n_viol++ % tl->max_viol];

	k->time = time;
	k->rule = v->rule;
	k->group = rec->group;
	k->pasid = rec->pasid;
	snprintf(k->device, sizeof(k->device), "%s", rec->device);
	snprintf(k->path, sizeof(k->path), "%s",
		 record_path_name(rec->type, rec->path));
	evidence_text(v, k->evidence, sizeof(k->evidence));
	tl->by_rule[v->rule - iw_rules]++;
}

void timeline_record(struct timeline *tl, const struct iw_record *rec,
		     __u64 time, const struct iw_violation *v, int n_violations)
{
	struct tl_mark *m = &tl->recent[timeline_n_records(tl) % TL_RECENT];

	if (rec->type >= IW_REC_SHOWN_TYPES)
		return;
	cover(tl, time);
	mark_from(m, rec, time);
	tl->records[rec->type]++;
	tl->last_record = time;
	if (rec->type != IW_REC_DOMAIN_FREE)
		lane_record(tl, rec, m, v, n_violations);
	for (int i = 0; i < n_violations; i++)
		keep_violation(tl, rec, time, &v[i]);
}

/* The records a loss hid fell between the last one seen and this report. */
void timeline_lost(struct timeline *tl, __u64 time, __u64 count)
{
	__u64 since = tl->width ? tl->last_record : time;

	cover(tl, time);
	cover(tl, since);
	for (int i = timeline_bucket(tl, since < time ? since : time);
	     i <= timeline_bucket(tl, time); i++)
		tl->gap[i] = true;
	tl->lost[timeline_bucket(tl, time)] += count;
	tl->lost_total += count;
}

void timeline_not_watched(struct timeline *tl, __u64 time, const char *module)
{
	cover(tl, time);
	list_append(tl->not_watched, sizeof(tl->not_watched), ", ", module);
}

int timeline_n_recent(const struct timeline *tl)
{
	__u64 n = timeline_n_records(tl);

	return n < TL_RECENT ? (int)n : TL_RECENT;
}

const struct tl_mark *timeline_recent(const struct timeline *tl, int i)
{
	return &tl->recent[(timeline_n_records(tl) - 1 - i) % TL_RECENT];
}

int timeline_n_kept(const struct timeline *tl)
{
	return tl->n_viol < (__u64)tl->max_viol ? (int)tl->n_viol :
						     tl->max_viol;
}

const struct tl_violation *timeline_kept(const struct timeline *tl, int i)
{
	__u64 oldest = tl->n_viol - timeline_n_kept(tl);

	return &tl->viol[(oldest + i) % tl->max_viol];
}
