// SPDX-License-Identifier: GPL-2.0
/*
 * Hook selection against synthetic kernels: a BTF built here with the
 * prototypes of each kernel line, and a kallsyms file to match.
 */
#include <stdlib.h>
#include <unistd.h>
#include "hook_attach.h"
#include "hook_btf.h"
#include "hooks.h"
#include "iommuwatch.skel.h"
#include "unit.h"

struct fake_kernel {
	struct btf *btf;
	int t_int, t_u32, p_dom, p_dev;
	char kallsyms[64];
	FILE *ksyms;
};

static void fake_init(struct fake_kernel *k, bool remove_op)
{
	int dom, dev, ops, fp;

	k->btf = btf__new_empty();
	k->t_int = btf__add_int(k->btf, "int", 4, BTF_INT_SIGNED);
	k->t_u32 = btf__add_int(k->btf, "unsigned int", 4, 0);
	dom = btf__add_struct(k->btf, "iommu_domain", 8);
	dev = btf__add_struct(k->btf, "device", 8);
	k->p_dom = btf__add_ptr(k->btf, dom);
	k->p_dev = btf__add_ptr(k->btf, dev);
	fp = btf__add_ptr(k->btf, k->t_int);
	ops = btf__add_struct(k->btf, "iommu_ops", 8);
	btf__add_field(k->btf, "attach_dev", fp, 0, 0);
	if (remove_op)
		btf__add_field(k->btf, "remove_dev_pasid", fp, 0, 0);
	(void)ops;
	snprintf(k->kallsyms, sizeof(k->kallsyms), "/tmp/iw-ksyms-XXXXXX");
	k->ksyms = fdopen(mkstemp(k->kallsyms), "w");
}

/* A function whose params are given as BTF ids. */
static void add_func(struct btf *btf, const char *name, int ret, int n,
		     const int *params)
{
	int proto = btf__add_func_proto(btf, ret);

	for (int i = 0; i < n; i++)
		btf__add_func_param(btf, "a", params[i]);
	btf__add_func(btf, name, BTF_FUNC_GLOBAL, proto);
}

/* The same, in vmlinux BTF; in kallsyms unless told. */
static void fake_func(struct fake_kernel *k, const char *name, int ret,
		      int n, const int *params, const char *ksym_suffix)
{
	add_func(k->btf, name, ret, n, params);
	if (ksym_suffix)
		fprintf(k->ksyms, "ffffffff81000000 t %s%s\n", name, ksym_suffix);
}

static void fake_core(struct fake_kernel *k, const char *name)
{
	int p[1] = { k->p_dev };

	fake_func(k, name, 0, 1, p, "");
}

static const struct hook *find(const struct hook_set *hs, const char *func)
{
	for (int i = 0; i < hs->n; i++)
		if (!strcmp(hs->hooks[i].func, func))
			return &hs->hooks[i];
	return NULL;
}

static void run_select_mode(struct fake_kernel *k, struct hook_set *hs,
			    struct btf *mod, const char *mod_name,
			    enum hook_attach_mode mode)
{
	fclose(k->ksyms);
	CHECK(hooks_select(hs, k->btf, &mod, &mod_name, mod ? 1 : 0,
			   k->kallsyms, mode) == 0);
	unlink(k->kallsyms);
}

static void run_select_mods(struct fake_kernel *k, struct hook_set *hs,
			    struct btf *mod, const char *mod_name)
{
	run_select_mode(k, hs, mod, mod_name, HOOK_ATTACH_AUTO);
}

static void run_select(struct fake_kernel *k, struct hook_set *hs)
{
	run_select_mods(k, hs, NULL, NULL);
}

