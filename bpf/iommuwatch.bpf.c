// SPDX-License-Identifier: GPL-2.0
/*
 * Watch the IOMMU core change a device's translation.
 *
 * Core functions mark the task with the path that leads to the drivers'
 * ops (release, reset, probe, ...); the ops themselves are hooked through
 * one template per op, which the loader copies for every implementation
 * it finds in BTF, so that attaches which bypass __iommu_attach_device
 * are seen too. One event per op, at fexit.
 *
 * Every program has a kprobe twin (FUNC_kprobe, FUNC_kretprobe; the ops'
 * OP_kprobe, OP_kretprobe) for kernels that cannot attach fentry (arm64
 * before 6.4) and for functions an fentry cannot pick by name (two
 * static functions of one name, attached by address). The twins produce
 * the same events.
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
	__u32 ops_done;		/* outermost ops that returned, ever */
	__u64 op_start_ns;	/* the outermost op's entry */
	/* kprobe twins: a kretprobe sees no arguments, the entry keeps them. */
	__u64 op_args[4];	/* the outermost op's */
	__u64 core_arg;		/* iommu_group_store_type's group */
	/* iommu_detach_device_pasid's device and PASID, and ops_done then */
	__u64 detach_dev;
	__u32 detach_pasid;
	__u32 detach_ops;
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
				       struct iommu_domain *dom, bool probed)
{
	ref->key = (__u64)dom;
	ref->type = dom ? RD(probed, dom, type) : 0;
}

static __always_inline bool group_wanted(struct device *dev, bool probed)
{
	struct iommu_group *grp;

	if (targ_group < 0)
		return true;
	grp = RD(probed, dev, iommu_group);
	return grp && RD(probed, grp, id) == targ_group;
}

/* Besides any domain of type BLOCKED, the kernel's blockers for a device. */
struct blockers {
	struct iommu_domain *group;	/* group->blocking_domain */
	struct iommu_domain *ops;	/* ops->blocked_domain (6.7+) */
};

static __always_inline void dev_blockers(struct device *dev,
					 struct iommu_group *grp,
					 struct blockers *b, bool probed)
{
	/* A NULL along the chain reads as NULL, with either kind of load. */
	struct dev_iommu *di = RD(probed, dev, iommu);
	struct iommu_device *iommu = RD(probed, di, iommu_dev);

	b->group = grp ? RD(probed, grp, blocking_domain) : NULL;
	b->ops = ops_blocked_domain(RD(probed, iommu, ops), probed);
}

static __always_inline bool is_blocking(struct iommu_domain *dom, __u32 type,
					const struct blockers *b)
{
	return dom && (type == IW_DOMAIN_TYPE_BLOCKED || dom == b->group ||
		       dom == b->ops);
}

/* Whether dev is on the PCI bus: 1 yes, 0 no, -1 cannot tell. */
static __always_inline int dev_on_pci_bus(struct device *dev, bool probed)
{
	const struct bus_type *bus = RD(probed, dev, bus);
	char name[4] = {};

	if (!bus)
		return 0;
	if (pci_bus_addr)
		return (__u64)bus == pci_bus_addr;
	if (bpf_probe_read_kernel_str(name, sizeof(name),
				      RD(probed, bus, name)) < 0)
		return -1;
	return name[0] == 'p' && name[1] == 'c' && name[2] == 'i' && !name[3];
}

/* Only PCI devices can be untrusted (behind an external-facing port). */
static __always_inline __u32 dev_untrusted_flags(struct device *dev,
						  bool probed)
{
	struct pci_dev *pdev;
	int pci = dev_on_pci_bus(dev, probed);

	if (pci < 0)
		return 0;
	if (!pci)
		return IW_F_UNTRUSTED_KNOWN;
	pdev = (void *)dev - bpf_core_field_offset(struct pci_dev, dev);
	return IW_F_UNTRUSTED_KNOWN |
	       (BPF_CORE_READ_BITFIELD_PROBED(pdev, untrusted) ? IW_F_UNTRUSTED : 0);
}

static __always_inline __u32 device_flags(struct device *dev,
					  struct iommu_group *grp, bool probed)
{
	struct dev_iommu *di = RD(probed, dev, iommu);
	unsigned long owner;
	__u32 flags = 0;

