// SPDX-License-Identifier: GPL-2.0
/* Choosing what to hook from BTF: the core table and the drivers' ops. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "hook_btf.h"
#include "util.h"

/* Core hook ids must not run into the ops' ids. */
_Static_assert(IW_HOOK_CORE_MAX <= IW_HOOK_OP_BASE, "core hook ids overlap");


struct core_hook_def {
	int id;
	const char *func;
	const char *role;
	bool entry_only;
};

/* Program names follow the function: FUNC_entry, FUNC_exit. */
static const struct core_hook_def core_hooks[] = {
	{ IW_HOOK_PROBE_DEVICE, "__iommu_probe_device", "probe", false },
	{ IW_HOOK_PROBE_DEVICE_61, "iommu_probe_device", "probe", false },
	{ IW_HOOK_SETUP_DEFAULT, "iommu_setup_default_domain", "default", false },
	{ IW_HOOK_STORE_TYPE, "iommu_group_store_type", "default", false },
	{ IW_HOOK_DEINIT_DEVICE, "iommu_deinit_device", "release", false },
	{ IW_HOOK_RELEASE_DEVICE, "iommu_release_device", "release", false },
	{ IW_HOOK_RESET_PREPARE, "pci_dev_reset_iommu_prepare", "reset", false },
	{ IW_HOOK_RESET_DONE, "pci_dev_reset_iommu_done", "reset", false },
	{ IW_HOOK_TAKE_OWNER, "__iommu_take_dma_ownership", "owner", false },
	{ IW_HOOK_RELEASE_OWNER, "__iommu_release_dma_ownership", "owner", false },
	{ IW_HOOK_GROUP_CLAIM, "iommu_group_claim_dma_owner", "owner", false },
	{ IW_HOOK_GROUP_RELEASE, "iommu_group_release_dma_owner", "owner", false },
	{ IW_HOOK_ATTACH_DEVICE, "iommu_attach_device", "attach", false },
	{ IW_HOOK_DETACH_DEVICE, "iommu_detach_device", "detach", false },
	{ IW_HOOK_ATTACH_GROUP, "iommu_attach_group", "attach", false },
	{ IW_HOOK_DETACH_GROUP, "iommu_detach_group", "detach", false },
	{ IW_HOOK_ATTACH_PASID, "iommu_attach_device_pasid", "pasid", false },
	{ IW_HOOK_REPLACE_PASID, "iommu_replace_device_pasid", "pasid", false },
	{ IW_HOOK_DETACH_PASID, "iommu_detach_device_pasid", "pasid", false },
	{ IW_HOOK_DOMAIN_FREE, "iommu_domain_free", "free", true },
};

/*
 * Driver functions that change a device's translation without being an
 * op, where a driver reaches its hardware past its own ops: Debian's
 * arm64 6.12 inlines SMMUv3's blocked and identity attaches into
 * arm_smmu_release_device, which then writes the STE through this helper
 * alone (function tracer, lab). (domain, dev, ...) returning void; the
 * ops that call it report, as outer ops do.
 */
static const char *const internal_attaches[] = {
	"arm_smmu_attach_dev_ste",
};

/* Core functions whose prototype looks like an op but are not ops. */
static const char *const not_ops[] = {
	"iommu_attach_device",
	"__iommu_attach_device",
	"prepare_domain_attach_device",
	"iommu_create_device_direct_mappings",
	"paging_domain_compatible",
	"iommu_deferred_attach",
};

static const struct op_kind_def {
	const char *role;
	const char *name_part;	/* implementations are named after the op */
} op_kinds[IW_OP_KIND_MAX] = {
	[IW_OP_ATTACH_DEV] = { "attach_dev", "attach" },
	[IW_OP_SET_DEV_PASID] = { "set_dev_pasid", "set_dev_pasid" },
	[IW_OP_REMOVE_DEV_PASID] = { "remove_dev_pasid", "remove_dev_pasid" },
};

const char *hook_op_role(int op_kind)
{
	return op_kinds[op_kind].role;
}

/* ---- BTF prototype matching ---- */

