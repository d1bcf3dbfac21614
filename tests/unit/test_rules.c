// SPDX-License-Identifier: GPL-2.0
/*
 * Each rule on event sequences that must fire it, and on near misses that
 * must not. Sequences go through the state as live records do.
 */
#include <stdio.h>
#include <string.h>
#include "pipeline.h"
#include "unit.h"

#define DEV "0000:00:03.0"

struct run {
	struct iw_state *st;
	struct pipeline pl;
};

static void run_init(struct run *r)
{
	struct iw_group *g;

	r->st = state_new();
	pipeline_init(&r->pl, r->st, NULL);
	/* Group 3 on a DMA-FQ domain (id 10), with DEV in it. */
	g = state_group(r->st, 3, true);
	g->dom = (struct iw_dom){ 10, IW_DOM_DMA_FQ };
	g->dom_known = true;
	state_seed_device(r->st, g, DEV);
}

static void run_done(struct run *r)
{
	state_free(r->st);
}

static __u64 fired(const struct run *r, const char *kind)
{
	return r->pl.violations[rule_index(kind)];
}

static struct iw_record attach(enum iw_path path, enum iw_dom_kind to,
			       __u32 id, __u32 flags)
{
	struct iw_record rec = {
		.type = IW_REC_TRANSITION, .group = 3, .device = DEV,
		.pasid = IW_NO_PASID, .path = path, .to = { id, to },
		.flags = IW_F_KNOWN_ALL | IW_F_MUTEX_HELD | flags,
	};

	return rec;
}

static void feed(struct run *r, struct iw_record rec)
{
	pipeline_feed(&r->pl, &rec);
}

static struct iw_record of_type(enum iw_record_type type)
{
	struct iw_record rec = attach(IW_PATH_RELEASE, IW_DOM_NONE, 0, 0);

	rec.type = type;
	return rec;
}

static void blocked_with_rmr(void)
{
	struct run r;

	/* Any path but a reset: release (6.12), fallback, ownership. */
	run_init(&r);
	feed(&r, of_type(IW_REC_RELEASE));
	feed(&r, attach(IW_PATH_RELEASE, IW_DOM_BLOCKED, 1, IW_F_REQUIRE_DIRECT));
	feed(&r, attach(IW_PATH_OWNER, IW_DOM_BLOCKED, 1, IW_F_REQUIRE_DIRECT));
	CHECK(fired(&r, "blocked_with_rmr") == 2);
	CHECK(r.pl.n_violations == 2);
	run_done(&r);

	/* 7.x's reset fence: the warning kind, never the critical one. */
	run_init(&r);
	feed(&r, attach(IW_PATH_RESET, IW_DOM_BLOCKED, 1, IW_F_REQUIRE_DIRECT));
	feed(&r, attach(IW_PATH_RESET, IW_DOM_DMA_FQ, 10, IW_F_REQUIRE_DIRECT));
	CHECK(fired(&r, "blocked_with_rmr_in_reset") == 1);
	CHECK(fired(&r, "blocked_with_rmr") == 0);
	CHECK(r.pl.n_violations == 1);
	CHECK(iw_rules[rule_index("blocked_with_rmr_in_reset")].severity ==
	      IW_SEV_WARNING);
	run_done(&r);

	/* Near misses: identity for the RMRR device (7.3), blocked for others,
	 * a refused attach. */
	run_init(&r);
	feed(&r, attach(IW_PATH_RELEASE, IW_DOM_IDENTITY, 2, IW_F_REQUIRE_DIRECT));
	feed(&r, attach(IW_PATH_OWNER, IW_DOM_BLOCKED, 1, 0));
	{
		struct iw_record rec = attach(IW_PATH_OWNER, IW_DOM_BLOCKED, 1,
					      IW_F_REQUIRE_DIRECT);
		rec.ret = -1;
		feed(&r, rec);
	}
	CHECK(fired(&r, "blocked_with_rmr") == 0);
	run_done(&r);

	/* 6.1 has no flag: the group's direct region stands for it. */
	run_init(&r);
	state_group(r.st, 3, false)->direct = true;
	{
		struct iw_record rec = attach(IW_PATH_OWNER, IW_DOM_BLOCKED, 1, 0);

		rec.flags &= ~IW_F_DIRECT_KNOWN;
		feed(&r, rec);
	}
	CHECK(fired(&r, "blocked_with_rmr") == 1);
	run_done(&r);
}

static struct iw_record pasid_attach(__u32 pasid, enum iw_dom_kind to,
				     __u32 id)
{
	struct iw_record rec = attach(IW_PATH_PASID, to, id, 0);

	rec.pasid = pasid;
	return rec;
}