	if (di && dev_iommu_has_flags()) {
		flags |= IW_F_DIRECT_KNOWN | IW_F_DEFERRED_KNOWN;
		if (dev_iommu_require_direct(di, probed))
			flags |= IW_F_REQUIRE_DIRECT;
		if (dev_iommu_attach_deferred(di, probed))
			flags |= IW_F_ATTACH_DEFERRED;
	}
	flags |= dev_untrusted_flags(dev, probed);
	if (!grp) {
		flags |= IW_F_NO_GROUP;
	} else if (mutex_owner(&grp->mutex, &owner, probed)) {
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
	__u32 nr_args;			/* kprobe twins: the op's, from BTF */
	bool internal;			/* a driver's internal attach */
	const __u64 *args;		/* kprobe twins: kept at the entry */
};

/*
 * Fill what every device event carries; the caller adds the rest. A name
 * that cannot be read is flagged: "" must never name a device.
 */
static __always_inline void fill_device(struct iommuwatch_event *e, __u64 now,
					const struct dev_call *c,
					const struct task_ctx *tc, bool probed)
{
	struct device *dev = c->dev;
	struct iommu_group *grp = RD(probed, dev, iommu_group);

	fill_task(e, now, c->kind, c->hook);
	e->group = grp ? RD(probed, grp, id) : -1;
	e->flags = device_flags(dev, grp, probed);
	if (grp)
		domain_ref(&e->group_dom, RD(probed, grp, domain), probed);
	if (tc)
		e->path = tc->path;
	if (bpf_probe_read_kernel_str(e->dev, sizeof(e->dev),
				      RD(probed, dev, kobj.name)) <= 1)
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
	return ctx_enter(path, hook);					\
}									\
SEC("fexit/" #func)							\
int func##_exit(void *ctx)						\
{									\
	return ctx_exit(hook);						\
}									\
SEC("kprobe/" #func)							\
int func##_kprobe(struct pt_regs *ctx)					\
{									\
	return ctx_enter(path, hook);					\
}									\
SEC("kretprobe/" #func)							\
int func##_kretprobe(struct pt_regs *ctx)				\
{									\
	return ctx_exit(hook);						\
}

CTX_HOOK(__iommu_probe_device, IW_PATH_PROBE, IW_HOOK_PROBE_DEVICE)
/* 6.1 attaches the default domain here, after __iommu_probe_device. */
CTX_HOOK(iommu_probe_device, IW_PATH_PROBE, IW_HOOK_PROBE_DEVICE_61)
CTX_HOOK(iommu_setup_default_domain, IW_PATH_DEFAULT, IW_HOOK_SETUP_DEFAULT)
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

static __always_inline int store_type_done(struct iommu_group *grp, long ret,
					   bool probed)
{
	struct iommuwatch_event *e;
	int id;

	ctx_exit(IW_HOOK_STORE_TYPE);
	if (ret < 0 || !grp)
		return 0;
	id = RD(probed, grp, id);
	if (targ_group >= 0 && id != targ_group)
		return 0;
	e = reserve_event();
	if (!e)
		return 0;
	fill_task(e, bpf_ktime_get_ns(), IW_EV_GROUP_TYPE, IW_HOOK_STORE_TYPE);
	e->group = id;
	e->path = IW_PATH_DEFAULT;
	domain_ref(&e->new_dom, RD(probed, grp, domain), probed);
	submit_event(e);
	return 0;
}

SEC("fexit/iommu_group_store_type")
int iommu_group_store_type_exit(void *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	return store_type_done((void *)((__u64 *)ctx)[0], (long)ret, false);
}

SEC("kprobe/iommu_group_store_type")
int iommu_group_store_type_kprobe(struct pt_regs *ctx)
{
	struct task_ctx *tc = task_ctx_get(true);

	if (tc)
		tc->core_arg = PT_REGS_PARM1(ctx);
	return ctx_enter(IW_PATH_DEFAULT, IW_HOOK_STORE_TYPE);
}

SEC("kretprobe/iommu_group_store_type")
int iommu_group_store_type_kretprobe(struct pt_regs *ctx)
{
	struct task_ctx *tc = task_ctx_get(false);

	return store_type_done(tc ? (void *)tc->core_arg : NULL,
			       (long)PT_REGS_RC(ctx), true);
}

/*
 * Every free, and whether the domain dies: the reader drops those of
 * domains no event has shown, and those that outlive the free.
 */
static __always_inline int domain_freed(struct iommu_domain *dom, bool probed)
{
	struct iommuwatch_event *e;

	if (!dom)
		return 0;
	e = reserve_event();
	if (!e)
		return 0;
	fill_task(e, bpf_ktime_get_ns(), IW_EV_DOMAIN_FREE, IW_HOOK_DOMAIN_FREE);
	domain_ref(&e->new_dom, dom, probed);
	e->flags = domain_free_facts(dom, probed);
	submit_event(e);
	return 0;
}

SEC("fentry/iommu_domain_free")
int BPF_PROG(iommu_domain_free_entry, struct iommu_domain *dom)
{
	return domain_freed(dom, false);
}

SEC("kprobe/iommu_domain_free")
int iommu_domain_free_kprobe(struct pt_regs *ctx)
{
	return domain_freed((void *)PT_REGS_PARM1(ctx), true);
}

/* ---- driver ops: one template per op, copied for each implementation ---- */

/*
 * An op's entry: the task's context if this op is the outermost. An outer
 * op older than any op takes means its return was never seen (a kretprobe
 * the kernel ran out of instances for): it no longer hides this one.
 */
#define OP_STALE_NS	(10ULL * 1000 * 1000 * 1000)

static __always_inline struct task_ctx *op_enter(void)
{
	struct task_ctx *tc = task_ctx_get(true);
	__u64 now = bpf_ktime_get_ns();

	if (!tc)
		return NULL;
	if (tc->op_depth && now - tc->op_start_ns < OP_STALE_NS) {
		tc->op_depth++;
		return NULL;
	}
	tc->op_depth = 1;
	tc->op_start_ns = now;
	return tc;
}

static __always_inline int op_entry(void)
{
	op_enter();
	return 0;
}

/* A kprobe twin's entry keeps what its kretprobe cannot see. */
static __always_inline int op_kprobe(struct pt_regs *ctx)
{
	struct task_ctx *tc = op_enter();

	if (tc) {
		tc->op_args[0] = PT_REGS_PARM1(ctx);
		tc->op_args[1] = PT_REGS_PARM2(ctx);
		tc->op_args[2] = PT_REGS_PARM3(ctx);
		tc->op_args[3] = PT_REGS_PARM4(ctx);
	}
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
				       const struct dev_call *c, bool probed)
{
	struct iommu_domain *old = NULL;
	struct device *dev = c->dev;	/* RD() must not relocate c's fields */
	struct blockers b;

	dev_blockers(dev, RD(probed, dev, iommu_group), &b, probed);
	domain_ref(&e->new_dom, c->dom, probed);
	if (is_blocking(c->dom, e->new_dom.type, &b))
		e->flags |= IW_F_NEW_IS_BLOCKING;
	if (!c->old_arg || c->internal)
		return;
	if (probed) {
		if (c->nr_args <= c->old_arg)
			return;
		old = (void *)c->args[c->old_arg];
	} else if (bpf_get_func_arg_cnt(ctx) <= c->old_arg ||
		   bpf_get_func_arg(ctx, c->old_arg, (__u64 *)&old)) {
		return;
	}
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
				      const struct dev_call *c, bool probed)
{
	__u64 ret = 0;

	if (c->kind == IW_EV_REMOVE_PASID) {
		/* The PASID loses this domain; the op returns nothing. */
		e->flags |= IW_F_HAS_OLD;
		domain_ref(&e->old_dom, c->dom, probed);
		return;
	}
	if (c->kind == IW_EV_ATTACH && e->path == IW_PATH_UNKNOWN &&
	    (e->flags & IW_F_ATTACH_DEFERRED))
		e->path = IW_PATH_DEFERRED;
	op_domains(e, ctx, c, probed);
	/* Cannot fail in an fexit program; ret stays 0 if it did. */
	if (c->internal)
		ret = 0;	/* it returns nothing */
	else if (probed)
		ret = PT_REGS_RC((struct pt_regs *)ctx);
	else
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
				    struct task_ctx *tc, bool probed)
{
	__u64 now = bpf_ktime_get_ns();
	struct iommuwatch_event *e;
	__u64 lat = 0;

	if (c->kind != IW_EV_RELEASE) {
		if (op_leave(tc, now, &lat))
			return 0;
		if (tc)
			tc->ops_done++;
	}
	if (!group_wanted(c->dev, probed))
		return 0;
	e = reserve_event();
	if (!e)
		return 0;
	fill_device(e, now, c, tc, probed);
	e->pasid = c->pasid;
	e->latency_ns = lat;
	if (c->kind == IW_EV_RELEASE)
		e->path = IW_PATH_RELEASE;
	else
		op_result(e, ctx, c, probed);
	submit_event(e);
	return 0;
}

/*
 * A kprobe twin's return: the op's arguments as its entry kept them, at
 * these positions (pasid_arg -1: the RID; old_arg 0: none), the argument
 * count and whether it is an internal attach from the cookie.
 */
static __always_inline int op_kretprobe(struct pt_regs *ctx, __u32 kind,
					int dom_arg, int dev_arg,
					int pasid_arg, __u32 old_arg)
{
	struct task_ctx *tc = task_ctx_get(false);
	__u64 cookie = bpf_get_attach_cookie(ctx);
	struct dev_call c = {
		.kind = kind,
		.hook = IW_COOKIE_HOOK(cookie),
		.pasid = IW_NO_PASID,
		.old_arg = old_arg,
		.nr_args = IW_COOKIE_NR_ARGS(cookie),
		.internal = cookie & IW_COOKIE_INTERNAL,
	};

	if (!tc)
		return 0;
	c.args = tc->op_args;
	c.dom = (void *)tc->op_args[dom_arg];
	c.dev = (void *)tc->op_args[dev_arg];
	if (pasid_arg >= 0)
		c.pasid = (__u32)tc->op_args[pasid_arg];
	return report_device(ctx, &c, tc, true);
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
	__u64 cookie = bpf_get_attach_cookie(ctx);
	struct dev_call c = {
		.dom = (void *)((__u64 *)ctx)[0],
		.dev = (void *)((__u64 *)ctx)[1],
		.kind = IW_EV_ATTACH,
		.hook = IW_COOKIE_HOOK(cookie),
		.pasid = IW_NO_PASID,
		.old_arg = 2,
		.internal = cookie & IW_COOKIE_INTERNAL,
	};

	return report_device(ctx, &c, task_ctx_get(false), false);
}

SEC("kprobe")
int attach_dev_kprobe(struct pt_regs *ctx)
{
	return op_kprobe(ctx);
}

SEC("kretprobe")
int attach_dev_kretprobe(struct pt_regs *ctx)
{
	return op_kretprobe(ctx, IW_EV_ATTACH, 0, 1, -1, 2);
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

	return report_device(ctx, &c, task_ctx_get(false), false);
}

SEC("kprobe")
int set_dev_pasid_kprobe(struct pt_regs *ctx)
{
	return op_kprobe(ctx);
}

SEC("kretprobe")
int set_dev_pasid_kretprobe(struct pt_regs *ctx)
{
	return op_kretprobe(ctx, IW_EV_SET_PASID, 0, 1, 2, 3);
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

	return report_device(ctx, &c, task_ctx_get(false), false);
}

SEC("kprobe")
int remove_dev_pasid_kprobe(struct pt_regs *ctx)
{
	return op_kprobe(ctx);
}

SEC("kretprobe")
int remove_dev_pasid_kretprobe(struct pt_regs *ctx)
{
	return op_kretprobe(ctx, IW_EV_REMOVE_PASID, 2, 0, 1, 0);
}

/*
 * ---- iommu_detach_device_pasid: the path, and a detach with no op ----
 *
 * 7.x skips the driver for a device its reset fenced: the core drops the
 * PASID from pasid_array, done does not bring it back, and no op shows.
 * Its return with no op since its entry says so, as an event of its own.
 */
static __always_inline void detach_pasid_enter(struct task_ctx *tc,
					       struct device *dev, __u32 pasid)
{
	if (!tc)
		return;
	ctx_mark(tc, IW_PATH_PASID, IW_HOOK_DETACH_PASID);
	tc->detach_dev = (__u64)dev;
	tc->detach_pasid = pasid;
	tc->detach_ops = tc->ops_done;
}

/* fexit passes its typed arguments; a kretprobe, what its entry kept. */
static __always_inline int detach_pasid_exit(struct task_ctx *tc,
					     struct device *dev, __u32 pasid,
					     bool probed)
{
	struct dev_call c = { .dev = dev, .pasid = pasid,
			      .kind = IW_EV_PASID_FORGOTTEN,
			      .hook = IW_HOOK_DETACH_PASID };
	struct iommuwatch_event *e;
	bool entered;

	ctx_exit(IW_HOOK_DETACH_PASID);
	if (!tc)
		return 0;
	entered = tc->detach_dev;
	tc->detach_dev = 0;
	if (!entered || !dev || tc->ops_done != tc->detach_ops ||
	    !group_wanted(dev, probed))
		return 0;
	e = reserve_event();
	if (!e)
		return 0;
	fill_device(e, bpf_ktime_get_ns(), &c, tc, probed);
	e->pasid = c.pasid;
	e->path = IW_PATH_PASID;
	/* The core dropped the group mutex before this exit: unknown. */
	e->flags &= ~(IW_F_MUTEX_KNOWN | IW_F_MUTEX_HELD);
	e->flags |= IW_F_CORE_ONLY;
	submit_event(e);
	return 0;
}

SEC("fentry/iommu_detach_device_pasid")
int BPF_PROG(iommu_detach_device_pasid_entry, struct iommu_domain *dom,
	     struct device *dev, ioasid_t pasid)
{
	detach_pasid_enter(task_ctx_get(true), dev, pasid);
	return 0;
}

SEC("fexit/iommu_detach_device_pasid")
int BPF_PROG(iommu_detach_device_pasid_exit, struct iommu_domain *dom,
	     struct device *dev, ioasid_t pasid)
{
	return detach_pasid_exit(task_ctx_get(false), dev, pasid, false);
}

SEC("kprobe/iommu_detach_device_pasid")
int iommu_detach_device_pasid_kprobe(struct pt_regs *ctx)
{
	detach_pasid_enter(task_ctx_get(true), (void *)PT_REGS_PARM2(ctx),
			   (__u32)PT_REGS_PARM3(ctx));
	return 0;
}

SEC("kretprobe/iommu_detach_device_pasid")
int iommu_detach_device_pasid_kretprobe(struct pt_regs *ctx)
{
	struct task_ctx *tc = task_ctx_get(false);

	if (!tc)
		return 0;
	return detach_pasid_exit(tc, (void *)tc->detach_dev, tc->detach_pasid,
				 true);
}

/* ---- PCI resets (7.x): the path for their ops, and an event each ---- */

/* A group with more devices than this: its reset facts read as unknown. */
#define IW_GDEV_SCAN	16

/*
 * How the call left the device's group_device: fenced (blocked) and the
 * nesting depth, where this kernel has them. The list is walked with
 * probed reads under the group mutex the caller just dropped: a device
 * that left meanwhile is simply not found, and its facts stay unknown.
 */
static __always_inline void reset_facts(struct iommuwatch_event *e,
					struct device *dev,
					struct iommu_group *grp)
{
	struct group_device___v70 *gdev;
	struct list_head *head, *pos;

	if (!grp || !bpf_core_field_exists(struct group_device___v70, blocked))
		return;
	head = &grp->devices;
	pos = BPF_CORE_READ(head, next);
	for (int i = 0; i < IW_GDEV_SCAN && pos && pos != head; i++) {
		gdev = (void *)pos -
		       bpf_core_field_offset(struct group_device___v70, list);
		if (BPF_CORE_READ(gdev, dev) == dev) {
			e->flags |= IW_F_BLOCKED_KNOWN;
			if (BPF_CORE_READ_BITFIELD_PROBED(gdev, blocked))
				e->flags |= IW_F_RESET_BLOCKED;
			if (bpf_core_field_exists(gdev->reset_depth)) {
				e->reset_depth = BPF_CORE_READ(gdev, reset_depth);
				e->flags |= IW_F_DEPTH_KNOWN;
			}
			return;
		}
		pos = BPF_CORE_READ(pos, next);
	}
}

/* At the return of prepare (ret: its result) or done (0: it has none). */
static __always_inline int reset_report(struct pci_dev *pdev, __u32 kind,
					__u32 hook, long ret, bool probed)
{
	struct task_ctx *tc = task_ctx_get(false);
	struct dev_call c = { .kind = kind, .hook = hook,
			      .pasid = IW_NO_PASID };
	struct iommuwatch_event *e;
	struct device *dev;	/* RD() must not relocate c's fields */

	ctx_exit(hook);
	if (!pdev)
		return 0;
	dev = (void *)pdev + bpf_core_field_offset(struct pci_dev, dev);
	c.dev = dev;
	if (!group_wanted(dev, probed))
		return 0;
	e = reserve_event();
	if (!e)
		return 0;
	fill_device(e, bpf_ktime_get_ns(), &c, tc, probed);
	e->path = IW_PATH_RESET;
	e->ret = (int)ret;
	reset_facts(e, dev, RD(probed, dev, iommu_group));
	submit_event(e);
	return 0;
}

static __always_inline int reset_kprobe(struct pt_regs *ctx, __u32 hook)
{
	struct task_ctx *tc = task_ctx_get(true);

	if (tc)
		tc->core_arg = PT_REGS_PARM1(ctx);
	return ctx_mark(tc, IW_PATH_RESET, hook);
}

static __always_inline struct pci_dev *reset_kretprobe_arg(void)
{
	struct task_ctx *tc = task_ctx_get(false);

	return tc ? (void *)tc->core_arg : NULL;
}

SEC("fentry/pci_dev_reset_iommu_prepare")
int pci_dev_reset_iommu_prepare_entry(void *ctx)
{
	return ctx_enter(IW_PATH_RESET, IW_HOOK_RESET_PREPARE);
}

SEC("fexit/pci_dev_reset_iommu_prepare")
int BPF_PROG(pci_dev_reset_iommu_prepare_exit, struct pci_dev *pdev, int ret)
{
	return reset_report(pdev, IW_EV_RESET_PREPARE, IW_HOOK_RESET_PREPARE,
			    ret, false);
}

SEC("kprobe/pci_dev_reset_iommu_prepare")
int pci_dev_reset_iommu_prepare_kprobe(struct pt_regs *ctx)
{
	return reset_kprobe(ctx, IW_HOOK_RESET_PREPARE);
}

SEC("kretprobe/pci_dev_reset_iommu_prepare")
int pci_dev_reset_iommu_prepare_kretprobe(struct pt_regs *ctx)
{
	return reset_report(reset_kretprobe_arg(), IW_EV_RESET_PREPARE,
			    IW_HOOK_RESET_PREPARE, (int)PT_REGS_RC(ctx), true);
}

SEC("fentry/pci_dev_reset_iommu_done")
int pci_dev_reset_iommu_done_entry(void *ctx)
{
	return ctx_enter(IW_PATH_RESET, IW_HOOK_RESET_DONE);
}

SEC("fexit/pci_dev_reset_iommu_done")
int BPF_PROG(pci_dev_reset_iommu_done_exit, struct pci_dev *pdev)
{
	return reset_report(pdev, IW_EV_RESET_DONE, IW_HOOK_RESET_DONE, 0,
			    false);
}

SEC("kprobe/pci_dev_reset_iommu_done")
int pci_dev_reset_iommu_done_kprobe(struct pt_regs *ctx)
{
	return reset_kprobe(ctx, IW_HOOK_RESET_DONE);
}

SEC("kretprobe/pci_dev_reset_iommu_done")
int pci_dev_reset_iommu_done_kretprobe(struct pt_regs *ctx)
{
	return reset_report(reset_kretprobe_arg(), IW_EV_RESET_DONE,
			    IW_HOOK_RESET_DONE, 0, true);
}

/* ---- device release: the event, and the path for its ops ---- */

static __always_inline int release_enter(void *ctx, struct device *dev,
					 __u32 hook, bool probed)
{
	struct task_ctx *tc = task_ctx_get(true);
	struct dev_call c = {
		.dev = dev,
		.kind = IW_EV_RELEASE,
		.hook = hook,
		.pasid = IW_NO_PASID,
	};

	report_device(ctx, &c, tc, probed);
	return ctx_mark(tc, IW_PATH_RELEASE, hook);
}

#define RELEASE_HOOK(func, hook)					\
SEC("fentry/" #func)							\
int BPF_PROG(func##_entry, struct device *dev)				\
{									\
	return release_enter(ctx, dev, hook, false);			\
}									\
SEC("fexit/" #func)							\
int BPF_PROG(func##_exit)						\
{									\
	return ctx_exit(hook);						\
}									\
SEC("kprobe/" #func)							\
int func##_kprobe(struct pt_regs *ctx)					\
{									\
	return release_enter(ctx, (void *)PT_REGS_PARM1(ctx), hook, true); \
}									\
SEC("kretprobe/" #func)							\
int func##_kretprobe(struct pt_regs *ctx)				\
{									\
	return ctx_exit(hook);						\
}

RELEASE_HOOK(iommu_deinit_device, IW_HOOK_DEINIT_DEVICE)
/* 6.1: iommu_release_device is where a device leaves (inlined later). */
RELEASE_HOOK(iommu_release_device, IW_HOOK_RELEASE_DEVICE)
