// SPDX-License-Identifier: GPL-2.0
/*
 * The timeline drawn: facts, a legend, one SVG with a lane per group and
 * per PASID (domain type as colour, a mark per bucket with records, a
 * circle per kept violation, hatched gaps where events were lost), then
 * the violations with their evidence. Every text from the input is
 * escaped: recordings come from other hosts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <gnutls/crypto.h>
#include "escape.h"
#include "output.h"
#include "report_html.h"
#include "report_layout.h"
#include "util.h"

#define LABEL_W		250	/* the lanes' names */
#define PLOT_W		1024
#define AXIS_H		28
#define GROUP_H		22
#define PASID_H		14
#define AXIS_TICKS	8
#define DENSE_RUN	4	/* columns with records close together: a band */
#define DENSE_GAP	3	/* ... with at most this many empty between */

static const char style[] =
"body{font:13px system-ui,sans-serif;margin:16px;color:#222}"
"h1{font-size:18px;margin:0 0 8px}h2{font-size:15px;margin:18px 0 6px}"
"table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left;"
"border-bottom:1px solid #ddd;vertical-align:top}"
"#facts th{font-weight:normal;color:#555}"
".k-none{fill:#fff}.k-blocked{fill:#555}.k-identity{fill:#9ecae1}"
".k-unmanaged{fill:#fdae6b}.k-dma{fill:#a1d99b}.k-dma-fq{fill:#74c476}"
".k-sva{fill:#bcbddc}.k-nested{fill:#9e9ac8}.k-platform{fill:#d9d9d9}"
".k-unknown{fill:url(#unknown)}"
".lane text{font-size:11px;fill:#222}.pasid text{fill:#555}"
".m{stroke:#111;stroke-width:1}.m.agg{stroke-width:2}.m.failed{stroke:#e6550d}"
".band{fill:#111;opacity:.55}.band.failed{fill:#e6550d}"
".gap{fill:url(#lost);stroke:#999}.idle{fill:#fff;opacity:.75}"
".v{stroke:#fff;stroke-width:1}.v.warning{fill:#fd8d3c}.v.error{fill:#e6550d}"
".v.critical{fill:#a50f15}.v.hl{stroke:#000;stroke-width:3}.v.older{opacity:.7}"
"tr.hl{background:#ffeeba}.sev-critical td:nth-child(2){color:#a50f15;"
"font-weight:bold}.legend span{display:inline-block;margin-right:10px}"
".legend svg{vertical-align:middle;margin-right:3px}.axis{font-size:10px;"
"fill:#555}.evidence{font-family:monospace}";

/* Hovering a violation's row or circle highlights both. */
static const char script[] =
"(function(){function hl(v,on){document.querySelectorAll('[data-v=\"'+v+"
"'\"]').forEach(function(e){e.classList.toggle('hl',on)})}"
"document.querySelectorAll('[data-v]').forEach(function(e){"
"e.addEventListener('mouseenter',function(){hl(e.dataset.v,true)});"
"e.addEventListener('mouseleave',function(){hl(e.dataset.v,false)})})})();";

