// SPDX-License-Identifier: GPL-2.0
/* iommuwatch probe: load, attach, list every hook with its status, detach. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include "commands.h"
#include "escape.h"
#include "jsonw.h"
#include "late_modules.h"
#include "loader.h"
#include "log.h"

#define NOT_LOADED_WHY	"not loaded: watched only if loaded before iommuwatch starts"
/* HOOK ROLE STATUS DETAIL: hooks and driver modules alike. */
#define ROW_FMT		"%-34s %-16s %-8s %s\n"

static int ignore_event(void *ctx, void *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	return 0;
}

static void print_hook_json(const struct hook *h)
{
	struct jsonw jw, *w = &jw;

	jsonw_begin(w, stdout);
	jsonw_str(w, "type", "hook");
	jsonw_str(w, "hook", h->func);
	jsonw_str(w, "role", h->role);
	jsonw_str(w, "status", hook_status_name(h->status));
	jsonw_opt_int(w, "args", h->nr_args >= 0, h->nr_args);
	jsonw_str(w, "mechanism", hook_mech_name(h->mech));
	jsonw_opt_int(w, "copy", h->nr_copies, h->copy_nr);
	jsonw_opt_int(w, "copies", h->nr_copies, h->nr_copies);
	jsonw_str(w, "reason", h->status == HOOK_ACTIVE ? NULL : h->reason);
	jsonw_end(w);
}

/* "2 args, kprobe+kretprobe, copy 2 of 2": how an active hook runs. */
static void active_detail(const struct hook *h, char *buf, size_t len)
{
	static const char *const progs[][2] = {
		[HOOK_FENTRY] = { "fentry+fexit", "fentry" },
		[HOOK_KPROBE] = { "kprobe+kretprobe", "kprobe" },
	};
	int off;

	off = snprintf(buf, len, "%d args, %s", h->nr_args,
		       progs[h->mech][h->entry_only]);
	if (h->nr_copies && off > 0 && (size_t)off < len)
		snprintf(buf + off, len - off, ", copy %d of %d", h->copy_nr,
			 h->nr_copies);
}

static void print_hooks(const struct hook_set *hs, bool json)
{
	if (!json)
		printf(ROW_FMT, "HOOK", "ROLE", "STATUS",
		       "DETAIL");
	for (int i = 0; i < hs->n; i++) {
		const struct hook *h = &hs->hooks[i];
		char detail[128], func[4 * sizeof(h->func)];

		if (json) {
			print_hook_json(h);
			continue;
		}
		if (h->status == HOOK_ACTIVE)
			active_detail(h, detail, sizeof(detail));
		else
			snprintf(detail, sizeof(detail), "%s", h->reason);
		printf(ROW_FMT, esc_str(func, sizeof(func), h->func, ESC_TEXT),
		       h->role, hook_status_name(h->status), detail);
	}
}

static void print_module(void *arg, const char *module)
{
	const bool *json = arg;
	struct jsonw jw, *w = &jw;
	char name[64], shown[4 * sizeof(name)];

	if (!*json) {
		snprintf(name, sizeof(name), "%s (module)", module);
		printf(ROW_FMT, esc_str(shown, sizeof(shown), name, ESC_TEXT),
		       "driver", "missing", NOT_LOADED_WHY);
		return;
	}
	jsonw_begin(w, stdout);
	jsonw_str(w, "type", "module");
	jsonw_str(w, "module", module);
	jsonw_str(w, "status", "missing");
	jsonw_str(w, "reason", NOT_LOADED_WHY);
	jsonw_end(w);
}

/* IOMMU driver modules of this kernel that are not loaded: one line each. */
static void print_unloaded_modules(bool json)
{
	char dir[320];
	struct utsname u;

	if (uname(&u))
		return;
	snprintf(dir, sizeof(dir), "/lib/modules/%s", u.release);
	if (iommu_modules_not_loaded(dir, "/sys/module", print_module, &json))
		log_debug("cannot read %s/modules.dep", dir);
}

int cmd_probe(const struct common_opts *opts)
{
	struct loader_opts lo = { .btf_path = opts->btf_path,
				  .targ_group = -1,
				  .attach_mode = opts->attach };
	struct loader ld;
	int failed;

	if (loader_preflight(&lo) || loader_open(&ld, &lo, ignore_event, NULL))
		return EXIT_FAILURE;
	print_hooks(&ld.hooks, opts->json);
	if (!opts->btf_path)
		print_unloaded_modules(opts->json);
	failed = hooks_count(&ld.hooks, HOOK_FAILED);
	loader_close(&ld);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
