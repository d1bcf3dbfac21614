// SPDX-License-Identifier: GPL-2.0
/* Seeding from a sysfs tree and advancing the state by records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "state.h"
#include "unit.h"
#include "util.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	unit_put_file(root, rel, text);
}

static void mkdirf(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	mkdir(path, 0755);
}

static int keep_id(struct iw_group *g, void *arg)
{
	*(int *)arg = g->id;
	return 0;
}

/* The highest group id (groups come in id order), -1 if none. */
static int last_group(struct iw_state *st)
{
	int id = -1;

	state_for_each_group(st, keep_id, &id);
	return id;
}

/* Group 3: DMA-FQ with an RMRR device; group 4: identity, two devices. */
static void make_sysfs(void)
{
	snprintf(root, sizeof(root), "/tmp/iw-unit-XXXXXX");
	if (!mkdtemp(root))
		abort();
	mkdirf("kernel");
	mkdirf("kernel/iommu_groups");
	mkdirf("kernel/iommu_groups/3");
	mkdirf("kernel/iommu_groups/3/devices");
	mkdirf("kernel/iommu_groups/3/devices/0000:00:03.0");
	put("kernel/iommu_groups/3/type", "DMA-FQ\n");
	put("kernel/iommu_groups/3/reserved_regions",
	    "0x00000000feffc000 0x00000000feffffff direct\n"
	    "0x00000000fee00000 0x00000000feefffff msi\n");
	mkdirf("kernel/iommu_groups/4");
	mkdirf("kernel/iommu_groups/4/devices");
	mkdirf("kernel/iommu_groups/4/devices/0000:00:04.0");
	mkdirf("kernel/iommu_groups/4/devices/0000:00:04.1");
	put("kernel/iommu_groups/4/type", "identity\n");
	put("kernel/iommu_groups/4/reserved_regions", "");
	mkdirf("kernel/iommu_groups/not-a-group");
}

static struct iw_state *seeded(void)
{
	struct iw_state *st = state_new();

	make_sysfs();
	CHECK(state_seed_sysfs(st, root) == 0);
	return st;
}

static struct iw_record rid(const char *dev, int group, enum iw_path path,
			    enum iw_dom_kind to, __u32 id)
{
	struct iw_record r = { .type = IW_REC_TRANSITION, .group = group,
			       .pasid = IW_NO_PASID, .path = path,
			       .to = { id, to } };

	snprintf(r.device, sizeof(r.device), "%s", dev);
	return r;
}

static void seeds_groups_and_devices(void)
{
	struct iw_state *st = seeded();
	struct iw_group *g3 = state_group(st, 3, false);
	struct iw_group *g4 = state_group(st, 4, false);
	struct iw_device *d = state_device(st, "0000:00:04.1", false);

	CHECK(g3 && g3->direct && g3->dom.kind == IW_DOM_DMA_FQ);
	CHECK(g4 && !g4->direct && g4->dom.kind == IW_DOM_IDENTITY);
	CHECK(g4 && g4->n_devices == 2);
	CHECK(d && d->group == 4 && d->rid_known &&
	      d->rid.kind == IW_DOM_IDENTITY);
	CHECK(last_group(st) == 4);
	CHECK(!state_group(st, 0, false));
	CHECK(state_seed_sysfs(st, "/nonexistent") < 0);
	state_free(st);
}

static void release_then_reprobe(void)
{
	struct iw_state *st = seeded();
	struct iw_record rel = rid("0000:00:03.0", 3, IW_PATH_RELEASE,
				   IW_DOM_NONE, 0);
	struct iw_record r;
	struct iw_prior prior;

	rel.type = IW_REC_RELEASE;
	state_apply(st, &rel, &prior);
	CHECK(rel.from_known && rel.from.kind == IW_DOM_DMA_FQ);
	CHECK(state_group(st, 3, false)->n_devices == 0);

	/* 6.12: the release domain is attached after iommu_deinit_device. */
	r = rid("0000:00:03.0", 3, IW_PATH_RELEASE, IW_DOM_BLOCKED, 1);
	state_apply(st, &r, &prior);
	CHECK(r.from.kind == IW_DOM_DMA_FQ);
	CHECK(state_group(st, 3, false)->dom.kind == IW_DOM_DMA_FQ);

	/* Rescan: a new life starts from no domain. */
	r = rid("0000:00:03.0", 3, IW_PATH_PROBE, IW_DOM_DMA_FQ, 5);
	state_apply(st, &r, &prior);
	CHECK(r.from_known && r.from.kind == IW_DOM_NONE);
	CHECK(state_group(st, 3, false)->n_devices == 1);
	CHECK(state_group(st, 3, false)->dom.id == 5);
	state_free(st);
}

