// SPDX-License-Identifier: GPL-2.0
/*
 * Seed the state from /sys/kernel/iommu_groups: each group's type, its
 * devices and whether firmware asked for direct mappings in it.
 */
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "state.h"

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

static int seed_devices(struct iw_state *st, struct iw_group *grp,
			const char *dir)
{
	struct dirent *de;
	struct iw_device *dev;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
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

static int seed_group(struct iw_state *st, const char *groups_dir, int id)
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
	return seed_devices(st, grp, path);
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
		err = seed_group(st, groups_dir, (int)id);
		if (err)
			break;
	}
	closedir(d);
	return err;
}