static struct iw_record freed(__u32 id, enum iw_dom_kind kind)
{
	struct iw_record rec = of_type(IW_REC_DOMAIN_FREE);

	rec.from = (struct iw_dom){ id, kind };
	rec.from_known = true;
	return rec;
}

/* A PASID op whose kernel old is 21, on DEV's PASID 1. */
static struct iw_record pasid_from_21(enum iw_dom_kind to, __u32 id)
{
	struct iw_record rec = pasid_attach(1, to, id);

	rec.flags |= IW_F_HAS_OLD;
	rec.from = (struct iw_dom){ 21, IW_DOM_UNMANAGED };
	rec.from_known = true;
	return rec;
}

/*
 * DEV was there at start (seeded): a PASID attached before then is not in
 * sysfs, so the kernel's old for one never seen is unknown, not wrong (7.x's
 * reset parks such a PASID on the blocked domain). Once the session saw the
 * device enter the core, a PASID it never saw attached is on nothing.
 */
static void stale_pasid_before_start(void)
{
	struct run r;

	run_init(&r);
	feed(&r, pasid_from_21(IW_DOM_BLOCKED, 2));
	feed(&r, pasid_from_21(IW_DOM_UNMANAGED, 21));
	CHECK(r.pl.n_violations == 0);
	run_done(&r);

	run_init(&r);
	feed(&r, of_type(IW_REC_RELEASE));
	feed(&r, attach(IW_PATH_PROBE, IW_DOM_DMA_FQ, 11, 0));
	feed(&r, pasid_from_21(IW_DOM_BLOCKED, 2));
	CHECK(fired(&r, "stale_pasid") == 1);
	run_done(&r);

	/* A device new to the session: its probe is its first record. */
	run_init(&r);
	{
		struct iw_record probe = attach(IW_PATH_PROBE, IW_DOM_DMA_FQ,
						11, 0);

		snprintf(probe.device, sizeof(probe.device), "0000:00:05.0");
		feed(&r, probe);
		probe = pasid_from_21(IW_DOM_BLOCKED, 2);
		snprintf(probe.device, sizeof(probe.device), "0000:00:05.0");
		feed(&r, probe);
	}
	CHECK(fired(&r, "stale_pasid") == 1);
	run_done(&r);
}

static void stale_pasid(void)
{
	struct run r;

	/* Released with PASID 1 attached; its domain then freed. */
	run_init(&r);
	feed(&r, pasid_attach(1, IW_DOM_UNMANAGED, 20));
	feed(&r, of_type(IW_REC_RELEASE));
	CHECK(fired(&r, "stale_pasid") == 1);
	run_done(&r);

	run_init(&r);
	feed(&r, pasid_attach(1, IW_DOM_UNMANAGED, 20));
	feed(&r, freed(20, IW_DOM_UNMANAGED));
	CHECK(fired(&r, "stale_pasid") == 1);
	run_done(&r);

	/* The kernel's old domain is not the one that was attached. */
	run_init(&r);
	feed(&r, pasid_attach(1, IW_DOM_UNMANAGED, 20));
	{
		struct iw_record rec = pasid_attach(1, IW_DOM_BLOCKED, 2);

		rec.flags |= IW_F_HAS_OLD;
		rec.from = (struct iw_dom){ 21, IW_DOM_UNMANAGED };
		rec.from_known = true;
		feed(&r, rec);
	}
	CHECK(fired(&r, "stale_pasid") == 1);
	run_done(&r);

	/* Clean: attach, detach (7.x blocked on the pasid path), free. */
	run_init(&r);
	feed(&r, pasid_attach(1, IW_DOM_UNMANAGED, 20));
	{
		struct iw_record rec = pasid_attach(1, IW_DOM_BLOCKED, 2);

		rec.flags |= IW_F_HAS_OLD;
		rec.from = (struct iw_dom){ 20, IW_DOM_UNMANAGED };
		rec.from_known = true;
		feed(&r, rec);
	}
	feed(&r, freed(20, IW_DOM_UNMANAGED));
	feed(&r, of_type(IW_REC_RELEASE));
	CHECK(r.pl.n_violations == 0);
	run_done(&r);

	stale_pasid_before_start();
}

