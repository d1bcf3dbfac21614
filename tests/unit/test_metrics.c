// SPDX-License-Identifier: GPL-2.0
/*
 * The exposition, checked for what promtool does not check: families are
 * contiguous and declared first, no series twice, +Inf equals _count,
 * label values escaped, every rule exported from the start.
 */
#include <stdlib.h>
#include "metrics.h"
#include "prom.h"
#include "unit.h"

#define MAX_LINES 512

struct exposition {
	char *text;
	char *lines[MAX_LINES];
	int n;
};

static void split(struct exposition *x)
{
	char *save, *line;

	x->n = 0;
	for (line = strtok_r(x->text, "\n", &save); line && x->n < MAX_LINES;
	     line = strtok_r(NULL, "\n", &save))
		x->lines[x->n++] = line;
}

/* The family a sample belongs to: histograms own _bucket/_sum/_count. */
static void family_of(const char *sample, const char *hist, char *out,
		      size_t len)
{
	size_t n = strcspn(sample, "{ ");

	snprintf(out, len, "%.*s", (int)n, sample);
	if (hist[0] && !strncmp(out, hist, strlen(hist)))
		snprintf(out, len, "%s", hist);
}

/* Every sample's family is the one whose TYPE came last (contiguity). */
static void check_families(const struct exposition *x)
{
	char current[128] = "", hist[128] = "", fam[128], seen[64][128];
	int n_seen = 0;

	for (int i = 0; i < x->n; i++) {
		const char *l = x->lines[i];
		char name[128], type[32];

		if (sscanf(l, "# TYPE %127s %31s", name, type) == 2) {
			for (int j = 0; j < n_seen; j++)
				CHECK(strcmp(seen[j], name));
			if (n_seen < 64)
				snprintf(seen[n_seen++], 128, "%s", name);
			snprintf(current, sizeof(current), "%s", name);
			snprintf(hist, sizeof(hist), "%s",
				 strcmp(type, "histogram") ? "" : name);
			continue;
		}
		if (l[0] == '#')
			continue;
		family_of(l, hist, fam, sizeof(fam));
		CHECK_STR(fam, current);
	}
}

static void check_no_duplicates(const struct exposition *x)
{
	for (int i = 0; i < x->n; i++) {
		size_t a = strcspn(x->lines[i], " ");

		if (x->lines[i][0] == '#')
			continue;
		for (int j = i + 1; j < x->n; j++)
			CHECK(strcspn(x->lines[j], " ") != a ||
			      strncmp(x->lines[i], x->lines[j], a));
	}
}

static double value_of(const struct exposition *x, const char *series)
{
	size_t n = strlen(series);

	for (int i = 0; i < x->n; i++)
		if (!strncmp(x->lines[i], series, n) && x->lines[i][n] == ' ')
			return atof(x->lines[i] + n + 1);
	return -1;
}

static void check_histogram(const struct exposition *x, const char *name)
{
	char bucket[160];
	double prev = 0, v;
	int buckets = 0;

	snprintf(bucket, sizeof(bucket), "%s_bucket{", name);
	for (int i = 0; i < x->n; i++) {
		if (strncmp(x->lines[i], bucket, strlen(bucket)))
			continue;
		v = atof(strrchr(x->lines[i], ' ') + 1);
		CHECK(v >= prev);
		prev = v;
		buckets++;
	}
	CHECK(buckets > 1);
	snprintf(bucket, sizeof(bucket), "%s_bucket{le=\"+Inf\"}", name);
	CHECK(value_of(x, bucket) == prev);
	snprintf(bucket, sizeof(bucket), "%s_count", name);
	CHECK(value_of(x, bucket) == prev);
}

static struct iw_record transition(int group, const char *dev, __u64 lat)
{
	struct iw_record r = {
		.type = IW_REC_TRANSITION, .group = group, .pasid = IW_NO_PASID,
		.from = { 1, IW_DOM_DMA_FQ }, .from_known = true,
		.to = { 2, IW_DOM_BLOCKED }, .path = IW_PATH_RELEASE,
		.latency_ns = lat,
	};

	snprintf(r.device, sizeof(r.device), "%s", dev);
	return r;
}