static void kernel_612(void)
{
	struct fake_kernel k;
	struct hook_set hs;
	const struct hook *h;
	int attach2[2], attach3[3], pasid3[3], remove3[3];

	fake_init(&k, true);
	memcpy(attach2, (int[]){ k.p_dom, k.p_dev }, sizeof(attach2));
	memcpy(attach3, (int[]){ k.p_dom, k.p_dev, k.p_dom }, sizeof(attach3));
	memcpy(pasid3, (int[]){ k.p_dom, k.p_dev, k.t_u32 }, sizeof(pasid3));
	memcpy(remove3, (int[]){ k.p_dev, k.t_u32, k.p_dom }, sizeof(remove3));
	fake_core(&k, "iommu_deinit_device");
	fake_core(&k, "iommu_domain_free");
	fake_func(&k, "iommu_release_device", 0, 1, attach2 + 1, NULL);
	fake_func(&k, "intel_iommu_attach_device", k.t_int, 2, attach2, "");
	fake_func(&k, "blocking_domain_attach_dev", k.t_int, 2, attach2, "");
	fake_func(&k, "viommu_attach_dev", k.t_int, 2, attach2, "\t[virtio_iommu]");
	fake_func(&k, "iommu_create_device_direct_mappings", k.t_int, 2, attach2, "");
	fake_func(&k, "prepare_domain_attach_device", k.t_int, 2, attach2, "");
	fake_func(&k, "intel_iommu_set_dev_pasid", k.t_int, 3, pasid3, "");
	fake_func(&k, "intel_iommu_remove_dev_pasid", 0, 3, remove3, "");
	fake_func(&k, "odd_attach_dev", 0, 2, attach2, ""); /* returns void */
	fprintf(k.ksyms, "ffffffff82345678 D pci_bus_type\n");
	(void)attach3;
	run_select(&k, &hs);
	CHECK(hs.pci_bus_type == 0xffffffff82345678ULL);

	h = find(&hs, "iommu_deinit_device");
	CHECK(h && h->status == HOOK_ACTIVE && h->nr_args == 1);
	h = find(&hs, "iommu_release_device");
	CHECK(h && h->status == HOOK_MISSING && strstr(h->reason, "inlined"));
	h = find(&hs, "pci_dev_reset_iommu_prepare");
	CHECK(h && h->status == HOOK_MISSING && strstr(h->reason, "BTF"));
	h = find(&hs, "intel_iommu_attach_device");
	CHECK(h && h->status == HOOK_ACTIVE && h->id >= IW_HOOK_OP_BASE);
	CHECK(h && h->nr_args == 2 && !strcmp(h->role, "attach_dev"));
	CHECK(h && h->op_kind == IW_OP_ATTACH_DEV && !h->module[0]);
	h = find(&hs, "blocking_domain_attach_dev");
	CHECK(h && h->status == HOOK_ACTIVE && h->op_kind == IW_OP_ATTACH_DEV);
	CHECK(h && h->id != find(&hs, "intel_iommu_attach_device")->id);
	h = find(&hs, "viommu_attach_dev");
	CHECK(h && h->status == HOOK_MISSING);
	CHECK(!find(&hs, "iommu_create_device_direct_mappings"));
	CHECK(!find(&hs, "prepare_domain_attach_device"));
	CHECK(!find(&hs, "odd_attach_dev"));
	h = find(&hs, "intel_iommu_set_dev_pasid");
	CHECK(h && h->op_kind == IW_OP_SET_DEV_PASID && h->nr_args == 3);
	h = find(&hs, "intel_iommu_remove_dev_pasid");
	CHECK(h && h->op_kind == IW_OP_REMOVE_DEV_PASID);
	h = find(&hs, "blocking_domain_attach_dev");
	CHECK_STR(hook_name(&hs, h ? h->id : -1), "blocking_domain_attach_dev");
	CHECK_STR(hook_name(&hs, IW_HOOK_DEINIT_DEVICE), "iommu_deinit_device");
	CHECK_STR(hook_name(&hs, 100000), "unknown");
	hooks_free(&hs);
	btf__free(k.btf);
}

/* More implementations than the old 12 slots: every one is watched. */
#define MANY_OPS	40

