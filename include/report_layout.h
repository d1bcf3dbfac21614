/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the report draws each column of a timeline. Columns where
 * something happened share the plot's width; a run of LAYOUT_IDLE_MIN or
 * more columns where nothing did (no record, type change or loss on any
 * lane) shrinks to LAYOUT_IDLE_W pixels, so a burst after an idle hour is
 * as readable as the hour is short.
 */
#ifndef __IW_REPORT_LAYOUT_H
#define __IW_REPORT_LAYOUT_H

#include <stdbool.h>
#include "timeline.h"

#define LAYOUT_IDLE_MIN	4	/* idle columns in a row that shrink */
#define LAYOUT_IDLE_W	10.0	/* px such a run takes */

struct layout {
	int first, n;			/* the columns drawn */
	double left, width;		/* the plot, in px */
	double x[TL_BUCKETS + 1];	/* x[i]: left of column first + i */
	bool idle[TL_BUCKETS];		/* column first + i is in a shrunk run */
};

void layout_build(struct layout *l, const struct timeline *tl, double left,
		  double width);
/* Left edge of column j (j may be first + n: the plot's right edge). */
double layout_x(const struct layout *l, int j);
/* Middle of column j. */
double layout_mid(const struct layout *l, int j);
/* The column under x (clamped to the drawn ones). */
int layout_column_at(const struct layout *l, double x);

#endif /* __IW_REPORT_LAYOUT_H */
