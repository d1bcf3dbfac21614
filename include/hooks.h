/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel functions iommuwatch hooks: the core functions of the table in
 * hooks.c, and the drivers' op implementations found in the running
 * kernel's BTF. Each hook ends up active, missing (with why) or failed.
 */
#ifndef __IW_HOOKS_H
#define __IW_HOOKS_H

#include <stdbool.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>
#include "iommuwatch.h"

enum hook_status {
	HOOK_ACTIVE,
	HOOK_MISSING,	/* not in this kernel, or not attachable */
	HOOK_FAILED,	/* present, but loading or attaching failed */
};

struct hook {
	int id;				/* enum iw_hook_id */
	char func[64];			/* kernel function */
	const char *role;		/* what it watches, e.g. "release" */
	int nr_args;			/* from the BTF prototype, -1 unknown */
	bool entry_only;		/* fentry without fexit */
	int op_kind;			/* driver ops: which op, and ... */
	int slot;			/* ... which of its program slots */
	struct bpf_program *entry;
	struct bpf_program *exit;	/* NULL for entry-only hooks */
	struct bpf_link *links[2];
	enum hook_status status;
	char reason[96];
};

struct hook_set {
	struct hook hooks[IW_HOOK_MAX];
	int n;
	/* Op implementations found beyond the slots (not watched). */
	int overflow;
	/*
	 * iommu_deferred_attach() takes group->mutex: it came (7.x) with the
	 * PCI reset series, which also added group_device.blocked.
	 */
	bool deferred_locked;
	/* Address of pci_bus_type in kallsyms, 0 if hidden; stays in BPF. */
	__u64 pci_bus_type;
};

/*
 * Decide every hook against the kernel's BTF and kallsyms (NULL: take every
 * BTF function as attachable). Pure: touches no BPF object.
 */
int hooks_select(struct hook_set *hs, const struct btf *vmlinux,
		 const char *kallsyms);
/* Set obj's programs (targets, autoload) for the selection, before load. */
int hooks_configure(struct hook_set *hs, struct bpf_object *obj);
/* Attach the prepared programs; failures mark hooks, never abort. */
void hooks_attach(struct hook_set *hs);
void hooks_detach(struct hook_set *hs);

const char *hook_name(const struct hook_set *hs, int id);
const char *hook_status_name(enum hook_status status);
int hooks_count(const struct hook_set *hs, enum hook_status status);

/* Roles (release, reset, ...) with no active hook, comma separated. */
void hooks_uncovered_roles(const struct hook_set *hs, char *buf, size_t len);

#endif /* __IW_HOOKS_H */