static void failed_attach_changes_nothing(void)
{
	struct iw_state *st = seeded();
	struct iw_record r = rid("0000:00:04.0", 4, IW_PATH_DEFAULT,
				 IW_DOM_DMA, 8);
	struct iw_device *d;

	r.ret = -22;
	state_apply(st, &r, NULL);
	d = state_device(st, "0000:00:04.0", false);
	CHECK(d && d->rid.kind == IW_DOM_IDENTITY);
	CHECK(state_group(st, 4, false)->dom.kind == IW_DOM_IDENTITY);
	state_free(st);
}

/* An event whose device name BPF could not read tracks no device "". */
static void unnamed_device_not_tracked(void)
{
	struct iw_state *st = seeded();
	struct iw_record r = rid("", 4, IW_PATH_DEFAULT, IW_DOM_DMA, 8);

	r.flags |= IW_F_NO_NAME;
	state_apply(st, &r, NULL);
	CHECK(!state_device(st, "", false));
	CHECK(!state_device(st, "", true));
	CHECK(state_group(st, 4, false)->dom.kind == IW_DOM_IDENTITY);
	state_free(st);
}

static void pasids_tracked_and_freed_domain_counted(void)
{
	struct iw_state *st = seeded();
	struct iw_record r = rid("0000:00:03.0", 3, IW_PATH_PASID,
				 IW_DOM_UNMANAGED, 6);
	struct iw_record fr = { .type = IW_REC_DOMAIN_FREE,
				.from = { 6, IW_DOM_UNMANAGED } };
	struct iw_record rel = rid("0000:00:03.0", 3, IW_PATH_RELEASE,
				   IW_DOM_NONE, 0);
	struct iw_prior prior;

	/* Seeded: a PASID attached before start would not show in sysfs,
	 * so one a reset moves is unknown; the core's attach takes a PASID
	 * pasid_array has not, so one it attaches came from none. */
	r = rid("0000:00:04.1", 4, IW_PATH_RESET, IW_DOM_BLOCKED, 1);
	r.pasid = 2;
	state_apply(st, &r, &prior);
	CHECK(!r.from_known && !prior.known);
	r = rid("0000:00:03.0", 3, IW_PATH_PASID, IW_DOM_UNMANAGED, 6);
	r.pasid = 1;
	state_apply(st, &r, &prior);
	CHECK(r.from_known && r.from.kind == IW_DOM_NONE);
	CHECK(state_device(st, "0000:00:03.0", false)->n_pasids == 1);

	/* Released with the PASID on: it stays, orphaned, until its domain
	 * is freed, which reports it once. */
	rel.type = IW_REC_RELEASE;
	state_apply(st, &rel, &prior);
	CHECK(prior.pasids_left == 1);
	state_apply(st, &fr, &prior);
	CHECK(prior.pasid_users == 1 && prior.rid_users == 0);
	CHECK(!strcmp(prior.user_device, "0000:00:03.0"));
	CHECK(prior.user_group == -1);	/* released: in no group now */
	state_apply(st, &fr, &prior);
	CHECK(prior.pasid_users == 0);

	/* 7.x detaches by attaching the blocked domain on the pasid path. */
	r = rid("0000:00:04.0", 4, IW_PATH_PASID, IW_DOM_UNMANAGED, 7);
	r.pasid = 2;
	state_apply(st, &r, NULL);
	r = rid("0000:00:04.0", 4, IW_PATH_PASID, IW_DOM_BLOCKED, 1);
	r.pasid = 2;
	state_apply(st, &r, NULL);
	CHECK(r.from.id == 7);
	CHECK(state_device(st, "0000:00:04.0", false)->n_pasids == 0);
	state_free(st);
}

/*
 * Removed with a PASID on, then rescanned: the new life has no PASID of
 * its own (not counted, a PASID of the same number is a new one), but the
 * orphan is still on its domain when that is freed.
 */
