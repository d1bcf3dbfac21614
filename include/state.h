/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which domain each iommu_group, each device's RID and each PASID is on:
 * seeded from sysfs, then advanced by records.
 */
#ifndef __IW_STATE_H
#define __IW_STATE_H

#include <stdbool.h>
#include "record.h"

struct iw_state;

struct iw_pasid_entry {
	__u32 pasid;
	struct iw_dom dom;
	/* Left by an earlier life of the device (released with it attached):
	 * still in the driver's view of its domain, no longer the device's. */
	bool orphaned;
	/* A reset's fence parked it: where it was, for done to restore. */
	bool parked;
	struct iw_dom before_reset;
};

struct iw_device {
	char name[IW_DEV_NAME_LEN];
	int group;
	struct iw_dom rid;		/* domain of the RID */
	bool rid_known;
	bool released;			/* left the IOMMU core */
	__u32 flags;			/* facts last reported (IW_F_*) */
	struct iw_pasid_entry *pasids;	/* PASIDs other than the RID */
	unsigned int n_pasids;		/* entries, orphans included */
	unsigned int n_orphans;
	unsigned int cap_pasids;
	/*
	 * Every PASID of this life was seen: the session saw it enter the
	 * IOMMU core (its probe), with none. A device watched from the seed
	 * may hold PASIDs attached before start, which sysfs does not show:
	 * one not listed is unknown, not on no domain.
	 */
	bool pasids_known;
	/*
	 * PCI resets (7.x): prepares not yet done. Known from the first
	 * prepare seen: a device may have been mid-reset when watching began.
	 */
	unsigned int resets_open;
	bool resets_known;
	bool reset_fenced;		/* the outermost prepare blocked it */
	__u64 reset_since_ns;		/* the outermost prepare's time */
};

/* PASIDs the device itself has attached now. */
static inline unsigned int device_pasids(const struct iw_device *dev)
{
	return dev->n_pasids - dev->n_orphans;
}

/* An IOMMU instance, as /sys/class/iommu names it, and its driver. */
#define IW_IOMMU_NAME_LEN	32
struct iw_iommu {
	char name[IW_IOMMU_NAME_LEN];	/* e.g. dmar0, ivhd0, 0000:00:07.0 */
	char driver[IW_IOMMU_NAME_LEN];	/* e.g. intel-iommu; "": unknown */
};

struct iw_group {
	int id;
	const struct iw_iommu *iommu;	/* its devices' IOMMU; NULL: unknown */
	struct iw_dom dom;		/* group->domain */
	bool dom_known;
	bool direct;			/* has a "direct" reserved region */
	unsigned int n_devices;
};

/* What the state knew before a record changed it, for the rules. */
struct iw_prior {
	struct iw_dom dom;		/* tracked domain of the RID / PASID */
	bool known;
	/* dom is this very RID's domain, learnt from the kernel's own records
	 * (not a group's seeded type): a kernel's old can be held to it. */
	bool rid_exact;
	/* require_direct as the device's last record in this life read it. */
	bool direct_before_known;
	bool direct_before;
	unsigned int pasids_left;	/* PASIDs attached at a release */
	unsigned int rid_users;		/* RIDs/groups still on a freed domain */
	unsigned int pasid_users;	/* PASIDs still on a freed domain */
	int user_group;			/* first of those users, -1: none */
	char user_device[IW_DEV_NAME_LEN];	/* "" for a group's domain */
	const struct iw_iommu *iommu;	/* the record's group's; NULL: unknown */
	/* The device's resets before the record (struct iw_device's). */
	unsigned int resets_open;
	bool resets_known;
	bool reset_fenced;
	__u64 reset_since_ns;
	/* At a reset record: its group's domain, which done restores. */
	struct iw_dom group_dom;
	bool group_known;
	/* At the done ending a reset: PASIDs its fence parked that are not
	 * back where they were (the first one's number and domain). */
	unsigned int pasids_lost;
	__u32 lost_pasid;
	struct iw_dom lost_from;
};

struct iw_state *state_new(void);
void state_free(struct iw_state *st);
/* Forget everything (before a resync). */
void state_clear(struct iw_state *st);

/*
 * Group id (0..INT_MAX), created if asked; NULL if absent or out of
 * memory. The pointer stays valid until state_clear() or state_free().
 */
struct iw_group *state_group(struct iw_state *st, int id, bool create);
struct iw_device *state_device(struct iw_state *st, const char *name,
			       bool create);
/*
 * The IOMMU instance NAME with its DRIVER ("" or NULL: unknown), interned:
 * one entry per name, valid until state_free(). NULL when out of room.
 */
const struct iw_iommu *state_iommu(struct iw_state *st, const char *name,
				   const char *driver);

/*
 * Fill rec->from from the state when the kernel did not say, then apply the
 * record. prior (may be NULL) receives what was tracked before.
 */
void state_apply(struct iw_state *st, struct iw_record *rec,
		 struct iw_prior *prior);

/* Iteration in insertion order; cb returns non-zero to stop. */
int state_for_each_device(struct iw_state *st,
			  int (*cb)(struct iw_device *dev, void *arg),
			  void *arg);
/* Groups in ascending id order; cb must not create groups. */
int state_for_each_group(struct iw_state *st,
			 int (*cb)(struct iw_group *grp, void *arg), void *arg);
unsigned int state_n_groups(const struct iw_state *st);

/* Put a device in a seeded group, on the group's domain. */
struct iw_device *state_seed_device(struct iw_state *st, struct iw_group *grp,
				    const char *name);
/* Seed from a sysfs tree (normally "/sys"); 0 or -errno. */
int state_seed_sysfs(struct iw_state *st, const char *sysfs_root);
/*
 * A group that appeared after the seed (arm64 6.12 makes one only when a
 * driver probes the device): its IOMMU and direct region from sysfs, not
 * its domain or devices, which its events tell. Creates it; NULL if no
 * memory.
 */
struct iw_group *state_seed_new_group(struct iw_state *st,
				      const char *sysfs_root, int id);

#endif /* __IW_STATE_H */
