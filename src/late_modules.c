// SPDX-License-Identifier: GPL-2.0
/* Driver modules loaded after the session started, found by their BTF. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hook_btf.h"
#include "late_modules.h"

static bool seen(const struct late_modules *lm, const char *name)
{
	for (int i = 0; i < lm->n_seen; i++)
		if (!strcmp(lm->seen[i], name))
			return true;
	return false;
}

static int remember(struct late_modules *lm, const char *name)
{
	char **grown, *copy;
	int cap;

	if (lm->n_seen == lm->cap_seen) {
		cap = lm->cap_seen ? lm->cap_seen * 2 : 64;
		grown = realloc(lm->seen, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		lm->seen = grown;
		lm->cap_seen = cap;
	}
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	lm->seen[lm->n_seen++] = copy;
	return 0;
}

/* Remember the modules in the directory not seen yet: how many, or -errno. */
static int remember_new(struct late_modules *lm)
{
	DIR *d = opendir(lm->dir);
	struct dirent *de;
	int err = 0, n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux") ||
		    seen(lm, de->d_name))
			continue;
		err = remember(lm, de->d_name);
		if (err)
			break;
		n++;
	}
	closedir(d);
	return err ? err : n;
}

int late_modules_init(struct late_modules *lm, const char *dir)
{
	int n;

	memset(lm, 0, sizeof(*lm));
	lm->dir = strdup(dir);
	if (!lm->dir)
		return -ENOMEM;
	n = remember_new(lm);
	return n < 0 ? n : 0;
}

struct scan {
	struct btf *vmlinux;
	void (*report)(void *arg, const char *module,
		       const struct hook_set *ops);
	void *arg;
};

/* 1 when the module holds ops (reported), 0 when not, or -errno. */
static int look_at(struct late_modules *lm, const char *name, void *arg)
{
	struct scan *sc = arg;
	struct hook_set ops = {};
	char path[512];
	struct btf *btf;
	int err, found;

	snprintf(path, sizeof(path), "%s/%s", lm->dir, name);
	btf = btf__parse_split(path, sc->vmlinux);
	if (!btf)
		return 0;	/* not BTF we can read: nothing to say */
	err = hook_btf_add_ops(&ops, btf, sc->vmlinux, name);
	btf__free(btf);
	found = !err && ops.n;
	if (found)
		sc->report(sc->arg, name, &ops);
	hooks_free(&ops);
	return err ? err : found;
}

int late_modules_scan(struct late_modules *lm,
		      void (*report)(void *arg, const char *module,
				     const struct hook_set *ops),
		      void *arg)
{
	struct scan sc = { .report = report, .arg = arg };
	int first = lm->n_seen, n, found = 0, err = 0;
	char path[512];

	n = remember_new(lm);
	if (n <= 0)
		return n;
	/* Parsed only when a module came: vmlinux BTF is 5-10 MiB. */
	snprintf(path, sizeof(path), "%s/vmlinux", lm->dir);
	sc.vmlinux = btf__parse(path, NULL);
	if (!sc.vmlinux)
		return -errno;
	for (int i = first; i < lm->n_seen && !err; i++) {
		n = look_at(lm, lm->seen[i], &sc);
		if (n < 0)
			err = n;
		else
			found += n;
	}
	btf__free(sc.vmlinux);
	return err ? err : found;
}

/* "kernel/drivers/iommu/virtio-iommu.ko.xz: ..." -> "virtio_iommu". */
static bool iommu_module_name(char *line, char *name, size_t len)
{
	static const char dir[] = "kernel/drivers/iommu/";
	const char *base, *end;
	size_t n;

	if (strncmp(line, dir, sizeof(dir) - 1))
		return false;
	line[strcspn(line, ":")] = '\0';	/* the module, not its dependencies */
	end = strstr(line, ".ko");
	base = strrchr(line, '/') + 1;
	if (!end || end < base || (size_t)(end - base) >= len)
		return false;
	n = end - base;
	for (size_t i = 0; i < n; i++)
		name[i] = base[i] == '-' ? '_' : base[i];
	name[n] = '\0';
	return true;
}

int iommu_modules_not_loaded(const char *modules_dir, const char *sys_module,
			     void (*cb)(void *arg, const char *module),
			     void *arg)
{
	char path[512], line[1024], name[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/modules.dep", modules_dir);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!iommu_module_name(line, name, sizeof(name)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", sys_module, name);
		if (access(path, F_OK))
			cb(arg, name);
	}
	fclose(f);
	return 0;
}

void late_modules_free(struct late_modules *lm)
{
	for (int i = 0; i < lm->n_seen; i++)
		free(lm->seen[i]);
	free(lm->seen);
	free(lm->dir);
	memset(lm, 0, sizeof(*lm));
}
