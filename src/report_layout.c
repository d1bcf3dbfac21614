// SPDX-License-Identifier: GPL-2.0
/* The report's columns: busy ones wide, long idle runs shrunk. */
#include "report_layout.h"

static bool column_busy(const struct timeline *tl, int j)
{
	if (tl->gap[j])
		return true;
	for (int l = 0; l < tl->n_lanes; l++) {
		const struct tl_bucket *b = &tl->lanes[l]->b[j];

		if (b->n || b->kind >= 0 || b->viol)
			return true;
	}
	return false;
}

/* Mark the idle runs long enough to shrink; returns how many runs. */
static int mark_idle(struct layout *l, const bool *busy)
{
	int runs = 0;

	for (int i = 0; i < l->n; i++) {
		int end = i;

		while (end < l->n && !busy[end])
			end++;
		if (end - i >= LAYOUT_IDLE_MIN) {
			for (int k = i; k < end; k++)
				l->idle[k] = true;
			runs++;
		}
		i = end;
	}
	return runs;
}

/* Busy columns share what the shrunk idle runs leave of the width. */
static void place_columns(struct layout *l, int runs, int idle_cols)
{
	double w = (l->width - runs * LAYOUT_IDLE_W) / (l->n - idle_cols);
	double at = l->left;

	for (int i = 0; i < l->n;) {
		int end = i + 1;
		double step = w;

		/* An idle run shares LAYOUT_IDLE_W evenly. */
		if (l->idle[i]) {
			while (end < l->n && l->idle[end])
				end++;
			step = LAYOUT_IDLE_W / (end - i);
		}
		for (; i < end; i++) {
			l->x[i] = at;
			at += step;
		}
	}
	l->x[l->n] = l->left + l->width;
}

void layout_build(struct layout *l, const struct timeline *tl, double left,
		  double width)
{
	bool busy[TL_BUCKETS] = {};
	int runs, idle_cols = 0;

	l->left = left;
	l->width = width;
	l->first = 0;
	l->n = TL_BUCKETS;
	if (tl->width) {
		l->first = timeline_bucket(tl, tl->first);
		l->n = timeline_bucket(tl, tl->last) - l->first + 1;
	}
	for (int i = 0; i < l->n; i++) {
		busy[i] = column_busy(tl, l->first + i);
		l->idle[i] = false;
	}
	runs = mark_idle(l, busy);
	for (int i = 0; i < l->n; i++)
		idle_cols += l->idle[i];
	/* Nothing busy at all (a page with no record): plain columns. */
	if (idle_cols == l->n) {
		runs = idle_cols = 0;
		for (int i = 0; i < l->n; i++)
			l->idle[i] = false;
	}
	place_columns(l, runs, idle_cols);
}

double layout_x(const struct layout *l, int j)
{
	int i = j - l->first;

	return l->x[i < 0 ? 0 : i > l->n ? l->n : i];
}

double layout_mid(const struct layout *l, int j)
{
	return (layout_x(l, j) + layout_x(l, j + 1)) / 2;
}

int layout_column_at(const struct layout *l, double x)
{
	int i = 0;

	while (i < l->n - 1 && l->x[i + 1] <= x)
		i++;
	return l->first + i;
}
