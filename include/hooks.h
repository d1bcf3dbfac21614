/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel functions iommuwatch hooks: the core functions of the table in
 * hook_btf.c, and the drivers' op implementations found in the running
 * kernel's BTF (vmlinux and modules). Each hook ends up active, missing
 * (with why) or failed. Choosing them: hook_btf.h and kallsyms.h; loading
 * and attaching: hook_attach.h.
 */
#ifndef __IW_HOOKS_H
#define __IW_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>
#include "attach_mode.h"
#include "iommuwatch.h"

/* Module names as kallsyms and /sys/kernel/btf spell them. */
#define HOOK_MODULE_LEN		56

enum hook_status {
	HOOK_ACTIVE,
	HOOK_MISSING,	/* not in this kernel, or not attachable */
	HOOK_FAILED,	/* present, but loading or attaching failed */
};

/* How a hook's programs reach its function. */
enum hook_mech {
	HOOK_FENTRY,	/* fentry/fexit: a BPF trampoline, by BTF id */
	HOOK_KPROBE,	/* kprobe/kretprobe: by name, or a copy's address */
};

/* The drivers' ops, each with one template program pair. */
enum iw_op_kind {
	IW_OP_ATTACH_DEV,
	IW_OP_SET_DEV_PASID,
	IW_OP_REMOVE_DEV_PASID,
	IW_OP_KIND_MAX,
	IW_OP_NONE = -1,	/* a core function */
};

struct hook {
	int id;				/* enum iw_hook_id; the attach cookie */
	char func[64];			/* kernel function */
	char module[HOOK_MODULE_LEN];	/* "": in vmlinux */
	const char *role;		/* what it watches, e.g. "release" */
	int nr_args;			/* from the BTF prototype, -1 unknown */
	bool entry_only;		/* fentry without fexit */
	int op_kind;			/* enum iw_op_kind */
	__u32 btf_id;			/* its FUNC in vmlinux or module BTF */
	enum hook_mech mech;
	bool internal;			/* a driver's internal attach, not an op */
	/*
	 * A name kallsyms holds nr_copies times (two drivers built in with
	 * a static function of one name): this hook is copy copy_nr, from 1,
	 * kprobed at addr, which is never printed. 0 and 0 for a unique one.
	 */
	int copy_nr, nr_copies;
	__u64 addr;
	/* The object's programs: its own, or its op's templates. */
	struct bpf_program *entry;
	struct bpf_program *exit;	/* NULL for entry-only hooks */
	bool copy;			/* runs copies of the templates */
	int prog_fds[2];		/* those copies: entry, exit; -1 none */
	int link_fds[2];		/* fentry's: entry, exit; -1 none */
	struct bpf_link *kprobe_links[2];	/* kprobe's: entry, exit */
	enum hook_status status;
	char reason[96];
};

struct hook_set {
	struct hook *hooks;
	int n;
	int cap;
	enum hook_attach_mode mode;
	/*
	 * iommu_deferred_attach() takes group->mutex: it came (7.x) with the
	 * PCI reset series, which also added group_device.blocked.
	 */
	bool deferred_locked;
	/* Address of pci_bus_type in kallsyms, 0 if hidden; stays in BPF. */
	__u64 pci_bus_type;
};

/* A new hook with no program, fds -1; NULL when out of memory. */
struct hook *hooks_add(struct hook_set *hs, const char *func, const char *role);
/* Close every copy and free the set; a zeroed set is fine. */
void hooks_free(struct hook_set *hs);

/*
 * Decide every hook against vmlinux BTF, the BTF of loaded modules
 * (mods[], each split on vmlinux, named by mod_names[]) and kallsyms
 * (NULL: take every BTF function as attachable, and unique), and its
 * mechanism under mode. Pure: touches no BPF object. hs is reset first;
 * free it with hooks_free() even on error.
 */
int hooks_select(struct hook_set *hs, const struct btf *vmlinux,
		 struct btf *const *mods, const char *const *mod_names,
		 int nr_mods, const char *kallsyms, enum hook_attach_mode mode);

const char *hook_name(const struct hook_set *hs, int id);
const char *hook_status_name(enum hook_status status);
const char *hook_mech_name(enum hook_mech mech);
int hooks_count(const struct hook_set *hs, enum hook_status status);

/* What the active hooks run on: "fentry", "kprobe", "fentry+kprobe". */
const char *hooks_mechanisms(const struct hook_set *hs);

/* Every driver op found is hooked (no copy or module left out), and,
 * where resets are watched, iommu_detach_device_pasid. */
bool hooks_ops_watched(const struct hook_set *hs);

/* Roles (release, reset, ...) with no active hook, comma separated. */
void hooks_uncovered_roles(const struct hook_set *hs, char *buf, size_t len);

#endif /* __IW_HOOKS_H */
