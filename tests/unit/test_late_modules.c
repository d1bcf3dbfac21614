// SPDX-License-Identifier: GPL-2.0
/* Driver modules loaded after start, found from their BTF in a directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/btf.h>
#include "late_modules.h"
#include "unit.h"

static char dir[64];

/* Base BTF: the types an attach_dev prototype names. */
struct base_ids {
	int i32, dom_ptr, dev_ptr;
};

static void write_btf(const char *name, const struct btf *btf)
{
	char path[128];
	const void *raw;
	__u32 size;
	FILE *f;

	raw = btf__raw_data(btf, &size);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || !raw || fwrite(raw, 1, size, f) != size)
		abort();
	fclose(f);
}

static struct btf *make_base(struct base_ids *ids)
{
	struct btf *b = btf__new_empty();

	ids->i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	ids->dom_ptr = btf__add_ptr(b, btf__add_struct(b, "iommu_domain", 0));
	ids->dev_ptr = btf__add_ptr(b, btf__add_struct(b, "device", 0));
	/* So that 7.x's check for a remove_dev_pasid op finds the struct. */
	btf__add_struct(b, "iommu_ops", 0);
	write_btf("vmlinux", b);
	return b;
}

/* A module's split BTF: an attach_dev implementation if op, a helper. */
static void make_module(struct btf *base, const struct base_ids *ids,
			const char *name, bool op)
{
	struct btf *m = btf__new_empty_split(base);
	char func[64];
	int proto;

	if (op) {
		proto = btf__add_func_proto(m, ids->i32);
		btf__add_func_param(m, "domain", ids->dom_ptr);
		btf__add_func_param(m, "dev", ids->dev_ptr);
		snprintf(func, sizeof(func), "%s_attach_dev", name);
		btf__add_func(m, func, BTF_FUNC_STATIC, proto);
	}
	proto = btf__add_func_proto(m, 0);
	snprintf(func, sizeof(func), "%s_helper", name);
	btf__add_func(m, func, BTF_FUNC_STATIC, proto);
	write_btf(name, m);
	btf__free(m);
}

struct seen_report {
	int calls;
	char module[32];
	char first[64];
	int n_ops;
};

static void note(void *arg, const char *module, const struct hook_set *ops)
{
	struct seen_report *r = arg;

	r->calls++;
	snprintf(r->module, sizeof(r->module), "%s", module);
	snprintf(r->first, sizeof(r->first), "%s", ops->hooks[0].func);
	r->n_ops = ops->n;
}

static void finds_only_new_modules_with_ops(void)
{
	struct late_modules lm;
	struct seen_report r = {};
	struct base_ids ids;
	struct btf *base;
	char cmd[96];
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/iw-late-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	base = make_base(&ids);
	make_module(base, &ids, "oldmod", true);
	CHECK(late_modules_init(&lm, dir) == 0);
	CHECK(late_modules_scan(&lm, note, &r) == 0);
	CHECK(r.calls == 0);	/* there before: the loader's to hook */

	make_module(base, &ids, "newmod", true);
	make_module(base, &ids, "plainmod", false);
	write_btf("vmlinux", base);
	CHECK(late_modules_scan(&lm, note, &r) == 1);
	CHECK(r.calls == 1 && r.n_ops == 1);
	CHECK_STR(r.module, "newmod");
	CHECK_STR(r.first, "newmod_attach_dev");
	CHECK(late_modules_scan(&lm, note, &r) == 0);	/* once each */

	/* Not BTF: nothing to say about it, and no failure. */
	snprintf(cmd, sizeof(cmd), "%s/badmod", dir);
	f = fopen(cmd, "w");
	if (f) {
		fputs("not btf", f);
		fclose(f);
	}
	CHECK(late_modules_scan(&lm, note, &r) == 0);
	CHECK(r.calls == 1);
	late_modules_free(&lm);
	CHECK(late_modules_init(&lm, "/nonexistent") < 0);
	late_modules_free(&lm);
	btf__free(base);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

static void note_name(void *arg, const char *module)
{
	char *names = arg;

	strcat(names, module);
	strcat(names, " ");
}

/* Modules under drivers/iommu/ that /sys/module does not have. */
static void lists_unloaded_iommu_modules(void)
{
	char path[128], names[128] = "", cmd[96];
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/iw-mods-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/modules.dep", dir);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs("kernel/drivers/iommu/virtio-iommu.ko.xz: kernel/drivers/virtio/virtio.ko.xz\n"
	      "kernel/drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.ko.zst:\n"
	      "kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko.xz:\n"
	      "kernel/drivers/iommu/:\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/sys", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/arm_smmu_v3", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys", dir);
	CHECK(iommu_modules_not_loaded(dir, path, note_name, names) == 0);
	CHECK_STR(names, "virtio_iommu ");
	CHECK(iommu_modules_not_loaded("/nonexistent", path, note_name,
				       names) < 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

UNIT_MAIN("late_modules", UNIT_CASE(finds_only_new_modules_with_ops),
	  UNIT_CASE(lists_unloaded_iommu_modules))
