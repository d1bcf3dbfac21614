/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IOMMU driver modules loaded after a session started. Their ops are not
 * hooked: the daemon has given up the privileges that loading programs
 * takes, and a trace attaches once. They are found from the BTF each new
 * module brings (/sys/kernel/btf/MODULE), so no driver goes unwatched in
 * silence.
 */
#ifndef __IW_LATE_MODULES_H
#define __IW_LATE_MODULES_H

#include <bpf/btf.h>
#include "hooks.h"

struct late_modules {
	char *dir;		/* "/sys/kernel/btf", or a test's */
	char **seen;		/* module names already looked at */
	int n_seen;
	int cap_seen;
};

/* Remember the modules in DIR now; 0 or -errno. */
int late_modules_init(struct late_modules *lm, const char *dir);
/*
 * Look at the modules that came since: each whose BTF holds op
 * implementations is passed to report with them.
 * Returns how many such modules came, or -errno.
 */
int late_modules_scan(struct late_modules *lm,
		      void (*report)(void *arg, const char *module,
				     const struct hook_set *ops),
		      void *arg);
void late_modules_free(struct late_modules *lm);

/*
 * The kernel's modules under drivers/iommu/ (MODULES_DIR/modules.dep) that
 * are not loaded (no SYS_MODULE/NAME): passed to cb by name, e.g.
 * virtio_iommu. 0, or -errno when modules.dep cannot be read.
 */
int iommu_modules_not_loaded(const char *modules_dir, const char *sys_module,
			     void (*cb)(void *arg, const char *module),
			     void *arg);

#endif /* __IW_LATE_MODULES_H */