/* "'sha256-...'": the CSP source that allows the inline block s, exactly. */
static int csp_source(const char *s, char *buf, size_t len)
{
	unsigned char digest[32];
	gnutls_datum_t raw = { digest, sizeof(digest) }, b64;
	int n;

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, s, strlen(s), digest) ||
	    gnutls_base64_encode2(&raw, &b64))
		return -EIO;
	n = snprintf(buf, len, "'sha256-%.*s'", (int)b64.size, b64.data);
	gnutls_free(b64.data);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int report_html_csp(char *buf, size_t len)
{
	char style_src[64], script_src[64];
	int err, n;

	err = csp_source(style, style_src, sizeof(style_src));
	if (!err)
		err = csp_source(script, script_src, sizeof(script_src));
	if (err)
		return err;
	n = snprintf(buf, len, "default-src 'none'; style-src %s; "
		     "script-src %s; base-uri 'none'; form-action 'none'",
		     style_src, script_src);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

/* The entity for a character HTML gives meaning to, or NULL. */
static const char *html_entity(char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

/*
 * Control characters and bytes that are not UTF-8 shown as \xNN, as on a
 * terminal: a numeric reference to them is a parse error, and one to a C1
 * code point names another character.
 */
void html_text(FILE *f, const char *s)
{
	char unit[ESC_UNIT_MAX];
	const char *entity;
	size_t n, used;

	for (; *s; s += used) {
		n = esc_unit(s, ESC_TEXT, unit, &used);
		entity = n == 1 ? html_entity(unit[0]) : NULL;
		if (entity)
			fputs(entity, f);
		else
			fwrite(unit, 1, n, f);
	}
}

/* ---- facts ---- */

static void fact(FILE *f, const char *name, const char *value)
{
	fprintf(f, "<tr><th>%s</th><td>", name);
	html_text(f, value);
	fputs("</td></tr>\n", f);
}

/* "1.5 ms", "3.2 s", "2.0 h": a duration a reader takes in at a glance. */
static void span_text(__u64 ns, char *buf, size_t len)
{
	static const struct { const char *unit; double ns; } units[] = {
		{ "h", 3600e9 }, { "min", 60e9 }, { "s", 1e9 }, { "ms", 1e6 },
		{ "us", 1e3 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (ns >= units[i].ns) {
			snprintf(buf, len, "%.3g %s", ns / units[i].ns,
				 units[i].unit);
			return;
		}
	}
	snprintf(buf, len, "%llu ns", (unsigned long long)ns);
}

static void facts_session(FILE *f, const struct timeline *tl)
{
	const struct jsonl_facts *s = &tl->session;

	if (!tl->have_session) {
		fact(f, "kernel", "not recorded (no session line)");
		return;
	}
	fact(f, "kernel", s->kernel[0] ? s->kernel : "not recorded");
	fact(f, "iommuwatch", s->version[0] ? s->version : "not recorded");
	fact(f, "attached by", s->attach[0] ? s->attach : "not recorded");
	if (tl->not_watched[0])
		fact(f, "driver modules not watched", tl->not_watched);
}

static void facts_time(FILE *f, const struct timeline *tl)
{
	char a[40], b[40], text[128];

	if (!tl->width) {
		fact(f, "time", "no records");
		return;
	}
	format_rfc3339(tl->first, a, sizeof(a));
	format_rfc3339(tl->last, b, sizeof(b));
	snprintf(text, sizeof(text), "%s to %s", a, b);
	fact(f, "time", text);
	span_text(tl->last - tl->first, a, sizeof(a));
	span_text(tl->width, b, sizeof(b));
	snprintf(text, sizeof(text), "%s; one column is %s", a, b);
	fact(f, "span", text);
}

static void facts_counts(FILE *f, const struct timeline *tl,
			 const struct report_page *page)
{
	char text[256];
	__u64 sev[IW_SEV_CRITICAL + 1] = {};

	snprintf(text, sizeof(text),
		 "%llu transitions, %llu releases, %llu domains freed, %llu resets",
		 (unsigned long long)tl->records[IW_REC_TRANSITION],
		 (unsigned long long)tl->records[IW_REC_RELEASE],
		 (unsigned long long)tl->records[IW_REC_DOMAIN_FREE],
		 (unsigned long long)tl->records[IW_REC_RESET_PREPARE]);
	fact(f, "records", text);
	for (int i = 0; i < iw_n_rules; i++)
		sev[iw_rules[i].severity] += tl->by_rule[i];
	snprintf(text, sizeof(text), "%llu critical, %llu error, %llu warning",
		 (unsigned long long)sev[IW_SEV_CRITICAL],
		 (unsigned long long)sev[IW_SEV_ERROR],
		 (unsigned long long)sev[IW_SEV_WARNING]);
	fact(f, "violations", text);
	snprintf(text, sizeof(text), "%llu", (unsigned long long)tl->lost_total);
	fact(f, "events lost", text);
	if (tl->undrawn) {
		snprintf(text, sizeof(text), "%llu records past %d lanes",
			 (unsigned long long)tl->undrawn, tl->max_lanes);
		fact(f, "not drawn", text);
	}
	if (!page->live) {
		snprintf(text, sizeof(text), "%lu", page->bad_lines);
		fact(f, "bad input lines", text);
	}
}

static void facts(FILE *f, const struct timeline *tl,
		  const struct report_page *page)
{
	fputs("<table id=\"facts\">\n", f);
	facts_session(f, tl);
	facts_time(f, tl);
	facts_counts(f, tl, page);
	fputs("</table>\n", f);
}

static void legend(FILE *f)
{
	fputs("<p class=\"legend\">", f);
	for (int k = IW_DOM_NONE; k < IW_DOM_KIND_MAX; k++)
		fprintf(f, "<span><svg width=\"12\" height=\"12\"><rect "
			"class=\"k-%s\" width=\"12\" height=\"12\" stroke=\"#999\"/>"
			"</svg>%s</span>", dom_kind_name(k), dom_kind_name(k));
	fputs("<br><span>a mark: records in that column (thick: several, "
	      "orange: some refused) · a bar along the bottom: records "
	      "all along it · a circle: a violation (a square: older "
	      "ones, counted) · hatched: events lost · pale: a stretch with "
	      "no record, drawn shrunk · hover for details</span></p>\n", f);
}

/* ---- the picture ---- */

struct view {
	const struct timeline *tl;
	struct layout lay;	/* the columns drawn, and where each is */
	int *y;			/* y of tl->lanes[i] */
};

static double col_x(const struct view *v, int j)
{
	return layout_x(&v->lay, j);
}

/* Width of columns from..to-1. */
static double cols_w(const struct view *v, int from, int to)
{
	return layout_x(&v->lay, to) - layout_x(&v->lay, from);
}

/* Lanes in drawing order: by group, the group's own lane first. */
static int lane_order(const void *a, const void *b)
{
	const struct tl_lane *x = *(struct tl_lane *const *)a;
	const struct tl_lane *y = *(struct tl_lane *const *)b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->pasid != y->pasid)
		return x->pasid == IW_NO_PASID ? -1 :
		       y->pasid == IW_NO_PASID ? 1 : x->pasid < y->pasid ? -1 : 1;
	return 0;
}

static int lane_height(const struct tl_lane *lane)
{
	return lane->pasid == IW_NO_PASID ? GROUP_H : PASID_H;
}

/* "group 6 0000:00:1f.2 +2": the first device, and how many more. */
static void lane_label(FILE *f, const struct tl_lane *lane, int h)
{
	const char *devs = lane->pasid != IW_NO_PASID ? lane->device :
							 lane->devices;
	char name[64], first[IW_DEV_NAME_LEN];
	int more = 0;

	for (const char *p = devs; (p = strchr(p, ' ')); p++)
		more++;
	if (lane->pasid != IW_NO_PASID)
		snprintf(name, sizeof(name), "  pasid %u", lane->pasid);
	else if (lane->group < 0)
		snprintf(name, sizeof(name), "no group");
	else
		snprintf(name, sizeof(name), "group %d", lane->group);
	fprintf(f, "<text x=\"4\" y=\"%d\"><title>", h - 4);
	html_text(f, devs);
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(devs, " "), devs);
	fprintf(f, "</title>%s ", name);
	html_text(f, first);
	if (more)
		fprintf(f, " +%d", more);
	fputs("</text>\n", f);
}

static void domain_run(FILE *f, double x0, double x1, int kind, int h)
{
	fprintf(f, "<rect class=\"k-%s\" x=\"%.1f\" y=\"1\" width=\"%.1f\" "
		"height=\"%d\"/>\n", dom_kind_name(kind), x0, x1 - x0, h - 2);
}

/*
 * The domain type as colour, one rect per run of the same type. A column
 * that changes it changes it at its middle, where its mark is; columns
 * before the drawn ones only carry the type in.
 */
static void lane_domains(FILE *f, const struct view *v,
			 const struct tl_lane *lane, int h)
{
	int kind = lane->start, end = v->lay.first + v->lay.n;
	double from = col_x(v, v->lay.first);

	for (int j = 0; j < end; j++) {
		int next = lane->b[j].kind >= 0 ? lane->b[j].kind : kind;

		if (next != kind && j >= v->lay.first) {
			double x = layout_mid(&v->lay, j);

			if (x > from)
				domain_run(f, from, x, kind, h);
			from = x;
		}
		kind = next;
	}
	domain_run(f, from, col_x(v, end), kind, h);
}

static const char *mark_type(const struct tl_mark *m)
{
	static const char *const types[] = {
		[IW_REC_TRANSITION] = "transition", [IW_REC_RELEASE] = "release",
		[IW_REC_DOMAIN_FREE] = "domain free",
		[IW_REC_RESET_PREPARE] = "reset prepare",
		[IW_REC_RESET_DONE] = "reset done",
	};

	return m->type < ARRAY_SIZE(types) ? types[m->type] : "";
}

static void mark_text(FILE *f, const struct tl_mark *m)
{
	char t[40];

	format_rfc3339(m->time, t, sizeof(t));
	fprintf(f, "%s %s ", t, mark_type(m));
	html_text(f, m->device);
	if (m->pasid != IW_NO_PASID)
		fprintf(f, " pasid %u", m->pasid);
	if (m->type == IW_REC_TRANSITION)
		fprintf(f, " %s -> %s", dom_kind_name(m->from),
			dom_kind_name(m->to));
	fprintf(f, " path=%s", path_name(m->path));
	if (m->ret)
		fprintf(f, " ret=%d", m->ret);
}

static void mark(FILE *f, const struct view *v, const struct tl_bucket *b,
		 int j, int h)
{
	double x = layout_mid(&v->lay, j);

	fprintf(f, "<line class=\"m%s%s\" x1=\"%.1f\" x2=\"%.1f\" y1=\"2\" "
		"y2=\"%d\"><title>", b->n > 1 ? " agg" : "",
		b->failed ? " failed" : "", x, x, h - 2);
	if (b->n > 1)
		fprintf(f, "%u records (%u refused); the last: ", b->n, b->failed);
	mark_text(f, &b->last);
	fputs("</title></line>\n", f);
}

/* Columns from..to-1, most with records: one band, the counts summed. */
static void band(FILE *f, const struct view *v, const struct tl_lane *lane,
		 int from, int to, int h)
{
	__u64 n = 0, failed = 0;
	char t[40];

	for (int j = from; j < to; j++) {
		n += lane->b[j].n;
		failed += lane->b[j].failed;
	}
	format_rfc3339(v->tl->t0 + (__u64)from * v->tl->width, t, sizeof(t));
	fprintf(f, "<rect class=\"band%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
		"height=\"4\"><title>%llu records (%llu refused) from %s; the "
		"last: ", failed ? " failed" : "", col_x(v, from), h - 5,
		cols_w(v, from, to), (unsigned long long)n,
		(unsigned long long)failed, t);
	mark_text(f, &lane->b[to - 1].last);
	fputs("</title></rect>\n", f);
}

/*
 * The columns with records from j on that lie at most DENSE_GAP empty
 * columns apart: *marked counts them; returns the end of the last one.
 */
static int cluster_end(const struct tl_lane *lane, int j, int end,
		       int *marked)
{
	int last = j;

	*marked = 0;
	for (; j < end && j - last <= DENSE_GAP; j++) {
		if (lane->b[j].n) {
			last = j;
			(*marked)++;
		}
	}
	return last + 1;
}

/*
 * A mark per column with records, where they are sparse; where DENSE_RUN
 * or more such columns lie close together (DENSE_GAP empty ones at most
 * between two), one band under the colours instead: a busy hour draws as
 * one element per lane, not 512.
 */
static void lane_marks(FILE *f, const struct view *v,
		       const struct tl_lane *lane, int h)
{
	int end = v->lay.first + v->lay.n;

	for (int j = v->lay.first; j < end; j++) {
		int marked, stop;

		if (!lane->b[j].n)
			continue;
		stop = cluster_end(lane, j, end, &marked);
		if (marked >= DENSE_RUN) {
			band(f, v, lane, j, stop, h);
			j = stop - 1;
			continue;
		}
		for (; j < stop; j++)
			if (lane->b[j].n)
				mark(f, v, &lane->b[j], j, h);
		j--;
	}
}

static void lane(FILE *f, const struct view *v, const struct tl_lane *lane,
		 int y)
{
	int h = lane_height(lane);

	fprintf(f, "<g class=\"lane%s\" data-group=\"%d\" data-pasid=\"",
		lane->pasid == IW_NO_PASID ? "" : " pasid", lane->group);
	if (lane->pasid != IW_NO_PASID)
		fprintf(f, "%u", lane->pasid);
	fprintf(f, "\" transform=\"translate(0,%d)\">\n", y);
	lane_label(f, lane, h);
	if (v->tl->width)
		lane_domains(f, v, lane, h);
	lane_marks(f, v, lane, h);
	fputs("</g>\n", f);
}

/*
 * How much of "2026-11-23T18:42:51.123456789Z" a tick shows: within a day
 * the clock from 11, to as many decimals as a column's width needs.
 */
static void tick_format(const struct view *v, int *from, int *len)
{
	int decimals = 0;

	for (__u64 unit = NSEC_PER_SEC; unit > v->tl->width && decimals < 9;
	     unit /= 10)
		decimals++;
	if (v->tl->last - v->tl->first >= 86400ULL * NSEC_PER_SEC) {
		*from = 0;
		*len = 19;
		return;
	}
	*from = 11;
	*len = 8 + (decimals ? decimals + 1 : 0);
}

/* Ticks evenly spaced in px, each naming the column under it. */
static void axis(FILE *f, const struct view *v)
{
	const struct timeline *tl = v->tl;
	int from, len;

	tick_format(v, &from, &len);
	for (int i = 0; i <= AXIS_TICKS && tl->width; i++) {
		double x = LABEL_W + (double)PLOT_W * i / AXIS_TICKS;
		int j = layout_column_at(&v->lay, x);
		__u64 t = i == AXIS_TICKS ? tl->last : tl->t0 + (__u64)j * tl->width;
		char text[40];

		if (i == 0)
			t = tl->first;
		format_rfc3339(t, text, sizeof(text));
		fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
			"stroke=\"#bbb\"/><text class=\"axis\" x=\"%.1f\" "
			"y=\"10\" text-anchor=\"%s\">%.*s</text>\n", x, x,
			AXIS_H - 6, AXIS_H, x,
			i == 0 ? "start" : i == AXIS_TICKS ? "end" : "middle",
			len, text + from);
	}
}

