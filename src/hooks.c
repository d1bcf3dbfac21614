// SPDX-License-Identifier: GPL-2.0
/* Choosing what to hook from the running kernel's BTF and kallsyms. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hooks.h"
#include "log.h"

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

/* Core functions whose prototype looks like an op but are not ops. */
static const char *const not_ops[] = {
	"iommu_attach_device",
	"__iommu_attach_device",
	"prepare_domain_attach_device",
	"iommu_create_device_direct_mappings",
	"paging_domain_compatible",
	"iommu_deferred_attach",
};

enum op_kind {
	OP_ATTACH_DEV,
	OP_SET_DEV_PASID,
	OP_REMOVE_DEV_PASID,
	OP_KIND_MAX,
};

static const struct op_kind_def {
	const char *role;
	const char *prog_prefix;
	const char *name_part;	/* implementations are named after the op */
	int base;
	int slots;
} op_kinds[OP_KIND_MAX] = {
	[OP_ATTACH_DEV] = { "attach_dev", "attach_dev", "attach",
			    IW_HOOK_ATTACH_OP, IW_ATTACH_SLOTS },
	[OP_SET_DEV_PASID] = { "set_dev_pasid", "set_dev_pasid",
			       "set_dev_pasid", IW_HOOK_SET_PASID_OP,
			       IW_SET_PASID_SLOTS },
	[OP_REMOVE_DEV_PASID] = { "remove_dev_pasid", "remove_dev_pasid",
				  "remove_dev_pasid", IW_HOOK_REMOVE_PASID_OP,
				  IW_REMOVE_PASID_SLOTS },
};

const char *hook_status_name(enum hook_status status)
{
	switch (status) {
	case HOOK_ACTIVE:
		return "active";
	case HOOK_MISSING:
		return "missing";
	default:
		return "failed";
	}
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
static int match_op(const struct btf *btf, const struct btf_type *proto)
{
	const struct btf_param *p = btf_params(proto);
	int n = btf_vlen(proto);

	if (n >= 2 && is_int_type(btf, proto->type, 4) &&
	    is_ptr_to_struct(btf, p[0].type, "iommu_domain") &&
	    is_ptr_to_struct(btf, p[1].type, "device")) {
		if (n == 2 || (n == 3 && is_ptr_to_struct(btf, p[2].type,
							  "iommu_domain")))
			return OP_ATTACH_DEV;
		if ((n == 3 || n == 4) && is_int_type(btf, p[2].type, 4))
			return OP_SET_DEV_PASID;
	}
	if (n == 3 && is_void(btf, proto->type) &&
	    is_ptr_to_struct(btf, p[0].type, "device") &&
	    is_int_type(btf, p[1].type, 4) &&
	    is_ptr_to_struct(btf, p[2].type, "iommu_domain"))
		return OP_REMOVE_DEV_PASID;
	return -1;
}

static bool is_not_op(const char *name)
{
	for (size_t i = 0; i < sizeof(not_ops) / sizeof(not_ops[0]); i++)
		if (!strcmp(not_ops[i], name))
			return true;
	return false;
}

/* The op struct member exists in this kernel (remove_dev_pasid: 6.x only). */
static bool ops_member_exists(const struct btf *btf, const char *st,
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

static int func_nr_args(const struct btf *btf, const char *func)
{
	int id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	const struct btf_type *t;

	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	return t ? btf_vlen(t) : -1;
}

/* ---- kallsyms: BTF functions that were inlined have no symbol ---- */

static int cmp_hook_func(const void *a, const void *b)
{
	return strcmp((*(struct hook *const *)a)->func,
		      (*(struct hook *const *)b)->func);
}

/*
 * One pass over kallsyms marks the hooks whose function has a symbol in
 * vmlinux (module symbols carry "\t[mod]" and have no vmlinux BTF), and
 * finds pci_bus_type for the programs, which would otherwise need a
 * second pass (libbpf's, for a __ksym) or a string read per event.
 */
static int mark_symbols(struct hook_set *hs, const char *kallsyms, bool *has)
{
	struct hook *sorted[IW_HOOK_MAX], key, *kp = &key, **found;
	char line[512], name[sizeof(key.func)], type;
	unsigned long long addr;
	FILE *f;

	if (!kallsyms) {
		for (int i = 0; i < hs->n; i++)
			has[i] = true;
		return 0;
	}
	f = fopen(kallsyms, "r");
	if (!f)
		return -errno;
	for (int i = 0; i < hs->n; i++)
		sorted[i] = &hs->hooks[i];
	qsort(sorted, hs->n, sizeof(sorted[0]), cmp_hook_func);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %63s", &addr, &type, name) != 3 ||
		    strchr(line, '['))
			continue;
		/* 0 when kptr_restrict hides addresses from this task. */
		if (!strcmp(name, "pci_bus_type"))
			hs->pci_bus_type = addr;
		memcpy(key.func, name, sizeof(key.func));
		found = bsearch(&kp, sorted, hs->n, sizeof(sorted[0]),
				cmp_hook_func);
		if (found)
			has[*found - hs->hooks] = true;
	}
	fclose(f);
	return 0;
}

