// SPDX-License-Identifier: GPL-2.0
/* iommuwatch trace: a one-shot session printing every transition. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/utsname.h>
#include "commands.h"
#include "domains.h"
#include "loader.h"
#include "log.h"
#include "metrics.h"
#include "outfile.h"
#include "output.h"
#include "pipeline.h"
#include "state.h"

static volatile sig_atomic_t exiting;

struct session {
	const struct trace_opts *opts;
	struct loader ld;
	struct iw_state *st;
	struct domain_ids *ids;
	struct output out;
	struct pipeline pl;
	struct metrics *m;		/* with --textfile */
	char kernel[65];
	__u64 lost;
};

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static int setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	return 0;
}

static int on_event(void *ctx, void *data, size_t len)
{
	const struct iommuwatch_event *e = data;
	struct session *s = ctx;
	struct iw_record rec;

	if (len < sizeof(*e) ||
	    !domain_ids_record(s->ids, e, hook_name(&s->ld.hooks, e->hook), &rec))
		return 0;
	pipeline_feed(&s->pl, &rec);
	return 0;
}

static int seed_state(struct session *s)
{
	int err;

	state_clear(s->st);
	err = state_seed_sysfs(s->st, s->opts->c.sysfs_root);
	if (err == -ENOENT)
		log_warn("no %s/kernel/iommu_groups: no IOMMU is active, nothing will change",
			 s->opts->c.sysfs_root);
	else if (err)
		log_warn("cannot read IOMMU groups from sysfs: %s",
			 strerror(-err));
	return 0;
}

static __u64 mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The kernel could not queue some events: say so, and trust sysfs again. */
static void check_lost(struct session *s)
{
	__u64 dropped = loader_dropped(&s->ld);

	if (dropped == s->lost)
		return;
	log_warn("%llu events lost (ring buffer full); resyncing state from sysfs",
		 (unsigned long long)(dropped - s->lost));
	output_lost(&s->out, mono_now(), dropped - s->lost);
	s->lost = dropped;
	if (s->m) {
		metrics_set_dropped(s->m, dropped);
		metrics_count_resync(s->m);
	}
	domain_ids_forget_all(s->ids);
	seed_state(s);
	pipeline_print_state(&s->pl);
}

static void report_hooks(const struct hook_set *hs, char *roles, size_t len)
{

	for (int i = 0; i < hs->n; i++) {
		const struct hook *h = &hs->hooks[i];

		if (h->status == HOOK_ACTIVE)
			log_debug("hook %s (%s): active", h->func, h->role);
		else
			log_debug("hook %s (%s): %s, %s", h->func, h->role,
				  hook_status_name(h->status), h->reason);
	}
	hooks_uncovered_roles(hs, roles, len);
	if (roles[0])
		log_info("not watched on this kernel: %s (see 'iommuwatch probe')",
			 roles);
}

static int run_loop(struct session *s)
{
	__u64 deadline = s->opts->duration ?
			 mono_now() + s->opts->duration * 1000000000ULL : 0;
	int err = 0;

	while (!exiting) {
		err = loader_read_events(&s->ld);
		if (err == -EINTR) {
			err = 0;
			continue;
		}
		if (err < 0) {
			log_err("reading events failed: %s", strerror(-err));
			return err;
		}
		fflush(s->out.f);
		check_lost(s);
		if (deadline && mono_now() >= deadline)
			break;
	}
	/* Flush what is still queued before reporting. */
	ring_buffer__consume(s->ld.rb);
	check_lost(s);
	fflush(s->out.f);
	return 0;
}

/* The session's metrics for node_exporter, as the daemon would give them. */
static int setup_metrics(struct session *s)
{
	struct metrics_info mi = { .version = IOMMUWATCH_VERSION,
				   .kernel = s->kernel, .hooks = &s->ld.hooks };
	struct utsname u;

	if (!s->opts->textfile)
		return 0;
	snprintf(s->kernel, sizeof(s->kernel), "%s",
		 uname(&u) ? "unknown" : u.release);
	s->m = metrics_new(&mi);
	if (!s->m)
		return -ENOMEM;
	s->pl.sink = metrics_record;
	s->pl.sink_arg = s->m;
	return 0;
}

static void write_textfile(struct session *s)
{
	size_t len;
	char *buf;

	if (!s->m)
		return;
	buf = metrics_render_buf(s->m, s->st, &len);
	if (buf && !textfile_write(s->opts->textfile, buf, len))
		log_info("metrics written to %s", s->opts->textfile);
	free(buf);
}

static void print_summary(const struct session *s)
{
	pipeline_summary(&s->pl, stderr);
	fprintf(stderr, ", %llu events lost\n", (unsigned long long)s->lost);
}

/* State, output and probes; s->st is set first, so stop() always works. */
static int session_start(struct session *s, char *roles, size_t len)
{
	const struct trace_opts *opts = s->opts;
	struct loader_opts lo = { .btf_path = opts->c.btf_path,
				  .targ_group = opts->group,
				  .ringbuf_bytes = opts->c.ringbuf_bytes };
	int err;

	s->st = state_new();
	s->ids = domain_ids_new();
	if (!s->st || !s->ids) {
		log_err("out of memory");
		return -ENOMEM;
	}
	seed_state(s);
	output_init(&s->out, stdout, opts->c.json);
	pipeline_init(&s->pl, s->st, &s->out);
	s->pl.group = opts->group;
	s->pl.device = opts->device;
	err = setup_signals();
	if (!err)
		err = loader_open(&s->ld, &lo, on_event, s);
	if (err)
		return err;
	report_hooks(&s->ld.hooks, roles, len);
	s->pl.rules.deferred_locked = s->ld.hooks.deferred_locked;
	return setup_metrics(s);
}

static void session_stop(struct session *s)
{
	if (s->ld.skel)
		loader_close(&s->ld);
	metrics_free(s->m);
	domain_ids_free(s->ids);
	state_free(s->st);
}

int cmd_trace(const struct trace_opts *opts)
{
	struct loader_opts lo = { .btf_path = opts->c.btf_path };
	struct session s = { .opts = opts };
	char roles[256];
	int err;

	err = loader_preflight(&lo);
	if (!err && opts->textfile)
		err = textfile_check(opts->textfile);
	if (err)
		return EXIT_FAILURE;
	err = session_start(&s, roles, sizeof(roles));
	if (err)
		goto out;
	fprintf(stderr, "Tracing IOMMU domain transitions (%d hooks)... Hit Ctrl-C to end.\n",
		hooks_count(&s.ld.hooks, HOOK_ACTIVE));
	output_header(&s.out);
	output_session(&s.out, mono_now(), s.pl.rules.deferred_locked, roles);
	pipeline_print_state(&s.pl);
	err = run_loop(&s);
	print_summary(&s);
	write_textfile(&s);
out:
	session_stop(&s);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
