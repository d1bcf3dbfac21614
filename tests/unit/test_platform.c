// SPDX-License-Identifier: GPL-2.0
/* The no-groups sentence for each platform, from fake /proc files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "platform.h"
#include "unit.h"

static char proc[] = "/tmp/iw-platform-XXXXXX";

static void put(const char *rel, const char *text)
{
	unit_put_file(proc, rel, text);
}

static const char *sentence(const char *cpuinfo, const char *cmdline)
{
	static char buf[512];

	put("cpuinfo", cpuinfo);
	put("cmdline", cmdline);
	platform_no_groups(buf, sizeof(buf), "/sys", proc);
	return buf;
}

static void per_platform(void)
{
	const char *s;

	s = sentence("processor\t: 0\nvendor_id\t: GenuineIntel\n", "quiet\n");
	CHECK(!strncmp(s, "no IOMMU groups in /sys/kernel/iommu_groups: the IOMMU is off or absent (", 73));
	CHECK(strstr(s, "boot with intel_iommu=on"));
	CHECK(strstr(s, "iommu=pt or iommu.passthrough=1 keep it on"));
	s = sentence("vendor_id\t: AuthenticAMD\n", "quiet\n");
	CHECK(strstr(s, "(AMD-Vi) in the firmware"));
	s = sentence("processor\t: 0\nCPU implementer\t: 0x41\n", "\n");
	CHECK(strstr(s, "ACPI IORT or device tree"));
	s = sentence("model name\t: something else\n", "");
	CHECK(strstr(s, "its driver in the kernel"));
	/* One line. */
	CHECK(!strchr(s, '\n'));
}

static void switched_off(void)
{
	char buf[512];
	const char *s;

	s = sentence("vendor_id\t: GenuineIntel\n",
		     "BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=off quiet\n");
	CHECK(strstr(s, "the kernel command line has intel_iommu=off"));
	CHECK(!strstr(s, "intel_iommu=on"));
	/* A longer word is not the switch. */
	s = sentence("vendor_id\t: GenuineIntel\n", "xintel_iommu=off iommu=offx\n");
	CHECK(strstr(s, "intel_iommu=on"));
	/* No /proc at all: the generic hint. */
	platform_no_groups(buf, sizeof(buf), "/sys", "/nonexistent");
	CHECK(strstr(buf, "its driver in the kernel"));
}

int main(void)
{
	static const struct unit_case cases[] = {
		UNIT_CASE(per_platform), UNIT_CASE(switched_off),
	};
	char path[256];
	int rc;

	if (!mkdtemp(proc)) {
		perror("mkdtemp");
		return 1;
	}
	rc = unit_run("platform", cases, ARRAY_SIZE(cases));
	snprintf(path, sizeof(path), "%s/cpuinfo", proc);
	unlink(path);
	snprintf(path, sizeof(path), "%s/cmdline", proc);
	unlink(path);
	rmdir(proc);
	return rc;
}