/* Shrunk idle runs: a pale band across the lanes, how long on hover. */
static void idle_runs(FILE *f, const struct view *v, int height)
{
	int end = v->lay.first + v->lay.n;
	char span[40];

	for (int j = v->lay.first; j < end; j++) {
		int from = j;

		if (!v->lay.idle[j - v->lay.first])
			continue;
		while (j < end && v->lay.idle[j - v->lay.first])
			j++;
		span_text((__u64)(j - from) * v->tl->width, span, sizeof(span));
		fprintf(f, "<rect class=\"idle\" x=\"%.1f\" y=\"%d\" "
			"width=\"%.1f\" height=\"%d\"><title>%s with no record "
			"(drawn shrunk)</title></rect>\n", col_x(v, from),
			AXIS_H - 8, cols_w(v, from, j), height - AXIS_H + 8, span);
	}
}

/* Hatched where events were lost: records there may be missing. */
static void gaps(FILE *f, const struct view *v, int height)
{
	const struct timeline *tl = v->tl;
	int end = v->lay.first + v->lay.n;

	for (int j = v->lay.first; j < end; j++) {
		__u64 lost = 0;
		int from = j;

		if (!tl->gap[j])
			continue;
		for (; j < end && tl->gap[j]; j++)
			lost += tl->lost[j];
		fprintf(f, "<rect class=\"gap\" x=\"%.1f\" y=\"%d\" "
			"width=\"%.1f\" height=\"%d\"><title>%llu events lost "
			"here</title></rect>\n", col_x(v, from), AXIS_H,
			cols_w(v, from, j), height - AXIS_H,
			(unsigned long long)lost);
	}
}

