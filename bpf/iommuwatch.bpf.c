// SPDX-License-Identifier: GPL-2.0
/*
 * Watch the IOMMU core change a device's translation.
 *
 * Core functions mark the task with the path that leads to the drivers'
 * ops (release, reset, probe, ...); the ops themselves are hooked through
 * one template per op, which the loader copies for every implementation
 * it finds in BTF, so that attaches which bypass __iommu_attach_device
 * are seen too. One event per op, at fexit.
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "iommuwatch.h"
#include "core_fixes.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Only devices of this group (-1: all); set before load. */
const volatile int targ_group = -1;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, IW_RINGBUF_BYTES);
} events SEC(".maps");

/* Events that did not fit the ring buffer, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} events_dropped SEC(".maps");

/* Op kinds timed from entry to exit (enum iw_event_kind up to them). */

/*
 * What a task is doing in the IOMMU core. Task-local storage rather than a
 * tid-keyed hash: no hashing and no LRU locks on every core function.
 */
struct task_ctx {
	__u32 path;		/* enum iw_path; IW_PATH_UNKNOWN: no marker */
	__u32 hook;		/* hook that set the marker; only it clears it */
	/*
	 * Ops in progress: a driver's op may call another op (AMD's identity
	 * attach calls its paging attach); the outermost reports, timed.
	 */
	__u32 op_depth;
	__u32 pad;
	__u64 op_start_ns;	/* the outermost op's entry */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_ctx);
} task_ctxs SEC(".maps");

/*
 * &pci_bus_type from the loader's pass over kallsyms; 0 when addresses are
 * hidden from it (kptr_restrict), and then the bus is told by its name.
 */
const volatile __u64 pci_bus_addr = 0;