static struct bpf_program *find_prog(struct bpf_object *obj, const char *fmt,
				     const char *a, int n)
{
	char name[96];

	snprintf(name, sizeof(name), fmt, a, n);
	return bpf_object__find_program_by_name(obj, name);
}

static void add_core_hooks(struct hook_set *hs, const struct btf *btf)
{
	for (size_t i = 0; i < sizeof(core_hooks) / sizeof(core_hooks[0]); i++) {
		const struct core_hook_def *def = &core_hooks[i];
		struct hook *h = &hs->hooks[hs->n++];

		h->id = def->id;
		h->role = def->role;
		h->entry_only = def->entry_only;
		snprintf(h->func, sizeof(h->func), "%s", def->func);
		h->nr_args = func_nr_args(btf, def->func);
	}
}

static void disable_all_slots(struct bpf_object *obj)
{
	for (int k = 0; k < OP_KIND_MAX; k++) {
		for (int n = 0; n < op_kinds[k].slots; n++) {
			struct bpf_program *p;

			p = find_prog(obj, "%s_entry_%d", op_kinds[k].prog_prefix, n);
			if (p)
				bpf_program__set_autoload(p, false);
			p = find_prog(obj, "%s_exit_%d", op_kinds[k].prog_prefix, n);
			if (p)
				bpf_program__set_autoload(p, false);
		}
	}
}

static void add_op_hook(struct hook_set *hs, int kind, const char *func,
			int nr_args, int *used)
{
	const struct op_kind_def *def = &op_kinds[kind];
	struct hook *h;

	if (used[kind] == def->slots) {
		hs->overflow++;
		log_warn("no free %s slot for %s: not watched", def->role, func);
		return;
	}
	h = &hs->hooks[hs->n++];
	h->id = def->base + used[kind];
	h->role = def->role;
	h->op_kind = kind;
	h->slot = used[kind]++;
	h->nr_args = nr_args;
	snprintf(h->func, sizeof(h->func), "%s", func);
}

