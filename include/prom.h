/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus text format 0.0.4, written to a stdio stream: families, samples
 * with escaped labels, histograms. Formatting only; no I/O of its own.
 */
#ifndef __IW_PROM_H
#define __IW_PROM_H

#include <stdio.h>
#include <linux/types.h>

enum prom_type {
	PROM_COUNTER,
	PROM_GAUGE,
	PROM_HISTOGRAM,
};

struct prom_label {
	const char *name;
	const char *value;
};

/* # HELP and # TYPE of one family; all its samples must follow at once. */
void prom_family(FILE *f, const char *name, enum prom_type type,
		 const char *help);
void prom_sample(FILE *f, const char *name, const struct prom_label *labels,
		 int n_labels, double value);
/* Buckets are cumulative counts for the upper bounds in le[]; +Inf = count. */
void prom_histogram(FILE *f, const char *name, const double *le,
		    const __u64 *cumulative, int n_buckets, double sum,
		    __u64 count);
/*
 * A label value: backslash, double quote and newline escaped, valid UTF-8
 * (the format's rule) with no control character a terminal would act on
 * (each such, and each byte that is not UTF-8, becomes U+FFFD).
 */
void prom_escape(FILE *f, const char *value);

#endif /* __IW_PROM_H */