static void violation_title(FILE *f, const struct tl_violation *v)
{
	char t[40];

	format_rfc3339(v->time, t, sizeof(t));
	fprintf(f, "<title>%s %s (%s) ", t, v->rule->kind,
		severity_name(v->rule->severity));
	html_text(f, v->device);
	if (v->pasid != IW_NO_PASID)
		fprintf(f, " pasid %u", v->pasid);
	fputs(" path=", f);
	html_text(f, v->path);
	fputc(' ', f);
	html_text(f, v->evidence);
	fputs("</title>", f);
}

/* Where a violation is drawn: its PASID's lane, else its group's; -1. */
static int violation_lane(const struct timeline *tl,
			  const struct tl_violation *v)
{
	int l = timeline_lane(tl, v->group, v->pasid);

	return l >= 0 ? l : timeline_lane(tl, v->group, IW_NO_PASID);
}

static int violation_y(const struct view *vw, int l)
{
	return l < 0 ? AXIS_H - 6 :
	       vw->y[l] + lane_height(vw->tl->lanes[l]) / 2;
}

/* A circle per kept violation, with its evidence on hover. */
static void kept_marks(FILE *f, const struct view *vw, int *kept)
{
	const struct timeline *tl = vw->tl;

	for (int i = 0; i < timeline_n_kept(tl); i++) {
		const struct tl_violation *v = timeline_kept(tl, i);
		int l = violation_lane(tl, v), j = timeline_bucket(tl, v->time);

		if (l >= 0)
			kept[l * TL_BUCKETS + j]++;
		fprintf(f, "<circle class=\"v %s\" data-v=\"%d\" "
			"data-rule=\"%s\" cx=\"%.1f\" cy=\"%d\" r=\"5\">",
			severity_name(v->rule->severity), i, v->rule->kind,
			layout_mid(&vw->lay, j), violation_y(vw, l));
		violation_title(f, v);
		fputs("</circle>\n", f);
	}
}