/* Two groups, odd device names, a few transitions and one violation. */
static void render(struct exposition *x, bool device_labels)
{
	struct metrics_info info = { .version = "1.2.3", .kernel = "6.12.0",
				     .device_labels = device_labels };
	struct metrics *m = metrics_new(&info);
	struct iw_state *st = state_new();
	struct iw_violation v = { .rule = &iw_rules[0] };
	struct iw_record r;
	struct iw_group *g;
	size_t len;

	g = state_group(st, 3, true);
	g->dom = (struct iw_dom){ 0, IW_DOM_DMA_FQ };
	g->dom_known = true;
	state_seed_device(st, g, "0000:00:03.0");
	state_device(st, "0000:00:03.0", false)->n_pasids = 2;
	state_seed_device(st, state_group(st, 12, true), "0000:00:0c.0");
	/* Group 13 lost its one device: gone from the kernel and the gauge. */
	state_seed_device(st, state_group(st, 13, true), "0000:00:0d.0");
	r = (struct iw_record){ .type = IW_REC_RELEASE, .group = 13,
				.device = "0000:00:0d.0", .pasid = IW_NO_PASID };
	state_apply(st, &r, NULL);
	r = transition(3, "0000:00:03.0", 1500);
	metrics_record(m, &r, &v, 1);
	metrics_record(m, &r, NULL, 0);
	r = transition(12, "we\"ird\\dev\nname", 2000000000ULL);
	metrics_record(m, &r, NULL, 0);
	r.type = IW_REC_RELEASE;
	metrics_record(m, &r, NULL, 0);
	metrics_set_dropped(m, 7);
	x->text = metrics_render_buf(m, st, &len);
	CHECK(x->text && len > 0 && x->text[len - 1] == '\n');
	CHECK(strlen(x->text) == len);
	split(x);
	metrics_free(m);
	state_free(st);
}

static void exposition_is_well_formed(void)
{
	struct exposition x;

	for (int labels = 0; labels < 2; labels++) {
		render(&x, labels);
		check_families(&x);
		check_no_duplicates(&x);
		check_histogram(&x, "iommuwatch_attach_duration_seconds");
		free(x.text);
	}
}

static void counters_and_gauges(void)
{
	struct exposition x;

	render(&x, false);
	CHECK(value_of(&x, "iommuwatch_transitions_total{group=\"3\",from=\"dma-fq\",to=\"blocked\",path=\"release\"}") == 2);
	CHECK(value_of(&x, "iommuwatch_transitions_total{group=\"12\",from=\"dma-fq\",to=\"blocked\",path=\"release\"}") == 1);
	CHECK(value_of(&x, "iommuwatch_attach_duration_seconds_count") == 3);
	CHECK(value_of(&x, "iommuwatch_attach_duration_seconds_bucket{le=\"5e-06\"}") == 2);
	CHECK(value_of(&x, "iommuwatch_attach_duration_seconds_bucket{le=\"1\"}") == 2);
	CHECK(value_of(&x, "iommuwatch_attach_duration_seconds_sum") > 2.0);
	CHECK(value_of(&x, "iommuwatch_releases_total") == 1);
	CHECK(value_of(&x, "iommuwatch_events_dropped_total") == 7);
	CHECK(value_of(&x, "iommuwatch_up") == 0);
	CHECK(value_of(&x, "iommuwatch_build_info{version=\"1.2.3\",kernel=\"6.12.0\"}") == 1);
	CHECK(value_of(&x, "iommuwatch_violations_total{kind=\"blocked_with_rmr\",severity=\"critical\"}") == 1);
	/* Every rule is there from the start. */
	CHECK(value_of(&x, "iommuwatch_violations_total{kind=\"attach_failed\",severity=\"warning\"}") == 0);
	CHECK(value_of(&x, "iommuwatch_group_domain_info{group=\"3\",type=\"dma-fq\",iommu=\"unknown\"}") == 1);
	CHECK(value_of(&x, "iommuwatch_group_domain_info{group=\"12\",type=\"unknown\",iommu=\"unknown\"}") == 1);
	CHECK(!strstr(x.text, "iommuwatch_group_domain_info{group=\"13\""));
	CHECK(value_of(&x, "iommuwatch_pasids{group=\"3\"}") == 2);
	CHECK(value_of(&x, "iommuwatch_pasids{group=\"12\"}") == 0);
	free(x.text);
}