/* The violation's evidence names where the freed domain was in use. */
static void freed_domain_user_named(struct run *r)
{
	struct iw_record rec = freed(30, IW_DOM_UNMANAGED);
	struct iw_prior prior = { .rid_users = 1, .user_group = 3,
				  .user_device = DEV };
	struct iw_violation v[IW_RULES_MAX];
	int n = rules_check(&rec, &prior, &r->pl.rules, v, IW_RULES_MAX);
	bool group = false, device = false;

	CHECK(n == 1);
	for (int i = 0; n == 1 && i < v[0].n_evidence; i++) {
		const struct iw_evidence *e = &v[0].evidence[i];

		group |= !strcmp(e->key, "still_on_group") && e->num == 3;
		device |= !strcmp(e->key, "still_on_device") &&
			  !strcmp(e->str, DEV);
	}
	CHECK(group && device);
}

static void domain_freed_in_use(void)
{
	struct run r;

	run_init(&r);
	feed(&r, attach(IW_PATH_ATTACH, IW_DOM_UNMANAGED, 30, 0));
	feed(&r, freed(30, IW_DOM_UNMANAGED));
	CHECK(fired(&r, "domain_freed_in_use") == 1);
	freed_domain_user_named(&r);
	run_done(&r);

	/* Near misses: detached first; the last device released first. */
	run_init(&r);
	feed(&r, attach(IW_PATH_ATTACH, IW_DOM_UNMANAGED, 30, 0));
	feed(&r, attach(IW_PATH_DETACH, IW_DOM_DMA_FQ, 10, 0));
	feed(&r, freed(30, IW_DOM_UNMANAGED));
	feed(&r, attach(IW_PATH_DEFAULT, IW_DOM_IDENTITY, 31, 0));
	feed(&r, of_type(IW_REC_RELEASE));
	feed(&r, freed(31, IW_DOM_IDENTITY));
	CHECK(r.pl.n_violations == 0);
	run_done(&r);
}

static void deferred_and_lock(void)
{
	struct run r;
	struct iw_record rec;

	run_init(&r);
	/* A release touching a device whose attach is still deferred. */
	feed(&r, attach(IW_PATH_RELEASE, IW_DOM_BLOCKED, 1, IW_F_ATTACH_DEFERRED));
	CHECK(fired(&r, "deferred_hw_touch") == 1);
	/* The deferred attach itself is fine, and unlocked before 7.x. */
	rec = attach(IW_PATH_DEFERRED, IW_DOM_DMA, 5, IW_F_ATTACH_DEFERRED);
	rec.flags &= ~IW_F_MUTEX_HELD;
	feed(&r, rec);
	CHECK(fired(&r, "deferred_hw_touch") == 1);
	CHECK(fired(&r, "lock_not_held") == 0);
	/* 7.x promises the mutex there too. */
	r.pl.rules.deferred_locked = true;
	feed(&r, rec);
	CHECK(fired(&r, "lock_not_held") == 1);
	rec = attach(IW_PATH_ATTACH, IW_DOM_DMA, 5, 0);
	rec.flags &= ~IW_F_MUTEX_HELD;
	feed(&r, rec);
	CHECK(fired(&r, "lock_not_held") == 2);
	/* No group: nothing to hold. */
	rec.flags |= IW_F_NO_GROUP;
	rec.group = -1;
	feed(&r, rec);
	CHECK(fired(&r, "lock_not_held") == 2);
	run_done(&r);
}

static void untrusted_and_failed(void)
{
	struct run r;
	struct iw_record rec;

	run_init(&r);
	feed(&r, attach(IW_PATH_DEFAULT, IW_DOM_IDENTITY, 4, IW_F_UNTRUSTED));
	feed(&r, attach(IW_PATH_DEFAULT, IW_DOM_DMA, 5, IW_F_UNTRUSTED));
	feed(&r, attach(IW_PATH_DEFAULT, IW_DOM_IDENTITY, 6, 0));
	CHECK(fired(&r, "identity_on_untrusted") == 1);
	rec = pasid_attach(1, IW_DOM_UNMANAGED, 7);
	rec.ret = -95;
	feed(&r, rec);
	CHECK(fired(&r, "attach_failed") == 1);
	CHECK(state_device(r.st, DEV, false)->n_pasids == 0);
	run_done(&r);
}

static void evidence_of_a_failure(void)
{
	struct iw_state *st = state_new();
	struct rule_ctx ctx = { .st = st };
	struct iw_record rec = attach(IW_PATH_OWNER, IW_DOM_BLOCKED, 1, 0);
	struct iw_prior prior = { .dom = { 10, IW_DOM_DMA_FQ }, .known = true };
	struct iw_violation v[IW_RULES_MAX];
	int n;

	rec.ret = -1;
	n = rules_check(&rec, &prior, &ctx, v, IW_RULES_MAX);
	CHECK(n == 1);
	CHECK_STR(v[0].rule->kind, "attach_failed");
	CHECK(v[0].n_evidence == 4);
	CHECK_STR(v[0].evidence[1].str, "EPERM");
	CHECK_STR(v[0].evidence[3].str, "dma-fq");
	CHECK_STR(severity_name(v[0].rule->severity), "warning");
	CHECK(rule_index("nope") == -1);
	state_free(st);
}

