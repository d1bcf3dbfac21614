// SPDX-License-Identifier: GPL-2.0
/* Names looked up in kallsyms in one pass, by binary search. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kallsyms.h"

static int cmp_sym(const void *a, const void *b)
{
	return strcmp((*(struct ksym *const *)a)->name,
		      (*(struct ksym *const *)b)->name);
}

/* "ADDR T NAME" or "ADDR t NAME\t[MODULE]"; false for anything else. */
static bool parse_line(char *line, unsigned long long *addr, char **name,
		       char **module)
{
	char type, *mod, *end;
	int off = 0;

	if (sscanf(line, "%llx %c %n", addr, &type, &off) != 2 || !off)
		return false;
	*name = line + off;
	end = *name + strcspn(*name, " \t\n");
	mod = strchr(end, '[');
	*end = '\0';
	*module = NULL;
	if (mod) {
		*module = mod + 1;
		mod[1 + strcspn(mod + 1, "]")] = '\0';
	}
	return **name != '\0';
}

static bool module_matches(const struct ksym *s, const char *module)
{
	if (!s->module || !*s->module)
		return !module;
	return module && !strcmp(s->module, module);
}

/* The first of the equal names sorted[] holds that this module matches. */
static void mark(struct ksym **sorted, int n, struct ksym **hit,
		 const char *module, unsigned long long addr)
{
	const char *name = (*hit)->name;

	while (hit > sorted && !strcmp(hit[-1]->name, name))
		hit--;
	for (; hit < sorted + n && !strcmp((*hit)->name, name); hit++) {
		if (!module_matches(*hit, module))
			continue;
		if ((*hit)->count < KSYM_MAX_ADDRS)
			(*hit)->addrs[(*hit)->count] = addr;
		(*hit)->count++;
	}
}

static void scan(FILE *f, struct ksym **sorted, int n)
{
	struct ksym key, *kp = &key, **hit;
	char line[512], *module;
	unsigned long long addr;

	while (fgets(line, sizeof(line), f)) {
		if (!parse_line(line, &addr, (char **)&key.name, &module))
			continue;
		hit = bsearch(&kp, sorted, n, sizeof(sorted[0]), cmp_sym);
		if (hit)
			mark(sorted, n, hit, module, addr);
	}
}

int kallsyms_resolve(const char *path, struct ksym *syms, int n)
{
	struct ksym **sorted;
	FILE *f;
	int err = 0;

	sorted = calloc(n ? n : 1, sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	f = fopen(path, "r");
	if (!f) {
		err = -errno;
		goto out_free;
	}
	for (int i = 0; i < n; i++) {
		syms[i].count = 0;
		memset(syms[i].addrs, 0, sizeof(syms[i].addrs));
		sorted[i] = &syms[i];
	}
	qsort(sorted, n, sizeof(sorted[0]), cmp_sym);
	scan(f, sorted, n);
	fclose(f);
out_free:
	free(sorted);
	return err;
}
