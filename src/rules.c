// SPDX-License-Identifier: GPL-2.0
/* The rule table and its predicates. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "rules.h"
#include "util.h"

static void ev_str(struct iw_violation *v, const char *key, const char *s)
{
	if (v->n_evidence < IW_EVIDENCE_MAX)
		v->evidence[v->n_evidence++] = (struct iw_evidence){
			.key = key, .type = IW_EVID_STR, .str = s };
}

static void ev_int(struct iw_violation *v, const char *key, long long n)
{
	if (v->n_evidence < IW_EVIDENCE_MAX)
		v->evidence[v->n_evidence++] = (struct iw_evidence){
			.key = key, .type = IW_EVID_INT, .num = n };
}

static void ev_bool(struct iw_violation *v, const char *key, bool b)
{
	if (v->n_evidence < IW_EVIDENCE_MAX)
		v->evidence[v->n_evidence++] = (struct iw_evidence){
			.key = key, .type = IW_EVID_BOOL, .num = b };
}

/* A domain as evidence: its type, and its id where it has one. */
static void ev_dom(struct iw_violation *v, const char *type_key,
		   const char *id_key, struct iw_dom dom)
{
	ev_str(v, type_key, dom_kind_name(dom.kind));
	if (dom.id)
		ev_int(v, id_key, dom.id);
}

/* Where a freed domain was still in use: the first group and device. */
static void ev_domain_user(struct iw_violation *v, const struct iw_prior *prior)
{
	if (prior->user_group >= 0)
		ev_int(v, "still_on_group", prior->user_group);
	if (prior->user_device[0])
		ev_str(v, "still_on_device", prior->user_device);
}

static bool is_rid_attach(const struct iw_record *rec)
{
	return rec->type == IW_REC_TRANSITION && rec->pasid == IW_NO_PASID;
}

static bool flag(const struct iw_record *rec, __u32 bit)
{
	return rec->flags & bit;
}

/* A driver op ran: the core alone dropping a PASID touches no hardware. */
static bool op_transition(const struct iw_record *rec)
{
	return rec->type == IW_REC_TRANSITION && !flag(rec, IW_F_CORE_ONLY);
}

/* Without the kernel's flag (6.1), a direct region in the group tells. */
static bool group_direct(const struct iw_record *rec,
			 const struct rule_ctx *ctx)
{
	struct iw_group *grp = state_group(ctx->st, rec->group, false);

	return grp && grp->direct;
}

/* A blocking domain on a RID whose firmware requires direct mappings. */
static bool rmr_blocked(const struct iw_record *rec,
			const struct rule_ctx *ctx, struct iw_violation *v)
{
	bool known = flag(rec, IW_F_DIRECT_KNOWN);

	if (!is_rid_attach(rec) || rec->ret || rec->to.kind != IW_DOM_BLOCKED)
		return false;
	if (known ? !flag(rec, IW_F_REQUIRE_DIRECT) : !group_direct(rec, ctx))
		return false;
	ev_dom(v, "to", "to_domain", rec->to);
	if (known)
		ev_bool(v, "require_direct", true);
	else
		ev_bool(v, "direct_region", true);
	return true;
}

/*
 * Anywhere but a PCI reset's fence: the device's firmware keeps DMAing to
 * its reserved region (release, fallback, a driver's own attach).
 */
static bool blocked_with_rmr(const struct iw_record *rec,
			     const struct iw_prior *prior,
			     const struct rule_ctx *ctx, struct iw_violation *v)
{
	(void)prior;
	return rec->path != IW_PATH_RESET && rmr_blocked(rec, ctx, v);
}

/*
 * 7.x's pci_dev_reset_iommu_prepare blocks the RID for the reset whatever
 * its firmware asks: upstream judged that acceptable, since the device is
 * being reset, and done restores it (reset_left_blocked if not). Counted
 * apart, as a warning, so that blocked_with_rmr can page.
 */
static bool blocked_with_rmr_in_reset(const struct iw_record *rec,
				      const struct iw_prior *prior,
				      const struct rule_ctx *ctx,
				      struct iw_violation *v)
{
	(void)prior;
	if (rec->path != IW_PATH_RESET || !rmr_blocked(rec, ctx, v))
		return false;
	ev_str(v, "window", "pci reset");
	return true;
}