static void labels_escaped(void)
{
	struct exposition x;
	char *buf = NULL;
	size_t len;
	FILE *f;

	render(&x, true);
	CHECK(value_of(&x, "iommuwatch_transitions_total{group=\"12\",from=\"dma-fq\",to=\"blocked\",path=\"release\",device=\"we\\\"ird\\\\dev\\nname\"}") == 1);
	free(x.text);

	f = open_memstream(&buf, &len);
	prom_family(f, "a_total", PROM_COUNTER, "back\\slash\nnewline \"q\"");
	prom_sample(f, "a_total", (struct prom_label[]){ { "l", "x\"\\\n" } }, 1,
		    1.5);
	fclose(f);
	CHECK_STR(buf, "# HELP a_total back\\\\slash\\nnewline \"q\"\n"
		       "# TYPE a_total counter\n"
		       "a_total{l=\"x\\\"\\\\\\n\"} 1.5\n");
	free(buf);
}

/* Names from sysfs or a driver: valid UTF-8 out, nothing for a terminal. */
static void labels_utf8(void)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	prom_sample(f, "b", (struct prom_label[]){
		{ "l", "a\x1b[2J\x7f\xc2\x9b\xff\xc3\xa9" } }, 1, 1);
	fclose(f);
	CHECK_STR(buf, "b{l=\"a\xef\xbf\xbd[2J\xef\xbf\xbd\xef\xbf\xbd"
		       "\xef\xbf\xbd\xc3\xa9\"} 1\n");
	free(buf);
}

static void feed_reset(struct iw_state *st, const char *dev,
		       enum iw_record_type type, __u64 mono_ns)
{
	struct iw_record r = { .type = type, .group = 3, .pasid = IW_NO_PASID,
			       .path = IW_PATH_RESET, .mono_ns = mono_ns,
			       .flags = IW_F_BLOCKED_KNOWN | IW_F_RESET_BLOCKED };

	snprintf(r.device, sizeof(r.device), "%s", dev);
	state_apply(st, &r, NULL);
}

/*
 * The metrics' clock in resets_in_progress: fixed, so that the events 200 s
 * before it are not before the clock's zero on a host up for less (the
 * real CLOCK_MONOTONIC starts near 0 at boot).
 */
#define RESET_NOW_NS	(1000ULL * 1000000000ULL)

static __u64 reset_clock(void)
{
	return RESET_NOW_NS;
}

/* Devices in a reset, and the oldest one's age against the clock. */
static void resets_in_progress(void)
{
	struct metrics_info info = { .version = "1", .kernel = "7.3.0",
				     .now_ns = reset_clock };
	struct metrics *m = metrics_new(&info);
	struct iw_state *st = state_new();
	struct exposition x;
	__u64 now_ns = RESET_NOW_NS;
	size_t len;

	/* Two in, one of them nested; one in and out again. */
	feed_reset(st, "0000:01:00.0", IW_REC_RESET_PREPARE, now_ns - 90000000000ULL);
	feed_reset(st, "0000:01:00.0", IW_REC_RESET_PREPARE, now_ns - 1000000000ULL);
	feed_reset(st, "0000:02:00.0", IW_REC_RESET_PREPARE, now_ns - 5000000000ULL);
	feed_reset(st, "0000:03:00.0", IW_REC_RESET_PREPARE, now_ns - 200000000000ULL);
	feed_reset(st, "0000:03:00.0", IW_REC_RESET_DONE, now_ns - 100000000000ULL);
	x.text = metrics_render_buf(m, st, &len);
	split(&x);
	check_families(&x);
	CHECK(value_of(&x, "iommuwatch_devices_in_reset") == 2);
	CHECK(value_of(&x, "iommuwatch_reset_longest_seconds") == 90);
	free(x.text);
	/* All done: both back to 0. */
	feed_reset(st, "0000:01:00.0", IW_REC_RESET_DONE, now_ns);
	feed_reset(st, "0000:01:00.0", IW_REC_RESET_DONE, now_ns);
	feed_reset(st, "0000:02:00.0", IW_REC_RESET_DONE, now_ns);
	x.text = metrics_render_buf(m, st, &len);
	split(&x);
	CHECK(value_of(&x, "iommuwatch_devices_in_reset") == 0);
	CHECK(value_of(&x, "iommuwatch_reset_longest_seconds") == 0);
	free(x.text);
	metrics_free(m);
	state_free(st);
}

UNIT_MAIN("metrics", UNIT_CASE(exposition_is_well_formed),
	  UNIT_CASE(counters_and_gauges), UNIT_CASE(labels_escaped),
	  UNIT_CASE(labels_utf8),
	  UNIT_CASE(resets_in_progress))
