// SPDX-License-Identifier: GPL-2.0
/*
 * iommuwatch daemon: the probes, state and rules of a trace, kept running,
 * exported as Prometheus metrics over HTTP, as a node_exporter textfile and
 * as a JSON Lines journal.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/capability.h>
#include <sys/utsname.h>
#include "commands.h"
#include "domains.h"
#include "http.h"
#include "loader.h"
#include "log.h"
#include "metrics.h"
#include "outfile.h"
#include "pipeline.h"

#define NSEC_PER_SEC	1000000000ULL

static volatile sig_atomic_t exiting, reopen;

struct daemon {
	const struct daemon_opts *opts;
	/* Guards st, m and pl: scrapes render from a consistent snapshot. */
	pthread_mutex_t lock;
	struct iw_state *st;
	struct domain_ids *ids;	/* the reader's alone: outside the lock */
	struct metrics *m;
	struct pipeline pl;
	struct output jout;
	struct journal j;
	struct loader ld;
	struct http_server *http;
	__u64 lost;
	__u64 next_textfile;
	char kernel[65];
	char roles[256];
};

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reopen = 1;
	else
		exiting = 1;
}

static int setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGHUP, &sa, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static __u64 mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static int on_event(void *ctx, void *data, size_t len)
{
	const struct iommuwatch_event *e = data;
	struct daemon *d = ctx;
	struct iw_record rec;

	if (len < sizeof(*e) ||
	    !domain_ids_record(d->ids, e, hook_name(&d->ld.hooks, e->hook), &rec))
		return 0;
	pthread_mutex_lock(&d->lock);
	pipeline_feed(&d->pl, &rec);
	pthread_mutex_unlock(&d->lock);
	d->j.dirty = d->j.f != NULL;
	return 0;
}

static char *render(void *arg, size_t *len)
{
	struct daemon *d = arg;
	char *buf;

	pthread_mutex_lock(&d->lock);
	buf = metrics_render_buf(d->m, d->st, len);
	pthread_mutex_unlock(&d->lock);
	return buf;
}

static void seed(struct daemon *d)
{
	int err;

	state_clear(d->st);
	err = state_seed_sysfs(d->st, d->opts->c.sysfs_root);
	if (err)
		log_warn("cannot read IOMMU groups from sysfs: %s",
			 strerror(-err));
	pipeline_print_state(&d->pl);
	d->j.dirty = d->j.f != NULL;
}

/* Lost events: count them, say so once per burst, trust sysfs again. */
static void check_lost(struct daemon *d)
{
	__u64 dropped = loader_dropped(&d->ld);

	if (dropped == d->lost)
		return;
	log_fields(LOG_WARN, "events lost; state resynced from sysfs",
		   "lost=%llu", (unsigned long long)(dropped - d->lost));
	pthread_mutex_lock(&d->lock);
	metrics_set_dropped(d->m, dropped);
	metrics_count_resync(d->m);
	output_lost(&d->jout, mono_now(), dropped - d->lost);
	domain_ids_forget_all(d->ids);
	seed(d);
	pthread_mutex_unlock(&d->lock);
	d->lost = dropped;
}

static void write_textfile(struct daemon *d)
{
	size_t len;
	char *buf;

	if (!d->opts->textfile)
		return;
	buf = render(d, &len);
	if (buf)
		textfile_write(d->opts->textfile, buf, len);
	free(buf);
	d->next_textfile = mono_now() + d->opts->textfile_interval * NSEC_PER_SEC;
}

/* SIGHUP: reopen the journal, e.g. after logrotate moved it. */
static void handle_reopen(struct daemon *d)
{
	reopen = 0;
	if (!d->j.f)
		return;
	journal_sync(&d->j);
	if (!journal_reopen(&d->j))
		d->jout.f = d->j.f;
	log_fields(LOG_INFO, "journal reopened", "path=\"%s\"", d->j.path);
}

static int run_loop(struct daemon *d)
{
	int err;

	while (!exiting) {
		err = loader_read_events(&d->ld);
		if (err < 0 && err != -EINTR) {
			log_err("reading events failed: %s", strerror(-err));
			return err;
		}
		check_lost(d);
		if (journal_sync(&d->j) == 0)
			d->jout.f = d->j.f;	/* may have rotated */
		if (reopen)
			handle_reopen(d);
		if (d->opts->textfile && mono_now() >= d->next_textfile)
			write_textfile(d);
	}
	ring_buffer__consume(d->ld.rb);
	check_lost(d);
	return 0;
}

/*
 * Empty the bounding set where CAP_SETPCAP allows it (root; the unit's
 * holds only CAP_BPF and CAP_PERFMON): then not even an exec without
 * no_new_privs could regain a capability.
 */
static int drop_bounding_set(void)
{
	cap_value_t c = 0;

	while (!cap_drop_bound(c))
		c++;
	/* EINVAL: past the kernel's last capability; EPERM: no CAP_SETPCAP */
	return errno == EINVAL || (errno == EPERM && !c) ? 0 : -errno;
}

