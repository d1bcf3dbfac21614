// SPDX-License-Identifier: GPL-2.0
/* iommuwatch probe: load, attach, list every hook with its status, detach. */
#include <stdio.h>
#include <stdlib.h>
#include <json-c/json.h>
#include "commands.h"
#include "loader.h"
#include "log.h"

static int ignore_event(void *ctx, void *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	return 0;
}

static void print_hook_json(const struct hook *h)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string("hook"));
	json_object_object_add(o, "hook", json_object_new_string(h->func));
	json_object_object_add(o, "role", json_object_new_string(h->role));
	json_object_object_add(o, "status",
			       json_object_new_string(hook_status_name(h->status)));
	json_object_object_add(o, "args", h->nr_args >= 0 ?
				       json_object_new_int(h->nr_args) : NULL);
	json_object_object_add(o, "reason", h->status == HOOK_ACTIVE ? NULL :
				       json_object_new_string(h->reason));
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static void print_hooks(const struct hook_set *hs, bool json)
{
	if (!json)
		printf("%-34s %-16s %-8s %s\n", "HOOK", "ROLE", "STATUS",
		       "DETAIL");
	for (int i = 0; i < hs->n; i++) {
		const struct hook *h = &hs->hooks[i];
		char detail[128];

		if (json) {
			print_hook_json(h);
			continue;
		}
		if (h->status == HOOK_ACTIVE)
			snprintf(detail, sizeof(detail), "%d args%s",
				 h->nr_args, h->exit ? ", fentry+fexit" :
						       ", fentry");
		else
			snprintf(detail, sizeof(detail), "%s", h->reason);
		printf("%-34s %-16s %-8s %s\n", h->func, h->role,
		       hook_status_name(h->status), detail);
	}
}

int cmd_probe(const struct common_opts *opts)
{
	struct loader_opts lo = { .btf_path = opts->btf_path,
				  .targ_group = -1 };
	struct loader ld;
	int failed;

	if (loader_preflight(&lo) || loader_open(&ld, &lo, ignore_event, NULL))
		return EXIT_FAILURE;
	print_hooks(&ld.hooks, opts->json);
	failed = hooks_count(&ld.hooks, HOOK_FAILED);
	loader_close(&ld);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
