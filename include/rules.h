/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Violation rules: invariants of the IOMMU core checked on every record,
 * as pure functions of the record and of what the state knew before it.
 */
#ifndef __IW_RULES_H
#define __IW_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include "record.h"
#include "state.h"

enum iw_severity {
	IW_SEV_WARNING,
	IW_SEV_ERROR,
	IW_SEV_CRITICAL,
};

#define IW_EVIDENCE_MAX	6
/* Room for the rule table (iw_n_rules of them are used). */
#define IW_RULES_MAX	16

struct iw_evidence {
	const char *key;
	enum { IW_EVID_STR, IW_EVID_INT, IW_EVID_BOOL } type;
	const char *str;
	long long num;
};

struct iw_rule;

struct iw_violation {
	const struct iw_rule *rule;
	struct iw_evidence evidence[IW_EVIDENCE_MAX];
	int n_evidence;
};

/* What the rules need beyond the record and its prior. */
struct rule_ctx {
	struct iw_state *st;
	/* iommu_deferred_attach takes group->mutex (7.x; hooks.h says how). */
	bool deferred_locked;
	/*
	 * Every driver op the kernel's BTF offers is hooked, and no driver
	 * module came later: an op that ran was seen. Rules that read an
	 * expected attach's absence as a fact need it.
	 */
	bool ops_watched;
};

typedef bool (*rule_fn)(const struct iw_record *rec,
			const struct iw_prior *prior,
			const struct rule_ctx *ctx, struct iw_violation *v);

struct iw_rule {
	const char *kind;
	enum iw_severity severity;
	const char *description;
	rule_fn check;
};

extern const struct iw_rule iw_rules[];
extern const int iw_n_rules;

const char *severity_name(enum iw_severity sev);
/* The evidence as "key=value key=value", cut to len - 1 bytes. */
void evidence_text(const struct iw_violation *v, char *buf, size_t len);
/* Index of kind in iw_rules, -1 if unknown. */
int rule_index(const char *kind);

/* Every violation rec makes, into out[max]; returns how many. */
int rules_check(const struct iw_record *rec, const struct iw_prior *prior,
		const struct rule_ctx *ctx, struct iw_violation *out, int max);

#endif /* __IW_RULES_H */