/* A fact the program could not read is unknown: every rule stays silent. */
static void silent_on_unknown(void)
{
	struct run r;
	struct iw_record rec;

	run_init(&r);
	/* PREEMPT_RT before its mutex layout was read: owner unknown. */
	rec = attach(IW_PATH_ATTACH, IW_DOM_DMA, 5, 0);
	rec.flags &= ~(IW_F_MUTEX_KNOWN | IW_F_MUTEX_HELD);
	feed(&r, rec);
	r.pl.rules.deferred_locked = true;
	rec.path = IW_PATH_DEFERRED;
	feed(&r, rec);
	CHECK(fired(&r, "lock_not_held") == 0);
	/* The same, known not held, fires: the test can fail. */
	rec.flags |= IW_F_MUTEX_KNOWN;
	feed(&r, rec);
	CHECK(fired(&r, "lock_not_held") == 1);
	/* Set bits without their known bit (a hostile journal) count for nothing. */
	rec = attach(IW_PATH_DEFAULT, IW_DOM_IDENTITY, 6,
		     IW_F_UNTRUSTED | IW_F_ATTACH_DEFERRED);
	rec.flags &= ~(IW_F_UNTRUSTED_KNOWN | IW_F_DEFERRED_KNOWN);
	feed(&r, rec);
	CHECK(fired(&r, "identity_on_untrusted") == 0);
	CHECK(fired(&r, "deferred_hw_touch") == 0);
	rec.flags |= IW_F_UNTRUSTED_KNOWN | IW_F_DEFERRED_KNOWN;
	feed(&r, rec);
	CHECK(fired(&r, "identity_on_untrusted") == 1);
	CHECK(fired(&r, "deferred_hw_touch") == 1);
	/* require_direct unknown and no direct region in sysfs: silent. */
	rec = attach(IW_PATH_RELEASE, IW_DOM_BLOCKED, 1, IW_F_REQUIRE_DIRECT);
	rec.flags &= ~IW_F_DIRECT_KNOWN;
	feed(&r, rec);
	CHECK(fired(&r, "blocked_with_rmr") == 0);
	run_done(&r);
}

/* DMA -> DMA-FQ on the live domain: no op, one transition per device. */
static void in_place_type_change(void)
{
	struct iw_record g = { .type = IW_REC_GROUP_TYPE, .group = 3,
			       .pasid = IW_NO_PASID, .path = IW_PATH_DEFAULT,
			       .to = { 40, IW_DOM_DMA_FQ } };
	struct run r;

	run_init(&r);
	feed(&r, attach(IW_PATH_DEFAULT, IW_DOM_DMA, 40, 0));
	feed(&r, g);
	CHECK(r.pl.seen[IW_REC_TRANSITION] == 2);
	CHECK(state_group(r.st, 3, false)->dom.kind == IW_DOM_DMA_FQ);
	CHECK(state_device(r.st, DEV, false)->rid.kind == IW_DOM_DMA_FQ);
	CHECK(r.pl.n_violations == 0);
	/* The same again, or a change the ops already reported: nothing. */
	feed(&r, g);
	g.to = (struct iw_dom){ 41, IW_DOM_IDENTITY };
	feed(&r, g);
	CHECK(r.pl.seen[IW_REC_TRANSITION] == 2);
	run_done(&r);
}

/* An attach the kernel passed its old domain (7.x). */
static struct iw_record attach_old(enum iw_dom_kind to, __u32 id,
				   enum iw_dom_kind old, __u32 old_id)
{
	struct iw_record rec = attach(IW_PATH_ATTACH, to, id, IW_F_HAS_OLD);

	rec.from = (struct iw_dom){ old_id, old };
	rec.from_known = true;
	return rec;
}