static __always_inline struct task_ctx *task_ctx_get(bool create)
{
	return bpf_task_storage_get(&task_ctxs, bpf_get_current_task_btf(), NULL,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

/*
 * Pointers that come from the hooked function's arguments (and fields
 * read through them) are typed for the verifier: they are read with plain
 * loads, not a bpf_probe_read_kernel() call each. Only the old domain,
 * fetched with bpf_get_func_arg(), needs the probed reads.
 *
 * A domain goes out as its address; the reader turns that into a stable
 * id (src/domains.c), which a BPF hash did at three lookups an event.
 */
static __always_inline void domain_ref(struct iommuwatch_domain_ref *ref,
				       struct iommu_domain *dom)
{
	ref->key = (__u64)dom;
	ref->type = dom ? dom->type : 0;
}

static __always_inline bool group_wanted(struct device *dev)
{
	struct iommu_group *grp;

	if (targ_group < 0)
		return true;
	grp = dev->iommu_group;
	return grp && grp->id == targ_group;
}

/* Besides any domain of type BLOCKED, the kernel's blockers for a device. */
struct blockers {
	struct iommu_domain *group;	/* group->blocking_domain */
	struct iommu_domain *ops;	/* ops->blocked_domain (6.7+) */
};

static __always_inline void dev_blockers(struct device *dev,
					 struct iommu_group *grp,
					 struct blockers *b)
{
	b->group = grp ? grp->blocking_domain : NULL;
	b->ops = ops_blocked_domain(dev->iommu->iommu_dev->ops);
}

static __always_inline bool is_blocking(struct iommu_domain *dom, __u32 type,
					const struct blockers *b)
{
	return dom && (type == IW_DOMAIN_TYPE_BLOCKED || dom == b->group ||
		       dom == b->ops);
}

/* Whether dev is on the PCI bus: 1 yes, 0 no, -1 cannot tell. */
static __always_inline int dev_on_pci_bus(struct device *dev)
{
	const struct bus_type *bus = dev->bus;
	char name[4] = {};

	if (!bus)
		return 0;
	if (pci_bus_addr)
		return (__u64)bus == pci_bus_addr;
	if (bpf_probe_read_kernel_str(name, sizeof(name), bus->name) < 0)
		return -1;
	return name[0] == 'p' && name[1] == 'c' && name[2] == 'i' && !name[3];
}

/* Only PCI devices can be untrusted (behind an external-facing port). */
static __always_inline __u32 dev_untrusted_flags(struct device *dev)
{
	struct pci_dev *pdev;
	int pci = dev_on_pci_bus(dev);

	if (pci < 0)
		return 0;
	if (!pci)
		return IW_F_UNTRUSTED_KNOWN;
	pdev = (void *)dev - bpf_core_field_offset(struct pci_dev, dev);
	return IW_F_UNTRUSTED_KNOWN |
	       (BPF_CORE_READ_BITFIELD_PROBED(pdev, untrusted) ? IW_F_UNTRUSTED : 0);
}

static __always_inline __u32 device_flags(struct device *dev,
					  struct iommu_group *grp)
{
	struct dev_iommu *di = dev->iommu;
	unsigned long owner;
	__u32 flags = 0;

	if (di && dev_iommu_has_flags()) {
		flags |= IW_F_DIRECT_KNOWN | IW_F_DEFERRED_KNOWN;
		if (dev_iommu_require_direct(di))
			flags |= IW_F_REQUIRE_DIRECT;
		if (dev_iommu_attach_deferred(di))
			flags |= IW_F_ATTACH_DEFERRED;
	}
	flags |= dev_untrusted_flags(dev);
	if (!grp) {
		flags |= IW_F_NO_GROUP;
	} else if (mutex_owner(&grp->mutex, &owner)) {
		flags |= IW_F_MUTEX_KNOWN;
		if (owner == (unsigned long)bpf_get_current_task())
			flags |= IW_F_MUTEX_HELD;
	}
	return flags;
}

/*
 * Fill what every event carries: when, what, and the task that did it.
 * Op exits read the clock once, for the latency and the timestamp.
 */
static __always_inline void fill_task(struct iommuwatch_event *e, __u64 now,
				      __u32 kind, __u32 hook)
{
	e->ts_ns = now;
	e->kind = kind;
	e->hook = hook;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->cpu = bpf_get_smp_processor_id();
	e->group = -1;
	e->pasid = IW_NO_PASID;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

/* A call that reports a device: what the hook's arguments say. */
struct dev_call {
	struct device *dev;
	struct iommu_domain *dom;	/* given to the op: new, or removed */
	__u32 kind;			/* enum iw_event_kind */
	__u32 hook;			/* enum iw_hook_id, or the op's cookie */
	__u32 pasid;			/* IW_NO_PASID: the RID */
	__u32 old_arg;			/* argument that may hold old; 0: none */
};

/*
 * Fill what every device event carries; the caller adds the rest. A name
 * that cannot be read is flagged: "" must never name a device.
 */
static __always_inline void fill_device(struct iommuwatch_event *e, __u64 now,
					const struct dev_call *c,
					const struct task_ctx *tc)
{
	struct device *dev = c->dev;
	struct iommu_group *grp = dev->iommu_group;

	fill_task(e, now, c->kind, c->hook);
	e->group = grp ? grp->id : -1;
	e->flags = device_flags(dev, grp);
	if (grp)
		domain_ref(&e->group_dom, grp->domain);
	if (tc)
		e->path = tc->path;
	if (bpf_probe_read_kernel_str(e->dev, sizeof(e->dev),
				      dev->kobj.name) <= 1)
		e->flags |= IW_F_NO_NAME;
}

static __always_inline struct iommuwatch_event *reserve_event(void)
{
	struct iommuwatch_event *e;
	__u32 zero = 0;
	__u64 *cnt;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		__builtin_memset(e, 0, sizeof(*e));
		return e;
	}
	cnt = bpf_map_lookup_elem(&events_dropped, &zero);
	if (cnt)
		*cnt += 1;
	return NULL;
}

/*
 * Waking the reader is an IPI and a cross-CPU wakeup inside the traced
 * call; the reader polls on a short timeout anyway. Wake it only when a
 * burst could fill the ring before its next poll: past a quarter of the
 * ring, which the loader sets with the ring's size.
 */
const volatile __u64 wakeup_bytes = IW_RINGBUF_BYTES / 4;

static __always_inline void submit_event(struct iommuwatch_event *e)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);

	bpf_ringbuf_submit(e, avail > wakeup_bytes ? BPF_RB_FORCE_WAKEUP :
						     BPF_RB_NO_WAKEUP);
}

