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

/*
 * Groups are kernel ida ids (0..INT_MAX) read from files of any origin:
 * kept sparse, so memory follows how many there are, not their values.
 * The kernel's are dense from 0, and those are found by index, as fast
 * as the array sized by the largest id was. Each group is allocated
 * once, so a pointer stays valid until state_clear().
 */
struct iw_state {
	struct intmap *group_ids;	/* id + 1 -> struct iw_group * */
	struct iw_group **groups;	/* all, in id order if groups_sorted */
	unsigned int n_groups;
	unsigned int cap_groups;
	bool groups_sorted;
	struct iw_group **by_id;	/* every group with an id < n_by_id */
	unsigned int n_by_id;		/* at most DENSE_SLOTS(n_groups) */
	struct lh_table *devices;	/* name -> struct iw_device */
	/*
	 * domain id -> how many RIDs, PASIDs and groups name it. It may count
	 * too many (then a free scans to be exact), never too few: a free of
	 * a domain nobody names, the usual case, costs no scan.
	 */
	struct intmap *refs;
	bool refs_short;		/* a count was lost to OOM: always scan */
	/* IOMMU instances, never moved: groups point at them. */
	struct iw_iommu *iommus;
	unsigned int n_iommus;
};

/* A host has one IOMMU per PCI segment or SMMU; a journal may claim more. */
#define IW_MAX_IOMMUS	256

static __u64 ref_count(struct iw_state *st, __u32 id)
{
	__u64 *n = intmap_get(st->refs, id);

	return n ? *n : 0;
}

