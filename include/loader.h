/* SPDX-License-Identifier: GPL-2.0 */
/* Lifecycle of the BPF object: checks, open, hook choice, load, attach. */
#ifndef __IW_LOADER_H
#define __IW_LOADER_H

#include <bpf/libbpf.h>
#include "hooks.h"

/* Kernel BTF: vmlinux's, and one split file per loaded module. */
#define LOADER_BTF_DIR	"/sys/kernel/btf"

struct loader_opts {
	const char *btf_path;		/* NULL: the running kernel's */
	int targ_group;			/* -1: all groups */
	__u32 ringbuf_bytes;		/* 0: the object's default */
	enum hook_attach_mode attach_mode;
};

struct loader {
	struct iommuwatch_bpf *skel;
	struct hook_set hooks;
	struct ring_buffer *rb;
};

/* Root, BTF and lockdown, each failing with one clear sentence. */
int loader_preflight(const struct loader_opts *opts);
int loader_open(struct loader *ld, const struct loader_opts *opts,
		ring_buffer_sample_fn on_event, void *ctx);
/* Events reach the reader at most this late (see loader_read_events). */
#define LOADER_POLL_MS	100

int loader_read_events(struct loader *ld);
/* Events the BPF side could not queue, summed over CPUs. */
__u64 loader_dropped(struct loader *ld);
void loader_close(struct loader *ld);

#endif /* __IW_LOADER_H */
