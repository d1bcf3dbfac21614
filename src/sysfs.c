// SPDX-License-Identifier: GPL-2.0
/*
 * Seed the state from /sys/kernel/iommu_groups: each group's type, its
 * devices, whether firmware asked for direct mappings in it, and the IOMMU
 * instance its devices sit behind (/sys/class/iommu).
 */
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "log.h"
#include "state.h"
#include "util.h"

/* snprintf into a path buffer; -ENAMETOOLONG rather than a cut path. */
static int make_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int err = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		err = -EIO;
	else
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return err;
}

/*
 * reserved_regions lines are "START END TYPE". "direct" is what sets
 * dev->iommu->require_direct (an RMRR); "direct-relaxable" (the ISA/GFX
 * workarounds) does not, so it does not count.
 */
static bool has_direct_region(const char *path)
{
	char line[128], type[32];
	bool direct = false;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %*s %31s", type) == 1 &&
		    !strcmp(type, "direct"))
			direct = true;
	}
	fclose(f);
	return direct;
}

/*
 * Two names alike in their first IW_DEV_NAME_LEN - 1 bytes (long platform
 * device names) are one device to the state: the events carry no more.
 */
static void warn_if_cut(struct iw_state *st, const char *name)
{
	if (strlen(name) >= IW_DEV_NAME_LEN && state_device(st, name, false))
		log_warn("device %s: another device's name starts with the same %d bytes; iommuwatch tracks them as one",
			 name, IW_DEV_NAME_LEN - 1);
}

/* The last part of the path a symlink points at, whole; 0 or -errno. */
static int link_name(const char *path, char *buf, size_t len)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *base;

	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	memcpy(buf, base, strlen(base) + 1);
	return 0;
}

/*
 * Which driver registered the IOMMU: its device's driver where it has one
 * (virtio_iommu, arm-smmu-v3), else what the name says: Intel's DMAR units
 * and AMD's IVHDs have no bound device. "" when neither tells.
 */
static void iommu_driver(const char *sysfs_root, const char *iommu,
			 char *buf, size_t len)
{
	static const struct { const char *prefix, *driver; } by_name[] = {
		{ "dmar", "intel-iommu" },
		{ "ivhd", "amd-iommu" },
	};
	char path[PATH_MAX];

	buf[0] = '\0';
	if (!make_path(path, sizeof(path), "%s/class/iommu/%s/device/driver",
		       sysfs_root, iommu) &&
	    !link_name(path, buf, len)) {
		for (char *c = buf; *c; c++)
			*c = *c == '_' ? '-' : *c;
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(by_name); i++)
		if (!strncmp(iommu, by_name[i].prefix, strlen(by_name[i].prefix)))
			snprintf(buf, len, "%s", by_name[i].driver);
}

/* A group's IOMMU: the one its device's "iommu" link names; NULL unknown. */
static const struct iw_iommu *device_iommu(struct iw_state *st,
					   const char *sysfs_root,
					   const char *devices_dir,
					   const char *device)
{
	char path[PATH_MAX], name[IW_IOMMU_NAME_LEN], driver[IW_IOMMU_NAME_LEN];

	if (make_path(path, sizeof(path), "%s/%s/iommu", devices_dir, device) ||
	    link_name(path, name, sizeof(name)))
		return NULL;
	iommu_driver(sysfs_root, name, driver, sizeof(driver));
	return state_iommu(st, name, driver);
}

static int seed_devices(struct iw_state *st, struct iw_group *grp,
			const char *sysfs_root, const char *dir)
{
	struct dirent *de;
	struct iw_device *dev;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (!grp->iommu)
			grp->iommu = device_iommu(st, sysfs_root, dir, de->d_name);
		warn_if_cut(st, de->d_name);
		dev = state_seed_device(st, grp, de->d_name);
		if (!dev) {
			closedir(d);
			return -ENOMEM;
		}
	}
	closedir(d);
	return 0;
}

/* The IOMMU of the first device of the group that names one. */
static void seed_group_iommu(struct iw_state *st, struct iw_group *grp,
			     const char *sysfs_root, const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while (!grp->iommu && (de = readdir(d)))
		if (de->d_name[0] != '.')
			grp->iommu = device_iommu(st, sysfs_root, dir, de->d_name);
	closedir(d);
}

struct iw_group *state_seed_new_group(struct iw_state *st,
				      const char *sysfs_root, int id)
{
	char path[PATH_MAX];
	struct iw_group *grp = state_group(st, id, true);

	if (!grp)
		return NULL;
	if (!make_path(path, sizeof(path),
		       "%s/kernel/iommu_groups/%d/reserved_regions", sysfs_root,
		       id))
		grp->direct = has_direct_region(path);
	if (!make_path(path, sizeof(path), "%s/kernel/iommu_groups/%d/devices",
		       sysfs_root, id))
		seed_group_iommu(st, grp, sysfs_root, path);
	return grp;
}

static int seed_group(struct iw_state *st, const char *sysfs_root,
		      const char *groups_dir, int id)
{
	char path[PATH_MAX], type[32];
	struct iw_group *grp = state_group(st, id, true);

	if (!grp)
		return -ENOMEM;
	if (make_path(path, sizeof(path), "%s/%d/type", groups_dir, id))
		return -ENAMETOOLONG;
	if (!read_line(path, type, sizeof(type))) {
		grp->dom.kind = dom_kind_from_sysfs(type);
		grp->dom_known = true;
	}
	if (make_path(path, sizeof(path), "%s/%d/reserved_regions",
		      groups_dir, id))
		return -ENAMETOOLONG;
	grp->direct = has_direct_region(path);
	if (make_path(path, sizeof(path), "%s/%d/devices", groups_dir, id))
		return -ENAMETOOLONG;
	return seed_devices(st, grp, sysfs_root, path);
}

int state_seed_sysfs(struct iw_state *st, const char *sysfs_root)
{
	char groups_dir[PATH_MAX], *end;
	struct dirent *de;
	long id;
	int err = 0;
	DIR *d;

	if (make_path(groups_dir, sizeof(groups_dir), "%s/kernel/iommu_groups",
		      sysfs_root))
		return -ENAMETOOLONG;
	d = opendir(groups_dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		id = strtol(de->d_name, &end, 10);
		if (end == de->d_name || *end || id < 0 || id > INT_MAX)
			continue;
		err = seed_group(st, sysfs_root, groups_dir, (int)id);
		if (err)
			break;
	}
	closedir(d);
	return err;
}
