// SPDX-License-Identifier: GPL-2.0
/*
 * The report's timeline and page: buckets merge without losing a record
 * or a domain change, time may run backwards or span the whole clock,
 * every cap holds, and no text from the input reaches the page unescaped.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "landing.h"
#include "report_html.h"
#include "report_layout.h"
#include "timeline.h"
#include "unit.h"

#define SEC	1000000000ULL

static struct iw_record transition(int group, const char *dev, __u32 pasid,
				   enum iw_dom_kind to, int ret)
{
	struct iw_record r = { .type = IW_REC_TRANSITION, .group = group,
			       .pasid = pasid, .to = { 1, to }, .ret = ret,
			       .path = IW_PATH_ATTACH };

	snprintf(r.device, sizeof(r.device), "%s", dev);
	return r;
}

static __u64 marks(const struct timeline *tl)
{
	__u64 n = 0;

	for (int l = 0; l < tl->n_lanes; l++)
		for (int j = 0; j < TL_BUCKETS; j++)
			n += tl->lanes[l]->b[j].n;
	return n;
}

/* The type a lane ends on: the last bucket that changed it. */
static int last_kind(const struct tl_lane *lane)
{
	int kind = lane->start;

	for (int j = 0; j < TL_BUCKETS; j++)
		if (lane->b[j].kind >= 0)
			kind = lane->b[j].kind;
	return kind;
}

/* A day of records, one a minute: every record still counted, once. */
static void merges_keep_every_record(void)
{
	struct timeline *tl = timeline_new(8, 10);
	struct iw_record r;
	__u64 t0 = 1795456800ULL * SEC;

	for (int i = 0; i < 1440; i++) {
		r = transition(i % 3, "0000:00:03.0", IW_NO_PASID,
			       i % 2 ? IW_DOM_IDENTITY : IW_DOM_DMA, 0);
		timeline_record(tl, &r, t0 + i * 60 * SEC, NULL, 0);
	}
	CHECK(marks(tl) == 1440);
	CHECK(timeline_n_records(tl) == 1440);
	CHECK(tl->n_lanes == 3);
	/* 1439 is odd: the group of record 1439 (1439 % 3 = 2) ends identity. */
	CHECK(last_kind(tl->lanes[timeline_lane(tl, 2, IW_NO_PASID)]) ==
	      IW_DOM_IDENTITY);
	CHECK((__u64)TL_BUCKETS * tl->width >= 1439 * 60 * SEC);
	CHECK(timeline_bucket(tl, t0) < timeline_bucket(tl, t0 + 1439 * 60 * SEC));
	timeline_free(tl);
}

/* A later file with earlier times grows the range to the left. */
static void time_backwards_and_extremes(void)
{
	struct timeline *tl = timeline_new(4, 4);
	struct iw_record r = transition(1, "a", IW_NO_PASID, IW_DOM_DMA, 0);
	__u64 t = 1795456800ULL * SEC;

	timeline_record(tl, &r, t, NULL, 0);
	timeline_record(tl, &r, t - 5 * SEC, NULL, 0);
	CHECK(tl->first == t - 5 * SEC && tl->last == t);
	CHECK(timeline_bucket(tl, t - 5 * SEC) < timeline_bucket(tl, t));
	timeline_record(tl, &r, 0, NULL, 0);
	timeline_record(tl, &r, INT64_MAX, NULL, 0);
	CHECK(tl->first == 0 && tl->last == INT64_MAX);
	CHECK(timeline_bucket(tl, 0) == 0);
	CHECK(timeline_bucket(tl, INT64_MAX) < TL_BUCKETS);
	CHECK(marks(tl) == 4);
	timeline_free(tl);
}

