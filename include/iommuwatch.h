/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared by the BPF programs and the loader: the event record, the
 * hook and path enums and the per-task context kept between hooks.
 */
#ifndef __IOMMUWATCH_H
#define __IOMMUWATCH_H

#define IW_DEV_NAME_LEN		32
#define IW_COMM_LEN		16

/* PASID value of an event on the device's RID (no PASID). */
#define IW_NO_PASID		0xffffffffU

/* Bytes of the event ring unless the user asks for another size. */
/* 256 KiB; a plain number, so that --help can print it. */
#define IW_RINGBUF_BYTES	262144

/*
 * iommu_domain.type values of include/linux/iommu.h: defines, so not in
 * BTF; the same on every supported kernel.
 */
#define IW_DOMAIN_TYPE_BLOCKED		0U
#define IW_DOMAIN_TYPE_UNMANAGED	1U
#define IW_DOMAIN_TYPE_DMA		3U
#define IW_DOMAIN_TYPE_IDENTITY		4U
#define IW_DOMAIN_TYPE_DMA_FQ		11U
#define IW_DOMAIN_TYPE_SVA		16U
#define IW_DOMAIN_TYPE_PLATFORM		32U
#define IW_DOMAIN_TYPE_NESTED		64U

enum iw_event_kind {
	IW_EV_ATTACH = 1,	/* attach_dev op: RID moves to a new domain */
	IW_EV_SET_PASID,	/* set_dev_pasid op: a PASID moves */
	IW_EV_REMOVE_PASID,	/* remove_dev_pasid op (6.12): a PASID is torn down */
	IW_EV_RELEASE,		/* device leaves the IOMMU core */
	IW_EV_DOMAIN_FREE,	/* iommu_domain_free */
	IW_EV_GROUP_TYPE,	/* sysfs type change done: the group's domain */
	IW_EV_RESET_PREPARE,	/* pci_dev_reset_iommu_prepare returned (7.x) */
	IW_EV_RESET_DONE,	/* pci_dev_reset_iommu_done returned (7.x) */
	IW_EV_PASID_FORGOTTEN,	/* iommu_detach_device_pasid ran no op */
};

/*
 * Every program's identity in events. Core hooks have fixed ids; driver
 * ops get ids from IW_HOOK_OP_BASE up, as many as the kernel has, passed
 * to their programs as the attach cookie.
 */
enum iw_hook_id {
	IW_HOOK_PROBE_DEVICE = 0,
	IW_HOOK_SETUP_DEFAULT,
	IW_HOOK_STORE_TYPE,
	IW_HOOK_DEINIT_DEVICE,
	IW_HOOK_RELEASE_DEVICE,
	IW_HOOK_RESET_PREPARE,
	IW_HOOK_RESET_DONE,
	IW_HOOK_TAKE_OWNER,
	IW_HOOK_RELEASE_OWNER,
	IW_HOOK_GROUP_CLAIM,
	IW_HOOK_GROUP_RELEASE,
	IW_HOOK_ATTACH_DEVICE,
	IW_HOOK_DETACH_DEVICE,
	IW_HOOK_ATTACH_GROUP,
	IW_HOOK_DETACH_GROUP,
	IW_HOOK_ATTACH_PASID,
	IW_HOOK_REPLACE_PASID,
	IW_HOOK_DETACH_PASID,
	IW_HOOK_DOMAIN_FREE,
	IW_HOOK_PROBE_DEVICE_61,
	IW_HOOK_CORE_MAX,
	IW_HOOK_OP_BASE = 32,
};

/*
 * An op hook's attach cookie: the hook id; the op's argument count from
 * BTF, which a kprobe cannot ask the kernel for (fentry programs do); and
 * whether it is a driver's internal attach, whose arguments past (domain,
 * dev) are not an op's and which returns nothing.
 */
#define IW_COOKIE_INTERNAL		(1ULL << 48)
#define IW_COOKIE(hook, nr_args, internal)				\
	((__u64)(nr_args) << 32 | (__u32)(hook) |			\
	 ((internal) ? IW_COOKIE_INTERNAL : 0))
#define IW_COOKIE_HOOK(cookie)		((__u32)(cookie))
#define IW_COOKIE_NR_ARGS(cookie)	((__u32)((cookie) >> 32) & 0xffff)

/* Why an op ran: the outermost core function of the task's call chain. */
enum iw_path {
	IW_PATH_UNKNOWN = 0,
	IW_PATH_PROBE,
	IW_PATH_DEFAULT,
	IW_PATH_ATTACH,
	IW_PATH_DETACH,
	IW_PATH_OWNER,
	IW_PATH_RELEASE,
	IW_PATH_RESET,
	IW_PATH_DEFERRED,
	IW_PATH_PASID,
	IW_PATH_MAX,
};

