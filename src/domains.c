// SPDX-License-Identifier: GPL-2.0
/* Domain addresses to stable ids, in the reader. */
#include <stdlib.h>
#include "domains.h"
#include "intmap.h"

struct domain_ids {
	struct intmap *ids;	/* address -> id */
	__u32 next;
};

struct domain_ids *domain_ids_new(void)
{
	struct domain_ids *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->ids = intmap_new();
	if (!d->ids) {
		free(d);
		return NULL;
	}
	d->next = 1;
	return d;
}

void domain_ids_free(struct domain_ids *d)
{
	if (!d)
		return;
	intmap_free(d->ids);
	free(d);
}

void domain_ids_forget_all(struct domain_ids *d)
{
	/* Out of memory: the old names are kept rather than none. */
	intmap_clear(d->ids);
}

/* The id of a domain, given one at first sight; 0 for no domain. */
static __u32 name_of(struct domain_ids *d, __u64 addr)
{
	__u64 *id;

	if (!addr)
		return 0;
	id = intmap_get(d->ids, addr);
	if (id)
		return *id;
	if (intmap_put(d->ids, addr, d->next))
		return 0;	/* out of memory: unnamed, as if no domain */
	return d->next++;
}

/* A freed domain's id, and its address forgotten: it may be reused. */
static __u32 forget(struct domain_ids *d, __u64 addr)
{
	__u64 id;

	return intmap_del(d->ids, addr, &id) ? id : 0;
}

bool domain_ids_record(struct domain_ids *d, const struct iommuwatch_event *e,
		       const char *hook_name, struct iw_record *rec)
{
	struct iommuwatch_event named = *e;

	if (e->kind == IW_EV_DOMAIN_FREE) {
		/* Nothing died: the domain keeps its id, the free is no event. */
		if (e->flags & (IW_F_FREE_NOOP | IW_F_FREE_MAYBE))
			return false;
		named.new_dom.id = forget(d, e->new_dom.key);
		if (!named.new_dom.id)
			return false;
	} else {
		named.new_dom.id = name_of(d, e->new_dom.key);
		named.old_dom.id = name_of(d, e->old_dom.key);
		named.group_dom.id = name_of(d, e->group_dom.key);
	}
	record_from_event(rec, &named, hook_name);
	return true;
}