static void kernel_73_many_ops(void)
{
	struct fake_kernel k;
	struct hook_set hs;
	char name[32], roles[256];
	int attach3[3], pasid4[4], remove3[3], ids[MANY_OPS];

	fake_init(&k, false);
	memcpy(attach3, (int[]){ k.p_dom, k.p_dev, k.p_dom }, sizeof(attach3));
	memcpy(pasid4, (int[]){ k.p_dom, k.p_dev, k.t_u32, k.p_dom }, sizeof(pasid4));
	memcpy(remove3, (int[]){ k.p_dev, k.t_u32, k.p_dom }, sizeof(remove3));
	for (int i = 0; i < MANY_OPS; i++) {
		snprintf(name, sizeof(name), "drv%d_attach_dev", i);
		fake_func(&k, name, k.t_int, 3, attach3, "");
	}
	fake_func(&k, "blocking_domain_set_dev_pasid", k.t_int, 4, pasid4, "");
	/* 7.x keeps this helper, but the op is gone from iommu_ops. */
	fake_func(&k, "amd_iommu_remove_dev_pasid", 0, 3, remove3, "");
	run_select(&k, &hs);

	for (int i = 0; i < MANY_OPS; i++) {
		const struct hook *h;

		snprintf(name, sizeof(name), "drv%d_attach_dev", i);
		h = find(&hs, name);
		CHECK(h && h->status == HOOK_ACTIVE && h->nr_args == 3);
		ids[i] = h ? h->id : -1;
		for (int j = 0; j < i; j++)
			CHECK(ids[j] != ids[i]);
	}
	CHECK(find(&hs, "blocking_domain_set_dev_pasid")->nr_args == 4);
	CHECK(!find(&hs, "amd_iommu_remove_dev_pasid"));
	/* No core function at all: every core role is uncovered. */
	hooks_uncovered_roles(&hs, roles, sizeof(roles));
	CHECK(strstr(roles, "release") && strstr(roles, "reset"));
	CHECK(!strstr(roles, "attach_dev"));
	CHECK(hooks_count(&hs, HOOK_ACTIVE) == MANY_OPS + 1);
	hooks_free(&hs);
	btf__free(k.btf);
}

/*
 * A driver in a module: its ops are in the module's split BTF and its
 * symbols carry the module's name; vmlinux's own functions are not
 * counted twice.
 */
static void module_ops(void)
{
	struct fake_kernel k;
	struct hook_set hs;
	struct btf *mod;
	const struct hook *h;
	int attach2[2];

	fake_init(&k, true);
	memcpy(attach2, (int[]){ k.p_dom, k.p_dev }, sizeof(attach2));
	fake_func(&k, "intel_iommu_attach_device", k.t_int, 2, attach2, "");
	mod = btf__new_empty_split(k.btf);
	CHECK(mod != NULL);
	add_func(mod, "viommu_attach_dev", k.t_int, 2, attach2);
	add_func(mod, "elsewhere_attach_dev", k.t_int, 2, attach2);
	fprintf(k.ksyms, "ffffffffc0001000 t viommu_attach_dev\t[virtio_iommu]\n");
	/* A symbol of the same name in another module is not this one. */
	fprintf(k.ksyms, "ffffffffc0002000 t elsewhere_attach_dev\t[other]\n");
	run_select_mods(&k, &hs, mod, "virtio_iommu");

	h = find(&hs, "viommu_attach_dev");
	CHECK(h && h->status == HOOK_ACTIVE && h->op_kind == IW_OP_ATTACH_DEV);
	CHECK(h && !strcmp(h->module, "virtio_iommu") && h->nr_args == 2);
	CHECK(h && h->btf_id >= btf__type_cnt(k.btf));
	h = find(&hs, "elsewhere_attach_dev");
	CHECK(h && h->status == HOOK_MISSING && strstr(h->reason, "inlined"));
	h = find(&hs, "intel_iommu_attach_device");
	CHECK(h && h->status == HOOK_ACTIVE && !h->module[0]);
	CHECK(hooks_count(&hs, HOOK_ACTIVE) == 2);
	hooks_free(&hs);
	btf__free(mod);
	btf__free(k.btf);
}

/*
 * Debian's arm64 kernels build arm-smmu (v2) and arm-smmu-v3 in: their
 * static arm_smmu_attach_dev are two symbols under one BTF name, and an
 * fentry by name sits on the first, which may be the unused driver's.
 * Each copy gets a kprobe at its own address, with its own id; a unique
 * name beside them stays on fentry.
 */
static void duplicate_kernel(struct fake_kernel *k, const char *addr2)
{
	int attach2[2], pasid3[3];

	fake_init(k, false);
	memcpy(attach2, (int[]){ k->p_dom, k->p_dev }, sizeof(attach2));
	memcpy(pasid3, (int[]){ k->p_dom, k->p_dev, k->t_u32 }, sizeof(pasid3));
	fake_func(k, "arm_smmu_attach_dev", k->t_int, 2, attach2, "");
	fprintf(k->ksyms, "%s t arm_smmu_attach_dev\n", addr2);
	fake_func(k, "arm_smmu_set_dev_pasid", k->t_int, 3, pasid3, "");
}

