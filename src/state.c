// SPDX-License-Identifier: GPL-2.0
/* Tracked IOMMU state: groups by id, devices by name, PASIDs per device. */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/linkhash.h>
#include "intmap.h"
#include "state.h"

struct iw_state {
	struct iw_group *groups;	/* indexed by group id */
	int n_groups;
	struct lh_table *devices;	/* name -> struct iw_device */
	/*
	 * domain id -> how many RIDs, PASIDs and groups name it. It may count
	 * too many (then a free scans to be exact), never too few: a free of
	 * a domain nobody names, the usual case, costs no scan.
	 */
	struct intmap *refs;
};

static __u64 ref_count(struct iw_state *st, __u32 id)
{
	__u64 *n = intmap_get(st->refs, id);

	return n ? *n : 0;
}

static void ref_add(struct iw_state *st, __u32 id, int delta)
{
	__u64 *n = intmap_get(st->refs, id);

	if (!n) {
		if (id && delta > 0)
			intmap_put(st->refs, id, delta);
		return;
	}
	if ((__s64)(*n + delta) > 0)
		*n += delta;
	else
		intmap_del(st->refs, id, NULL);
}

/* Point a RID, PASID or group at a new domain, keeping refs in step. */
static void ref_move(struct iw_state *st, struct iw_dom *slot, bool counted,
		     struct iw_dom to)
{
	if (counted)
		ref_add(st, slot->id, -1);
	ref_add(st, to.id, 1);
	*slot = to;
}

static void device_free_entry(struct lh_entry *ent)
{
	struct iw_device *dev = lh_entry_v(ent);

	free(dev->pasids);
	free(dev);
}

struct iw_state *state_new(void)
{
	struct iw_state *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->devices = lh_kchar_table_new(256, device_free_entry);
	st->refs = intmap_new();
	if (!st->devices || !st->refs) {
		state_free(st);
		return NULL;
	}
	return st;
}

void state_free(struct iw_state *st)
{
	if (!st)
		return;
	if (st->devices)
		lh_table_free(st->devices);
	intmap_free(st->refs);
	free(st->groups);
	free(st);
}

void state_clear(struct iw_state *st)
{
	struct lh_table *fresh = lh_kchar_table_new(256, device_free_entry);

	/* Out of memory: all is kept rather than half. */
	if (!fresh)
		return;
	if (!intmap_clear(st->refs)) {
		lh_table_free(fresh);
		return;
	}
	lh_table_free(st->devices);
	st->devices = fresh;
	memset(st->groups, 0, sizeof(*st->groups) * st->n_groups);
}

struct iw_group *state_group(struct iw_state *st, int id, bool create)
{
	struct iw_group *grown;
	int n;

	if (id < 0)
		return NULL;
	if (id >= st->n_groups) {
		if (!create)
			return NULL;
		n = id < 64 ? 64 : id * 2;
		grown = realloc(st->groups, sizeof(*grown) * n);
		if (!grown)
			return NULL;
		memset(grown + st->n_groups, 0,
		       sizeof(*grown) * (n - st->n_groups));
		st->groups = grown;
		st->n_groups = n;
	}
	if (!st->groups[id].present) {
		if (!create)
			return NULL;
		st->groups[id].present = true;
		st->groups[id].id = id;
	}
	return &st->groups[id];
}

int state_max_group(const struct iw_state *st)
{
	for (int id = st->n_groups - 1; id >= 0; id--)
		if (st->groups[id].present)
			return id;
	return -1;
}

struct iw_device *state_device(struct iw_state *st, const char *name,
			       bool create)
{
	struct iw_device *dev;
	void *found;

	if (lh_table_lookup_ex(st->devices, name, &found))
		return found;
	if (!create)
		return NULL;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return NULL;
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	dev->group = -1;
	if (lh_table_insert(st->devices, dev->name, dev)) {
		free(dev);
		return NULL;
	}
	return dev;
}

void state_remove_device(struct iw_state *st, const char *name)
{
	lh_table_delete(st->devices, name);
}

int state_for_each_device(struct iw_state *st,
			  int (*cb)(struct iw_device *dev, void *arg), void *arg)
{
	struct lh_entry *ent, *tmp;
	int err;

	lh_foreach_safe(st->devices, ent, tmp) {
		err = cb(lh_entry_v(ent), arg);
		if (err)
			return err;
	}
	return 0;
}

