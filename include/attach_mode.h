/* SPDX-License-Identifier: GPL-2.0 */
/* How hooks may reach their functions (--attach), chosen by the user. */
#ifndef __IW_ATTACH_MODE_H
#define __IW_ATTACH_MODE_H

enum hook_attach_mode {
	/* fentry, and kprobes where fentry cannot pick the function */
	HOOK_ATTACH_AUTO,
	HOOK_ATTACH_FENTRY,	/* fentry only */
	HOOK_ATTACH_KPROBE,	/* kprobes only (a kernel without fentry) */
};

#endif /* __IW_ATTACH_MODE_H */