static bool stale_pasid(const struct iw_record *rec,
			const struct iw_prior *prior,
			const struct rule_ctx *ctx, struct iw_violation *v)
{
	(void)ctx;
	if (rec->type == IW_REC_RELEASE && prior->pasids_left) {
		ev_str(v, "reason", "device released with PASIDs attached");
		ev_int(v, "pasids", prior->pasids_left);
		return true;
	}
	if (rec->type == IW_REC_DOMAIN_FREE && prior->pasid_users) {
		ev_str(v, "reason", "domain freed while attached to PASIDs");
		ev_int(v, "domain", rec->from.id);
		ev_int(v, "pasids", prior->pasid_users);
		ev_domain_user(v, prior);
		return true;
	}
	/* The kernel passed its old domain, and it is not what was attached. */
	if (rec->type == IW_REC_TRANSITION && rec->pasid != IW_NO_PASID &&
	    flag(rec, IW_F_HAS_OLD) && !rec->ret && prior->known &&
	    prior->dom.id != rec->from.id) {
		ev_str(v, "reason", "old domain disagrees with the tracked one");
		ev_int(v, "kernel_old_domain", rec->from.id);
		ev_int(v, "tracked_domain", prior->dom.id);
		return true;
	}
	return false;
}

static bool domain_freed_in_use(const struct iw_record *rec,
				const struct iw_prior *prior,
				const struct rule_ctx *ctx,
				struct iw_violation *v)
{
	(void)ctx;
	if (rec->type != IW_REC_DOMAIN_FREE || !prior->rid_users)
		return false;
	ev_int(v, "domain", rec->from.id);
	ev_str(v, "domain_type", dom_kind_name(rec->from.kind));
	ev_int(v, "users", prior->rid_users);
	ev_domain_user(v, prior);
	return true;
}

static bool deferred_hw_touch(const struct iw_record *rec,
			      const struct iw_prior *prior,
			      const struct rule_ctx *ctx,
			      struct iw_violation *v)
{
	(void)prior;
	(void)ctx;
	if (!op_transition(rec) || rec->path == IW_PATH_DEFERRED ||
	    !flag(rec, IW_F_DEFERRED_KNOWN) || !flag(rec, IW_F_ATTACH_DEFERRED))
		return false;
	ev_bool(v, "attach_deferred", true);
	ev_str(v, "to", dom_kind_name(rec->to.kind));
	return true;
}

static bool lock_not_held(const struct iw_record *rec,
			  const struct iw_prior *prior,
			  const struct rule_ctx *ctx, struct iw_violation *v)
{
	(void)prior;
	/* Unknown (a lock layout the program cannot read) is not "not held". */
	if (!op_transition(rec) || rec->group < 0 ||
	    flag(rec, IW_F_NO_GROUP) || !flag(rec, IW_F_MUTEX_KNOWN) ||
	    flag(rec, IW_F_MUTEX_HELD))
		return false;
	/* Before 7.x the core did not promise the mutex there. */
	if (rec->path == IW_PATH_DEFERRED && !ctx->deferred_locked)
		return false;
	ev_bool(v, "mutex_held", false);
	ev_str(v, "hook", rec->hook);
	return true;
}

static bool identity_on_untrusted(const struct iw_record *rec,
				  const struct iw_prior *prior,
				  const struct rule_ctx *ctx,
				  struct iw_violation *v)
{
	(void)prior;
	(void)ctx;
	if (rec->type != IW_REC_TRANSITION || rec->ret ||
	    rec->to.kind != IW_DOM_IDENTITY ||
	    !flag(rec, IW_F_UNTRUSTED_KNOWN) || !flag(rec, IW_F_UNTRUSTED))
		return false;
	ev_bool(v, "untrusted", true);
	ev_str(v, "to", dom_kind_name(rec->to.kind));
	return true;
}

static bool attach_failed(const struct iw_record *rec,
			  const struct iw_prior *prior,
			  const struct rule_ctx *ctx, struct iw_violation *v)
{
	const char *name;

	(void)ctx;
	if (rec->type != IW_REC_TRANSITION || !rec->ret)
		return false;
	ev_int(v, "ret", rec->ret);
	name = rec->ret < 0 ? strerrorname_np(-rec->ret) : NULL;
	if (name)
		ev_str(v, "errno", name);
	ev_str(v, "wanted", dom_kind_name(rec->to.kind));
	/* A failed attach changes nothing: it stays where it was. */
	ev_str(v, "left_on", prior->known ? dom_kind_name(prior->dom.kind)
					  : "unknown");
	return true;
}

/*
 * 7.x passes attach_dev the RID's old domain. Held only to a domain this
 * device's own records placed it on (a group's seeded type has no id),
 * and the kernel's NULL to a device it has not attached in this life.
 * A release inside a reset's fence passes group->domain, not the blocking
 * domain the fence put the RID on: reset_unbalanced reports that device.
 */
static bool old_domain_mismatch(const struct iw_record *rec,
				const struct iw_prior *prior,
				const struct rule_ctx *ctx,
				struct iw_violation *v)
{
	(void)ctx;
	if (!is_rid_attach(rec) || !flag(rec, IW_F_HAS_OLD) ||
	    !prior->rid_exact ||
	    (rec->from.id == prior->dom.id && rec->from.kind == prior->dom.kind))
		return false;
	if (rec->path == IW_PATH_RELEASE && prior->reset_fenced)
		return false;
	ev_dom(v, "kernel_old", "kernel_old_domain", rec->from);
	ev_dom(v, "tracked", "tracked_domain", prior->dom);
	ev_str(v, "to", dom_kind_name(rec->to.kind));
	return true;
}