/* Facts read from the kernel at the hook, for the rules. */
enum iw_event_flags {
	IW_F_REQUIRE_DIRECT	= 1U << 0, /* dev->iommu->require_direct */
	IW_F_ATTACH_DEFERRED	= 1U << 1, /* dev->iommu->attach_deferred */
	IW_F_UNTRUSTED		= 1U << 2, /* pci_dev->untrusted */
	IW_F_MUTEX_HELD		= 1U << 3, /* current owns group->mutex */
	IW_F_HAS_OLD		= 1U << 4, /* the op was passed its old domain */
	IW_F_NEW_IS_BLOCKING	= 1U << 5, /* new == group/ops blocking domain */
	IW_F_OLD_IS_BLOCKING	= 1U << 6,
	IW_F_NO_GROUP		= 1U << 7, /* device had no iommu_group */
	/*
	 * A fact the program could not read is unknown, never false: each
	 * has its bit, and the rules stay silent without it.
	 */
	IW_F_DIRECT_KNOWN	= 1U << 8, /* require_direct was read */
	IW_F_DEFERRED_KNOWN	= 1U << 9, /* attach_deferred was read */
	IW_F_UNTRUSTED_KNOWN	= 1U << 10, /* untrusted was read */
	IW_F_MUTEX_KNOWN	= 1U << 11, /* the mutex owner was read */
	/* Domain frees: the domain outlives the core's free. */
	IW_F_FREE_NOOP		= 1U << 12, /* its ops have no free: static */
	IW_F_FREE_MAYBE		= 1U << 13, /* the driver may keep it (6.1) */
	IW_F_NO_NAME		= 1U << 14, /* the device's name was unreadable */
	/* Resets: the group_device as the call left it (7.x fields). */
	IW_F_RESET_BLOCKED	= 1U << 15, /* gdev->blocked: fenced */
	IW_F_BLOCKED_KNOWN	= 1U << 16, /* gdev->blocked was read */
	IW_F_DEPTH_KNOWN	= 1U << 17, /* gdev->reset_depth was read */
	/* The core alone changed its view: no driver op ran. */
	IW_F_CORE_ONLY		= 1U << 18,
};

/* Every fact known (tests, and records the reader makes itself). */
#define IW_F_KNOWN_ALL	(IW_F_DIRECT_KNOWN | IW_F_DEFERRED_KNOWN |	\
			 IW_F_UNTRUSTED_KNOWN | IW_F_MUTEX_KNOWN)

/* The facts a device event carries, with their known bits. */
#define IW_F_FACTS	(IW_F_REQUIRE_DIRECT | IW_F_ATTACH_DEFERRED | \
			 IW_F_UNTRUSTED | IW_F_DIRECT_KNOWN |		\
			 IW_F_DEFERRED_KNOWN | IW_F_UNTRUSTED_KNOWN)

/*
 * A domain as events carry it: BPF fills its address and type, the reader
 * turns the address into a stable id (src/domains.c) and prints only that.
 */
struct iommuwatch_domain_ref {
	__u64 key;		/* the domain's address; 0: none */
	__u32 id;		/* set by the reader; 0: none */
	__u32 type;		/* IOMMU_DOMAIN_* */
};

struct iommuwatch_event {
	__u64 ts_ns;		/* CLOCK_MONOTONIC when the program ran */
	__u64 latency_ns;	/* entry to exit of the op, 0 if not timed */
	__u32 kind;		/* enum iw_event_kind */
	__u32 hook;		/* index into the loader's hook table */
	__u32 path;		/* enum iw_path */
	__u32 flags;		/* enum iw_event_flags */
	__s32 group;		/* iommu_group id, -1 if none */
	__u32 pasid;		/* IW_NO_PASID for the RID */
	__s32 ret;		/* op's return value */
	__u32 pid;
	__u32 cpu;
	__u32 reset_depth;	/* resets: gdev->reset_depth after the call */
	struct iommuwatch_domain_ref new_dom;	/* domain being attached / freed */
	struct iommuwatch_domain_ref old_dom;	/* old domain passed to the op */
	/* group->domain when the program ran: at an op's exit the core
	 * has not yet set the new one. */
	struct iommuwatch_domain_ref group_dom;
	char comm[IW_COMM_LEN];
	char dev[IW_DEV_NAME_LEN];
};

#endif /* __IOMMUWATCH_H */
