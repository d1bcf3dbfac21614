// SPDX-License-Identifier: GPL-2.0
/* iommuwatch trace: a one-shot session printing every transition. */
#include <stdio.h>
#include <stdlib.h>
#include "commands.h"
#include "log.h"
#include "session.h"

static void report_hooks(const struct hook_set *hs, const char *roles)
{
	for (int i = 0; i < hs->n; i++) {
		const struct hook *h = &hs->hooks[i];

		if (h->status == HOOK_ACTIVE)
			log_debug("hook %s (%s): active", h->func, h->role);
		else
			log_debug("hook %s (%s): %s, %s", h->func, h->role,
				  hook_status_name(h->status), h->reason);
	}
	if (roles[0])
		log_info("not watched on this kernel: %s (see 'iommuwatch probe')",
			 roles);
}

static void print_summary(const struct session *s)
{
	pipeline_summary(&s->pl, stderr);
	fprintf(stderr, ", %llu events lost\n", (unsigned long long)s->lost);
}

int cmd_trace(const struct trace_opts *opts)
{
	const struct session_cfg cfg = {
		.c = &opts->c, .group = opts->group, .device = opts->device,
		.duration = opts->duration, .records = stdout,
		.json = opts->c.json, .metrics = opts->textfile != NULL,
		.textfile = opts->textfile,
	};
	struct session s;
	int err;

	err = session_open(&s, &cfg);
	if (err)
		goto out;
	report_hooks(&s.ld.hooks, s.roles);
	fprintf(stderr, "Tracing IOMMU domain transitions (%d hooks)... Hit Ctrl-C to end.\n",
		hooks_count(&s.ld.hooks, HOOK_ACTIVE));
	output_header(&s.out);
	session_print_header(&s);
	session_print_state(&s);
	err = session_run(&s);
	print_summary(&s);
	if (opts->textfile && !session_write_textfile(&s))
		log_info("metrics written to %s", opts->textfile);
out:
	session_close(&s);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