/* Violations older than the list, one square per column with any. */
static void older_marks(FILE *f, const struct view *vw, const int *kept)
{
	const struct timeline *tl = vw->tl;

	for (int l = 0; l < tl->n_lanes; l++) {
		for (int j = vw->lay.first; j < vw->lay.first + vw->lay.n; j++) {
			const struct tl_bucket *b = &tl->lanes[l]->b[j];
			__u32 older = b->viol - kept[l * TL_BUCKETS + j];

			if (!older)
				continue;
			fprintf(f, "<rect class=\"v older %s\" x=\"%.1f\" "
				"y=\"%d\" width=\"8\" height=\"8\"><title>%u "
				"violations before the list's, the worst %s</title>"
				"</rect>\n", severity_name(b->worst),
				layout_mid(&vw->lay, j) - 4,
				violation_y(vw, l) - 4, older,
				severity_name(b->worst));
		}
	}
}

static int violation_marks(FILE *f, const struct view *vw)
{
	int *kept = calloc((size_t)vw->tl->n_lanes * TL_BUCKETS + 1,
			   sizeof(*kept));

	if (!kept)
		return -ENOMEM;
	kept_marks(f, vw, kept);
	older_marks(f, vw, kept);
	free(kept);
	return 0;
}

static void svg_defs(FILE *f)
{
	fputs("<defs><pattern id=\"lost\" width=\"6\" height=\"6\" "
	      "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
	      "<rect width=\"6\" height=\"6\" fill=\"#fff\" opacity=\"0.6\"/>"
	      "<line y2=\"6\" stroke=\"#c00\" stroke-width=\"2\"/></pattern>"
	      "<pattern id=\"unknown\" width=\"6\" height=\"6\" "
	      "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
	      "<rect width=\"6\" height=\"6\" fill=\"#f2f2f2\"/><line y2=\"6\" "
	      "stroke=\"#ccc\" stroke-width=\"2\"/></pattern></defs>\n", f);
}