static void orphaned_pasid_outlives_reprobe(void)
{
	struct iw_state *st = seeded();
	struct iw_record r = rid("0000:00:03.0", 3, IW_PATH_PASID,
				 IW_DOM_UNMANAGED, 6);
	struct iw_record rel = rid("0000:00:03.0", 3, IW_PATH_RELEASE,
				   IW_DOM_NONE, 0);
	struct iw_record fr = { .type = IW_REC_DOMAIN_FREE,
				.from = { 6, IW_DOM_UNMANAGED } };
	struct iw_device *d;
	struct iw_prior prior;

	r.pasid = 1;
	state_apply(st, &r, NULL);
	rel.type = IW_REC_RELEASE;
	state_apply(st, &rel, &prior);
	CHECK(prior.pasids_left == 1);

	r = rid("0000:00:03.0", 8, IW_PATH_PROBE, IW_DOM_DMA_FQ, 5);
	state_apply(st, &r, NULL);
	d = state_device(st, "0000:00:03.0", false);
	CHECK(d && !d->released && d->group == 8 && device_pasids(d) == 0);

	/* The new life attaches PASID 1 elsewhere: a PASID of its own. */
	r = rid("0000:00:03.0", 8, IW_PATH_PASID, IW_DOM_UNMANAGED, 7);
	r.pasid = 1;
	state_apply(st, &r, &prior);
	CHECK(r.from_known && r.from.kind == IW_DOM_NONE &&
	      device_pasids(d) == 1);

	state_apply(st, &fr, &prior);
	CHECK(prior.pasid_users == 1 && prior.rid_users == 0);
	CHECK(!strcmp(prior.user_device, "0000:00:03.0"));
	CHECK(prior.user_group == -1);	/* not group 8: that is the new life's */
	CHECK(device_pasids(d) == 1 && d->n_pasids == 1);

	/* Released again: only the new life's PASID was left behind. */
	state_apply(st, &rel, &prior);
	CHECK(prior.pasids_left == 1);
	state_free(st);
}

/* A RID and its group on a freed domain are one user, and named. */
static void freed_rid_domain_counted_once(void)
{
	struct iw_state *st = seeded();
	struct iw_record r = rid("0000:00:03.0", 3, IW_PATH_ATTACH,
				 IW_DOM_UNMANAGED, 9);
	struct iw_record fr = { .type = IW_REC_DOMAIN_FREE,
				.from = { 9, IW_DOM_UNMANAGED } };
	struct iw_prior prior;

	state_apply(st, &r, NULL);
	state_apply(st, &fr, &prior);
	CHECK(prior.rid_users == 1 && prior.pasid_users == 0);
	CHECK(prior.user_group == 3);
	CHECK(!strcmp(prior.user_device, "0000:00:03.0"));
	state_free(st);
}

/* The same on a group whose id would have sized an array. */
static void freed_domain_on_huge_group(void)
{
	struct iw_state *st = state_new();
	struct iw_group *g = state_group(st, 2147483647, true);
	struct iw_record fr = { .type = IW_REC_DOMAIN_FREE,
				.from = { 9, IW_DOM_UNMANAGED } };
	struct iw_record r = rid("0000:00:05.0", 2147483647, IW_PATH_ATTACH,
				 IW_DOM_UNMANAGED, 9);
	struct iw_prior prior;

	g->dom = (struct iw_dom){ 0, IW_DOM_DMA };
	g->dom_known = true;
	state_seed_device(st, g, "0000:00:05.0");
	state_seed_device(st, g, "0000:00:05.1");
	state_apply(st, &r, NULL);
	state_apply(st, &fr, &prior);
	/* One RID on it, and its group counted with it, not again. */
	CHECK(prior.rid_users == 1 && prior.user_group == 2147483647);
	state_free(st);
}

/* A deferred device's first attach starts from no domain of this kernel. */
static void deferred_attach_from_none(void)
{
	struct iw_state *st = seeded();
	struct iw_record r = rid("0000:00:03.0", 3, IW_PATH_DEFERRED,
				 IW_DOM_DMA_FQ, 11);

	state_apply(st, &r, NULL);
	CHECK(r.from_known && r.from.kind == IW_DOM_NONE);
	CHECK(state_device(st, "0000:00:03.0", false)->rid.id == 11);
	state_free(st);
}

static long peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* Ids are any int the kernel's ida gives: memory follows the count. */
static void huge_group_ids_stay_small(void)
{
	struct iw_state *st = state_new();
	long before = peak_rss_kib();
	struct iw_group *g = state_group(st, 50000000, true);

	CHECK(g && g->id == 50000000);
	g = state_group(st, 2147483647, true);
	CHECK(g && g->id == 2147483647);
	CHECK(state_group(st, 2147483647, false) == g);
	CHECK(state_group(st, 50000000, false)->id == 50000000);
	CHECK(!state_group(st, 49999999, false));
	CHECK(!state_group(st, -1, true));
	CHECK(state_n_groups(st) == 2);
	CHECK(last_group(st) == 2147483647);
	CHECK(peak_rss_kib() - before < 16 * 1024);
	state_free(st);
}