/* Every FUNC whose name and prototype make it an implementation of an op. */
static void add_op_hooks(struct hook_set *hs, const struct btf *btf)
{
	bool remove_op = ops_member_exists(btf, "iommu_ops", "remove_dev_pasid");
	int used[OP_KIND_MAX] = {};
	__u32 n = btf__type_cnt(btf);

	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_type *proto;
		const char *name;
		int kind;

		if (!btf_is_func(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		proto = btf__type_by_id(btf, t->type);
		kind = match_op(btf, proto);
		if (kind < 0 || is_not_op(name) ||
		    !strstr(name, op_kinds[kind].name_part))
			continue;
		/* 7.x keeps remove_dev_pasid helpers without the op. */
		if (kind == OP_REMOVE_DEV_PASID && !remove_op)
			continue;
		add_op_hook(hs, kind, name, btf_vlen(proto), used);
	}
}

static void mark_missing(struct hook *h, bool has_symbol)
{
	if (h->nr_args < 0) {
		h->status = HOOK_MISSING;
		snprintf(h->reason, sizeof(h->reason), "not in this kernel's BTF");
	} else if (!has_symbol) {
		h->status = HOOK_MISSING;
		snprintf(h->reason, sizeof(h->reason),
			 "inlined: no symbol to attach to");
	}
}

int hooks_select(struct hook_set *hs, const struct btf *vmlinux,
		 const char *kallsyms)
{
	bool has_symbol[IW_HOOK_MAX] = {};
	int err;

	memset(hs, 0, sizeof(*hs));
	add_core_hooks(hs, vmlinux);
	add_op_hooks(hs, vmlinux);
	hs->deferred_locked = ops_member_exists(vmlinux, "group_device",
						"blocked");
	err = mark_symbols(hs, kallsyms, has_symbol);
	if (err) {
		log_warn("cannot read %s (%s): assuming every BTF function can be hooked",
			 kallsyms, strerror(-err));
		memset(has_symbol, true, sizeof(has_symbol));
	}
	for (int i = 0; i < hs->n; i++)
		mark_missing(&hs->hooks[i], has_symbol[i]);
	return 0;
}

static int find_progs(struct hook *h, struct bpf_object *obj)
{
	if (h->id < IW_HOOK_ATTACH_OP) {
		h->entry = find_prog(obj, "%s_entry", h->func, 0);
		h->exit = h->entry_only ? NULL
					: find_prog(obj, "%s_exit", h->func, 0);
	} else {
		const char *prefix = op_kinds[h->op_kind].prog_prefix;

		h->entry = find_prog(obj, "%s_entry_%d", prefix, h->slot);
		h->exit = find_prog(obj, "%s_exit_%d", prefix, h->slot);
	}
	return h->entry && (h->entry_only || h->exit) ? 0 : -ENOENT;
}

static void hook_set_failed(struct hook *h, const char *what, int err)
{
	h->status = HOOK_FAILED;
	snprintf(h->reason, sizeof(h->reason), "%s: %s", what, strerror(-err));
	bpf_program__set_autoload(h->entry, false);
	if (h->exit)
		bpf_program__set_autoload(h->exit, false);
}

/* Op slots: point the generic programs at this implementation. */
static void target_op(struct hook *h)
{
	int err;

	err = bpf_program__set_attach_target(h->entry, 0, h->func);
	if (!err)
		err = bpf_program__set_attach_target(h->exit, 0, h->func);
	if (err) {
		hook_set_failed(h, "cannot target it", err);
		return;
	}
	bpf_program__set_autoload(h->entry, true);
	bpf_program__set_autoload(h->exit, true);
}

int hooks_configure(struct hook_set *hs, struct bpf_object *obj)
{
	disable_all_slots(obj);
	for (int i = 0; i < hs->n; i++) {
		struct hook *h = &hs->hooks[i];

		if (find_progs(h, obj))
			return -ENOENT;
		if (h->status != HOOK_ACTIVE) {
			bpf_program__set_autoload(h->entry, false);
			if (h->exit)
				bpf_program__set_autoload(h->exit, false);
		} else if (h->id >= IW_HOOK_ATTACH_OP) {
			target_op(h);
		}
	}
	return 0;
}

static int attach_prog(struct hook *h, struct bpf_program *prog, int slot)
{
	struct bpf_link *link = bpf_program__attach(prog);
	int err;

	if (!link) {
		err = -errno;
		h->status = HOOK_FAILED;
		snprintf(h->reason, sizeof(h->reason), "attach: %s",
			 strerror(-err));
		return err;
	}
	h->links[slot] = link;
	return 0;
}

void hooks_attach(struct hook_set *hs)
{
	for (int i = 0; i < hs->n; i++) {
		struct hook *h = &hs->hooks[i];

		if (h->status != HOOK_ACTIVE)
			continue;
		/* Exit first: an entry without its exit leaves marks behind. */
		if (h->exit && attach_prog(h, h->exit, 1))
			continue;
		if (attach_prog(h, h->entry, 0)) {
			bpf_link__destroy(h->links[1]);
			h->links[1] = NULL;
		}
	}
}

void hooks_detach(struct hook_set *hs)
{
	for (int i = 0; i < hs->n; i++) {
		for (int l = 0; l < 2; l++) {
			bpf_link__destroy(hs->hooks[i].links[l]);
			hs->hooks[i].links[l] = NULL;
		}
	}
}

const char *hook_name(const struct hook_set *hs, int id)
{
	for (int i = 0; i < hs->n; i++)
		if (hs->hooks[i].id == id)
			return hs->hooks[i].func;
	return "unknown";
}

int hooks_count(const struct hook_set *hs, enum hook_status status)
{
	int n = 0;

	for (int i = 0; i < hs->n; i++)
		n += hs->hooks[i].status == status;
	return n;
}

static bool role_covered(const struct hook_set *hs, const char *role)
{
	for (int i = 0; i < hs->n; i++)
		if (!strcmp(hs->hooks[i].role, role) &&
		    hs->hooks[i].status == HOOK_ACTIVE)
			return true;
	return false;
}

void hooks_uncovered_roles(const struct hook_set *hs, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < hs->n && off < len; i++) {
		const char *role = hs->hooks[i].role;
		bool seen = false;

		for (int j = 0; j < i; j++)
			seen |= !strcmp(hs->hooks[j].role, role);
		if (seen || role_covered(hs, role))
			continue;
		off += snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
				role);
	}
}
