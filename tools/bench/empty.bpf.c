// SPDX-License-Identifier: GPL-2.0
/*
 * The floor for the probe-cost benchmark: generic fentry/fexit programs
 * that do nothing. tools/bench/floor.c points each slot at one kernel
 * function before load (bpf_program__set_attach_target), so the kernel's
 * per-program stats (kernel.bpf_stats_enabled) give the cost of an empty
 * program on exactly the functions iommuwatch hooks, in the same run.
 */
/* No vmlinux.h: these programs read nothing from the kernel. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

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
