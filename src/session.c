// SPDX-License-Identifier: GPL-2.0
/*
 * The session core under trace and daemon. Start-up runs in one order:
 * checks, signals, sockets bound and files opened (a root daemon opens
 * them as the user it becomes), programs loaded and attached, privileges
 * dropped, and only then a thread (libmicrohttpd's): credentials are per
 * thread, and a new thread copies its creator's.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "caps.h"
#include "landing.h"
#include "report_html.h"
#include "log.h"
#include "outfile.h"
#include "platform.h"
#include "runas.h"
#include "session.h"
#include "util.h"

static volatile sig_atomic_t exiting, reopen;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reopen = 1;
	else
		exiting = 1;
}

/* trace keeps the default SIGHUP and SIGPIPE: a closed pipe ends it. */
static int setup_signals(bool daemon)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	if (!daemon)
		return 0;
	if (sigaction(SIGHUP, &sa, NULL) || signal(SIGPIPE, SIG_IGN) == SIG_ERR)
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
	pthread_mutex_lock(&s->lock);
	if (rec.group >= 0 && !state_group(s->st, rec.group, false))
		state_seed_new_group(s->st, s->cfg.c->sysfs_root, rec.group);
	pipeline_feed(&s->pl, &rec);
	pthread_mutex_unlock(&s->lock);
	s->j.dirty = s->j.f != NULL;
	return 0;
}

static char *render(void *arg, size_t *len)
{
	struct session *s = arg;
	char *buf;

	pthread_mutex_lock(&s->lock);
	buf = metrics_render_buf(s->m, s->st, len);
	pthread_mutex_unlock(&s->lock);
	return buf;
}

static __u64 real_ns(const struct session *s, __u64 mono_ns)
{
	return mono_ns + s->out.mono_to_real_ns;
}

/* Bounded: the timeline's caps bound the page (landing.h). */
static char *render_landing(void *arg, size_t *len)
{
	struct session *s = arg;
	char *buf;

	pthread_mutex_lock(&s->lock);
	timeline_touch(s->tl, real_ns(s, mono_now_ns()));
	buf = landing_render(s->st, s->tl, len);
	pthread_mutex_unlock(&s->lock);
	return buf;
}

/* Every shown record: counted, and drawn on the landing page. */
static void session_sink(void *arg, const struct iw_record *rec,
			 const struct iw_violation *v, int n)
{
	struct session *s = arg;

	if (s->m)
		metrics_record(s->m, rec, v, n);
	if (s->tl)
		timeline_record(s->tl, rec, real_ns(s, rec->mono_ns), v, n);
}

static void seed(struct session *s)
{
	const char *root = s->cfg.c->sysfs_root;
	int err;

	state_clear(s->st);
	err = state_seed_sysfs(s->st, root);
	if (err && err != -ENOENT)
		log_warn("cannot read IOMMU groups from sysfs: %s",
			 strerror(-err));
	if (s->tl)
		timeline_seed(s->tl, s->st, s->cfg.group);
}

/* Groups can appear later (a driver module loads): say it, and go on. */
static int check_groups(struct session *s)
{
	char why[512];

	if (state_n_groups(s->st))
		return 0;
	platform_no_groups(why, sizeof(why), s->cfg.c->sysfs_root, "/proc");
	if (s->cfg.c->require_groups) {
		log_err("%s", why);
		return -ENODEV;
	}
	log_warn("%s; watching for groups that appear later", why);
	return 0;
}

void session_print_state(struct session *s)
{
	pipeline_print_state(&s->pl);
	s->j.dirty = s->j.f != NULL;
}

void session_print_header(struct session *s)
{
	output_session(&s->out, mono_now_ns(), &s->pl.rules,
		       s->roles, hooks_mechanisms(&s->ld.hooks));
	s->j.dirty = s->j.f != NULL;
}

static void report_loss(const struct session *s, __u64 n)
{
	if (s->cfg.daemon)
		log_fields(LOG_WARN, "events lost; state resynced from sysfs",
			   "lost=%llu", (unsigned long long)n);
	else
		log_warn("%llu events lost (ring buffer full); resyncing state from sysfs",
			 (unsigned long long)n);
}