static const struct hook *find_copy(const struct hook_set *hs,
				    const char *func, int copy_nr)
{
	for (int i = 0; i < hs->n; i++)
		if (!strcmp(hs->hooks[i].func, func) &&
		    hs->hooks[i].copy_nr == copy_nr)
			return &hs->hooks[i];
	return NULL;
}

static void duplicate_names(void)
{
	struct fake_kernel k;
	struct hook_set hs;
	const struct hook *a, *b;

	duplicate_kernel(&k, "ffff800080a09000");
	run_select(&k, &hs);
	a = find_copy(&hs, "arm_smmu_attach_dev", 1);
	b = find_copy(&hs, "arm_smmu_attach_dev", 2);
	CHECK(a && a->status == HOOK_ACTIVE && a->mech == HOOK_KPROBE);
	CHECK(b && b->status == HOOK_ACTIVE && b->mech == HOOK_KPROBE);
	CHECK(a && a->addr == 0xffffffff81000000ULL && a->nr_copies == 2);
	CHECK(b && b->addr == 0xffff800080a09000ULL && b->nr_copies == 2);
	CHECK(a && b && a->id != b->id && b->id >= IW_HOOK_OP_BASE);
	CHECK(b && b->op_kind == IW_OP_ATTACH_DEV && b->nr_args == 2);
	a = find(&hs, "arm_smmu_set_dev_pasid");
	CHECK(a && a->status == HOOK_ACTIVE && a->mech == HOOK_FENTRY);
	CHECK(a && !a->nr_copies && !a->addr);
	CHECK(hooks_ops_watched(&hs));
	hooks_free(&hs);
	btf__free(k.btf);
}

/* Without kprobes or without addresses, copies are never "watched". */
static void duplicate_names_unwatchable(void)
{
	struct fake_kernel k;
	struct hook_set hs;
	const struct hook *h;

	duplicate_kernel(&k, "ffff800080a09000");
	run_select_mode(&k, &hs, NULL, NULL, HOOK_ATTACH_FENTRY);
	h = find(&hs, "arm_smmu_attach_dev");
	CHECK(h && h->status == HOOK_MISSING && strstr(h->reason, "2 functions"));
	CHECK(h && !h->nr_copies && !find_copy(&hs, "arm_smmu_attach_dev", 2));
	CHECK(!hooks_ops_watched(&hs));	/* an op may run unseen */
	hooks_free(&hs);
	btf__free(k.btf);

	/* kptr_restrict: the copies' addresses read 0. */
	duplicate_kernel(&k, "0000000000000000");
	run_select(&k, &hs);
	h = find(&hs, "arm_smmu_attach_dev");
	CHECK(h && h->status == HOOK_MISSING && strstr(h->reason, "addresses"));
	CHECK(!find_copy(&hs, "arm_smmu_attach_dev", 2));
	hooks_free(&hs);
	btf__free(k.btf);
}

/* A kernel without fentry: every hook on kprobes, by name. */
static void kprobes_only(void)
{
	struct fake_kernel k;
	struct hook_set hs;

	duplicate_kernel(&k, "ffff800080a09000");
	fake_core(&k, "iommu_deinit_device");
	run_select_mode(&k, &hs, NULL, NULL, HOOK_ATTACH_KPROBE);
	for (int i = 0; i < hs.n; i++)
		CHECK(hs.hooks[i].mech == HOOK_KPROBE);
	CHECK(!find(&hs, "iommu_deinit_device")->addr);
	CHECK(find_copy(&hs, "arm_smmu_attach_dev", 2));
	hooks_free(&hs);
	btf__free(k.btf);
}

