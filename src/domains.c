// SPDX-License-Identifier: GPL-2.0
/* Domain addresses to stable ids, in the reader. */
#include <stdint.h>
#include <stdlib.h>
#include <json-c/linkhash.h>
#include "domains.h"
#include "intkey.h"

struct domain_ids {
	struct lh_table *ids;	/* address -> id */
	__u32 next;
};

struct domain_ids *domain_ids_new(void)
{
	struct domain_ids *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->ids = intkey_table_new(256);
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
	lh_table_free(d->ids);
	free(d);
}

void domain_ids_forget_all(struct domain_ids *d)
{
	struct lh_table *fresh = intkey_table_new(256);

	if (!fresh)
		return;	/* keep the old names rather than none */
	lh_table_free(d->ids);
	d->ids = fresh;
}

/* The id of a domain, given one at first sight; 0 for no domain. */
static __u32 name_of(struct domain_ids *d, __u64 addr)
{
	struct lh_entry *e;
	__u32 id;

	if (!addr)
		return 0;
	e = lh_table_lookup_entry(d->ids, intkey(addr));
	if (e)
		return (uintptr_t)lh_entry_v(e);
	id = d->next++;
	if (lh_table_insert(d->ids, intkey(addr), (void *)(uintptr_t)id))
		return 0;	/* out of memory: unnamed, as if no domain */
	return id;
}

/* A freed domain's id, and its address forgotten: it may be reused. */
static __u32 forget(struct domain_ids *d, __u64 addr)
{
	struct lh_entry *e = lh_table_lookup_entry(d->ids, intkey(addr));
	__u32 id;

	if (!e)
		return 0;
	id = (uintptr_t)lh_entry_v(e);
	lh_table_delete_entry(d->ids, e);
	return id;
}

bool domain_ids_record(struct domain_ids *d, const struct iommuwatch_event *e,
		       const char *hook_name, struct iw_record *rec)
{
	struct iommuwatch_event named = *e;

	if (e->kind == IW_EV_DOMAIN_FREE) {
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