/* Lanes sorted by group, each's y noted for the violations' circles. */
static int picture(FILE *f, const struct timeline *tl)
{
	struct tl_lane **order = malloc((tl->n_lanes + 1) * sizeof(*order));
	int *y = malloc((tl->n_lanes + 1) * sizeof(*y)), at = AXIS_H, err;
	struct view *v = malloc(sizeof(*v));

	if (!order || !y || !v) {
		free(order);
		free(y);
		free(v);
		return -ENOMEM;
	}
	v->tl = tl;
	v->y = y;
	layout_build(&v->lay, tl, LABEL_W, PLOT_W);
	if (tl->n_lanes)	/* tl->lanes is NULL until a lane exists */
		memcpy(order, tl->lanes, tl->n_lanes * sizeof(*order));
	qsort(order, tl->n_lanes, sizeof(*order), lane_order);
	for (int i = 0; i < tl->n_lanes; i++) {
		y[timeline_lane(tl, order[i]->group, order[i]->pasid)] = at;
		at += lane_height(order[i]);
	}
	fprintf(f, "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" "
		"width=\"%d\" height=\"%d\">\n", LABEL_W + PLOT_W + 8, at + 4);
	svg_defs(f);
	axis(f, v);
	for (int i = 0; i < tl->n_lanes; i++)
		lane(f, v, order[i], y[timeline_lane(tl, order[i]->group,
						     order[i]->pasid)]);
	idle_runs(f, v, at);
	gaps(f, v, at);
	err = violation_marks(f, v);
	fputs("</svg>\n", f);
	free(order);
	free(y);
	free(v);
	return err;
}