static const struct btf_type *skip_mods(const struct btf *btf, __u32 *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

static bool is_ptr_to_struct(const struct btf *btf, __u32 id, const char *name)
{
	const struct btf_type *t = skip_mods(btf, &id);

	if (!t || !btf_is_ptr(t))
		return false;
	id = t->type;
	t = skip_mods(btf, &id);
	return t && btf_is_struct(t) &&
	       !strcmp(btf__name_by_offset(btf, t->name_off), name);
}

static bool is_int_type(const struct btf *btf, __u32 id, unsigned int size)
{
	const struct btf_type *t = skip_mods(btf, &id);

	return t && btf_is_int(t) && t->size == size;
}

static bool is_void(const struct btf *btf, __u32 id)
{
	return id == 0 || !btf__type_by_id(btf, id);
}

/* attach_dev: int (domain, dev[, old]); set_dev_pasid: + pasid before old. */
int hook_btf_match_op(const struct btf *btf, const struct btf_type *proto)
{
	const struct btf_param *p = btf_params(proto);
	int n = btf_vlen(proto);

	if (n >= 2 && is_int_type(btf, proto->type, 4) &&
	    is_ptr_to_struct(btf, p[0].type, "iommu_domain") &&
	    is_ptr_to_struct(btf, p[1].type, "device")) {
		if (n == 2 || (n == 3 && is_ptr_to_struct(btf, p[2].type,
							  "iommu_domain")))
			return IW_OP_ATTACH_DEV;
		if ((n == 3 || n == 4) && is_int_type(btf, p[2].type, 4))
			return IW_OP_SET_DEV_PASID;
	}
	if (n == 3 && is_void(btf, proto->type) &&
	    is_ptr_to_struct(btf, p[0].type, "device") &&
	    is_int_type(btf, p[1].type, 4) &&
	    is_ptr_to_struct(btf, p[2].type, "iommu_domain"))
		return IW_OP_REMOVE_DEV_PASID;
	return -1;
}

static bool is_internal_attach(const struct btf *btf, const struct btf_type *t)
{
	const char *name = btf__name_by_offset(btf, t->name_off);
	const struct btf_type *proto = btf__type_by_id(btf, t->type);
	const struct btf_param *p = btf_params(proto);

	for (size_t i = 0; i < ARRAY_SIZE(internal_attaches); i++)
		if (!strcmp(internal_attaches[i], name))
			return btf_vlen(proto) >= 2 && is_void(btf, proto->type) &&
			       is_ptr_to_struct(btf, p[0].type, "iommu_domain") &&
			       is_ptr_to_struct(btf, p[1].type, "device");
	return false;
}

static bool is_not_op(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(not_ops); i++)
		if (!strcmp(not_ops[i], name))
			return true;
	return false;
}

bool hook_btf_has_member(const struct btf *btf, const char *st,
			 const char *member)
{
	int id = btf__find_by_name_kind(btf, st, BTF_KIND_STRUCT);
	const struct btf_type *t;
	const struct btf_member *m;

	if (id < 0)
		return false;
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(btf, m[i].name_off), member))
			return true;
	return false;
}

/* The FUNC's argument count and id; -1 when btf does not have it. */
static int func_nr_args(const struct btf *btf, const char *func, __u32 *btf_id)
{
	int id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	const struct btf_type *t;

	if (id < 0)
		return -1;
	*btf_id = id;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	return t ? btf_vlen(t) : -1;
}

int hook_btf_add_core(struct hook_set *hs, const struct btf *vmlinux)
{
	for (size_t i = 0; i < ARRAY_SIZE(core_hooks); i++) {
		const struct core_hook_def *def = &core_hooks[i];
		struct hook *h = hooks_add(hs, def->func, def->role);

		if (!h)
			return -ENOMEM;
		h->id = def->id;
		h->entry_only = def->entry_only;
		h->nr_args = func_nr_args(vmlinux, def->func, &h->btf_id);
	}
	return 0;
}

static int add_op_hook(struct hook_set *hs, const char *func, __u32 btf_id,
		       int kind, int nr_args, const char *module, bool internal)
{
	struct hook *h = hooks_add(hs, func, op_kinds[kind].role);

	if (!h)
		return -ENOMEM;
	h->id = IW_HOOK_OP_BASE + hs->n - 1;
	h->op_kind = kind;
	h->nr_args = nr_args;
	h->btf_id = btf_id;
	h->internal = internal;
	if (module)
		snprintf(h->module, sizeof(h->module), "%s", module);
	return 0;
}

/* Which op the FUNC implements, from its prototype and name. */
static int func_op_kind(const struct btf *btf, const struct btf_type *t,
			bool remove_op)
{
	const char *name = btf__name_by_offset(btf, t->name_off);
	int kind = hook_btf_match_op(btf, btf__type_by_id(btf, t->type));

	if (is_internal_attach(btf, t))
		return IW_OP_ATTACH_DEV;
	if (kind == IW_OP_NONE || is_not_op(name) ||
	    !strstr(name, op_kinds[kind].name_part))
		return IW_OP_NONE;
	/* 7.x keeps remove_dev_pasid helpers without the op. */
	if (kind == IW_OP_REMOVE_DEV_PASID && !remove_op)
		return IW_OP_NONE;
	return kind;
}

int hook_btf_add_ops(struct hook_set *hs, const struct btf *btf,
		     const struct btf *vmlinux, const char *module)
{
	bool remove_op = hook_btf_has_member(vmlinux, "iommu_ops",
					     "remove_dev_pasid");
	__u32 n = btf__type_cnt(btf);
	__u32 first = btf == vmlinux ? 1 : btf__type_cnt(vmlinux);
	int err;

	for (__u32 id = first; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		int kind;

		if (!btf_is_func(t))
			continue;
		kind = func_op_kind(btf, t, remove_op);
		if (kind == IW_OP_NONE)
			continue;
		err = add_op_hook(hs, btf__name_by_offset(btf, t->name_off), id,
				  kind, btf_vlen(btf__type_by_id(btf, t->type)),
				  module, is_internal_attach(btf, t));
		if (err)
			return err;
	}
	return 0;
}

