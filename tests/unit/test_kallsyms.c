// SPDX-License-Identifier: GPL-2.0
/* kallsyms lookups: vmlinux and module symbols, hidden addresses. */
#include <stdlib.h>
#include <errno.h>
#include <unistd.h>
#include "kallsyms.h"
#include "unit.h"

static void write_file(char *path, const char *text)
{
	FILE *f = fdopen(mkstemp(path), "w");

	fputs(text, f);
	fclose(f);
}

static void vmlinux_and_modules(void)
{
	char path[] = "/tmp/iw-ksyms-XXXXXX";
	struct ksym syms[] = {
		{ .name = "intel_iommu_attach_device" },
		{ .name = "viommu_attach_dev", .module = "virtio_iommu" },
		{ .name = "viommu_attach_dev" },	/* vmlinux's: none */
		{ .name = "arm_smmu_attach_dev", .module = "arm_smmu_v3" },
		{ .name = "pci_bus_type", .module = "" },
		{ .name = "not_there" },
	};

	write_file(path,
		   "ffffffff81000010 T intel_iommu_attach_device\n"
		   "ffffffff82345678 D pci_bus_type\n"
		   "ffffffffc0001000 t viommu_attach_dev\t[virtio_iommu]\n"
		   "ffffffffc0002000 t arm_smmu_attach_dev\t[arm_smmu]\n"
		   "garbage\n\n");
	CHECK(kallsyms_resolve(path, syms, 6) == 0);
	unlink(path);
	CHECK(syms[0].count == 1 && syms[0].addrs[0] == 0xffffffff81000010ULL);
	CHECK(syms[1].count == 1 && syms[1].addrs[0] == 0xffffffffc0001000ULL);
	CHECK(!syms[2].count);
	CHECK(!syms[3].count);
	CHECK(syms[4].count == 1 && syms[4].addrs[0] == 0xffffffff82345678ULL);
	CHECK(!syms[5].count);
}

/*
 * Two drivers built in with static functions of one name (arm-smmu and
 * arm-smmu-v3): both counted, in their own module only, the first kept.
 */
static void duplicate_names(void)
{
	char path[] = "/tmp/iw-ksyms-XXXXXX";
	struct ksym syms[] = {
		{ .name = "arm_smmu_attach_dev" },
		{ .name = "arm_smmu_attach_dev", .module = "arm_smmu" },
		{ .name = "arm_smmu_set_dev_pasid" },
	};

	write_file(path,
		   "ffff800080a01000 t arm_smmu_attach_dev\n"
		   "ffff800080a05000 t arm_smmu_set_dev_pasid\n"
		   "ffff800080a09000 t arm_smmu_attach_dev\n"
		   "ffff80007c001000 t arm_smmu_attach_dev\t[arm_smmu]\n");
	CHECK(kallsyms_resolve(path, syms, 3) == 0);
	unlink(path);
	CHECK(syms[0].count == 2 && syms[0].addrs[0] == 0xffff800080a01000ULL);
	CHECK(syms[0].addrs[1] == 0xffff800080a09000ULL);
	CHECK(syms[1].count == 1 && syms[1].addrs[0] == 0xffff80007c001000ULL);
	CHECK(syms[2].count == 1);
}

/* kptr_restrict: every address reads 0, the names are still there. */
static void hidden_addresses(void)
{
	char path[] = "/tmp/iw-ksyms-XXXXXX";
	struct ksym syms[] = { { .name = "pci_bus_type" },
			       { .name = "iommu_deinit_device" } };

	write_file(path, "0000000000000000 D pci_bus_type\n"
			 "0000000000000000 t iommu_deinit_device\n");
	CHECK(kallsyms_resolve(path, syms, 2) == 0);
	unlink(path);
	CHECK(syms[0].count == 1 && syms[0].addrs[0] == 0);
	CHECK(syms[1].count == 1);
}

static void unreadable(void)
{
	struct ksym s = { .name = "x" };

	CHECK(kallsyms_resolve("/nonexistent/kallsyms", &s, 1) == -ENOENT);
	CHECK(!s.count);
}

UNIT_MAIN("kallsyms", UNIT_CASE(vmlinux_and_modules),
	  UNIT_CASE(duplicate_names), UNIT_CASE(hidden_addresses), UNIT_CASE(unreadable))
