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
 * struct mutex of a !PREEMPT_RT kernel keeps the owner task in .owner;
 * PREEMPT_RT builds wrap an rt_mutex and have no such field.
 */
struct mutex___plain {
	atomic_long_t owner;
} __attribute__((preserve_access_index));

static __always_inline bool mutex_held_by_current(void *lock)
{
	struct mutex___plain *m = lock;
	unsigned long owner;

	if (!bpf_core_field_exists(struct mutex___plain, owner))
		return false;
	owner = m->owner.counter;
	return (owner & ~IW_MUTEX_FLAGS) == (unsigned long)bpf_get_current_task();
}

#endif /* __CORE_FIXES_BPF_H */
