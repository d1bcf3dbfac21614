/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands main() dispatches to; each returns an exit status. */
#ifndef __IW_COMMANDS_H
#define __IW_COMMANDS_H

#include <stdbool.h>

struct common_opts {
	bool verbose;
	bool json;
	const char *btf_path;		/* --btf */
	const char *sysfs_root;		/* normally "/sys" */
};

struct trace_opts {
	struct common_opts c;
	long duration;			/* seconds, 0: until a signal */
	int group;			/* -1: all */
	const char *device;		/* NULL: all */
};

/* replay: analysis done, violations found. */
#define IW_EXIT_VIOLATIONS	3

struct replay_opts {
	struct common_opts c;
	int group;
	const char *device;
	bool all;			/* print every record, not only violations */
	char **files;
	int n_files;
};

int cmd_trace(const struct trace_opts *opts);
int cmd_replay(const struct replay_opts *opts);
int cmd_status(const struct common_opts *opts);
int cmd_probe(const struct common_opts *opts);

#endif /* __IW_COMMANDS_H */