static void old_domain_mismatch(void)
{
	struct iw_record rec;
	struct run r;

	/* Agreeing: to a VFIO domain and back, with the old the kernel says. */
	run_init(&r);
	feed(&r, attach_old(IW_DOM_UNMANAGED, 20, IW_DOM_DMA_FQ, 10));
	feed(&r, attach_old(IW_DOM_DMA_FQ, 10, IW_DOM_UNMANAGED, 20));
	CHECK(fired(&r, "old_domain_mismatch") == 0);
	/* The kernel names a domain the device is not on: fires, once. */
	feed(&r, attach_old(IW_DOM_BLOCKED, 1, IW_DOM_UNMANAGED, 20));
	CHECK(fired(&r, "old_domain_mismatch") == 1);
	/* ... or NULL for a device it attached: fires. */
	feed(&r, attach_old(IW_DOM_DMA_FQ, 10, IW_DOM_NONE, 0));
	CHECK(fired(&r, "old_domain_mismatch") == 2);
	CHECK(r.pl.n_violations == 2);
	/* No old from the kernel (6.x), or a PASID's: not this rule. */
	rec = attach_old(IW_DOM_IDENTITY, 2, IW_DOM_BLOCKED, 1);
	rec.flags &= ~IW_F_HAS_OLD;
	feed(&r, rec);
	rec = attach_old(IW_DOM_UNMANAGED, 20, IW_DOM_BLOCKED, 1);
	rec.pasid = 1;
	feed(&r, rec);
	CHECK(fired(&r, "old_domain_mismatch") == 2);
	/* A new life: NULL agrees, a domain does not. */
	feed(&r, of_type(IW_REC_RELEASE));
	rec = attach_old(IW_DOM_DMA_FQ, 11, IW_DOM_NONE, 0);
	rec.path = IW_PATH_PROBE;
	feed(&r, rec);
	CHECK(fired(&r, "old_domain_mismatch") == 2);
	feed(&r, of_type(IW_REC_RELEASE));
	rec.from = (struct iw_dom){ 11, IW_DOM_DMA_FQ };
	feed(&r, rec);
	CHECK(fired(&r, "old_domain_mismatch") == 3);
	run_done(&r);

	/* Known only by its group's seeded type (no id), or not at all: silent. */
	run_init(&r);
	state_group(r.st, 3, false)->dom.id = 0;
	state_seed_device(r.st, state_group(r.st, 3, false), DEV);
	feed(&r, attach_old(IW_DOM_UNMANAGED, 20, IW_DOM_DMA_FQ, 7));
	rec = attach_old(IW_DOM_UNMANAGED, 20, IW_DOM_DMA_FQ, 7);
	snprintf(rec.device, sizeof(rec.device), "0000:00:04.0");
	feed(&r, rec);
	CHECK(fired(&r, "old_domain_mismatch") == 0);
	run_done(&r);
}

static void require_direct_changed(void)
{
	struct iw_record rec;
	struct run r;

	/* Set at probe, cleared later in the same life: fires once. */
	run_init(&r);
	feed(&r, attach(IW_PATH_PROBE, IW_DOM_DMA, 5, IW_F_REQUIRE_DIRECT));
	feed(&r, attach(IW_PATH_ATTACH, IW_DOM_UNMANAGED, 6, 0));
	feed(&r, attach(IW_PATH_ATTACH, IW_DOM_DMA, 5, 0));
	CHECK(fired(&r, "require_direct_changed") == 1);
	/* Set again, then cleared at the release: fires there. */
	feed(&r, attach(IW_PATH_ATTACH, IW_DOM_DMA, 5, IW_F_REQUIRE_DIRECT));
	feed(&r, of_type(IW_REC_RELEASE));
	CHECK(fired(&r, "require_direct_changed") == 2);
	CHECK(r.pl.n_violations == 2);
	run_done(&r);

	/* Near misses: set later (0 -> 1), a new life, an unread flag. */
	run_init(&r);
	feed(&r, attach(IW_PATH_PROBE, IW_DOM_DMA, 5, 0));
	feed(&r, attach(IW_PATH_DEFAULT, IW_DOM_DMA, 5, IW_F_REQUIRE_DIRECT));
	rec = of_type(IW_REC_RELEASE);
	rec.flags |= IW_F_REQUIRE_DIRECT;
	feed(&r, rec);
	feed(&r, attach(IW_PATH_PROBE, IW_DOM_DMA, 7, 0));
	feed(&r, attach(IW_PATH_ATTACH, IW_DOM_DMA, 7, IW_F_REQUIRE_DIRECT));
	rec = attach(IW_PATH_ATTACH, IW_DOM_DMA, 7, 0);
	rec.flags &= ~IW_F_DIRECT_KNOWN;
	feed(&r, rec);
	CHECK(fired(&r, "require_direct_changed") == 0);
	/* 6.1 reads no flag at all: the next known clear one has no before. */
	feed(&r, attach(IW_PATH_ATTACH, IW_DOM_DMA, 7, 0));
	CHECK(fired(&r, "require_direct_changed") == 0);
	run_done(&r);
}

