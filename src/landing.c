// SPDX-License-Identifier: GPL-2.0
/* The daemon's / : its groups now, and what it has seen since it started. */
#include <stdio.h>
#include <stdlib.h>
#include "landing.h"
#include "report_html.h"

struct groups_now {
	FILE *f;
	struct iw_state *st;
	int group;		/* whose devices are being listed */
	int n;
};

static int device_row(struct iw_device *dev, void *arg)
{
	struct groups_now *g = arg;

	if (dev->group != g->group || dev->released)
		return 0;
	if (g->n++)
		fputc(' ', g->f);
	html_text(g->f, dev->name);
	if (device_pasids(dev))
		fprintf(g->f, " (%u PASIDs)", device_pasids(dev));
	return 0;
}

static int group_row(struct iw_group *grp, void *arg)
{
	struct groups_now *g = arg;

	fprintf(g->f, "<tr data-group=\"%d\"><td>%d</td><td>%s</td><td>", grp->id,
		grp->id, grp->dom_known ? dom_kind_name(grp->dom.kind) : "unknown");
	if (grp->iommu)
		html_text(g->f, grp->iommu->name);
	fputs("</td><td>", g->f);
	g->group = grp->id;
	g->n = 0;
	state_for_each_device(g->st, device_row, g);
	fputs("</td></tr>\n", g->f);
	return 0;
}

static void groups_now(FILE *f, void *arg)
{
	struct groups_now g = { .f = f, .st = arg };

	fputs("<h2>Groups now</h2>\n<table id=\"groups\"><tr><th>group</th>"
	      "<th>domain</th><th>IOMMU</th><th>devices</th></tr>\n", f);
	state_for_each_group(g.st, group_row, &g);
	fputs("</table>\n", f);
}

char *landing_render(struct iw_state *st, const struct timeline *tl,
		     size_t *len)
{
	struct report_page page = { .title = "iommuwatch", .live = true,
				    .extra = groups_now, .extra_arg = st };
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	int err;

	if (!f)
		return NULL;
	err = report_html_write(f, tl, &page);
	if (fclose(f) || err) {
		free(buf);
		return NULL;
	}
	return buf;
}