/* The kernel could not queue some events: say so, and trust sysfs again. */
static void check_lost(struct session *s)
{
	__u64 dropped = loader_dropped(&s->ld);

	if (dropped == s->lost)
		return;
	report_loss(s, dropped - s->lost);
	pthread_mutex_lock(&s->lock);
	if (s->m) {
		metrics_set_dropped(s->m, dropped);
		metrics_count_resync(s->m);
	}
	output_lost(&s->out, mono_now_ns(), dropped - s->lost);
	if (s->tl)
		timeline_lost(s->tl, real_ns(s, mono_now_ns()), dropped - s->lost);
	domain_ids_forget_all(s->ids);
	seed(s);
	session_print_state(s);
	pthread_mutex_unlock(&s->lock);
	s->lost = dropped;
}

int session_write_textfile(struct session *s)
{
	const struct session_cfg *cfg = &s->cfg;
	size_t len;
	char *buf;
	int err;

	if (!s->m || !cfg->textfile)
		return -EINVAL;
	buf = render(s, &len);
	err = buf ? textfile_write(cfg->textfile, buf, len) : -ENOMEM;
	free(buf);
	s->next_textfile = mono_now_ns() + cfg->textfile_interval * NSEC_PER_SEC;
	return err;
}

/* SIGHUP: reopen the journal, e.g. after logrotate moved it. */
static void handle_reopen(struct session *s)
{
	char path[256];

	reopen = 0;
	if (!s->j.path)
		return;
	journal_sync(&s->j);
	if (!journal_reopen(&s->j))
		log_fields(LOG_INFO, "journal reopened", "path=%s",
			   log_quote(path, sizeof(path), s->j.path));
	s->out.f = s->j.f;	/* NULL: stopped, said in the log */
}

/* How often the module BTF directory is looked at for new drivers. */
#define LATE_CHECK_NS	(5 * NSEC_PER_SEC)

static bool module_hooked(const struct hook_set *hs, const char *module)
{
	for (int i = 0; i < hs->n; i++)
		if (!strcmp(hs->hooks[i].module, module))
			return true;
	return false;
}

/* A driver module came after start: say it, record it, count its ops. */
static void report_late(void *arg, const char *module,
			const struct hook_set *ops)
{
	const char *names[8];
	struct session *s = arg;
	int n = 0;

	/* Loaded while the loader chose hooks: hooked, not late. */
	if (ops->n <= 0 || module_hooked(&s->ld.hooks, module))
		return;
	for (; n < ops->n && n < (int)ARRAY_SIZE(names); n++)
		names[n] = ops->hooks[n].func;
	if (s->cfg.daemon)
		log_fields(LOG_WARN, "driver module loaded after start; its IOMMU ops are not watched until iommuwatch restarts",
			   "module=%s ops=%d first=%s", module, ops->n, names[0]);
	else
		log_warn("module %s was loaded after iommuwatch started: its %d IOMMU op(s) (%s%s) are not watched; restart iommuwatch to watch them",
			 module, ops->n, names[0], ops->n > 1 ? ", ..." : "");
	pthread_mutex_lock(&s->lock);
	s->ops_not_watched += ops->n;
	s->pl.rules.ops_watched = false;
	if (s->m)
		metrics_set_ops_not_watched(s->m, s->ops_not_watched);
	output_not_watched(&s->out, mono_now_ns(), module, names, n);
	if (s->tl)
		timeline_not_watched(s->tl, real_ns(s, mono_now_ns()), module);
	pthread_mutex_unlock(&s->lock);
}

static void check_late_modules(struct session *s)
{
	__u64 now = mono_now_ns();
	int err;

	if (!s->watch_late || now < s->next_late_check)
		return;
	s->next_late_check = now + LATE_CHECK_NS;
	err = late_modules_scan(&s->late, report_late, s);
	if (err < 0) {
		log_warn("cannot look for driver modules loaded later: %s",
			 strerror(-err));
		s->watch_late = false;
	}
}