static void device_set_group(struct iw_state *st, struct iw_device *dev,
			     int id)
{
	struct iw_group *grp;

	if (dev->group == id)
		return;
	grp = state_group(st, dev->group, false);
	if (grp && grp->n_devices)
		grp->n_devices--;
	dev->group = id;
	grp = state_group(st, id, true);
	if (grp)
		grp->n_devices++;
}

static struct iw_pasid_entry *pasid_find(struct iw_device *dev, __u32 pasid)
{
	for (unsigned int i = 0; i < dev->n_pasids; i++)
		if (dev->pasids[i].pasid == pasid)
			return &dev->pasids[i];
	return NULL;
}

static int pasid_set(struct iw_state *st, struct iw_device *dev, __u32 pasid,
		     struct iw_dom dom)
{
	struct iw_pasid_entry *ent = pasid_find(dev, pasid), *grown;
	bool existed = ent;
	unsigned int cap;

	if (!ent) {
		if (dev->n_pasids == dev->cap_pasids) {
			cap = dev->cap_pasids ? dev->cap_pasids * 2 : 4;
			grown = realloc(dev->pasids, sizeof(*grown) * cap);
			if (!grown)
				return -ENOMEM;
			dev->pasids = grown;
			dev->cap_pasids = cap;
		}
		ent = &dev->pasids[dev->n_pasids++];
		ent->pasid = pasid;
	}
	ref_move(st, &ent->dom, existed, dom);
	return 0;
}

static void pasid_remove(struct iw_state *st, struct iw_device *dev,
			 __u32 pasid)
{
	struct iw_pasid_entry *ent = pasid_find(dev, pasid);

	if (!ent)
		return;
	ref_add(st, ent->dom.id, -1);
	*ent = dev->pasids[--dev->n_pasids];
}

static void pasids_clear(struct iw_state *st, struct iw_device *dev)
{
	while (dev->n_pasids)
		pasid_remove(st, dev, dev->pasids[0].pasid);
}

/* What the RID of dev is on, as far as the state knows. */
static bool rid_prior(struct iw_state *st, struct iw_device *dev,
		      struct iw_dom *dom)
{
	struct iw_group *grp;

	if (dev->rid_known) {
		*dom = dev->rid;
		return true;
	}
	grp = state_group(st, dev->group, false);
	if (grp && grp->dom_known) {
		*dom = grp->dom;
		return true;
	}
	return false;
}

static void apply_rid(struct iw_state *st, struct iw_device *dev,
		      struct iw_record *rec, struct iw_prior *prior)
{
	struct iw_group *grp;

	prior->known = rid_prior(st, dev, &prior->dom);
	/*
	 * A deferred device was never attached by this kernel: sysfs showed
	 * its group's default domain, but the hardware still ran on the
	 * tables the previous kernel left (kdump).
	 */
	if (rec->path == IW_PATH_DEFERRED && !rec->from_known) {
		prior->dom = (struct iw_dom){ 0, IW_DOM_NONE };
		prior->known = true;
	}
	if (!rec->from_known && prior->known) {
		rec->from = prior->dom;
		rec->from_known = true;
	}
	if (rec->ret)
		return;
	ref_move(st, &dev->rid, dev->rid_known, rec->to);
	dev->rid_known = true;
	/* Release and reset move one device; the group's domain stays. */
	if (rec->path == IW_PATH_RELEASE || rec->path == IW_PATH_RESET)
		return;
	grp = state_group(st, dev->group, false);
	if (grp) {
		ref_move(st, &grp->dom, grp->dom_known, rec->to);
		grp->dom_known = true;
	}
}

static void apply_pasid(struct iw_state *st, struct iw_device *dev,
			struct iw_record *rec, struct iw_prior *prior)
{
	struct iw_pasid_entry *ent = pasid_find(dev, rec->pasid);
	bool removed;

	prior->known = true;
	prior->dom = ent ? ent->dom : (struct iw_dom){ 0, IW_DOM_NONE };
	if (!rec->from_known) {
		rec->from = prior->dom;
		rec->from_known = true;
	}
	if (rec->ret)
		return;
	/* A detach leaves the PASID blocked (7.x) or without domain (6.12). */
	removed = rec->to.kind == IW_DOM_NONE ||
		  (rec->to.kind == IW_DOM_BLOCKED && rec->path == IW_PATH_PASID);
	if (removed)
		pasid_remove(st, dev, rec->pasid);
	else
		pasid_set(st, dev, rec->pasid, rec->to);
}

static void apply_transition(struct iw_state *st, struct iw_record *rec,
			     struct iw_prior *prior)
{
	struct iw_device *dev = state_device(st, rec->device, true);