/* Past the lane cap, records are counted, not drawn; PASIDs get lanes. */
static void lanes_capped_and_pasids(void)
{
	struct timeline *tl = timeline_new(3, 4);
	struct iw_record r;

	for (int g = 0; g < 2; g++) {
		r = transition(g, "0000:00:04.0", IW_NO_PASID, IW_DOM_DMA, 0);
		timeline_record(tl, &r, SEC + g, NULL, 0);
	}
	r = transition(0, "0000:00:04.0", 5, IW_DOM_SVA, 0);
	timeline_record(tl, &r, 2 * SEC, NULL, 0);
	r = transition(0, "0000:00:04.0", 5, IW_DOM_NONE, 0);
	timeline_record(tl, &r, 3 * SEC, NULL, 0);
	r = transition(9, "0000:00:09.0", IW_NO_PASID, IW_DOM_DMA, 0);
	timeline_record(tl, &r, 4 * SEC, NULL, 0);
	CHECK(tl->n_lanes == 3);
	CHECK(tl->undrawn == 1);
	CHECK(timeline_lane(tl, 0, 5) >= 0);
	CHECK(tl->lanes[timeline_lane(tl, 0, 5)]->start == IW_DOM_NONE);
	CHECK(last_kind(tl->lanes[timeline_lane(tl, 0, 5)]) == IW_DOM_NONE);
	timeline_free(tl);
}

/* A refused attach is a mark, not a change of the lane's colour. */
static void refused_attach_keeps_colour(void)
{
	struct timeline *tl = timeline_new(2, 2);
	struct iw_record r = transition(3, "d", IW_NO_PASID, IW_DOM_BLOCKED, -22);

	timeline_record(tl, &r, SEC, NULL, 0);
	CHECK(tl->lanes[0]->b[timeline_bucket(tl, SEC)].failed == 1);
	CHECK(last_kind(tl->lanes[0]) == IW_DOM_UNKNOWN);
	timeline_free(tl);
}

static void violations_ring_keeps_the_last(void)
{
	struct timeline *tl = timeline_new(2, 3);
	struct iw_record r = transition(1, "d", IW_NO_PASID, IW_DOM_BLOCKED, 0);
	struct iw_violation v = { .rule = &iw_rules[0], .n_evidence = 1,
				  .evidence = { { .key = "k", .type = IW_EVID_INT } } };

	for (int i = 0; i < 5; i++) {
		v.evidence[0].num = i;
		timeline_record(tl, &r, SEC * (i + 1), &v, 1);
	}
	CHECK(tl->n_viol == 5 && timeline_n_kept(tl) == 3);
	CHECK_STR(timeline_kept(tl, 0)->evidence, "k=2");
	CHECK_STR(timeline_kept(tl, 2)->evidence, "k=4");
	CHECK(tl->by_rule[0] == 5);
	timeline_free(tl);
}

/* The last records, newest first, whole, past the ring's wrap. */
static void recent_records_newest_first(void)
{
	struct timeline *tl = timeline_new(2, 2);
	struct iw_record r;

	for (int i = 0; i < TL_RECENT + 5; i++) {
		r = transition(i, "d", IW_NO_PASID, IW_DOM_DMA, i);
		timeline_record(tl, &r, (__u64)i * SEC, NULL, 0);
	}
	CHECK(timeline_n_recent(tl) == TL_RECENT);
	CHECK(timeline_recent(tl, 0)->group == TL_RECENT + 4);
	CHECK(timeline_recent(tl, 0)->ret == TL_RECENT + 4);
	CHECK(timeline_recent(tl, TL_RECENT - 1)->group == 5);
	CHECK(timeline_recent(tl, 1)->time == (TL_RECENT + 3) * SEC);
	timeline_free(tl);
}

/* A loss hides what came between the last record and its report. */
static void lost_events_make_a_gap(void)
{
	struct timeline *tl = timeline_new(2, 2);
	struct iw_record r = transition(1, "d", IW_NO_PASID, IW_DOM_DMA, 0);
	int a, b, gaps = 0;

	timeline_record(tl, &r, 10 * SEC, NULL, 0);
	timeline_record(tl, &r, 20 * SEC, NULL, 0);
	timeline_lost(tl, 30 * SEC, 7);
	timeline_record(tl, &r, 40 * SEC, NULL, 0);
	a = timeline_bucket(tl, 20 * SEC);
	b = timeline_bucket(tl, 30 * SEC);
	for (int j = 0; j < TL_BUCKETS; j++)
		gaps += tl->gap[j];
	CHECK(tl->gap[a] && tl->gap[b] && gaps == b - a + 1);
	CHECK(tl->lost[b] == 7 && tl->lost_total == 7);
	CHECK(!tl->gap[timeline_bucket(tl, 10 * SEC)]);
	timeline_free(tl);
}