/* What each wakeup of the reader does after reading the ring. */
static void tick(struct session *s)
{
	const struct session_cfg *cfg = &s->cfg;

	if (cfg->records)
		fflush(cfg->records);
	check_lost(s);
	check_late_modules(s);
	journal_sync(&s->j);
	if (s->j.path)
		s->out.f = s->j.f;	/* may have rotated, or stopped */
	if (reopen)
		handle_reopen(s);
	if (cfg->textfile && cfg->textfile_interval &&
	    mono_now_ns() >= s->next_textfile)
		session_write_textfile(s);
}

int session_run(struct session *s)
{
	__u64 deadline = s->cfg.duration ?
			 mono_now_ns() + s->cfg.duration * NSEC_PER_SEC : 0;
	int err;

	while (!exiting) {
		err = loader_read_events(&s->ld);
		if (err < 0 && err != -EINTR) {
			log_err("reading events failed: %s", strerror(-err));
			return err;
		}
		tick(s);
		if (deadline && mono_now_ns() >= deadline)
			break;
	}
	/* Flush what is still queued before reporting. */
	ring_buffer__consume(s->ld.rb);
	check_lost(s);
	if (s->cfg.records)
		fflush(s->cfg.records);
	return 0;
}

/* Rotation renames PATH to PATH.1 and creates PATH: its directory must let. */
static int check_journal_dir(const char *path)
{
	char *copy = strdup(path);
	const char *dir;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	dir = dirname(copy);
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS)) {
		err = -errno;
		log_err("cannot rotate journal %s later: %s: %s", path, dir,
			strerror(-err));
	}
	free(copy);
	return err;
}

static int open_journal_textfile(void *arg)
{
	struct session *s = arg;
	const struct session_cfg *cfg = &s->cfg;
	int err = 0;

	if (cfg->journal) {
		err = journal_open(&s->j, cfg->journal, cfg->journal_max_bytes);
		if (!err && cfg->journal_max_bytes)
			err = check_journal_dir(cfg->journal);
	}
	if (!err && cfg->textfile)
		err = textfile_check(cfg->textfile);
	return err;
}

/*
 * Sockets and files first. Files with the rights of the user a root run
 * becomes: every later write, rotation, reopen and rename has only those,
 * so they are tried now, when an error can still stop the start.
 */
static int open_outputs(struct session *s)
{
	const struct session_cfg *cfg = &s->cfg;
	int err;

	if (cfg->listen) {
		err = http_bind(&s->http, cfg->listen);
		if (err)
			return err;
	}
	if (!s->become || (!cfg->journal && !cfg->textfile))
		err = open_journal_textfile(s);
	else
		err = runas_fs_call(s->become, open_journal_textfile, s);
	if (err)
		return err;
	if (cfg->records)
		output_init(&s->out, cfg->records, cfg->json);
	else
		output_init(&s->out, s->j.f, true);
	return 0;
}

/*
 * One series per hooked function: the copies of a duplicate name (each
 * kprobed at its address) are one function to an operator, attached only
 * if every copy is. Returns how many series.
 */
static int metrics_hooks(const struct hook_set *hs, struct metrics_hook *mh)
{
	int n = 0;

	for (int i = 0; i < hs->n; i++) {
		const struct hook *h = &hs->hooks[i];
		bool active = h->status == HOOK_ACTIVE;

		if (h->copy_nr > 1)
			continue;
		for (int j = i + 1; h->nr_copies && j < hs->n; j++)
			if (hs->hooks[j].copy_nr > 1 &&
			    !strcmp(hs->hooks[j].func, h->func) &&
			    !strcmp(hs->hooks[j].module, h->module))
				active &= hs->hooks[j].status == HOOK_ACTIVE;
		mh[n++] = (struct metrics_hook){ h->func, h->role, active };
	}
	return n;
}

