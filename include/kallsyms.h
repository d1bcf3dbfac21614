/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One pass over /proc/kallsyms for a set of names: BTF keeps functions the
 * compiler inlined, and only a symbol can be attached to.
 */
#ifndef __IW_KALLSYMS_H
#define __IW_KALLSYMS_H

#include <stdbool.h>
#include <linux/types.h>

#define KSYM_MAX_ADDRS	4

struct ksym {
	const char *name;
	const char *module;	/* NULL or "": must be vmlinux's */
	/*
	 * Symbols of this name in that module: static functions of two
	 * drivers built into one image (arm-smmu and arm-smmu-v3) share
	 * names, and an attach by name takes only one of them.
	 */
	int count;
	/* The first KSYM_MAX_ADDRS; 0 when kptr_restrict hides them. */
	__u64 addrs[KSYM_MAX_ADDRS];
};

/* Count the syms[] in kallsyms; 0 or -errno (file unreadable). */
int kallsyms_resolve(const char *path, struct ksym *syms, int n);

#endif /* __IW_KALLSYMS_H */