static void ref_add(struct iw_state *st, __u32 id, int delta)
{
	__u64 *n = intmap_get(st->refs, id);

	if (!n) {
		/* Out of memory: a count too few would hide a use after free. */
		if (id && delta > 0 && intmap_put(st->refs, id, delta))
			st->refs_short = true;
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

static void groups_free(struct iw_state *st)
{
	for (unsigned int i = 0; i < st->n_groups; i++)
		free(st->groups[i]);
	free(st->groups);
	st->groups = NULL;
	st->n_groups = st->cap_groups = 0;
	st->groups_sorted = true;
	free(st->by_id);
	st->by_id = NULL;
	st->n_by_id = 0;
}

struct iw_state *state_new(void)
{
	struct iw_state *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->devices = lh_kchar_table_new(256, device_free_entry);
	st->refs = intmap_new();
	st->group_ids = intmap_new();
	st->groups_sorted = true;
	if (!st->devices || !st->refs || !st->group_ids) {
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
	groups_free(st);
	intmap_free(st->group_ids);
	free(st->iommus);
	free(st);
}

void state_clear(struct iw_state *st)
{
	struct lh_table *fresh = lh_kchar_table_new(256, device_free_entry);
	struct intmap *refs = intmap_new(), *group_ids = intmap_new();

	/* Out of memory: all is kept rather than half. */
	if (!fresh || !refs || !group_ids) {
		if (fresh)
			lh_table_free(fresh);
		intmap_free(refs);
		intmap_free(group_ids);
		return;
	}
	lh_table_free(st->devices);
	st->devices = fresh;
	intmap_free(st->refs);
	st->refs = refs;
	st->refs_short = false;
	groups_free(st);
	intmap_free(st->group_ids);
	st->group_ids = group_ids;
}

/* Key 0 is the map's empty slot: group 0 is key 1. */
static __u64 group_key(int id)
{
	return (__u64)id + 1;
}

/* The index covers ids up to a few times the count, never the id alone. */
#define DENSE_SLOTS(n)	(4 * (size_t)(n) + 64)

/* Index ids below a power of two above id, if the count allows it. */
static void by_id_grow(struct iw_state *st, int id)
{
	size_t cap = st->n_by_id ? st->n_by_id : 64;
	struct iw_group **grown;

	while (cap <= (size_t)id)
		cap *= 2;
	if (cap > DENSE_SLOTS(st->n_groups))
		return;
	grown = realloc(st->by_id, sizeof(*grown) * cap);
	/* Out of memory: the map alone still finds every group. */
	if (!grown)
		return;
	memset(grown + st->n_by_id, 0, sizeof(*grown) * (cap - st->n_by_id));
	for (unsigned int i = 0; i < st->n_groups; i++)
		if ((size_t)st->groups[i]->id < cap)
			grown[st->groups[i]->id] = st->groups[i];
	st->by_id = grown;
	st->n_by_id = cap;
}

static struct iw_group *group_add(struct iw_state *st, int id)
{
	struct iw_group *grp, **grown;
	unsigned int cap;

	if (st->n_groups == st->cap_groups) {
		cap = st->cap_groups ? st->cap_groups * 2 : 64;
		grown = realloc(st->groups, sizeof(*grown) * cap);
		if (!grown)
			return NULL;
		st->groups = grown;
		st->cap_groups = cap;
	}
	grp = calloc(1, sizeof(*grp));
	if (!grp)
		return NULL;
	if (intmap_put(st->group_ids, group_key(id), (uintptr_t)grp)) {
		free(grp);
		return NULL;
	}
	grp->id = id;
	if (st->n_groups && st->groups[st->n_groups - 1]->id > id)
		st->groups_sorted = false;
	st->groups[st->n_groups++] = grp;
	if ((unsigned int)id < st->n_by_id)
		st->by_id[id] = grp;
	else
		by_id_grow(st, id);
	return grp;
}

struct iw_group *state_group(struct iw_state *st, int id, bool create)
{
	struct iw_group *grp;
	__u64 *found;

	if (id < 0)
		return NULL;
	if ((unsigned int)id < st->n_by_id) {
		grp = st->by_id[id];
	} else {
		found = intmap_get(st->group_ids, group_key(id));
		grp = found ? (struct iw_group *)(uintptr_t)*found : NULL;
	}
	if (!grp && create)
		grp = group_add(st, id);
	return grp;
}

const struct iw_iommu *state_iommu(struct iw_state *st, const char *name,
				   const char *driver)
{
	struct iw_iommu *u;

	if (!name[0])
		return NULL;
	for (unsigned int i = 0; i < st->n_iommus; i++) {
		u = &st->iommus[i];
		if (!strncmp(u->name, name, sizeof(u->name) - 1))
			goto found;
	}
	if (!st->iommus)
		st->iommus = calloc(IW_MAX_IOMMUS, sizeof(*st->iommus));
	if (!st->iommus || st->n_iommus == IW_MAX_IOMMUS)
		return NULL;
	u = &st->iommus[st->n_iommus++];
	snprintf(u->name, sizeof(u->name), "%s", name);
found:
	/* A driver learnt later (a journal's first group may not say). */
	if (driver && driver[0] && !u->driver[0])
		snprintf(u->driver, sizeof(u->driver), "%s", driver);
	return u;
}

static int group_cmp(const void *a, const void *b)
{
	const struct iw_group *x = *(struct iw_group *const *)a;
	const struct iw_group *y = *(struct iw_group *const *)b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Groups are added in id order (sysfs, a journal), so this seldom sorts. */
static void groups_sort(struct iw_state *st)
{
	if (st->groups_sorted)
		return;
	qsort(st->groups, st->n_groups, sizeof(*st->groups), group_cmp);
	st->groups_sorted = true;
}

int state_for_each_group(struct iw_state *st,
			 int (*cb)(struct iw_group *grp, void *arg), void *arg)
{
	int err;

	groups_sort(st);
	for (unsigned int i = 0; i < st->n_groups; i++) {
		err = cb(st->groups[i], arg);
		if (err)
			return err;
	}
	return 0;
}

unsigned int state_n_groups(const struct iw_state *st)
{
	return st->n_groups;
}

struct iw_device *state_device(struct iw_state *st, const char *name,
			       bool create)
{
	char key[IW_DEV_NAME_LEN];
	struct iw_device *dev;
	void *found;

	/* BPF could not read the name (IW_F_NO_NAME): "" keys nothing. */
	if (!name[0])
		return NULL;
	/* Events carry a name's first bytes only: sysfs's is cut the same. */
	if (strnlen(name, sizeof(key)) == sizeof(key)) {
		memcpy(key, name, sizeof(key) - 1);
		key[sizeof(key) - 1] = '\0';
		name = key;
	}
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

/* The device's own entry for pasid; orphans are not the device's. */
static struct iw_pasid_entry *pasid_find(struct iw_device *dev, __u32 pasid)
{
	for (unsigned int i = 0; i < dev->n_pasids; i++)
		if (dev->pasids[i].pasid == pasid && !dev->pasids[i].orphaned)
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
		*ent = (struct iw_pasid_entry){ .pasid = pasid };
	}
	ref_move(st, &ent->dom, existed, dom);
	return 0;
}

static void pasid_remove_at(struct iw_state *st, struct iw_device *dev,
			    unsigned int i)
{
	struct iw_pasid_entry *ent = &dev->pasids[i];

	ref_add(st, ent->dom.id, -1);
	if (ent->orphaned)
		dev->n_orphans--;
	*ent = dev->pasids[--dev->n_pasids];
}

static void pasid_remove(struct iw_state *st, struct iw_device *dev,
			 __u32 pasid)
{
	struct iw_pasid_entry *ent = pasid_find(dev, pasid);

	if (ent)
		pasid_remove_at(st, dev, ent - dev->pasids);
}

/*
 * A new life of the device: PASIDs it was released with are no longer its
 * own, but the driver still holds them on their domains, so they stay for
 * the free that will find them.
 */
static void pasids_orphan(struct iw_device *dev)
{
	for (unsigned int i = 0; i < dev->n_pasids; i++) {
		dev->pasids[i].orphaned = true;
		dev->pasids[i].parked = false;
	}
	dev->n_orphans = dev->n_pasids;
}

/*
 * The device's outermost reset ended: each PASID its fence parked is due
 * back where it was. One the core forgot meanwhile (a detach in the
 * fence) is no longer listed. prior NULL: nothing to hold done to.
 */
static void pasids_unpark(struct iw_device *dev, struct iw_prior *prior)
{
	for (unsigned int i = 0; i < dev->n_pasids; i++) {
		struct iw_pasid_entry *ent = &dev->pasids[i];

		if (!ent->parked)
			continue;
		ent->parked = false;
		if (!prior || (ent->dom.id == ent->before_reset.id &&
			       ent->dom.kind == ent->before_reset.kind))
			continue;
		if (!prior->pasids_lost++) {
			prior->lost_pasid = ent->pasid;
			prior->lost_from = ent->before_reset;
		}
	}
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
	prior->rid_exact = dev->rid_known &&
			   (dev->rid.id || dev->rid.kind == IW_DOM_NONE);
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

	/* The core attaches a PASID only where pasid_array has none: a
	 * kernel that does not pass old (6.12) still says it came from none. */
	prior->known = ent || dev->pasids_known ||
		       (rec->path == IW_PATH_PASID && rec->to.kind != IW_DOM_NONE &&
			!(rec->flags & IW_F_HAS_OLD));
	prior->dom = ent ? ent->dom : (struct iw_dom){ 0, IW_DOM_NONE };
	/* Else the kernel's old, where it passed one, is all there is. */
	if (!prior->known && rec->from_known) {
		prior->known = true;
		prior->dom = rec->from;
	}
	if (!rec->from_known && prior->known) {
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
	ent = pasid_find(dev, rec->pasid);
	/* Parked by a fence: remember where from, for its done. */
	if (ent && !ent->parked && rec->path == IW_PATH_RESET &&
	    rec->to.kind == IW_DOM_BLOCKED && rec->from_known) {
		ent->parked = true;
		ent->before_reset = rec->from;
	}
}

/* What the device's previous record in this life said of require_direct. */
static void direct_before(const struct iw_device *dev, struct iw_prior *prior)
{
	prior->direct_before_known = dev->flags & IW_F_DIRECT_KNOWN;
	prior->direct_before = dev->flags & IW_F_REQUIRE_DIRECT;
}

/* The device's resets, as they were before the record. */
static void reset_before(const struct iw_device *dev, struct iw_prior *prior)
{
	prior->resets_open = dev->resets_open;
	prior->resets_known = dev->resets_known;
	prior->reset_fenced = dev->reset_fenced;
	prior->reset_since_ns = dev->reset_since_ns;
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
		pasids_orphan(dev);
		dev->pasids_known = true;
		dev->reset_fenced = false;
		dev->flags = 0;
	}
	/* Entering the core (its probe), a device has no PASID yet. */
	if (rec->path == IW_PATH_PROBE && rec->pasid == IW_NO_PASID)
		dev->pasids_known = true;
	direct_before(dev, prior);
	reset_before(dev, prior);
	if (rec->group >= 0 && !dev->released)
		device_set_group(st, dev, rec->group);
	dev->flags = rec->flags;
	if (rec->pasid == IW_NO_PASID)
		apply_rid(st, dev, rec, prior);
	else
		apply_pasid(st, dev, rec, prior);
}

/* The device is out of every reset: none open, the balance as said. */
static void reset_end(struct iw_device *dev, bool known)
{
	dev->resets_open = 0;
	dev->resets_known = known;
	dev->reset_fenced = false;
	dev->reset_since_ns = 0;
}

/*
 * After a done this session cannot pair (the device may have been in a
 * nested reset when watching began): whether the kernel says it is out.
 */
static bool reset_left(const struct iw_record *rec)
{
	if (!(rec->flags & IW_F_BLOCKED_KNOWN) || (rec->flags & IW_F_RESET_BLOCKED))
		return false;
	/* Without reset_depth the kernel refuses a nested prepare. */
	return !(rec->flags & IW_F_DEPTH_KNOWN) || !rec->reset_depth;
}

/*
 * A prepare opens a reset (nested ones only count), done closes one. A
 * failed prepare changed nothing in the kernel, but whether its caller
 * still calls done is the caller's: with none open, the balance is then
 * no longer known.
 */
static void apply_reset(struct iw_state *st, struct iw_record *rec,
			struct iw_prior *prior)
{
	struct iw_device *dev = state_device(st, rec->device, true);
	struct iw_group *grp;

	if (!dev)
		return;
	prior->known = rid_prior(st, dev, &prior->dom);
	prior->rid_exact = dev->rid_known;
	if (prior->known) {
		rec->from = prior->dom;
		rec->from_known = true;
	}
	grp = state_group(st, dev->group, false);
	if (grp && grp->dom_known) {
		prior->group_dom = grp->dom;
		prior->group_known = true;
	}
	reset_before(dev, prior);
	if (rec->type == IW_REC_RESET_DONE) {
		if (dev->resets_open > 1) {
			dev->resets_open--;
		} else if (dev->resets_open) {
			reset_end(dev, true);
			pasids_unpark(dev, prior);
		} else {
			reset_end(dev, reset_left(rec));
			/* Watching began in it: nothing to hold done to. */
			if (dev->resets_known)
				pasids_unpark(dev, NULL);
		}
		return;
	}
	if (rec->ret) {
		if (!dev->resets_open)
			dev->resets_known = false;
		return;
	}
	if (!dev->resets_open++) {
		dev->reset_since_ns = rec->mono_ns;
		dev->reset_fenced = (rec->flags & IW_F_BLOCKED_KNOWN) &&
				    (rec->flags & IW_F_RESET_BLOCKED);
	}
	dev->resets_known = true;
}

static void apply_release(struct iw_state *st, struct iw_record *rec,
			  struct iw_prior *prior)
{
	struct iw_device *dev = state_device(st, rec->device, true);
	bool fenced;

	if (!dev)
		return;
	prior->known = rid_prior(st, dev, &prior->dom);
	prior->pasids_left = device_pasids(dev);
	if (prior->known) {
		rec->from = prior->dom;
		rec->from_known = true;
	}
	direct_before(dev, prior);
	reset_before(dev, prior);
	/* Its group_device goes: a reset it was in ends, unbalanced. The
	 * release domain's attach still finds the RID where a fence put it. */
	fenced = dev->resets_open && dev->reset_fenced;
	reset_end(dev, false);
	dev->reset_fenced = fenced;
	dev->flags = rec->flags;
	/* The core tears no PASID down here: they stay until their domain
	 * is freed, orphaned once the device comes back. */
	dev->released = true;
	device_set_group(st, dev, -1);
}

struct free_scan {
	struct iw_state *st;
	__u32 id;
	struct iw_prior *prior;
	struct intmap *counted;	/* groups with a RID counted (id + 1) */
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
		/* Out of memory: a group may be counted twice, never missed. */
		if (scan->counted && dev->group >= 0 &&
		    intmap_put(scan->counted, group_key(dev->group), 1)) {
			intmap_free(scan->counted);
			scan->counted = NULL;
		}
		note_domain_user(scan->prior, dev->group, dev->name);
	}
	for (unsigned int i = 0; i < dev->n_pasids; i++) {
		if (dev->pasids[i].dom.id != scan->id)
			continue;
		scan->prior->pasid_users++;
		/* An orphan is in no group: the one its device is in now
		 * came with the new life. */
		note_domain_user(scan->prior, dev->pasids[i].orphaned ? -1 :
				 dev->group, dev->name);
		/* Reported once: the domain is gone now. */
		pasid_remove_at(scan->st, dev, i--);
	}
	return 0;
}

static void apply_domain_free(struct iw_state *st, struct iw_record *rec,
			      struct iw_prior *prior)
{
	struct free_scan scan = { st, rec->from.id, prior, NULL };

	if (!st->refs_short && !ref_count(st, scan.id))
		return;
	scan.counted = intmap_new();
	state_for_each_device(st, count_domain_users, &scan);
	/* A group on the domain counts once, if none of its RIDs did. */
	groups_sort(st);
	for (unsigned int i = 0; i < st->n_groups; i++) {
		struct iw_group *grp = st->groups[i];
		__u64 key = group_key(grp->id);

		if (!grp->n_devices || grp->dom.id != scan.id ||
		    (scan.counted && intmap_get(scan.counted, key)))
			continue;
		prior->rid_users++;
		note_domain_user(prior, grp->id, "");
	}
	intmap_free(scan.counted);
}

void state_apply(struct iw_state *st, struct iw_record *rec,
		 struct iw_prior *prior)
{
	struct iw_prior ignored;
	struct iw_group *grp;

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
	case IW_REC_RESET_PREPARE:
	case IW_REC_RESET_DONE:
		apply_reset(st, rec, prior);
		break;
	case IW_REC_GROUP_TYPE:	/* the pipeline expands it */
		break;
	}
	grp = state_group(st, rec->group, false);
	prior->iommu = grp ? grp->iommu : NULL;
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