/* ---- per-task path markers, set by the core functions ---- */

static __always_inline int ctx_mark(struct task_ctx *tc, __u32 path,
				    __u32 hook)
{
	/* The outermost function names the path: never overwrite. */
	if (!tc || tc->path != IW_PATH_UNKNOWN)
		return 0;
	tc->path = path;
	tc->hook = hook;
	return 0;
}

static __always_inline int ctx_enter(__u32 path, __u32 hook)
{
	return ctx_mark(task_ctx_get(true), path, hook);
}

static __always_inline int ctx_exit(__u32 hook)
{
	struct task_ctx *tc = task_ctx_get(false);

	if (tc && tc->path != IW_PATH_UNKNOWN && tc->hook == hook)
		tc->path = IW_PATH_UNKNOWN;
	return 0;
}

#define CTX_HOOK(func, path, hook)					\
SEC("fentry/" #func)							\
int func##_entry(void *ctx)						\
{									\
	return ctx_enter(path, hook);				\
}									\
SEC("fexit/" #func)							\
int func##_exit(void *ctx)						\
{									\
	return ctx_exit(hook);						\
}

CTX_HOOK(__iommu_probe_device, IW_PATH_PROBE, IW_HOOK_PROBE_DEVICE)
/* 6.1 attaches the default domain here, after __iommu_probe_device. */
CTX_HOOK(iommu_probe_device, IW_PATH_PROBE, IW_HOOK_PROBE_DEVICE_61)
CTX_HOOK(iommu_setup_default_domain, IW_PATH_DEFAULT, IW_HOOK_SETUP_DEFAULT)
CTX_HOOK(pci_dev_reset_iommu_prepare, IW_PATH_RESET, IW_HOOK_RESET_PREPARE)
CTX_HOOK(pci_dev_reset_iommu_done, IW_PATH_RESET, IW_HOOK_RESET_DONE)
CTX_HOOK(__iommu_take_dma_ownership, IW_PATH_OWNER, IW_HOOK_TAKE_OWNER)
CTX_HOOK(__iommu_release_dma_ownership, IW_PATH_OWNER, IW_HOOK_RELEASE_OWNER)
CTX_HOOK(iommu_group_claim_dma_owner, IW_PATH_OWNER, IW_HOOK_GROUP_CLAIM)
CTX_HOOK(iommu_group_release_dma_owner, IW_PATH_OWNER, IW_HOOK_GROUP_RELEASE)
CTX_HOOK(iommu_attach_device, IW_PATH_ATTACH, IW_HOOK_ATTACH_DEVICE)
CTX_HOOK(iommu_detach_device, IW_PATH_DETACH, IW_HOOK_DETACH_DEVICE)
CTX_HOOK(iommu_attach_group, IW_PATH_ATTACH, IW_HOOK_ATTACH_GROUP)
CTX_HOOK(iommu_detach_group, IW_PATH_DETACH, IW_HOOK_DETACH_GROUP)
CTX_HOOK(iommu_attach_device_pasid, IW_PATH_PASID, IW_HOOK_ATTACH_PASID)
CTX_HOOK(iommu_replace_device_pasid, IW_PATH_PASID, IW_HOOK_REPLACE_PASID)
CTX_HOOK(iommu_detach_device_pasid, IW_PATH_PASID, IW_HOOK_DETACH_PASID)

/*
 * A sysfs type change can turn a DMA domain into DMA-FQ in place (a flush
 * queue on the live domain, no op runs): after each successful change,
 * report the group's domain; the reader tells whether its type changed.
 */
SEC("fentry/iommu_group_store_type")
int iommu_group_store_type_entry(void *ctx)
{
	return ctx_enter(IW_PATH_DEFAULT, IW_HOOK_STORE_TYPE);
}

SEC("fexit/iommu_group_store_type")
int iommu_group_store_type_exit(void *ctx)
{
	struct iommu_group *grp = (void *)((__u64 *)ctx)[0];
	struct iommuwatch_event *e;
	__u64 ret = 0;

	ctx_exit(IW_HOOK_STORE_TYPE);
	bpf_get_func_ret(ctx, &ret);
	if ((long)ret < 0 || !grp || (targ_group >= 0 && grp->id != targ_group))
		return 0;
	e = reserve_event();
	if (!e)
		return 0;
	fill_task(e, bpf_ktime_get_ns(), IW_EV_GROUP_TYPE, IW_HOOK_STORE_TYPE);
	e->group = grp->id;
	e->path = IW_PATH_DEFAULT;
	domain_ref(&e->new_dom, grp->domain);
	submit_event(e);
	return 0;
}

/*
 * Every free, and whether the domain dies: the reader drops those of
 * domains no event has shown, and those that outlive the free.
 */
SEC("fentry/iommu_domain_free")
int BPF_PROG(iommu_domain_free_entry, struct iommu_domain *dom)
{
	struct iommuwatch_event *e;

	if (!dom)
		return 0;
	e = reserve_event();
	if (!e)
		return 0;
	fill_task(e, bpf_ktime_get_ns(), IW_EV_DOMAIN_FREE, IW_HOOK_DOMAIN_FREE);
	domain_ref(&e->new_dom, dom);
	e->flags = domain_free_facts(dom);
	submit_event(e);
	return 0;
}

/* ---- driver ops: one template per op, copied for each implementation ---- */

static __always_inline int op_entry(void)
{
	struct task_ctx *tc = task_ctx_get(true);

	if (tc && tc->op_depth++ == 0)
		tc->op_start_ns = bpf_ktime_get_ns();
	return 0;
}

/*
 * An op's exit: true when an outer op is still running (it reports).
 * Else *lat is the op's latency, 0 when its entry was not seen.
 */
static __always_inline bool op_leave(struct task_ctx *tc, __u64 now,
				     __u64 *lat)
{
	*lat = 0;
	if (!tc || !tc->op_depth)
		return false;
	if (--tc->op_depth)
		return true;
	*lat = now - tc->op_start_ns;
	return false;
}

/* Domains and the old domain (an extra trailing argument on newer kernels). */
static __always_inline void op_domains(struct iommuwatch_event *e, void *ctx,
				       const struct dev_call *c)
{
	struct iommu_domain *old = NULL;
	struct blockers b;

	dev_blockers(c->dev, c->dev->iommu_group, &b);
	domain_ref(&e->new_dom, c->dom);
	if (is_blocking(c->dom, e->new_dom.type, &b))
		e->flags |= IW_F_NEW_IS_BLOCKING;
	if (!c->old_arg || bpf_get_func_arg_cnt(ctx) <= c->old_arg ||
	    bpf_get_func_arg(ctx, c->old_arg, (__u64 *)&old))
		return;
	e->flags |= IW_F_HAS_OLD;
	e->old_dom.key = (__u64)old;
	e->old_dom.type = old ? BPF_CORE_READ(old, type) : 0;
	if (is_blocking(old, e->old_dom.type, &b))
		e->flags |= IW_F_OLD_IS_BLOCKING;
}

/*
 * What an op's exit adds to the device event. iommu_deferred_attach runs
 * on every DMA map once a device was deferred (kdump), so it carries no
 * program: its attach is the one reached from no other core path while
 * the flag is still set (the core clears it after the op returns).
 */
static __always_inline void op_result(struct iommuwatch_event *e, void *ctx,
				      const struct dev_call *c)
{
	__u64 ret = 0;

	if (c->kind == IW_EV_REMOVE_PASID) {
		/* The PASID loses this domain; the op returns nothing. */
		e->flags |= IW_F_HAS_OLD;
		domain_ref(&e->old_dom, c->dom);
		return;
	}
	if (c->kind == IW_EV_ATTACH && e->path == IW_PATH_UNKNOWN &&
	    (e->flags & IW_F_ATTACH_DEFERRED))
		e->path = IW_PATH_DEFERRED;
	op_domains(e, ctx, c);
	/* Cannot fail in an fexit program; ret stays 0 if it did. */
	bpf_get_func_ret(ctx, &ret);
	e->ret = (int)ret;
}

/*
 * The one device event: a release (at entry) or an op's call (at exit);
 * an op called by another op reports nothing, the outer one does.
 * Inlined: each program gets a body folded for its own kind (a call,
 * its descriptor and the kind's branches cost the op exits 5 %), and the
 * object still holds only one program per op and release function.
 */
static __always_inline int report_device(void *ctx, const struct dev_call *c,
				    struct task_ctx *tc)
{
	__u64 now = bpf_ktime_get_ns();
	struct iommuwatch_event *e;
	__u64 lat = 0;

	if (c->kind != IW_EV_RELEASE && op_leave(tc, now, &lat))
		return 0;
	if (!group_wanted(c->dev))
		return 0;
	e = reserve_event();
	if (!e)
		return 0;
	fill_device(e, now, c, tc);
	e->pasid = c->pasid;
	e->latency_ns = lat;
	if (c->kind == IW_EV_RELEASE)
		e->path = IW_PATH_RELEASE;
	else
		op_result(e, ctx, c);
	submit_event(e);
	return 0;
}

/*
 * Op templates: the loader attaches each to one implementation and loads
 * a copy of it for every other one; the attach cookie names the hook.
 */
SEC("fentry")
int attach_dev_entry(void *ctx)
{
	return op_entry();
}

SEC("fexit")
int attach_dev_exit(void *ctx)
{
	struct dev_call c = {
		.dom = (void *)((__u64 *)ctx)[0],
		.dev = (void *)((__u64 *)ctx)[1],
		.kind = IW_EV_ATTACH,
		.hook = (__u32)bpf_get_attach_cookie(ctx),
		.pasid = IW_NO_PASID,
		.old_arg = 2,
	};

	return report_device(ctx, &c, task_ctx_get(false));
}

SEC("fentry")
int set_dev_pasid_entry(void *ctx)
{
	return op_entry();
}

SEC("fexit")
int set_dev_pasid_exit(void *ctx)
{
	struct dev_call c = {
		.dom = (void *)((__u64 *)ctx)[0],
		.dev = (void *)((__u64 *)ctx)[1],
		.kind = IW_EV_SET_PASID,
		.hook = (__u32)bpf_get_attach_cookie(ctx),
		.pasid = (__u32)((__u64 *)ctx)[2],
		.old_arg = 3,
	};

	return report_device(ctx, &c, task_ctx_get(false));
}

/* 6.12 remove_dev_pasid(dev, pasid, domain): the PASID loses its domain. */
SEC("fentry")
int remove_dev_pasid_entry(void *ctx)
{
	return op_entry();
}

SEC("fexit")
int remove_dev_pasid_exit(void *ctx)
{
	struct dev_call c = {
		.dev = (void *)((__u64 *)ctx)[0],
		.pasid = (__u32)((__u64 *)ctx)[1],
		.dom = (void *)((__u64 *)ctx)[2],
		.kind = IW_EV_REMOVE_PASID,
		.hook = (__u32)bpf_get_attach_cookie(ctx),
	};

	return report_device(ctx, &c, task_ctx_get(false));
}

/* ---- device release: the event, and the path for its ops ---- */

static __always_inline int release_enter(void *ctx, struct device *dev,
					 __u32 hook)
{
	struct task_ctx *tc = task_ctx_get(true);
	struct dev_call c = {
		.dev = dev,
		.kind = IW_EV_RELEASE,
		.hook = hook,
		.pasid = IW_NO_PASID,
	};

	report_device(ctx, &c, tc);
	return ctx_mark(tc, IW_PATH_RELEASE, hook);
}

#define RELEASE_HOOK(func, hook)					\
SEC("fentry/" #func)							\
int BPF_PROG(func##_entry, struct device *dev)				\
{									\
	return release_enter(ctx, dev, hook);				\
}									\
SEC("fexit/" #func)							\
int BPF_PROG(func##_exit)						\
{									\
	return ctx_exit(hook);						\
}

RELEASE_HOOK(iommu_deinit_device, IW_HOOK_DEINIT_DEVICE)
/* 6.1: iommu_release_device is where a device leaves (inlined later). */
RELEASE_HOOK(iommu_release_device, IW_HOOK_RELEASE_DEVICE)