/* ---- the lists ---- */

static void rule_counts(FILE *f, const struct timeline *tl)
{
	fputs("<table id=\"rules\"><tr><th>rule</th><th>severity</th>"
	      "<th>count</th><th>what it means</th></tr>\n", f);
	for (int i = 0; i < iw_n_rules; i++) {
		if (!tl->by_rule[i])
			continue;
		fprintf(f, "<tr class=\"sev-%s\"><td>%s</td><td>%s</td>"
			"<td>%llu</td><td>", severity_name(iw_rules[i].severity),
			iw_rules[i].kind, severity_name(iw_rules[i].severity),
			(unsigned long long)tl->by_rule[i]);
		html_text(f, iw_rules[i].description);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void violation_row(FILE *f, const struct tl_violation *v, int i)
{
	char t[40];

	format_rfc3339(v->time, t, sizeof(t));
	fprintf(f, "<tr class=\"sev-%s\" data-v=\"%d\"><td>%s</td><td>%s</td>"
		"<td>%s</td><td>", severity_name(v->rule->severity), i, t,
		severity_name(v->rule->severity), v->rule->kind);
	if (v->group >= 0)
		fprintf(f, "%d", v->group);
	fputs("</td><td>", f);
	html_text(f, v->device);
	fputs("</td><td>", f);
	if (v->pasid != IW_NO_PASID)
		fprintf(f, "%u", v->pasid);
	fputs("</td><td>", f);
	html_text(f, v->path);
	fputs("</td><td class=\"evidence\">", f);
	html_text(f, v->evidence);
	fputs("</td></tr>\n", f);
}

static void recent_row(FILE *f, const struct tl_mark *m)
{
	char t[40];

	format_rfc3339(m->time, t, sizeof(t));
	fprintf(f, "<tr><td>%s</td><td>%s</td><td>", t, mark_type(m));
	if (m->group >= 0)
		fprintf(f, "%d", m->group);
	fputs("</td><td>", f);
	html_text(f, m->device);
	fputs("</td><td>", f);
	if (m->pasid != IW_NO_PASID)
		fprintf(f, "%u", m->pasid);
	fputs("</td><td>", f);
	if (m->type == IW_REC_TRANSITION)
		fprintf(f, "%s -&gt; %s", dom_kind_name(m->from),
			dom_kind_name(m->to));
	else if (m->type != IW_REC_RESET_PREPARE && m->type != IW_REC_RESET_DONE)
		fputs(dom_kind_name(m->from), f);
	fprintf(f, "</td><td>%s</td><td>%d</td></tr>\n",
		record_path_name(m->type, m->path), m->ret);
}

/* The last records whole, newest first: what just happened. */
static void recent(FILE *f, const struct timeline *tl)
{
	if (!timeline_n_recent(tl))
		return;
	fprintf(f, "<h2>The last %d records</h2>\n<table id=\"recent\"><tr>"
		"<th>time</th><th>record</th><th>group</th><th>device</th>"
		"<th>pasid</th><th>domain</th><th>path</th><th>ret</th></tr>\n",
		timeline_n_recent(tl));
	for (int i = 0; i < timeline_n_recent(tl); i++)
		recent_row(f, timeline_recent(tl, i));
	fputs("</table>\n", f);
}

static void violations(FILE *f, const struct timeline *tl)
{
	int kept = timeline_n_kept(tl);

	fputs("<h2>Violations</h2>\n", f);
	if (!tl->n_viol) {
		fputs("<p id=\"no-violations\">None.</p>\n", f);
		return;
	}
	rule_counts(f, tl);
	if ((__u64)kept < tl->n_viol)
		fprintf(f, "<p>The last %d of %llu:</p>\n", kept,
			(unsigned long long)tl->n_viol);
	fputs("<table id=\"violations\"><tr><th>time</th><th>severity</th>"
	      "<th>rule</th><th>group</th><th>device</th><th>pasid</th>"
	      "<th>path</th><th>evidence</th></tr>\n", f);
	for (int i = 0; i < kept; i++)
		violation_row(f, timeline_kept(tl, i), i);
	fputs("</table>\n", f);
}

int report_html_write(FILE *f, const struct timeline *tl,
		      const struct report_page *page)
{
	char csp[REPORT_HTML_CSP_LEN];
	int err;

	err = report_html_csp(csp, sizeof(csp));
	if (err)
		return err;
	/* In the page too: a report opened from a file has no headers. */
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">"
		"<meta name=\"viewport\" content=\"width=device-width\">\n<title>",
		csp);
	html_text(f, page->title);
	fprintf(f, "</title>\n<style>%s</style></head>\n<body>\n<h1>", style);
	html_text(f, page->title);
	fputs("</h1>\n", f);
	facts(f, tl, page);
	if (page->extra)
		page->extra(f, page->extra_arg);
	fputs("<h2>Timeline</h2>\n", f);
	legend(f);
	err = picture(f, tl);
	violations(f, tl);
	recent(f, tl);
	fprintf(f, "<script>%s</script>\n</body></html>\n", script);
	if (!err && (fflush(f) || ferror(f)))
		err = -EIO;
	return err;
}