/* A reset call's record: how it left the device's group_device. */
static struct iw_record reset(enum iw_record_type type, int ret, __u32 flags,
			      __u32 depth)
{
	struct iw_record rec = of_type(type);

	rec.path = IW_PATH_RESET;
	rec.ret = ret;
	rec.flags |= flags;
	rec.reset_depth = depth;
	return rec;
}

#define FENCED	(IW_F_BLOCKED_KNOWN | IW_F_RESET_BLOCKED | IW_F_DEPTH_KNOWN)
#define OUT	(IW_F_BLOCKED_KNOWN | IW_F_DEPTH_KNOWN)

/* A prepare that fenced the RID, as 7.3's runs. */
static void feed_fence(struct run *r)
{
	feed(r, attach(IW_PATH_RESET, IW_DOM_BLOCKED, 1, 0));
	feed(r, reset(IW_REC_RESET_PREPARE, 0, FENCED, 1));
}

/* The core's own FLR of an ATS device, as 7.3 runs it. */
static void feed_clean_reset(struct run *r)
{
	feed_fence(r);
	feed(r, attach(IW_PATH_RESET, IW_DOM_DMA_FQ, 10, 0));
	feed(r, reset(IW_REC_RESET_DONE, 0, OUT, 0));
}

static void attach_during_reset(void)
{
	struct iw_record rec;
	struct run r;

	/* A driver op called straight inside the window; a PASID too. */
	run_init(&r);
	feed(&r, reset(IW_REC_RESET_PREPARE, 0, FENCED, 1));
	rec = attach(IW_PATH_UNKNOWN, IW_DOM_DMA_FQ, 10, 0);
	rec.mono_ns = 5000;
	feed(&r, rec);
	rec = attach(IW_PATH_UNKNOWN, IW_DOM_IDENTITY, 2, 0);
	rec.pasid = 1;
	feed(&r, rec);
	CHECK(fired(&r, "attach_during_reset") == 2);
	CHECK(r.pl.n_violations == 2);
	run_done(&r);

	/* Near misses: the reset's own ops, a refused attach (-EBUSY), a
	 * release, the same attach after done, a prepare that did not fence
	 * (no ATS) or whose fence cannot be read, a failed prepare. */
	run_init(&r);
	feed_clean_reset(&r);
	feed(&r, reset(IW_REC_RESET_PREPARE, 0, FENCED, 1));
	rec = attach(IW_PATH_ATTACH, IW_DOM_UNMANAGED, 6, 0);
	rec.ret = -16;
	feed(&r, rec);
	feed(&r, reset(IW_REC_RESET_DONE, 0, OUT, 0));
	feed(&r, attach(IW_PATH_ATTACH, IW_DOM_UNMANAGED, 6, 0));
	feed(&r, reset(IW_REC_RESET_PREPARE, 0, OUT, 0));
	feed(&r, attach(IW_PATH_ATTACH, IW_DOM_DMA_FQ, 10, 0));
	feed(&r, reset(IW_REC_RESET_DONE, 0, OUT, 0));
	feed(&r, reset(IW_REC_RESET_PREPARE, 0, 0, 0));
	feed(&r, attach(IW_PATH_ATTACH, IW_DOM_UNMANAGED, 6, 0));
	feed(&r, reset(IW_REC_RESET_DONE, 0, 0, 0));
	feed(&r, reset(IW_REC_RESET_PREPARE, -12, OUT, 0));
	feed(&r, attach(IW_PATH_ATTACH, IW_DOM_DMA_FQ, 10, 0));
	CHECK(fired(&r, "attach_during_reset") == 0);
	CHECK(r.pl.n_violations == 1);	/* attach_failed, the -EBUSY */
	run_done(&r);
}

