/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a report draws, aggregated while it is fed, so that memory and
 * drawing stay bounded whatever the recording's length: a lane per group
 * and one per PASID in use, each a fixed row of time buckets that merge
 * pairwise when time runs past their range; the last violations with
 * their evidence; the session's facts. Both `report` and the daemon's
 * landing page feed one.
 */
#ifndef __IW_TIMELINE_H
#define __IW_TIMELINE_H

#include <stdbool.h>
#include <linux/types.h>
#include "intmap.h"
#include "jsonl.h"
#include "record.h"
#include "rules.h"
#include "state.h"

#define TL_BUCKETS		512	/* per lane: a power of two */
#define TL_EVIDENCE_LEN		256
#define TL_RECENT		20	/* the last records, kept whole */
#define TL_NOT_WATCHED_LEN	256

/* One record, as a mark shows it. */
struct tl_mark {
	__u64 time;		/* ns since the epoch */
	enum iw_record_type type;
	int group;		/* -1: none */
	char device[IW_DEV_NAME_LEN];
	__u32 pasid;
	enum iw_dom_kind from, to;
	enum iw_path path;
	int ret;
};

struct tl_bucket {
	__u32 n;		/* records */
	__u32 failed;		/* of them, refused by the kernel */
	__u32 viol;		/* violations its records made */
	__s8 kind;		/* the lane's domain type after it; -1: same */
	__s8 worst;		/* enum iw_severity of the worst; -1: none */
	struct tl_mark last;	/* valid when n */
};

struct tl_lane {
	int group;		/* -1: records without a group */
	__u32 pasid;		/* IW_NO_PASID: the group's own lane */
	enum iw_dom_kind start;	/* domain type before bucket 0 */
	char device[IW_DEV_NAME_LEN];	/* a PASID lane's first device */
	char devices[128];	/* a group's devices, as first seen */
	struct tl_bucket b[TL_BUCKETS];
};

struct tl_violation {
	__u64 time;
	const struct iw_rule *rule;
	int group;
	__u32 pasid;
	char device[IW_DEV_NAME_LEN];
	char path[16];
	char evidence[TL_EVIDENCE_LEN];
};

struct timeline {
	__u64 t0;		/* bucket 0 starts here (ns since the epoch) */
	__u64 width;		/* ns per bucket; 0 until the first time */
	__u64 first, last;	/* the earliest and latest time fed */
	__u64 last_record;	/* time of the latest record (gap starts) */
	struct intmap *lane_ids;	/* lane key -> index + 1 */
	struct tl_lane **lanes;
	int n_lanes, max_lanes;
	__u64 undrawn;		/* records of lanes past max_lanes */
	__u64 lost[TL_BUCKETS];	/* events lost, by the bucket they were noticed */
	bool gap[TL_BUCKETS];	/* buckets a loss may have hidden records in */
	__u64 lost_total;
	struct tl_violation *viol;	/* ring of max_viol */
	int max_viol;
	__u64 n_viol;		/* ever fed; the ring keeps the last ones */
	__u64 by_rule[IW_RULES_MAX];
	struct tl_mark recent[TL_RECENT];	/* ring: the last records */
	__u64 records[IW_REC_SHOWN_TYPES];
	struct jsonl_facts session;	/* the first session line's */
	bool have_session;
	char not_watched[TL_NOT_WATCHED_LEN];	/* late modules, comma separated */
};

/* At most max_lanes lanes, and the last max_violations violations. */
struct timeline *timeline_new(int max_lanes, int max_violations);
void timeline_free(struct timeline *tl);

/*
 * A lane for every group of st (or only group only, or none with
 * TL_SEED_NONE; -1: all) not drawn yet, on its domain type now.
 */
#define TL_SEED_NONE	(-2)
void timeline_seed(struct timeline *tl, struct iw_state *st, int only);
/* Records fed, of every type. */
__u64 timeline_n_records(const struct timeline *tl);
/* One record (time: ns since the epoch) and the violations it made. */
void timeline_record(struct timeline *tl, const struct iw_record *rec,
		     __u64 time, const struct iw_violation *v, int n_violations);
void timeline_lost(struct timeline *tl, __u64 time, __u64 count);
/* Extend the range to time: a live picture runs up to now. */
void timeline_touch(struct timeline *tl, __u64 time);
void timeline_not_watched(struct timeline *tl, __u64 time, const char *module);

/* Index in tl->lanes of a group's lane (IW_NO_PASID) or a PASID's; -1. */
int timeline_lane(const struct timeline *tl, int group, __u32 pasid);
/* Bucket of a time inside the range (clamped to it). */
int timeline_bucket(const struct timeline *tl, __u64 time);
/* The i-th of the last records, newest first (i < timeline_n_recent()). */
int timeline_n_recent(const struct timeline *tl);
const struct tl_mark *timeline_recent(const struct timeline *tl, int i);
/* The i-th kept violation, oldest first (i < timeline_n_kept()). */
int timeline_n_kept(const struct timeline *tl);
const struct tl_violation *timeline_kept(const struct timeline *tl, int i);

#endif /* __IW_TIMELINE_H */