static char *page_of(const struct timeline *tl, size_t *len)
{
	struct report_page page = { .title = "t" };
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	CHECK(f && report_html_write(f, tl, &page) == 0);
	if (f)
		fclose(f);
	return buf;
}

/* Device names, evidence and module names come from other hosts. */
static void hostile_text_escaped(void)
{
	struct timeline *tl = timeline_new(4, 4);
	struct iw_record r = transition(1, "<script>x</script>", 3, IW_DOM_SVA, 0);
	struct iw_violation v = { .rule = &iw_rules[0], .n_evidence = 1,
				  .evidence = { { .key = "e", .type = IW_EVID_STR,
						  .str = "\"><img src=x>" } } };
	size_t len;
	char *page;

	timeline_record(tl, &r, SEC, &v, 1);
	timeline_not_watched(tl, 2 * SEC, "<b>mod</b>");
	page = page_of(tl, &len);
	CHECK(page && strlen(page) == len);
	CHECK(page && !strstr(page, "<script>x"));
	CHECK(page && !strstr(page, "<img"));
	CHECK(page && !strstr(page, "<b>mod"));
	CHECK(page && strstr(page, "&lt;script&gt;x&lt;/script&gt;"));
	CHECK(page && strstr(page, "&quot;&gt;&lt;img src=x&gt;"));
	free(page);
	timeline_free(tl);
}

/* What a terminal or a parser acts on: C0 but newline, DEL, C1, bad UTF-8. */
static bool has_control_or_bad_utf8(const char *s)
{
	while (*s) {
		__u32 cp;
		int n = utf8_char(s, &cp);

		if (!n || (is_control(cp) && cp != '\n'))
			return true;
		s += n;
	}
	return false;
}

/* ... and their control characters are shown, not passed on. */
static void control_text_shown(void)
{
	struct timeline *tl = timeline_new(4, 4);
	struct iw_record r = transition(1, "a\x1b[2J\xc2\x9b\xff", 3,
					IW_DOM_SVA, 0);
	struct iw_violation v = { .rule = &iw_rules[0], .n_evidence = 1,
				  .evidence = { { .key = "e", .type = IW_EVID_STR,
						  .str = "\x7f\x07" } } };
	size_t len;
	char *page;

	timeline_record(tl, &r, SEC, &v, 1);
	tl->have_session = true;
	timeline_not_watched(tl, 2 * SEC, "m\x1b]0;t\x07");
	page = page_of(tl, &len);
	CHECK(page && !has_control_or_bad_utf8(page));
	CHECK(page && strstr(page, ">a\\x1b[2J\\xc2\\x9b\\xff<"));
	CHECK(page && strstr(page, "e=\\x7f\\x07"));
	CHECK(page && strstr(page, "m\\x1b]0;t\\x07"));
	free(page);
	timeline_free(tl);
}

