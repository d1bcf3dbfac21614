// SPDX-License-Identifier: GPL-2.0
/* State, rules and output applied to one record after another. */
#include <stdlib.h>
#include <string.h>
#include "pipeline.h"

void pipeline_init(struct pipeline *pl, struct iw_state *st,
		   struct output *out)
{
	memset(pl, 0, sizeof(*pl));
	pl->st = st;
	pl->out = out;
	pl->rules.st = st;
	pl->group = -1;
	pl->show_records = true;
}

static bool wanted(const struct pipeline *pl, const struct iw_record *rec)
{
	if (rec->type == IW_REC_DOMAIN_FREE)
		return pl->group < 0 && !pl->device;
	if (pl->group >= 0 && rec->group != pl->group)
		return false;
	return !pl->device || !strcmp(pl->device, rec->device);
}

struct in_place {
	const struct iw_record *grec;
	struct iw_dom was;		/* the group's domain before */
	struct iw_record *recs;		/* one transition per device on it */
	int n;
};

static int collect_in_place(struct iw_device *dev, void *arg)
{
	struct in_place *ip = arg;
	struct iw_record *rec, *grown;

	if (dev->group != ip->grec->group || dev->released || !dev->rid_known ||
	    dev->rid.id != ip->was.id || dev->rid.kind != ip->was.kind)
		return 0;
	grown = realloc(ip->recs, (ip->n + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	ip->recs = grown;
	rec = &ip->recs[ip->n++];
	*rec = *ip->grec;
	rec->type = IW_REC_TRANSITION;
	snprintf(rec->device, sizeof(rec->device), "%s", dev->name);
	rec->from = dev->rid;
	rec->from_known = true;
	/* The device's facts as last seen; the core held the group mutex. */
	rec->flags = (dev->flags & IW_F_FACTS) | IW_F_MUTEX_KNOWN |
		     IW_F_MUTEX_HELD;
	return 0;
}

/*
 * After a sysfs type change, the group's domain as the kernel left it. A
 * change of type on the same domain (DMA -> DMA-FQ: a flush queue set up
 * on the live domain, no op ran) becomes one transition per device on it;
 * anything else was already reported by the ops.
 */
static void feed_group_type(struct pipeline *pl, const struct iw_record *grec)
{
	struct iw_group *g = state_group(pl->st, grec->group, false);
	struct in_place ip = { .grec = grec };

	if (!g || !g->dom_known || g->dom.kind == grec->to.kind ||
	    (g->dom.id && g->dom.id != grec->to.id))
		return;
	ip.was = g->dom;
	state_for_each_device(pl->st, collect_in_place, &ip);
	for (int i = 0; i < ip.n; i++)
		pipeline_feed(pl, &ip.recs[i]);
	free(ip.recs);
}

void pipeline_feed(struct pipeline *pl, struct iw_record *rec)
{
	struct iw_violation v[IW_RULES_MAX];
	struct iw_prior prior;
	int n;

	if (rec->type == IW_REC_GROUP_TYPE) {
		feed_group_type(pl, rec);
		return;
	}
	state_apply(pl->st, rec, &prior);
	/* Rules see every record; the filters only choose what is shown. */
	n = rules_check(rec, &prior, &pl->rules, v, IW_RULES_MAX);
	if (!wanted(pl, rec))
		return;
	pl->seen[rec->type]++;
	if (pl->sink)
		pl->sink(pl->sink_arg, rec, v, n);
	if (pl->out && pl->show_records)
		output_record(pl->out, rec, &prior);
	for (int i = 0; i < n; i++) {
		pl->violations[v[i].rule - iw_rules]++;
		pl->n_violations++;
		if (pl->out)
			output_violation(pl->out, rec, &v[i]);
	}
}

static int print_group(struct iw_group *g, void *arg)
{
	struct pipeline *pl = arg;

	if (pl->group < 0 || pl->group == g->id)
		output_group(pl->out, pl->st, g);
	return 0;
}

void pipeline_print_state(struct pipeline *pl)
{
	if (pl->out && pl->out->json)
		state_for_each_group(pl->st, print_group, pl);
}

void pipeline_summary(const struct pipeline *pl, FILE *f)
{
	const char *sep = " (";

	fprintf(f, "%llu transitions, %llu releases, %llu domains freed, %llu violations",
		(unsigned long long)pl->seen[IW_REC_TRANSITION],
		(unsigned long long)pl->seen[IW_REC_RELEASE],
		(unsigned long long)pl->seen[IW_REC_DOMAIN_FREE],
		(unsigned long long)pl->n_violations);
	for (int i = 0; i < iw_n_rules; i++) {
		if (!pl->violations[i])
			continue;
		fprintf(f, "%s%s=%llu", sep, iw_rules[i].kind,
			(unsigned long long)pl->violations[i]);
		sep = ", ";
	}
	if (pl->n_violations)
		fputc(')', f);
}
