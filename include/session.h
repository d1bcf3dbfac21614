/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One watching session, whichever front-end runs it (trace, daemon): the
 * loader, domain ids, state, pipeline, loss and resync, signals and the
 * outputs, started in the one order that least privilege needs.
 */
#ifndef __IW_SESSION_H
#define __IW_SESSION_H

#include <pthread.h>
#include <stdio.h>
#include "commands.h"
#include "domains.h"
#include "http.h"
#include "journal.h"
#include "late_modules.h"
#include "loader.h"
#include "metrics.h"
#include "output.h"
#include "pipeline.h"
#include "timeline.h"

struct session_cfg {
	const struct common_opts *c;
	bool daemon;		/* SIGHUP reopens, SIGPIPE ignored, logfmt */
	int group;		/* -1: all; else the BPF side filters too */
	const char *device;	/* NULL: all */
	long duration;		/* seconds, 0: until a signal */
	FILE *records;		/* NULL: to the journal, if any */
	bool json;		/* records as JSON Lines */
	bool metrics;		/* count for /metrics or the textfile */
	bool device_labels;
	const char *listen;	/* NULL: no HTTP */
	const char *const *allow_hosts;	/* Host names besides listen's */
	int n_allow_hosts;
	const char *journal;	/* NULL: none */
	long journal_max_bytes;
	const char *textfile;	/* NULL: none */
	long textfile_interval;	/* seconds, 0: written by the caller only */
	const struct runas *user;	/* a root run becomes it; NULL: stays */
};

struct session {
	struct session_cfg cfg;
	const struct runas *become;	/* cfg.user in a root run, else NULL */
	/* Guards st, m and pl: scrapes render from a consistent snapshot. */
	pthread_mutex_t lock;
	struct iw_state *st;
	struct domain_ids *ids;	/* the reader's alone: outside the lock */
	struct metrics *m;	/* NULL unless cfg.metrics */
	struct timeline *tl;	/* the landing page's; NULL without HTTP */
	struct metrics_hook *mhooks;	/* as m shows ld.hooks */
	struct pipeline pl;
	struct output out;
	struct journal j;
	struct loader ld;
	/* Driver modules loaded after start; watching NULL with --btf. */
	struct late_modules late;
	bool watch_late;
	__u64 next_late_check;
	__u64 ops_not_watched;
	struct http_server *http;
	__u64 lost;
	__u64 next_textfile;
	char kernel[65];	/* uname -r, once loaded */
	char roles[256];	/* roles not watched on this kernel */
};

/*
 * Checks, signals, the HTTP socket bound, files opened (with cfg.user's
 * rights in a root run), state seeded, the programs loaded and attached;
 * no thread yet. 0 or -errno, logged; session_close() undoes any part of
 * it.
 */
int session_open(struct session *s, const struct session_cfg *cfg);
/*
 * The daemon's privileges dropped (a root run becomes cfg.user), then the
 * HTTP thread started.
 */
int session_start(struct session *s);
/* The first record of a session (JSON only). */
void session_print_header(struct session *s);
/* The state the session starts from, as "group" records (JSON only). */
void session_print_state(struct session *s);
/* Read events until a signal or the duration; 0 or -errno. */
int session_run(struct session *s);
/* The metrics to cfg.textfile now; 0 or -errno, logged. */
int session_write_textfile(struct session *s);
void session_close(struct session *s);

#endif /* __IW_SESSION_H */