struct seen_ids {
	int last;
	int n;
	int stop_at;
	bool ascending;
};

static int note_id(struct iw_group *g, void *arg)
{
	struct seen_ids *seen = arg;

	if (g->id <= seen->last)
		seen->ascending = false;
	seen->last = g->id;
	return ++seen->n == seen->stop_at;
}

/* Ascending ids whatever the order of creation; pointers stay put. */
static void groups_in_id_order_and_stable(void)
{
	static const int order[] = { 7, 3, 2147483647, 0, 50000000, 3 };
	struct iw_state *st = state_new();
	struct seen_ids all = { -1, 0, 0, true }, first = { -1, 0, 3, true };
	struct iw_group *g7;

	for (size_t i = 0; i < ARRAY_SIZE(order); i++)
		state_group(st, order[i], true);
	g7 = state_group(st, 7, false);
	g7->direct = true;
	for (int id = 6000; id > 1000; id--)
		state_group(st, id, true);
	CHECK(state_group(st, 7, false) == g7 && g7->direct);
	for (int id = 1001; id <= 6000; id++)
		CHECK(state_group(st, id, false) &&
		      state_group(st, id, false)->id == id);
	CHECK(!state_group(st, 1000, false) && !state_group(st, 6001, false));
	CHECK(last_group(st) == 2147483647);
	CHECK(state_for_each_group(st, note_id, &all) == 0);
	CHECK(all.ascending && all.n == 5005 && all.last == 2147483647);
	CHECK(state_for_each_group(st, note_id, &first) == 1);
	CHECK(first.ascending && first.n == 3 && first.last == 7);
	state_clear(st);
	CHECK(state_n_groups(st) == 0 && last_group(st) == -1);
	CHECK(!state_group(st, 7, false));
	state_free(st);
}

/*
 * A platform device's name longer than an event's field: sysfs's full
 * name and an event's cut one must find the same device.
 */
static void long_device_name_one_key(void)
{
	static const char full[] = "fd900000.iommu-client-display-port-1";
	char cut[IW_DEV_NAME_LEN];
	struct iw_state *st = state_new();
	struct iw_device *dev;

	make_sysfs();
	mkdirf("kernel/iommu_groups/6");
	mkdirf("kernel/iommu_groups/6/devices");
	mkdirf("kernel/iommu_groups/6/devices/fd900000.iommu-client-display-port-1");
	put("kernel/iommu_groups/6/type", "DMA\n");
	CHECK(state_seed_sysfs(st, root) == 0);
	snprintf(cut, sizeof(cut), "%.*s", IW_DEV_NAME_LEN - 1, full);
	dev = state_device(st, full, false);
	CHECK(dev && dev->group == 6);
	CHECK(dev && dev == state_device(st, cut, false));
	CHECK(state_group(st, 6, false) &&
	      state_group(st, 6, false)->n_devices == 1);
	state_free(st);
}

static void linkf(const char *target, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (symlink(target, path))
		abort();
}

/*
 * Each group names its devices' IOMMU from the "iommu" link; the driver is
 * the IOMMU device's driver (virtio-iommu) or, for DMAR units that have
 * no device, what the name says. A name too long to keep is unknown.
 */
