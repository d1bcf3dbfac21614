// SPDX-License-Identifier: GPL-2.0
/*
 * iommuwatch daemon: the probes, state and rules of a trace, kept running,
 * exported as Prometheus metrics over HTTP, as a node_exporter textfile and
 * as a JSON Lines journal.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "commands.h"
#include "log.h"
#include "session.h"

static void log_hooks(const struct hook_set *hs)
{
	for (int i = 0; i < hs->n; i++) {
		const struct hook *h = &hs->hooks[i];
		char reason[160];

		log_fields(h->status == HOOK_FAILED ? LOG_WARN : LOG_DEBUG,
			   "hook", "hook=%s role=%s status=%s reason=%s",
			   h->func, h->role, hook_status_name(h->status),
			   log_quote(reason, sizeof(reason), h->reason));
	}
}

static void log_started(const struct session *s)
{
	const struct session_cfg *c = &s->cfg;
	char textfile[128], journal[128];

	log_fields(LOG_INFO, "started",
		   "version=%s kernel=%s listen=%s hooks=%d failed=%d not_watched=\"%s\" textfile=%s journal=%s uid=%u gid=%u",
		   IOMMUWATCH_VERSION, s->kernel, http_address(s->http),
		   hooks_count(&s->ld.hooks, HOOK_ACTIVE),
		   hooks_count(&s->ld.hooks, HOOK_FAILED), s->roles,
		   log_quote(textfile, sizeof(textfile),
			     c->textfile ? c->textfile : ""),
		   log_quote(journal, sizeof(journal),
			     c->journal ? c->journal : ""),
		   getuid(), getgid());
}

/* --check: the hooks as they attached; 1 if any failed. */
static int check_done(const struct session *s)
{
	int failed = hooks_count(&s->ld.hooks, HOOK_FAILED);

	log_fields(LOG_INFO, "check done", "hooks=%d failed=%d not_watched=\"%s\"",
		   hooks_count(&s->ld.hooks, HOOK_ACTIVE), failed, s->roles);
	return failed ? -EIO : 0;
}

static int serve(struct session *s)
{
	int err;

	err = session_start(s);
	if (err)
		return err;
	log_started(s);
	err = session_run(s);
	log_fields(LOG_INFO, "stopped", "events_lost=%llu",
		   (unsigned long long)s->lost);
	return err;
}

int cmd_daemon(const struct daemon_opts *o)
{
	const struct session_cfg cfg = {
		.c = &o->c, .daemon = true, .group = -1, .metrics = true,
		.device_labels = o->device_labels,
		.listen = o->check ? NULL : o->listen,
		.allow_hosts = o->allow_hosts, .n_allow_hosts = o->n_allow_hosts,
		.journal = o->journal, .journal_max_bytes = o->journal_max_bytes,
		.textfile = o->textfile, .textfile_interval = o->textfile_interval,
		.user = &o->user,
	};
	struct session s;
	int err;

	log_set_logfmt(true);
	err = session_open(&s, &cfg);
	if (err)
		goto out;
	/* The journal opens with the start state, then the session. */
	session_print_state(&s);
	session_print_header(&s);
	log_hooks(&s.ld.hooks);
	err = o->check ? check_done(&s) : serve(&s);
	if (!o->check && o->textfile)
		session_write_textfile(&s);
out:
	session_close(&s);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