	if (!dev)
		return;
	if (dev->released && rec->path != IW_PATH_RELEASE) {
		/* Probed again: a new life, nothing carried over. */
		dev->released = false;
		ref_move(st, &dev->rid, dev->rid_known,
			 (struct iw_dom){ 0, IW_DOM_NONE });
		dev->rid_known = true;
		pasids_clear(st, dev);
	}
	if (rec->group >= 0 && !dev->released)
		device_set_group(st, dev, rec->group);
	dev->flags = rec->flags;
	if (rec->pasid == IW_NO_PASID)
		apply_rid(st, dev, rec, prior);
	else
		apply_pasid(st, dev, rec, prior);
}

static void apply_release(struct iw_state *st, struct iw_record *rec,
			  struct iw_prior *prior)
{
	struct iw_device *dev = state_device(st, rec->device, true);

	if (!dev)
		return;
	prior->known = rid_prior(st, dev, &prior->dom);
	prior->pasids_left = dev->n_pasids;
	if (prior->known) {
		rec->from = prior->dom;
		rec->from_known = true;
	}
	dev->flags = rec->flags;
	/* The core tears no PASID down here: they stay, orphaned, until
	 * their domain is freed or the device comes back. */
	dev->released = true;
	device_set_group(st, dev, -1);
}

struct free_scan {
	struct iw_state *st;
	__u32 id;
	struct iw_prior *prior;
	bool *group_counted;	/* per group: one of its RIDs was counted */
};

/* Name the first user of a freed domain, so a violation says where. */
static void note_domain_user(struct iw_prior *prior, int group,
			     const char *device)
{
	if (prior->user_group >= 0 || prior->user_device[0])
		return;
	prior->user_group = group;
	snprintf(prior->user_device, sizeof(prior->user_device), "%s", device);
}

static int count_domain_users(struct iw_device *dev, void *arg)
{
	struct free_scan *scan = arg;

	if (!dev->released && dev->rid_known && dev->rid.id == scan->id) {
		scan->prior->rid_users++;
		if (scan->group_counted && dev->group >= 0 &&
		    dev->group < scan->st->n_groups)
			scan->group_counted[dev->group] = true;
		note_domain_user(scan->prior, dev->group, dev->name);
	}
	for (unsigned int i = 0; i < dev->n_pasids; i++) {
		if (dev->pasids[i].dom.id != scan->id)
			continue;
		scan->prior->pasid_users++;
		note_domain_user(scan->prior, dev->group, dev->name);
		/* Reported once: the domain is gone now. */
		pasid_remove(scan->st, dev, dev->pasids[i--].pasid);
	}
	return 0;
}

static void apply_domain_free(struct iw_state *st, struct iw_record *rec,
			      struct iw_prior *prior)
{
	struct free_scan scan = { st, rec->from.id, prior, NULL };

	if (!ref_count(st, scan.id))
		return;
	scan.group_counted = calloc(st->n_groups ? st->n_groups : 1, sizeof(bool));
	state_for_each_device(st, count_domain_users, &scan);
	/* A group on the domain counts once, if none of its RIDs did. */
	for (int id = 0; id < st->n_groups; id++) {
		if (!st->groups[id].present || !st->groups[id].n_devices ||
		    st->groups[id].dom.id != scan.id ||
		    (scan.group_counted && scan.group_counted[id]))
			continue;
		prior->rid_users++;
		note_domain_user(prior, id, "");
	}
	free(scan.group_counted);
}

void state_apply(struct iw_state *st, struct iw_record *rec,
		 struct iw_prior *prior)
{
	struct iw_prior ignored;

	if (!prior)
		prior = &ignored;
	memset(prior, 0, sizeof(*prior));
	prior->user_group = -1;
	switch (rec->type) {
	case IW_REC_TRANSITION:
		apply_transition(st, rec, prior);
		break;
	case IW_REC_RELEASE:
		apply_release(st, rec, prior);
		break;
	case IW_REC_DOMAIN_FREE:
		apply_domain_free(st, rec, prior);
		break;
	case IW_REC_GROUP_TYPE:	/* the pipeline expands it */
		break;
	}
}

struct iw_device *state_seed_device(struct iw_state *st, struct iw_group *grp,
				    const char *name)
{
	struct iw_device *dev = state_device(st, name, true);

	if (!dev)
		return NULL;
	device_set_group(st, dev, grp->id);
	ref_move(st, &dev->rid, dev->rid_known, grp->dom);
	dev->rid_known = grp->dom_known;
	dev->released = false;
	return dev;
}