/* Missing hooks are not loaded, nor an op's templates without an op. */
static void configure_autoload(void)
{
	struct fake_kernel k;
	struct iommuwatch_bpf *skel;
	struct hook_set hs;

	fake_init(&k, false);
	fake_core(&k, "iommu_deinit_device");
	fake_core(&k, "iommu_domain_free");
	run_select(&k, &hs);
	skel = iommuwatch_bpf__open();
	CHECK(skel && hooks_configure(&hs, skel->obj) == 0);
	CHECK(bpf_program__autoload(skel->progs.iommu_deinit_device_entry));
	CHECK(bpf_program__autoload(skel->progs.iommu_deinit_device_exit));
	CHECK(bpf_program__autoload(skel->progs.iommu_domain_free_entry));
	CHECK(!bpf_program__autoload(skel->progs.iommu_release_device_entry));
	CHECK(!bpf_program__autoload(skel->progs.pci_dev_reset_iommu_done_exit));
	CHECK(!bpf_program__autoload(skel->progs.attach_dev_entry));
	CHECK(!bpf_program__autoload(skel->progs.attach_dev_exit));
	CHECK(!bpf_program__autoload(skel->progs.remove_dev_pasid_exit));
	CHECK(!bpf_program__autoload(skel->progs.iommu_deinit_device_kprobe));
	CHECK(!bpf_program__autoload(skel->progs.attach_dev_kretprobe));
	iommuwatch_bpf__destroy(skel);
	hooks_free(&hs);
	btf__free(k.btf);
}

/* kprobe hooks load the twins; an op's kprobe templates serve all. */
static void configure_kprobes(void)
{
	struct fake_kernel k;
	struct iommuwatch_bpf *skel;
	struct hook_set hs;

	duplicate_kernel(&k, "ffff800080a09000");
	fake_core(&k, "iommu_deinit_device");
	run_select(&k, &hs);
	skel = iommuwatch_bpf__open();
	CHECK(skel && hooks_configure(&hs, skel->obj) == 0);
	CHECK(bpf_program__autoload(skel->progs.iommu_deinit_device_entry));
	CHECK(!bpf_program__autoload(skel->progs.iommu_deinit_device_kprobe));
	CHECK(bpf_program__autoload(skel->progs.attach_dev_kprobe));
	CHECK(bpf_program__autoload(skel->progs.attach_dev_kretprobe));
	CHECK(!bpf_program__autoload(skel->progs.attach_dev_entry));
	/* set_dev_pasid's fentry templates need this host's BTF: not here. */
	CHECK(!bpf_program__autoload(skel->progs.set_dev_pasid_kretprobe));
	CHECK(!find_copy(&hs, "arm_smmu_attach_dev", 2)->copy);
	iommuwatch_bpf__destroy(skel);
	hooks_free(&hs);
	btf__free(k.btf);
}

/*
 * Each op's first active implementation runs the templates, every other
 * active one a copy; a missing or failed one runs nothing.
 */
static void plan_copies(void)
{
	struct fake_kernel k;
	struct hook_set hs;
	int attach2[2], pasid3[3];

	fake_init(&k, false);
	memcpy(attach2, (int[]){ k.p_dom, k.p_dev }, sizeof(attach2));
	memcpy(pasid3, (int[]){ k.p_dom, k.p_dev, k.t_u32 }, sizeof(pasid3));
	fake_func(&k, "a_attach_dev", k.t_int, 2, attach2, NULL);
	fake_func(&k, "b_attach_dev", k.t_int, 2, attach2, "");
	fake_func(&k, "c_attach_dev", k.t_int, 2, attach2, "");
	fake_func(&k, "d_attach_dev", k.t_int, 2, attach2, "");
	fake_func(&k, "x_set_dev_pasid", k.t_int, 3, pasid3, "");
	run_select(&k, &hs);
	((struct hook *)find(&hs, "c_attach_dev"))->status = HOOK_FAILED;
	hooks_plan_copies(&hs);
	CHECK(!find(&hs, "a_attach_dev")->copy); /* missing */
	CHECK(!find(&hs, "b_attach_dev")->copy);
	CHECK(!find(&hs, "c_attach_dev")->copy); /* failed */
	CHECK(find(&hs, "d_attach_dev")->copy);
	CHECK(!find(&hs, "x_set_dev_pasid")->copy);
	CHECK(find(&hs, "d_attach_dev")->prog_fds[0] == -1);
	CHECK(find(&hs, "d_attach_dev")->link_fds[1] == -1);
	hooks_free(&hs);
	btf__free(k.btf);
}

UNIT_MAIN("hooks", UNIT_CASE(kernel_612), UNIT_CASE(kernel_73_many_ops),
	  UNIT_CASE(module_ops), UNIT_CASE(duplicate_names),
	  UNIT_CASE(duplicate_names_unwatchable), UNIT_CASE(kprobes_only),
	  UNIT_CASE(configure_autoload), UNIT_CASE(configure_kprobes),
	  UNIT_CASE(plan_copies))