/*
 * After attach nothing needs a capability: maps and rings are open fds.
 * Credentials are per thread and a new thread copies its creator's, so
 * this runs while the process is still one thread: before the HTTP one.
 * Emptying the inheritable set clears the ambient one too.
 */
static int drop_privileges(void)
{
	cap_t none = cap_init();
	int err = drop_bounding_set();

	if (!err && (!none || cap_set_proc(none)))
		err = -errno;
	cap_free(none);
	if (!err && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		err = -errno;
	if (err)
		log_err("cannot drop capabilities: %s", strerror(-err));
	return err;
}

static int open_outputs(struct daemon *d)
{
	const struct daemon_opts *o = d->opts;
	int err;

	if (!o->check) {
		err = http_bind(&d->http, o->listen);
		if (err)
			return err;
	}
	if (o->journal) {
		err = journal_open(&d->j, o->journal, o->journal_max_bytes);
		if (err)
			return err;
	}
	output_init(&d->jout, d->j.f, true);
	return o->textfile ? textfile_check(o->textfile) : 0;
}

static int load(struct daemon *d)
{
	struct loader_opts lo = { .btf_path = d->opts->c.btf_path,
				  .targ_group = -1,
				  .ringbuf_bytes = d->opts->c.ringbuf_bytes };
	struct metrics_info mi = { .version = IOMMUWATCH_VERSION,
				   .kernel = d->kernel,
				   .device_labels = d->opts->device_labels };
	struct utsname u;
	int err;

	snprintf(d->kernel, sizeof(d->kernel), "%s",
		 uname(&u) ? "unknown" : u.release);
	d->st = state_new();
	d->ids = domain_ids_new();
	if (!d->st || !d->ids)
		return -ENOMEM;
	pipeline_init(&d->pl, d->st, d->j.f ? &d->jout : NULL);
	seed(d);
	err = loader_open(&d->ld, &lo, on_event, d);
	if (err)
		return err;
	mi.hooks = &d->ld.hooks;
	d->m = metrics_new(&mi);
	if (!d->m)
		return -ENOMEM;
	d->pl.sink = metrics_record;
	d->pl.sink_arg = d->m;
	d->pl.rules.deferred_locked = d->ld.hooks.deferred_locked;
	hooks_uncovered_roles(&d->ld.hooks, d->roles, sizeof(d->roles));
	output_session(&d->jout, mono_now(), d->pl.rules.deferred_locked,
		       d->roles);
	return 0;
}

static void log_hooks(const struct hook_set *hs)
{
	for (int i = 0; i < hs->n; i++) {
		const struct hook *h = &hs->hooks[i];

		log_fields(h->status == HOOK_FAILED ? LOG_WARN : LOG_DEBUG,
			   "hook", "hook=%s role=%s status=%s reason=\"%s\"",
			   h->func, h->role, hook_status_name(h->status),
			   h->reason);
	}
}

static void log_started(struct daemon *d)
{
	const struct daemon_opts *o = d->opts;

	log_fields(LOG_INFO, "started",
		   "version=%s kernel=%s listen=%s hooks=%d failed=%d not_watched=\"%s\" textfile=\"%s\" journal=\"%s\"",
		   IOMMUWATCH_VERSION, d->kernel, http_address(d->http),
		   hooks_count(&d->ld.hooks, HOOK_ACTIVE),
		   hooks_count(&d->ld.hooks, HOOK_FAILED), d->roles,
		   o->textfile ? o->textfile : "", o->journal ? o->journal : "");
}

static void teardown(struct daemon *d)
{
	http_stop(d->http);
	if (d->ld.skel)
		loader_close(&d->ld);
	if (d->m && d->opts->textfile && !d->opts->check)
		write_textfile(d);
	journal_close(&d->j);
	metrics_free(d->m);
	domain_ids_free(d->ids);
	state_free(d->st);
	pthread_mutex_destroy(&d->lock);
}

int cmd_daemon(const struct daemon_opts *opts)
{
	struct loader_opts lo = { .btf_path = opts->c.btf_path };
	struct daemon d = { .opts = opts, .lock = PTHREAD_MUTEX_INITIALIZER };
	int err;

	log_set_logfmt(true);
	if (loader_preflight(&lo))
		return EXIT_FAILURE;
	err = setup_signals();
	if (!err)
		err = open_outputs(&d);
	if (!err)
		err = load(&d);
	if (err)
		goto out;
	log_hooks(&d.ld.hooks);
	if (opts->check) {
		log_fields(LOG_INFO, "check done", "hooks=%d failed=%d not_watched=\"%s\"",
			   hooks_count(&d.ld.hooks, HOOK_ACTIVE),
			   hooks_count(&d.ld.hooks, HOOK_FAILED), d.roles);
		err = hooks_count(&d.ld.hooks, HOOK_FAILED) ? -EIO : 0;
		goto out;
	}
	err = drop_privileges();
	if (!err)
		err = http_start(d.http, render, &d);
	if (err)
		goto out;
	log_started(&d);
	err = run_loop(&d);
	log_fields(LOG_INFO, "stopped", "events_lost=%llu",
		   (unsigned long long)d.lost);
out:
	teardown(&d);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