static void reset_unbalanced(void)
{
	struct iw_record rec;
	struct run r;

	/* A done with no prepare, after a paired reset: fires. */
	run_init(&r);
	feed_clean_reset(&r);
	feed(&r, reset(IW_REC_RESET_DONE, 0, OUT, 0));
	CHECK(fired(&r, "reset_unbalanced") == 1);
	/* Released in a nested reset: fires, once. */
	feed(&r, reset(IW_REC_RESET_PREPARE, 0, FENCED, 1));
	feed(&r, reset(IW_REC_RESET_PREPARE, 0, FENCED, 2));
	feed(&r, reset(IW_REC_RESET_DONE, 0, FENCED, 1));
	rec = of_type(IW_REC_RELEASE);
	rec.mono_ns = 9000;
	feed(&r, rec);
	CHECK(fired(&r, "reset_unbalanced") == 2);
	/* The release domain's attach: the kernel's old is group->domain,
	 * not the blocking domain the fence left the RID on. */
	rec = attach_old(IW_DOM_BLOCKED, 1, IW_DOM_DMA_FQ, 10);
	rec.path = IW_PATH_RELEASE;
	feed(&r, rec);
	CHECK(r.pl.n_violations == 2);
	/* Out of the fence, the same old at a release disagrees. */
	feed(&r, attach(IW_PATH_PROBE, IW_DOM_DMA_FQ, 10, 0));
	feed(&r, attach(IW_PATH_ATTACH, IW_DOM_UNMANAGED, 20, 0));
	feed(&r, of_type(IW_REC_RELEASE));
	feed(&r, rec);
	CHECK(fired(&r, "old_domain_mismatch") == 1);
	CHECK(r.pl.n_violations == 3);
	run_done(&r);

	/* Near misses: nested and balanced; a first done when watching began
	 * mid-reset (two, nested: the kernel's depth says when it is out);
	 * a done after a failed prepare; a release after done. */
	run_init(&r);
	feed(&r, reset(IW_REC_RESET_DONE, 0, FENCED, 1));
	feed(&r, reset(IW_REC_RESET_DONE, 0, OUT, 0));
	feed(&r, reset(IW_REC_RESET_PREPARE, 0, FENCED, 1));
	feed(&r, reset(IW_REC_RESET_PREPARE, 0, FENCED, 2));
	feed(&r, reset(IW_REC_RESET_DONE, 0, FENCED, 1));
	feed(&r, reset(IW_REC_RESET_DONE, 0, OUT, 0));
	feed(&r, reset(IW_REC_RESET_PREPARE, -12, OUT, 0));
	feed(&r, reset(IW_REC_RESET_DONE, 0, OUT, 0));
	feed_clean_reset(&r);
	feed(&r, of_type(IW_REC_RELEASE));
	/* Its fence unreadable: a first done cannot say it is out. */
	feed(&r, attach(IW_PATH_PROBE, IW_DOM_DMA, 5, 0));
	feed(&r, reset(IW_REC_RESET_DONE, 0, 0, 0));
	feed(&r, reset(IW_REC_RESET_DONE, 0, 0, 0));
	CHECK(fired(&r, "reset_unbalanced") == 0);
	CHECK(r.pl.n_violations == 0);
	run_done(&r);
}

static void reset_left_blocked(void)
{
	struct iw_record rec;
	struct run r;

	/* done came and went, the RID still blocked, its group on DMA-FQ. */
	run_init(&r);
	r.pl.rules.ops_watched = true;
	feed_fence(&r);
	rec = reset(IW_REC_RESET_DONE, 0, OUT, 0);
	feed(&r, rec);
	CHECK(fired(&r, "reset_left_blocked") == 1);
	/* Its re-attach failed: left blocked all the same. */
	feed_fence(&r);
	rec = attach(IW_PATH_RESET, IW_DOM_DMA_FQ, 10, 0);
	rec.ret = -22;
	feed(&r, rec);
	feed(&r, reset(IW_REC_RESET_DONE, 0, OUT, 0));
	CHECK(fired(&r, "reset_left_blocked") == 2);
	CHECK(r.pl.n_violations == 3);	/* and attach_failed */
	run_done(&r);

	/* Near misses: restored; nested (the inner done); the kernel says
	 * still fenced; a group on its blocking domain (VFIO's); an op not
	 * hooked, so an attach may have gone unseen. */
	run_init(&r);
	r.pl.rules.ops_watched = true;
	feed_clean_reset(&r);
	feed_fence(&r);
	feed(&r, reset(IW_REC_RESET_PREPARE, 0, FENCED, 2));
	feed(&r, reset(IW_REC_RESET_DONE, 0, FENCED, 1));
	feed(&r, attach(IW_PATH_RESET, IW_DOM_DMA_FQ, 10, 0));
	feed(&r, reset(IW_REC_RESET_DONE, 0, OUT, 0));
	feed_fence(&r);
	feed(&r, reset(IW_REC_RESET_DONE, 0, FENCED, 0));
	feed(&r, attach(IW_PATH_RESET, IW_DOM_DMA_FQ, 10, 0));
	feed(&r, reset(IW_REC_RESET_DONE, 0, OUT, 0));
	feed(&r, attach(IW_PATH_OWNER, IW_DOM_BLOCKED, 1, 0));
	feed_fence(&r);
	feed(&r, reset(IW_REC_RESET_DONE, 0, OUT, 0));
	feed(&r, attach(IW_PATH_OWNER, IW_DOM_DMA_FQ, 10, 0));
	r.pl.rules.ops_watched = false;
	feed_fence(&r);
	feed(&r, reset(IW_REC_RESET_DONE, 0, OUT, 0));
	CHECK(fired(&r, "reset_left_blocked") == 0);
	run_done(&r);

	/* Watching began mid-reset: no fence seen, nothing to hold done to. */
	run_init(&r);
	r.pl.rules.ops_watched = true;
	feed(&r, reset(IW_REC_RESET_DONE, 0, OUT, 0));
	CHECK(r.pl.n_violations == 0);
	run_done(&r);
}