static int new_metrics(struct session *s)
{
	const struct hook_set *hs = &s->ld.hooks;
	struct metrics_info mi = { .version = IOMMUWATCH_VERSION,
				   .kernel = s->kernel,
				   .device_labels = s->cfg.device_labels };

	s->mhooks = calloc(hs->n ? hs->n : 1, sizeof(*s->mhooks));
	if (!s->mhooks)
		return -ENOMEM;
	mi.hooks = s->mhooks;
	mi.n_hooks = metrics_hooks(hs, s->mhooks);
	s->m = metrics_new(&mi);
	return s->m ? 0 : -ENOMEM;
}

/* What the landing page says of this session, as a recording's line would. */
static void landing_facts(struct session *s)
{
	struct jsonl_facts *f;

	if (!s->tl)
		return;
	f = &s->tl->session;
	s->tl->have_session = true;
	snprintf(f->version, sizeof(f->version), "%s", IOMMUWATCH_VERSION);
	snprintf(f->kernel, sizeof(f->kernel), "%s", s->kernel);
	snprintf(f->attach, sizeof(f->attach), "%s",
		 hooks_mechanisms(&s->ld.hooks));
}

static int load(struct session *s)
{
	const struct session_cfg *cfg = &s->cfg;
	struct loader_opts lo = { .btf_path = cfg->c->btf_path,
				  .targ_group = cfg->group,
				  .ringbuf_bytes = cfg->c->ringbuf_bytes,
				  .attach_mode = cfg->c->attach };
	struct utsname u;
	int err;

	s->st = state_new();
	s->ids = domain_ids_new();
	if (!s->st || !s->ids) {
		log_err("out of memory");
		return -ENOMEM;
	}
	pipeline_init(&s->pl, s->st, s->out.f ? &s->out : NULL);
	s->pl.group = cfg->group;
	s->pl.device = cfg->device;
	s->pl.sink = session_sink;
	s->pl.sink_arg = s;
	if (s->http) {
		s->tl = timeline_new(LANDING_LANES, LANDING_VIOLATIONS);
		if (!s->tl)
			return -ENOMEM;
	}
	seed(s);
	err = check_groups(s);
	if (err)
		return err;
	/* Before the loader reads module BTF: a module between is not lost. */
	s->watch_late = !cfg->c->btf_path &&
			!late_modules_init(&s->late, LOADER_BTF_DIR);
	err = loader_open(&s->ld, &lo, on_event, s);
	if (err)
		return err;
	s->pl.rules.deferred_locked = s->ld.hooks.deferred_locked;
	s->pl.rules.ops_watched = hooks_ops_watched(&s->ld.hooks);
	hooks_uncovered_roles(&s->ld.hooks, s->roles, sizeof(s->roles));
	snprintf(s->kernel, sizeof(s->kernel), "%s",
		 uname(&u) ? "unknown" : u.release);
	landing_facts(s);
	return cfg->metrics ? new_metrics(s) : 0;
}

int session_open(struct session *s, const struct session_cfg *cfg)
{
	struct loader_opts lo = { .btf_path = cfg->c->btf_path };
	int err;

	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	pthread_mutex_init(&s->lock, NULL);
	err = runas_choose(cfg->user, &s->become);
	if (!err)
		err = loader_preflight(&lo);
	if (!err)
		err = setup_signals(cfg->daemon);
	if (!err)
		err = open_outputs(s);
	return err ? err : load(s);
}

int session_start(struct session *s)
{
	char csp[REPORT_HTML_CSP_LEN];
	int err = 0;

	if (s->cfg.daemon)
		err = caps_drop_all(s->become);
	if (!err && s->http)
		err = report_html_csp(csp, sizeof(csp));
	if (!err && s->http)
		err = http_start(s->http, &(struct http_pages){
			.metrics = render, .landing = render_landing, .arg = s,
			.csp = csp, .hosts = s->cfg.allow_hosts,
			.n_hosts = s->cfg.n_allow_hosts });
	return err;
}

void session_close(struct session *s)
{
	http_stop(s->http);
	if (s->ld.skel)
		loader_close(&s->ld);
	journal_close(&s->j);
	late_modules_free(&s->late);
	metrics_free(s->m);
	timeline_free(s->tl);
	free(s->mhooks);
	domain_ids_free(s->ids);
	state_free(s->st);
	pthread_mutex_destroy(&s->lock);
}
