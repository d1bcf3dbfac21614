// SPDX-License-Identifier: GPL-2.0
/* iommuwatch status: the groups as sysfs shows them now. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "escape.h"
#include "log.h"
#include "output.h"
#include "platform.h"
#include "state.h"

struct group_devices {
	int group;
	bool first;
};

/* Devices straight to stdout: a group may hold any number of them. */
static int print_device(struct iw_device *dev, void *arg)
{
	struct group_devices *gd = arg;

	if (dev->group != gd->group || dev->released)
		return 0;
	if (!gd->first)
		putchar(',');
	esc_fputs(stdout, dev->name, ESC_TEXT);
	gd->first = false;
	return 0;
}

struct show_ctx {
	struct iw_state *st;
	struct output *out;
	int iommu_width;
};

/* sysfs names, as the table shows them. */
#define SHOWN_LEN	(4 * IW_IOMMU_NAME_LEN)

/* SMMUv3 instances are named by their MMIO base: wider than Intel's. */
static int widen_iommu_column(struct iw_group *g, void *arg)
{
	struct show_ctx *c = arg;
	char name[SHOWN_LEN];
	int len = g->iommu ? (int)strlen(esc_str(name, sizeof(name),
						 g->iommu->name, ESC_TEXT)) : 0;

	if (len > c->iommu_width)
		c->iommu_width = len;
	return 0;
}

static void print_group_human(const struct show_ctx *c,
			      const struct iw_group *g)
{
	struct group_devices gd = { .group = g->id, .first = true };
	const struct iw_iommu *u = g->iommu;
	char name[SHOWN_LEN], driver[SHOWN_LEN];

	printf("%-6d %-10s %-7s %-*s %-13s ", g->id,
	       g->dom_known ? dom_kind_name(g->dom.kind) : "unknown",
	       g->direct ? "yes" : "no", c->iommu_width,
	       esc_str(name, sizeof(name), u ? u->name : "-", ESC_TEXT),
	       esc_str(driver, sizeof(driver),
		       u && u->driver[0] ? u->driver : "-", ESC_TEXT));
	state_for_each_device(c->st, print_device, &gd);
	putchar('\n');
}

static int show_group(struct iw_group *g, void *arg)
{
	struct show_ctx *c = arg;

	if (c->out->json)
		output_group(c->out, c->st, g);
	else
		print_group_human(c, g);
	return 0;
}

int cmd_status(const struct common_opts *opts)
{
	struct iw_state *st = state_new();
	struct output out;
	struct show_ctx c = { .st = st, .out = &out, .iommu_width = 13 };
	int err;

	if (!st) {
		log_err("out of memory");
		return EXIT_FAILURE;
	}
	output_init(&out, stdout, opts->json);
	err = state_seed_sysfs(st, opts->sysfs_root);
	if (err == -ENOENT || (!err && !state_n_groups(st))) {
		char why[512];

		platform_no_groups(why, sizeof(why), opts->sysfs_root, "/proc");
		log_err("%s", why);
		state_free(st);
		return EXIT_FAILURE;
	}
	if (err) {
		log_err("cannot read %s/kernel/iommu_groups: %s",
			opts->sysfs_root, strerror(-err));
		state_free(st);
		return EXIT_FAILURE;
	}
	if (!opts->json) {
		state_for_each_group(st, widen_iommu_column, &c);
		printf("%-6s %-10s %-7s %-*s %-13s %s\n", "GROUP", "DOMAIN",
		       "DIRECT", c.iommu_width, "IOMMU", "DRIVER", "DEVICES");
	}
	state_for_each_group(st, show_group, &c);
	state_free(st);
	return EXIT_SUCCESS;
}