/*
 * The core only ever sets dev->iommu->require_direct, at probe, and a new
 * life starts from a fresh dev_iommu: a set flag that reads clear later in
 * the same life was cleared by someone else (out-of-tree modules do, to
 * allow passthrough), and the firmware's protection went with it.
 */
static bool require_direct_changed(const struct iw_record *rec,
				   const struct iw_prior *prior,
				   const struct rule_ctx *ctx,
				   struct iw_violation *v)
{
	(void)ctx;
	if ((rec->type != IW_REC_TRANSITION && rec->type != IW_REC_RELEASE) ||
	    !flag(rec, IW_F_DIRECT_KNOWN) || !prior->direct_before_known ||
	    !prior->direct_before || flag(rec, IW_F_REQUIRE_DIRECT))
		return false;
	ev_bool(v, "require_direct_was", true);
	ev_bool(v, "require_direct", false);
	if (rec->type == IW_REC_TRANSITION)
		ev_str(v, "to", dom_kind_name(rec->to.kind));
	return true;
}

/*
 * Between prepare and done the core refuses every attach of the device
 * (-EBUSY) and skips it in group-wide ones; only the reset's own ops, and
 * the release of a device that goes away, reach its driver then. Any other
 * op that changed its translation bypassed the core's fence. Silent when
 * the prepare did not fence (no ATS: the core left the device alone) or
 * this kernel's fence cannot be read.
 */
static bool attach_during_reset(const struct iw_record *rec,
				const struct iw_prior *prior,
				const struct rule_ctx *ctx,
				struct iw_violation *v)
{
	(void)ctx;
	if (!op_transition(rec) || rec->ret ||
	    rec->path == IW_PATH_RESET || rec->path == IW_PATH_RELEASE ||
	    !prior->resets_open || !prior->reset_fenced)
		return false;
	ev_str(v, "to", dom_kind_name(rec->to.kind));
	ev_int(v, "resets_open", prior->resets_open);
	ev_int(v, "in_reset_ns", rec->mono_ns - prior->reset_since_ns);
	return true;
}

/*
 * Every prepare has its done. A device released in a reset never had it;
 * a done is unpaired only where this session knows the device was out of
 * every reset (it saw a prepare, or the kernel said so at a done).
 */
static bool reset_unbalanced(const struct iw_record *rec,
			     const struct iw_prior *prior,
			     const struct rule_ctx *ctx, struct iw_violation *v)
{
	(void)ctx;
	if (rec->type == IW_REC_RELEASE && prior->resets_open) {
		ev_str(v, "reason", "device released between prepare and done");
		ev_int(v, "resets_open", prior->resets_open);
		ev_int(v, "in_reset_ns", rec->mono_ns - prior->reset_since_ns);
		return true;
	}
	if (rec->type == IW_REC_RESET_DONE && !prior->resets_open &&
	    prior->resets_known) {
		ev_str(v, "reason", "done without a prepare");
		return true;
	}
	return false;
}

/*
 * A done that ends a fence this session saw, the kernel saying the device
 * is out, with every driver op hooked: what done should have attached and
 * did not show did not run.
 */
static bool watched_fence_ended(const struct iw_record *rec,
				const struct iw_prior *prior,
				const struct rule_ctx *ctx)
{
	return rec->type == IW_REC_RESET_DONE && prior->resets_open == 1 &&
	       prior->reset_fenced && flag(rec, IW_F_BLOCKED_KNOWN) &&
	       !flag(rec, IW_F_RESET_BLOCKED) && ctx->ops_watched;
}

/*
 * done re-attaches the RID to group->domain once the outermost reset ends.
 * Held to a RID's domain from its own records.
 */
static bool reset_left_blocked(const struct iw_record *rec,
			       const struct iw_prior *prior,
			       const struct rule_ctx *ctx,
			       struct iw_violation *v)
{
	if (!watched_fence_ended(rec, prior, ctx) || !prior->rid_exact ||
	    prior->dom.kind != IW_DOM_BLOCKED || !prior->group_known ||
	    prior->group_dom.kind == IW_DOM_BLOCKED)
		return false;
	ev_dom(v, "rid", "rid_domain", prior->dom);
	ev_dom(v, "group_domain_type", "group_domain", prior->group_dom);
	ev_int(v, "in_reset_ns", rec->mono_ns - prior->reset_since_ns);
	return true;
}

