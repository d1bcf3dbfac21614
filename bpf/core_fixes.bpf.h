/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CO-RE accessors for fields that differ between the supported kernels.
 * Each reader returns a neutral value where the field does not exist.
 */
#ifndef __CORE_FIXES_BPF_H
#define __CORE_FIXES_BPF_H

#include <vmlinux.h>
#include <bpf/bpf_core_read.h>

/* Mutex flag bits kept in the low bits of mutex.owner (kernel/locking). */
#define IW_MUTEX_FLAGS		0x07UL

/*
 * dev_iommu.require_direct and .attach_deferred came with 6.2's
 * "iommu: Add required_direct flag" / the attach_deferred rework; 6.1 has
 * neither (it asks ops->is_attach_deferred() instead).
 */
static __always_inline bool dev_iommu_has_flags(void)
{
	return bpf_core_field_exists(struct dev_iommu, require_direct) &&
	       bpf_core_field_exists(struct dev_iommu, attach_deferred);
}

/*
 * Readers take pointers the verifier knows (hook arguments and fields read
 * through them) and use plain loads. Not named p: libbpf 1.1's
 * BPF_CORE_READ_BITFIELD declares a local p of its own.
 */
static __always_inline bool dev_iommu_require_direct(struct dev_iommu *di)
{
	if (!bpf_core_field_exists(struct dev_iommu, require_direct))
		return false;
	return BPF_CORE_READ_BITFIELD(di, require_direct);
}

static __always_inline bool dev_iommu_attach_deferred(struct dev_iommu *di)
{
	if (!bpf_core_field_exists(struct dev_iommu, attach_deferred))
		return false;
	return BPF_CORE_READ_BITFIELD(di, attach_deferred);
}

/*
 * iommu_ops.blocked_domain arrived in 6.7 ("iommu: Add
 * ops->blocked_domain"); before it only group->blocking_domain exists.
 */
static __always_inline struct iommu_domain *
ops_blocked_domain(const struct iommu_ops *ops)
{
	if (!ops || !bpf_core_field_exists(struct iommu_ops, blocked_domain))
		return NULL;
	return ops->blocked_domain;
}

/*
 * struct mutex of a !PREEMPT_RT kernel keeps the owner task in .owner, its
 * low bits flags; a PREEMPT_RT build wraps an rt_mutex whose owner keeps
 * RT_MUTEX_HAS_WAITERS in bit 0. Whichever layout the kernel has is read;
 * with neither, who holds the lock is unknown, never "nobody".
 */
struct mutex___plain {
	atomic_long_t owner;
} __attribute__((preserve_access_index));

struct rt_mutex_base___rt {
	struct task_struct *owner;
} __attribute__((preserve_access_index));

struct mutex___rt {
	struct rt_mutex_base___rt rtmutex;
} __attribute__((preserve_access_index));

/* The owner task's address, flags masked; false if the layout is unknown. */
static __always_inline bool mutex_owner(void *lock, unsigned long *owner)
{
	if (bpf_core_field_exists(struct mutex___plain, owner)) {
		struct mutex___plain *m = lock;

		*owner = m->owner.counter & ~IW_MUTEX_FLAGS;
		return true;
	}
	if (bpf_core_field_exists(struct mutex___rt, rtmutex)) {
		struct mutex___rt *m = lock;

		*owner = (unsigned long)BPF_CORE_READ(m, rtmutex.owner) &
			 ~IW_MUTEX_FLAGS;
		return true;
	}
	return false;
}

/*
 * Static domains (6.7+: a driver's identity and blocked domains, shared by
 * every group on them) have ops without free: iommu_domain_free() on them
 * releases nothing. 6.1 has no static domains, but a driver could hand
 * every group one identity domain and refuse to free it (Intel's
 * si_domain): there, whether an identity domain dies cannot be read.
 */
#define IW_IOMMU_DOMAIN_IDENTITY	4U

static __always_inline __u32 domain_free_facts(struct iommu_domain *dom)
{
	const struct iommu_domain_ops *ops = dom->ops;

	if (ops && !ops->free)
		return IW_F_FREE_NOOP;
	if (!bpf_core_field_exists(struct iommu_ops, identity_domain) &&
	    dom->type == IW_IOMMU_DOMAIN_IDENTITY)
		return IW_F_FREE_MAYBE;
	return 0;
}

#endif /* __CORE_FIXES_BPF_H */
