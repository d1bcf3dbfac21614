/* SPDX-License-Identifier: GPL-2.0 */
/* What the host is, for the one sentence a host without IOMMU groups gets. */
#ifndef __IW_PLATFORM_H
#define __IW_PLATFORM_H

#include <stddef.h>

/*
 * Why SYSFS_ROOT/kernel/iommu_groups holds no group, as one sentence into
 * buf: the IOMMU is off or absent, what turns it on for the CPU that
 * PROC_ROOT/cpuinfo names (or the switch PROC_ROOT/cmdline turns it off
 * with), and what passthrough means for what can be watched.
 */
void platform_no_groups(char *buf, size_t len, const char *sysfs_root,
			const char *proc_root);

#endif /* __IW_PLATFORM_H */