/* The daemon's page at every cap, with the longest names: its bound. */
static void landing_page_bounded(void)
{
	struct timeline *tl = timeline_new(LANDING_LANES, LANDING_VIOLATIONS);
	struct iw_state *st = state_new();
	char dev[IW_DEV_NAME_LEN];
	struct iw_violation v = { .rule = &iw_rules[0], .n_evidence = 1,
				  .evidence = { { .key = "k", .type = IW_EVID_STR,
						  .str = "&&&&&&&&&&&&&&&&&&&&" } } };
	struct iw_record r;
	size_t len;
	char *page;

	memset(dev, '&', sizeof(dev) - 1);
	dev[sizeof(dev) - 1] = '\0';
	/*
	 * Columns of 2^30 ns; a record in every fourth, the most marks a page
	 * draws one by one (closer ones make a band), each with a refused
	 * attach and a violation; the type changes every time.
	 */
	for (int g = 0; g < LANDING_LANES + 10; g++) {
		for (int j = 0; j < TL_BUCKETS; j += 4) {
			r = transition(g, dev, IW_NO_PASID,
				       j % 8 ? IW_DOM_DMA : IW_DOM_IDENTITY, 0);
			timeline_record(tl, &r, (__u64)j << 30, &v, 1);
			r.ret = -1;
			timeline_record(tl, &r, (__u64)j << 30, &v, 1);
		}
		timeline_record(tl, &r, ((__u64)TL_BUCKETS << 30) - 1, &v, 1);
	}
	page = landing_render(st, tl, &len);
	CHECK(tl->width == 1ULL << 30);
	CHECK(page && tl->undrawn == 10ULL * (2 * TL_BUCKETS / 4 + 1));
	/* The bound landing.h promises for a scrape of /. */
	CHECK(page && len < 8u << 20);
	fprintf(stderr, "  landing page at its caps: %zu bytes\n", len);
	free(page);
	state_free(st);
	timeline_free(tl);
}

/* Two bursts an hour apart: the hour shrinks, the bursts get the width. */
static void idle_hour_shrinks(void)
{
	struct timeline *tl = timeline_new(2, 2);
	struct iw_record r = transition(1, "d", IW_NO_PASID, IW_DOM_DMA, 0);
	struct layout *l = malloc(sizeof(*l));
	int a, b, shrunk = 0;

	for (int i = 0; i < 3; i++) {
		timeline_record(tl, &r, (__u64)i * SEC, NULL, 0);
		timeline_record(tl, &r, (3600 + (__u64)i) * SEC, NULL, 0);
	}
	layout_build(l, tl, 100, 1000);
	a = timeline_bucket(tl, 0);
	b = timeline_bucket(tl, 3600 * SEC);
	for (int i = 0; i < l->n; i++) {
		shrunk += l->idle[i];
		CHECK(l->x[i] < l->x[i + 1]);
	}
	CHECK(l->x[0] == 100 && l->x[l->n] == 1100);
	CHECK(shrunk == l->n - 2 && !l->idle[a - l->first] && !l->idle[b - l->first]);
	/* Two busy columns share what one idle run leaves. */
	CHECK(layout_x(l, a + 1) - layout_x(l, a) > 490);
	CHECK(layout_column_at(l, 1099) == b && layout_column_at(l, 100) == a);
	free(l);
	timeline_free(tl);
}

/* A live page with no record yet: every column idle, none shrunk. */
static void nothing_busy_is_uniform(void)
{
	struct timeline *tl = timeline_new(2, 2);
	struct layout *l = malloc(sizeof(*l));

	timeline_touch(tl, 10 * SEC);
	timeline_touch(tl, 20 * SEC);
	layout_build(l, tl, 0, 512);
	for (int i = 0; i < l->n; i++)
		CHECK(!l->idle[i]);
	CHECK(l->x[l->n] == 512 && l->x[1] > 0);
	free(l);
	timeline_free(tl);
}

UNIT_MAIN("timeline",
	  UNIT_CASE(idle_hour_shrinks),
	  UNIT_CASE(nothing_busy_is_uniform),
	  UNIT_CASE(merges_keep_every_record),
	  UNIT_CASE(time_backwards_and_extremes),
	  UNIT_CASE(lanes_capped_and_pasids),
	  UNIT_CASE(refused_attach_keeps_colour),
	  UNIT_CASE(violations_ring_keeps_the_last),
	  UNIT_CASE(lost_events_make_a_gap),
	  UNIT_CASE(recent_records_newest_first),
	  UNIT_CASE(hostile_text_escaped),
	  UNIT_CASE(control_text_shown),
	  UNIT_CASE(landing_page_bounded))
