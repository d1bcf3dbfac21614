// SPDX-License-Identifier: GPL-2.0
/* Prometheus text exposition format, version 0.0.4. */
#include <math.h>
#include "escape.h"
#include "prom.h"

static const char *const type_names[] = {
	[PROM_COUNTER] = "counter",
	[PROM_GAUGE] = "gauge",
	[PROM_HISTOGRAM] = "histogram",
};

/* HELP text escapes backslash and newline only. */
static void escape_help(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

void prom_escape(FILE *f, const char *s)
{
	esc_fputs(f, s, ESC_PROM);
}

void prom_family(FILE *f, const char *name, enum prom_type type,
		 const char *help)
{
	fprintf(f, "# HELP %s ", name);
	escape_help(f, help);
	fprintf(f, "\n# TYPE %s %s\n", name, type_names[type]);
}

static void print_value(FILE *f, double v)
{
	if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", f);
	else if (isnan(v))
		fputs("NaN", f);
	else if (v == (double)(long long)v && fabs(v) < 1e15)
		fprintf(f, "%lld", (long long)v);
	else
		fprintf(f, "%.9g", v);
}

static void print_labels(FILE *f, const struct prom_label *labels, int n,
			 const char *le)
{
	if (!n && !le)
		return;
	fputc('{', f);
	for (int i = 0; i < n; i++) {
		fprintf(f, "%s%s=\"", i ? "," : "", labels[i].name);
		prom_escape(f, labels[i].value);
		fputc('"', f);
	}
	if (le)
		fprintf(f, "%sle=\"%s\"", n ? "," : "", le);
	fputc('}', f);
}

void prom_sample(FILE *f, const char *name, const struct prom_label *labels,
		 int n_labels, double value)
{
	fputs(name, f);
	print_labels(f, labels, n_labels, NULL);
	fputc(' ', f);
	print_value(f, value);
	fputc('\n', f);
}

void prom_histogram(FILE *f, const char *name, const double *le,
		    const __u64 *cumulative, int n_buckets, double sum,
		    __u64 count)
{
	char bound[32];

	for (int i = 0; i < n_buckets; i++) {
		snprintf(bound, sizeof(bound), "%g", le[i]);
		fprintf(f, "%s_bucket", name);
		print_labels(f, NULL, 0, bound);
		fprintf(f, " %llu\n", (unsigned long long)cumulative[i]);
	}
	fprintf(f, "%s_bucket", name);
	print_labels(f, NULL, 0, "+Inf");
	fprintf(f, " %llu\n", (unsigned long long)count);
	fprintf(f, "%s_sum ", name);
	print_value(f, sum);
	fprintf(f, "\n%s_count %llu\n", name, (unsigned long long)count);
}
