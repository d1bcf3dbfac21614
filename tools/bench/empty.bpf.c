// SPDX-License-Identifier: GPL-2.0
/*
 * The floors for the probe-cost benchmark: generic fentry/fexit programs
 * that do nothing, fexit programs that only report the call, and an empty
 * kprobe/kretprobe pair.
 * tools/bench/floor.c points each slot at one kernel function before load
 * (bpf_program__set_attach_target), so the kernel's per-program stats
 * (kernel.bpf_stats_enabled) give the cost of each on exactly the
 * functions iommuwatch hooks, in the same run.
 */
/* No vmlinux.h: these programs read nothing from the kernel. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include "iommuwatch.h"

char LICENSE[] SEC("license") = "GPL";

#define EMPTY_SLOT(n)						\
SEC("fentry")							\
int empty_entry_##n(void *ctx)					\
{								\
	return 0;						\
}								\
SEC("fexit")							\
int empty_exit_##n(void *ctx)					\
{								\
	return 0;						\
}

#define EMPTY_SLOTS8(a)						\
	EMPTY_SLOT(a##0) EMPTY_SLOT(a##1) EMPTY_SLOT(a##2)	\
	EMPTY_SLOT(a##3) EMPTY_SLOT(a##4) EMPTY_SLOT(a##5)	\
	EMPTY_SLOT(a##6) EMPTY_SLOT(a##7)

/* 48 of each: every core hook and op a 7.x kernel has, with room. */
EMPTY_SLOTS8(1) EMPTY_SLOTS8(2) EMPTY_SLOTS8(3)
EMPTY_SLOTS8(4) EMPTY_SLOTS8(5) EMPTY_SLOTS8(6)

/*
 * The floor of a hook on kprobes (a copy of a duplicate name): one empty
 * pair attached at every address, as iommuwatch's twins are, so both
 * sides' per-program stats sum the same calls (and event_kretprobe, below).
 */
SEC("kprobe")
int empty_kprobe(void *ctx)
{
	return 0;
}

SEC("kretprobe")
int empty_kretprobe(void *ctx)
{
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/*
 * What any program that reports a call pays before it says anything about
 * the device: an event of iommuwatch's size reserved, cleared, stamped
 * (clock, pid, CPU, comm) and submitted without waking the reader.
 */
static __always_inline int report_call(void)
{
	struct iommuwatch_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->cpu = bpf_get_smp_processor_id();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}

#define EVENT_SLOT(n)						\
SEC("fexit")							\
int event_exit_##n(void *ctx)					\
{								\
	return report_call();					\
}

#define EVENT_SLOTS8(a)						\
	EVENT_SLOT(a##0) EVENT_SLOT(a##1) EVENT_SLOT(a##2)	\
	EVENT_SLOT(a##3) EVENT_SLOT(a##4) EVENT_SLOT(a##5)	\
	EVENT_SLOT(a##6) EVENT_SLOT(a##7)

/* 24: every function on which iommuwatch reports calls, with room. */
EVENT_SLOTS8(1) EVENT_SLOTS8(2) EVENT_SLOTS8(3)

/* The event floor of the kprobe hooks, beside the empty pair. */
SEC("kretprobe")
int event_kretprobe(void *ctx)
{
	return report_call();
}