/*
 * done puts back every PASID its prepare removed, on the domain it had
 * (pasid_array kept it). A PASID detached inside the fence shows as a
 * detach that ran no op, and is no longer due back. The same conditions
 * as reset_left_blocked.
 */
static bool pasid_lost_on_reset(const struct iw_record *rec,
				const struct iw_prior *prior,
				const struct rule_ctx *ctx,
				struct iw_violation *v)
{
	if (!prior->pasids_lost || !watched_fence_ended(rec, prior, ctx))
		return false;
	ev_int(v, "pasids", prior->pasids_lost);
	ev_int(v, "first_pasid", prior->lost_pasid);
	ev_dom(v, "was_on", "was_on_domain", prior->lost_from);
	return true;
}

const struct iw_rule iw_rules[] = {
	{ "blocked_with_rmr", IW_SEV_CRITICAL,
	  "blocking domain attached to a device whose firmware requires direct mappings",
	  blocked_with_rmr },
	{ "blocked_with_rmr_in_reset", IW_SEV_WARNING,
	  "blocking domain attached for a PCI reset to a device whose firmware requires direct mappings",
	  blocked_with_rmr_in_reset },
	{ "stale_pasid", IW_SEV_ERROR,
	  "PASID still attached where the core no longer tracks it",
	  stale_pasid },
	{ "domain_freed_in_use", IW_SEV_CRITICAL,
	  "domain freed while still the current domain of a device or group",
	  domain_freed_in_use },
	{ "deferred_hw_touch", IW_SEV_ERROR,
	  "attach on a device whose deferred attach has not happened yet",
	  deferred_hw_touch },
	{ "lock_not_held", IW_SEV_ERROR,
	  "driver op entered without the group mutex held",
	  lock_not_held },
	{ "identity_on_untrusted", IW_SEV_CRITICAL,
	  "identity (passthrough) domain on an untrusted, external-facing device",
	  identity_on_untrusted },
	{ "attach_failed", IW_SEV_WARNING,
	  "attach_dev or set_dev_pasid returned an error",
	  attach_failed },
	{ "old_domain_mismatch", IW_SEV_ERROR,
	  "the kernel's old domain for a RID is not the one its records left it on",
	  old_domain_mismatch },
	{ "require_direct_changed", IW_SEV_WARNING,
	  "a device's require_direct was cleared after the kernel set it",
	  require_direct_changed },
	{ "attach_during_reset", IW_SEV_ERROR,
	  "a device's translation changed between its reset's prepare and done, outside the reset",
	  attach_during_reset },
	{ "reset_unbalanced", IW_SEV_ERROR,
	  "a PCI reset's prepare without its done, or a done without a prepare",
	  reset_unbalanced },
	{ "reset_left_blocked", IW_SEV_ERROR,
	  "a PCI reset's done left the device on the blocking domain while its group is on another",
	  reset_left_blocked },
	{ "pasid_lost_on_reset", IW_SEV_ERROR,
	  "a PASID a PCI reset's prepare removed is not back on its domain after done",
	  pasid_lost_on_reset },
};

_Static_assert(ARRAY_SIZE(iw_rules) <= IW_RULES_MAX, "raise IW_RULES_MAX");
const int iw_n_rules = ARRAY_SIZE(iw_rules);

const char *severity_name(enum iw_severity sev)
{
	switch (sev) {
	case IW_SEV_CRITICAL:
		return "critical";
	case IW_SEV_ERROR:
		return "error";
	default:
		return "warning";
	}
}

void evidence_text(const struct iw_violation *v, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int i = 0; i < v->n_evidence && at < len; i++) {
		const struct iw_evidence *e = &v->evidence[i];
		const char *sep = i ? " " : "";
		int n;

		if (e->type == IW_EVID_STR)
			n = snprintf(buf + at, len - at, "%s%s=%s", sep, e->key,
				     e->str);
		else if (e->type == IW_EVID_BOOL)
			n = snprintf(buf + at, len - at, "%s%s=%s", sep, e->key,
				     e->num ? "true" : "false");
		else
			n = snprintf(buf + at, len - at, "%s%s=%lld", sep,
				     e->key, e->num);
		if (n < 0)
			break;
		at += n;
	}
}

int rule_index(const char *kind)
{
	for (int i = 0; i < iw_n_rules; i++)
		if (!strcmp(iw_rules[i].kind, kind))
			return i;
	return -1;
}

int rules_check(const struct iw_record *rec, const struct iw_prior *prior,
		const struct rule_ctx *ctx, struct iw_violation *out, int max)
{
	int n = 0;

	for (int i = 0; i < iw_n_rules && n < max; i++) {
		/* Evidence is appended: clearing all of it was most of the cost. */
		out[n].n_evidence = 0;
		if (iw_rules[i].check(rec, prior, ctx, &out[n])) {
			out[n].rule = &iw_rules[i];
			n++;
		}
	}
	return n;
}
