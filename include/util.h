/* SPDX-License-Identifier: GPL-2.0 */
/* Constants and helpers every userspace module may need, defined once. */
#ifndef __IW_UTIL_H
#define __IW_UTIL_H

#include <time.h>
#include <linux/types.h>

#define NSEC_PER_SEC	1000000000LL
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* A macro's value as a string literal. */
#define STRINGIFY(x)	STRINGIFY_(x)
#define STRINGIFY_(x)	#x

/* CLOCK_MONOTONIC in ns: the clock of the BPF side's bpf_ktime_get_ns(). */
static inline __u64 mono_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

#endif /* __IW_UTIL_H */