/* PASID 1 as a reset moves it: the kernel passes its old domain. */
static struct iw_record pasid_reset_move(enum iw_dom_kind to, __u32 id,
					 enum iw_dom_kind old, __u32 old_id)
{
	struct iw_record rec = pasid_attach(1, to, id);

	rec.path = IW_PATH_RESET;
	rec.flags |= IW_F_HAS_OLD;
	rec.from = (struct iw_dom){ old_id, old };
	rec.from_known = true;
	return rec;
}

/* PASID 1 on domain 20; the fence parks it and the RID. */
static void feed_pasid_fence(struct run *r)
{
	feed(r, pasid_attach(1, IW_DOM_UNMANAGED, 20));
	feed(r, attach(IW_PATH_RESET, IW_DOM_BLOCKED, 1, 0));
	feed(r, pasid_reset_move(IW_DOM_BLOCKED, 1, IW_DOM_UNMANAGED, 20));
	feed(r, reset(IW_REC_RESET_PREPARE, 0, FENCED, 1));
	feed(r, attach(IW_PATH_RESET, IW_DOM_DMA_FQ, 10, 0));
}

static void pasid_lost_on_reset(void)
{
	struct iw_record rec;
	struct run r;

	/* done brought the RID back, not the PASID: fires once. */
	run_init(&r);
	r.pl.rules.ops_watched = true;
	feed_pasid_fence(&r);
	feed(&r, reset(IW_REC_RESET_DONE, 0, OUT, 0));
	CHECK(fired(&r, "pasid_lost_on_reset") == 1);
	CHECK(r.pl.n_violations == 1);
	/* ... or onto another domain. */
	feed(&r, pasid_attach(1, IW_DOM_UNMANAGED, 20));
	feed_pasid_fence(&r);
	feed(&r, pasid_reset_move(IW_DOM_UNMANAGED, 21, IW_DOM_BLOCKED, 1));
	feed(&r, reset(IW_REC_RESET_DONE, 0, OUT, 0));
	CHECK(fired(&r, "pasid_lost_on_reset") == 2);
	run_done(&r);

	/* Near misses: brought back; detached inside the fence (the core ran
	 * no op: no attach_during_reset, no lock_not_held, and the release
	 * finds no PASID left); not every op hooked. */
	run_init(&r);
	r.pl.rules.ops_watched = true;
	feed_pasid_fence(&r);
	feed(&r, pasid_reset_move(IW_DOM_UNMANAGED, 20, IW_DOM_BLOCKED, 1));
	feed(&r, reset(IW_REC_RESET_DONE, 0, OUT, 0));
	feed_pasid_fence(&r);
	rec = pasid_attach(1, IW_DOM_NONE, 0);
	rec.flags = (rec.flags & ~IW_F_MUTEX_HELD) | IW_F_CORE_ONLY;
	feed(&r, rec);
	feed(&r, reset(IW_REC_RESET_DONE, 0, OUT, 0));
	feed(&r, of_type(IW_REC_RELEASE));
	r.pl.rules.ops_watched = false;
	feed(&r, attach(IW_PATH_PROBE, IW_DOM_DMA_FQ, 10, 0));
	feed_pasid_fence(&r);
	feed(&r, reset(IW_REC_RESET_DONE, 0, OUT, 0));
	CHECK(r.pl.n_violations == 0);
	run_done(&r);
}

UNIT_MAIN("rules", UNIT_CASE(blocked_with_rmr), UNIT_CASE(stale_pasid),
	  UNIT_CASE(domain_freed_in_use), UNIT_CASE(deferred_and_lock),
	  UNIT_CASE(untrusted_and_failed), UNIT_CASE(evidence_of_a_failure),
	  UNIT_CASE(in_place_type_change), UNIT_CASE(silent_on_unknown),
	  UNIT_CASE(old_domain_mismatch), UNIT_CASE(require_direct_changed),
	  UNIT_CASE(attach_during_reset), UNIT_CASE(reset_unbalanced),
	  UNIT_CASE(reset_left_blocked), UNIT_CASE(pasid_lost_on_reset))
