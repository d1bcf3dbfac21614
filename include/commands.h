/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands main() dispatches to; each returns an exit status. */
#ifndef __IW_COMMANDS_H
#define __IW_COMMANDS_H

#include <stdbool.h>
#include "attach_mode.h"
#include "runas.h"

struct common_opts {
	bool verbose;
	bool json;
	const char *btf_path;		/* --btf */
	const char *sysfs_root;		/* normally "/sys" */
	long ringbuf_bytes;		/* 0: the object's default */
	enum hook_attach_mode attach;	/* --attach */
	bool require_groups;		/* --require-groups */
};

struct trace_opts {
	struct common_opts c;
	long duration;			/* seconds, 0: until a signal */
	int group;			/* -1: all */
	const char *device;		/* NULL: all */
	const char *textfile;		/* metrics written at the end */
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

struct report_opts {
	int group;
	const char *device;
	const char *output;		/* NULL: stdout */
	char **files;
	int n_files;
};

/* --allow-host may be given this many times. */
#define IW_MAX_ALLOW_HOSTS	16

struct daemon_opts {
	struct common_opts c;
	const char *listen;		/* ADDR:PORT */
	const char *allow_hosts[IW_MAX_ALLOW_HOSTS];	/* --allow-host */
	int n_allow_hosts;
	const char *textfile;		/* NULL: none */
	long textfile_interval;		/* seconds */
	const char *journal;		/* NULL: none */
	long journal_max_bytes;		/* 0: never rotate by size */
	bool device_labels;		/* per-device transition series */
	struct runas user;		/* what a root run becomes */
	bool check;			/* attach, report, detach, exit */
};

int cmd_trace(const struct trace_opts *opts);
int cmd_daemon(const struct daemon_opts *opts);
int cmd_replay(const struct replay_opts *opts);
int cmd_report(const struct report_opts *opts);
int cmd_status(const struct common_opts *opts);
int cmd_probe(const struct common_opts *opts);

#endif /* __IW_COMMANDS_H */
