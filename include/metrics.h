/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's metrics: counters fed by the pipeline, gauges read from the
 * state at render time. The metric names are a contract (see metrics.c).
 */
#ifndef __IW_METRICS_H
#define __IW_METRICS_H

#include <stdbool.h>
#include <stdio.h>
#include "rules.h"
#include "state.h"

struct metrics;

/* A hook as iommuwatch_probe_attached shows it. */
struct metrics_hook {
	const char *func;
	const char *role;
	bool active;
};

struct metrics_info {
	const char *version;
	const char *kernel;
	/* NULL: no probe metrics; else n_hooks of them, kept by the caller. */
	const struct metrics_hook *hooks;
	int n_hooks;
	bool device_labels;		/* per-device series (cardinality!) */
	/* CLOCK_MONOTONIC in ns, as the events' times; NULL: mono_now_ns. */
	__u64 (*now_ns)(void);
};

struct metrics *metrics_new(const struct metrics_info *info);
void metrics_free(struct metrics *m);

/* A pipeline sink: count what one record did. */
void metrics_record(void *m, const struct iw_record *rec,
		    const struct iw_violation *v, int n_violations);
void metrics_set_dropped(struct metrics *m, __u64 dropped);
void metrics_count_resync(struct metrics *m);
/* Ops of driver modules loaded after start, which are not hooked. */
void metrics_set_ops_not_watched(struct metrics *m, __u64 n);

/* The whole exposition, from the counters and the state as they are now. */
void metrics_render(struct metrics *m, struct iw_state *st, FILE *f);
/* Malloc'd text of metrics_render(); *len its size. NULL on failure. */
char *metrics_render_buf(struct metrics *m, struct iw_state *st, size_t *len);

#endif /* __IW_METRICS_H */
