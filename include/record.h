/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the tool reports: one record per change the kernel made, decoded from
 * a BPF event (live) or read back from JSON Lines (replay). Output formats,
 * state and rules all work on records, never on raw events.
 */
#ifndef __IW_RECORD_H
#define __IW_RECORD_H

#include <stdbool.h>
#include <linux/types.h>
#include "iommuwatch.h"

enum iw_record_type {
	IW_REC_TRANSITION,	/* a RID or PASID moved (or failed to) */
	IW_REC_RELEASE,		/* a device left the IOMMU core */
	IW_REC_DOMAIN_FREE,	/* a domain was freed */
	IW_REC_RESET_PREPARE,	/* the core fenced a device for a PCI reset */
	IW_REC_RESET_DONE,	/* ... and let it go after the reset */
	/* Internal: a group's domain after a type change; the pipeline turns
	 * an in-place change into transitions and shows nothing else. */
	IW_REC_GROUP_TYPE,
};

/* The record types a session shows and counts: those before GROUP_TYPE. */
#define IW_REC_SHOWN_TYPES	IW_REC_GROUP_TYPE

/* Domain types as reported; "blocked" also covers a group's blocker. */
enum iw_dom_kind {
	IW_DOM_NONE,
	IW_DOM_BLOCKED,
	IW_DOM_IDENTITY,
	IW_DOM_UNMANAGED,
	IW_DOM_DMA,
	IW_DOM_DMA_FQ,
	IW_DOM_SVA,
	IW_DOM_NESTED,
	IW_DOM_PLATFORM,
	IW_DOM_UNKNOWN,
	IW_DOM_KIND_MAX,
};

struct iw_dom {
	__u32 id;		/* stable id, 0 when not known (seeded state) */
	enum iw_dom_kind kind;
};

struct iw_record {
	enum iw_record_type type;
	__u64 mono_ns;		/* CLOCK_MONOTONIC of the event */
	__u64 latency_ns;
	int group;		/* -1: no group */
	char device[IW_DEV_NAME_LEN];
	__u32 pasid;		/* IW_NO_PASID for the RID */
	struct iw_dom from;
	struct iw_dom to;
	bool from_known;	/* from came from the kernel or from state */
	enum iw_path path;
	char hook[64];
	int ret;
	__u32 pid;
	__u32 cpu;
	char comm[IW_COMM_LEN];
	__u32 flags;		/* enum iw_event_flags */
	/* Resets: gdev->reset_depth after the call (IW_F_DEPTH_KNOWN). */
	__u32 reset_depth;
};

static inline bool is_reset_record(const struct iw_record *rec)
{
	return rec->type == IW_REC_RESET_PREPARE ||
	       rec->type == IW_REC_RESET_DONE;
}

const char *dom_kind_name(enum iw_dom_kind kind);
/* -1 if the name is not one of dom_kind_name()'s. */
int dom_kind_parse(const char *name);
enum iw_dom_kind dom_kind_from_type(__u32 type, bool blocking);
/* Names of /sys/kernel/iommu_groups/N/type ("DMA-FQ", "identity", ...). */
enum iw_dom_kind dom_kind_from_sysfs(const char *type);

const char *path_name(enum iw_path path);
/* The path a record shows: "free" for a domain's free, else its path's. */
const char *record_path_name(enum iw_record_type type, enum iw_path path);
int path_parse(const char *name);

/* Decode a BPF event; hook_name names the function it came from. */
void record_from_event(struct iw_record *rec, const struct iommuwatch_event *e,
		       const char *hook_name);

#endif /* __IW_RECORD_H */
