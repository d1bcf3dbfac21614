// SPDX-License-Identifier: GPL-2.0
/*
 * The sentence a host without IOMMU groups gets. It names what turns the
 * IOMMU on for the CPU found, or the kernel switch that turned it off.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "platform.h"
#include "util.h"

enum cpu_family { CPU_OTHER, CPU_INTEL, CPU_AMD, CPU_ARM };

/* From cpuinfo: x86's vendor_id, or arm64's "CPU implementer" lines. */
static enum cpu_family cpu_family(const char *proc_root)
{
	enum cpu_family fam = CPU_OTHER;
	char path[256], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cpuinfo", proc_root);
	f = fopen(path, "r");
	if (!f)
		return CPU_OTHER;
	while (fam == CPU_OTHER && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "vendor_id", 9) && strstr(line, "GenuineIntel"))
			fam = CPU_INTEL;
		else if (!strncmp(line, "vendor_id", 9) &&
			 strstr(line, "AuthenticAMD"))
			fam = CPU_AMD;
		else if (!strncmp(line, "CPU implementer", 15))
			fam = CPU_ARM;
	}
	fclose(f);
	return fam;
}

/* The command line's switch that turns the IOMMU off, or NULL. */
static const char *cmdline_off(const char *proc_root)
{
	static const char *const offs[] = {
		"intel_iommu=off", "amd_iommu=off", "iommu=off",
	};
	char path[256], line[4096], *tok, *save;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cmdline", proc_root);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	for (tok = strtok_r(line, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save))
		for (size_t i = 0; i < ARRAY_SIZE(offs); i++)
			if (!strcmp(tok, offs[i]))
				return offs[i];
	return NULL;
}

static const char *turn_on_hint(enum cpu_family fam)
{
	switch (fam) {
	case CPU_INTEL:
		return "enable VT-d in the firmware and boot with intel_iommu=on";
	case CPU_AMD:
		return "enable the IOMMU (AMD-Vi) in the firmware; the kernel turns it on by default";
	case CPU_ARM:
		return "the firmware must describe the SMMU (ACPI IORT or device tree) and its driver, e.g. arm-smmu-v3, be built in or loaded";
	default:
		return "enable the IOMMU in the firmware and its driver in the kernel";
	}
}

void platform_no_groups(char *buf, size_t len, const char *sysfs_root,
			const char *proc_root)
{
	const char *off = cmdline_off(proc_root);
	char why[256];

	if (off)
		snprintf(why, sizeof(why), "the kernel command line has %s", off);
	else
		snprintf(why, sizeof(why), "%s", turn_on_hint(cpu_family(proc_root)));
	snprintf(buf, len,
		 "no IOMMU groups in %s/kernel/iommu_groups: the IOMMU is off or absent (%s; a virtio-iommu's groups appear when virtio_iommu loads; iommu=pt or iommu.passthrough=1 keep it on with identity domains, whose groups iommuwatch watches)",
		 sysfs_root, why);
}
