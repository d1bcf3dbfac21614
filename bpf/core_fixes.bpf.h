/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CO-RE accessors for fields that differ between the supported kernels.
 * Each reader returns a neutral value where the field does not exist.
 */
#ifndef __CORE_FIXES_BPF_H
#define __CORE_FIXES_BPF_H

#include <vmlinux.h>
#include <bpf/bpf_core_read.h>
#include "iommuwatch.h"

/* Mutex flag bits kept in the low bits of mutex.owner (kernel/locking). */
#define IW_MUTEX_FLAGS		0x07UL

/*
 * dev_iommu.attach_deferred came with 6.2's "iommu: Add
 * dev_iommu->attach_deferred" (bd7ebb7719d3: 6.1 asks
 * ops->is_attach_deferred() instead), require_direct with "iommu: Add
 * require_direct flag" (a2d8ce7f2c40, also 6.2). Positions in the flavour
 * are CO-RE's to find; only the names matter.
 */
struct dev_iommu___v62 {
	u32 attach_deferred : 1;
	u32 require_direct : 1;
} __attribute__((preserve_access_index));

static __always_inline bool dev_iommu_has_flags(void)
{
	return bpf_core_field_exists(struct dev_iommu___v62, require_direct) &&
	       bpf_core_field_exists(struct dev_iommu___v62, attach_deferred);
}

/*
 * Reading a field of a kernel object. fentry programs get typed pointers
 * (hook arguments, and fields read through them) that the verifier lets
 * them load through; kprobe programs get plain numbers from registers,
 * read with bpf_probe_read_kernel(). `probed` is a constant in every
 * program, so each keeps only its own kind of load.
 */
#define RD(probed, p, f)	((probed) ? BPF_CORE_READ(p, f) : (p)->f)
#define RD_BITFIELD(probed, p, f)					\
	((probed) ? BPF_CORE_READ_BITFIELD_PROBED(p, f) :		\
		    BPF_CORE_READ_BITFIELD(p, f))

/* Not named p: libbpf 1.1's BPF_CORE_READ_BITFIELD declares a local p. */
static __always_inline bool dev_iommu_require_direct(struct dev_iommu *di,
						     bool probed)
{
	struct dev_iommu___v62 *d = (void *)di;

	if (!bpf_core_field_exists(struct dev_iommu___v62, require_direct))
		return false;
	return RD_BITFIELD(probed, d, require_direct);
}

static __always_inline bool dev_iommu_attach_deferred(struct dev_iommu *di,
						      bool probed)
{
	struct dev_iommu___v62 *d = (void *)di;

	if (!bpf_core_field_exists(struct dev_iommu___v62, attach_deferred))
		return false;
	return RD_BITFIELD(probed, d, attach_deferred);
}

/*
 * iommu_ops.blocked_domain and .identity_domain arrived in 6.7 ("iommu:
 * Add ops->domain_alloc_paging()" series: 13fbceb1b8e9 "iommu: Add
 * IOMMU_DOMAIN_PLATFORM" / df31b298477e "iommu: Add identity_domain to
 * iommu_ops"); before them only group->blocking_domain exists.
 */
struct iommu_ops___v67 {
	struct iommu_domain *blocked_domain;
	struct iommu_domain *identity_domain;
} __attribute__((preserve_access_index));

static __always_inline struct iommu_domain *
ops_blocked_domain(const struct iommu_ops *ops, bool probed)
{
	const struct iommu_ops___v67 *o = (const void *)ops;

	if (!o || !bpf_core_field_exists(struct iommu_ops___v67, blocked_domain))
		return NULL;
	return RD(probed, o, blocked_domain);
}

static __always_inline bool ops_have_static_domains(void)
{
	return bpf_core_field_exists(struct iommu_ops___v67, identity_domain);
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
static __always_inline bool mutex_owner(void *lock, unsigned long *owner,
					bool probed)
{
	if (bpf_core_field_exists(struct mutex___plain, owner)) {
		struct mutex___plain *m = lock;

		*owner = RD(probed, m, owner.counter) & ~IW_MUTEX_FLAGS;
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
static __always_inline __u32 domain_free_facts(struct iommu_domain *dom,
						bool probed)
{
	const struct iommu_domain_ops *ops = RD(probed, dom, ops);

	if (ops && !RD(probed, ops, free))
		return IW_F_FREE_NOOP;
	if (!ops_have_static_domains() &&
	    RD(probed, dom, type) == IW_DOMAIN_TYPE_IDENTITY)
		return IW_F_FREE_MAYBE;
	return 0;
}

/*
 * group_device.blocked (a device fenced by pci_dev_reset_iommu_prepare) and
 * .reset_depth (nested resets) came with 7.0's reset fencing and its fixes.
 * blocked is read by its size and sign, as a bitfield would be: it stays
 * right if upstream turns the bool into an enum (nonzero: fenced).
 */
struct group_device___v70 {
	struct list_head list;
	struct device *dev;
	bool blocked;
	unsigned int reset_depth;
} __attribute__((preserve_access_index));

#endif /* __CORE_FIXES_BPF_H */