static void groups_name_their_iommu(void)
{
	struct iw_state *st = state_new();
	struct iw_record r;
	struct iw_prior prior;
	const struct iw_group *g3, *g4, *g5;

	make_sysfs();
	mkdirf("class");
	mkdirf("class/iommu");
	mkdirf("class/iommu/dmar0");
	mkdirf("class/iommu/0000:00:07.0");
	mkdirf("virtio0");
	linkf("../../bus/virtio/drivers/virtio_iommu", "virtio0/driver");
	linkf("../../../virtio0", "class/iommu/0000:00:07.0/device");
	linkf("../../../../../devices/virtual/iommu/dmar0",
	      "kernel/iommu_groups/3/devices/0000:00:03.0/iommu");
	linkf("../../../../../devices/pci0000:00/0000:00:07.0/virtio0/iommu/0000:00:07.0",
	      "kernel/iommu_groups/4/devices/0000:00:04.0/iommu");
	mkdirf("kernel/iommu_groups/5");
	mkdirf("kernel/iommu_groups/5/devices");
	mkdirf("kernel/iommu_groups/5/devices/0000:00:05.0");
	put("kernel/iommu_groups/5/type", "DMA\n");
	linkf("../../../../../devices/virtual/iommu/an-iommu-name-longer-than-it-may-be",
	      "kernel/iommu_groups/5/devices/0000:00:05.0/iommu");
	CHECK(state_seed_sysfs(st, root) == 0);
	g3 = state_group(st, 3, false);
	g4 = state_group(st, 4, false);
	g5 = state_group(st, 5, false);
	CHECK(g3 && g3->iommu && !strcmp(g3->iommu->name, "dmar0"));
	CHECK_STR(g3->iommu->driver, "intel-iommu");
	CHECK(g4 && g4->iommu && !strcmp(g4->iommu->name, "0000:00:07.0"));
	CHECK_STR(g4->iommu->driver, "virtio-iommu");
	CHECK(g5 && !g5->iommu);
	/* One entry per instance; the records carry their group's. */
	CHECK(state_iommu(st, "dmar0", NULL) == g3->iommu);
	r = rid("0000:00:04.1", 4, IW_PATH_DEFAULT, IW_DOM_DMA, 9);
	state_apply(st, &r, &prior);
	CHECK(prior.iommu == g4->iommu);
	for (int i = 0; i < 300; i++) {
		char name[16];

		snprintf(name, sizeof(name), "ivhd%d", i);
		if (!state_iommu(st, name, "amd-iommu"))
			break;
		CHECK(i < 256);
	}
	CHECK(!state_iommu(st, "ivhd299", NULL));
	CHECK(!state_iommu(st, "", NULL));
	state_free(st);
}

/*
 * A group made after the seed (arm64 6.12 groups a device when its driver
 * probes): its IOMMU and direct region come from sysfs, its domain and
 * devices from its own events; the probe is from nothing known.
 */
static void new_group_after_seed(void)
{
	struct iw_state *st = state_new();
	struct iw_record r;
	struct iw_prior prior;
	const struct iw_group *g;

	make_sysfs();
	CHECK(state_seed_sysfs(st, root) == 0);
	mkdirf("class");
	mkdirf("class/iommu");
	mkdirf("class/iommu/smmu3.0x0000000009050000");
	mkdirf("kernel/iommu_groups/7");
	mkdirf("kernel/iommu_groups/7/devices");
	mkdirf("kernel/iommu_groups/7/devices/0000:00:07.0");
	put("kernel/iommu_groups/7/type", "DMA\n");
	put("kernel/iommu_groups/7/reserved_regions",
	    "0x00000000bff00000 0x00000000bfffffff direct\n");
	linkf("../../../../../devices/platform/9050000.smmuv3/iommu/smmu3.0x0000000009050000",
	      "kernel/iommu_groups/7/devices/0000:00:07.0/iommu");
	g = state_seed_new_group(st, root, 7);
	CHECK(g && g->direct && !g->dom_known && !g->n_devices);
	CHECK(g && g->iommu && !strcmp(g->iommu->name, "smmu3.0x0000000009050000"));
	r = rid("0000:00:07.0", 7, IW_PATH_PROBE, IW_DOM_DMA, 9);
	state_apply(st, &r, &prior);
	CHECK(!prior.known && prior.iommu == g->iommu);
	/* Gone from sysfs already: nothing known, nothing invented. */
	g = state_seed_new_group(st, root, 8);
	CHECK(g && !g->direct && !g->iommu);
	state_free(st);
}

UNIT_MAIN("state", UNIT_CASE(seeds_groups_and_devices),
	  UNIT_CASE(groups_name_their_iommu), UNIT_CASE(new_group_after_seed),
	  UNIT_CASE(long_device_name_one_key),
	  UNIT_CASE(release_then_reprobe),
	  UNIT_CASE(failed_attach_changes_nothing),
	  UNIT_CASE(unnamed_device_not_tracked),
	  UNIT_CASE(pasids_tracked_and_freed_domain_counted),
	  UNIT_CASE(orphaned_pasid_outlives_reprobe),
	  UNIT_CASE(freed_rid_domain_counted_once),
	  UNIT_CASE(freed_domain_on_huge_group),
	  UNIT_CASE(deferred_attach_from_none),
	  UNIT_CASE(huge_group_ids_stay_small),
	  UNIT_CASE(groups_in_id_order_and_stable))
