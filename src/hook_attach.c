// SPDX-License-Identifier: GPL-2.0
/*
 * Programs for the chosen hooks. Core functions have programs of their
 * own in the object. Each driver op has one template pair: libbpf loads
 * it against the op's first implementation, and every further one gets a
 * copy of the loaded template's instructions (CO-RE relocated, map fds in
 * place) loaded against its own BTF id, in vmlinux or a module. The
 * templates call only static subprograms, so a copy needs no BTF of its
 * own: the kernel asks for func_info only with global functions.
 *
 * A hook on kprobes uses the twins (FUNC_kprobe, FUNC_kretprobe; an op's
 * OP_kprobe, OP_kretprobe): one loaded program serves every function,
 * attached by name or, for a copy of a duplicate name, by address, with
 * the hook's id and argument count as cookie.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "hook_attach.h"
#include "hook_btf.h"
#include "log.h"

static void hook_set_failed(struct hook *h, const char *what, int err)
{
	h->status = HOOK_FAILED;
	snprintf(h->reason, sizeof(h->reason), "%s: %s", what, strerror(-err));
}

/* A hook's programs for mech: its own, or its op's templates. */
static int find_mech_progs(const struct hook *h, struct bpf_object *obj,
			   enum hook_mech mech, struct bpf_program **progs)
{
	static const char *const suffixes[][2] = {
		[HOOK_FENTRY] = { "entry", "exit" },
		[HOOK_KPROBE] = { "kprobe", "kretprobe" },
	};
	const char *base = h->op_kind != IW_OP_NONE ? hook_op_role(h->op_kind)
						    : h->func;
	char name[96];

	for (int k = 0; k < 2; k++) {
		progs[k] = NULL;
		if (k && h->entry_only)
			break;
		snprintf(name, sizeof(name), "%s_%s", base, suffixes[mech][k]);
		progs[k] = bpf_object__find_program_by_name(obj, name);
		if (!progs[k])
			return -ENOENT;
	}
	return 0;
}

/*
 * Point h at the programs of its mechanism; the object must hold both
 * kinds for every hook, so that a kernel's choice never finds one absent.
 */
static int find_progs(struct hook *h, struct bpf_object *obj)
{
	struct bpf_program *other[2], *progs[2];
	int err;

	err = find_mech_progs(h, obj, h->mech, progs);
	if (!err)
		err = find_mech_progs(h, obj, !h->mech, other);
	h->entry = progs[0];
	h->exit = progs[1];
	return err;
}

static void set_autoload(struct hook *h, bool load)
{
	bpf_program__set_autoload(h->entry, load);
	if (h->exit)
		bpf_program__set_autoload(h->exit, load);
}

/* Point the op's templates at h; libbpf resolves the name right away. */
static int target_templates(struct hook *h)
{
	int err;

	err = bpf_program__set_attach_target(h->entry, 0, h->func);
	if (!err)
		err = bpf_program__set_attach_target(h->exit, 0, h->func);
	if (err) {
		hook_set_failed(h, "cannot target it", err);
		return err;
	}
	set_autoload(h, true);
	return 0;
}

void hooks_plan_copies(struct hook_set *hs)
{
	bool taken[IW_OP_KIND_MAX] = {};

	for (int i = 0; i < hs->n; i++) {
		struct hook *h = &hs->hooks[i];

		h->copy = false;
		if (h->op_kind == IW_OP_NONE || h->status != HOOK_ACTIVE ||
		    h->mech != HOOK_FENTRY)
			continue;
		h->copy = taken[h->op_kind];
		taken[h->op_kind] = true;
	}
}

/* The first implementation the templates can be pointed at takes them. */
static void target_op(struct hook_set *hs, int kind)
{
	for (int i = 0; i < hs->n; i++) {
		struct hook *h = &hs->hooks[i];

		if (h->op_kind == kind && h->status == HOOK_ACTIVE &&
		    h->mech == HOOK_FENTRY && !target_templates(h))
			return;
	}
}

/*
 * Every program starts off; a core hook turns its own on, an op's fentry
 * hooks their templates (one targeted, copies for the rest), its kprobe
 * hooks the kprobe templates, loaded once for all of them.
 */
int hooks_configure(struct hook_set *hs, struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, false);
	for (int i = 0; i < hs->n; i++) {
		struct hook *h = &hs->hooks[i];

		if (find_progs(h, obj))
			return -ENOENT;
		if (h->status != HOOK_ACTIVE)
			continue;
		if (h->op_kind == IW_OP_NONE || h->mech == HOOK_KPROBE)
			set_autoload(h, true);
	}
	for (int k = 0; k < IW_OP_KIND_MAX; k++)
		target_op(hs, k);
	hooks_plan_copies(hs);
	return 0;
}

/* The kernel's fd for a module's BTF, by the module's name; -errno. */
static int module_btf_fd(const char *module)
{
	char name[HOOK_MODULE_LEN];
	__u32 id = 0;
	int fd;

	while (!bpf_btf_get_next_id(id, &id)) {
		struct bpf_btf_info info = {
			.name = (__u64)(unsigned long)name,
			.name_len = sizeof(name),
		};
		__u32 len = sizeof(info);

		fd = bpf_btf_get_fd_by_id(id);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    !strcmp(name, module))
			return fd;
		close(fd);
	}
	return -ENOENT;
}

/* With -v, the verifier's reason for refusing a copy. */
static void log_refusal(const char *func, const struct bpf_insn *insns,
			size_t cnt, struct bpf_prog_load_opts *opts)
{
	static char buf[64 * 1024];
	char *line, *save;

	if (!log_enabled(LOG_DEBUG))
		return;
	buf[0] = '\0';
	opts->log_buf = buf;
	opts->log_size = sizeof(buf);
	opts->log_level = 1;
	bpf_prog_load(BPF_PROG_TYPE_TRACING, "iw_copy", "GPL", insns, cnt, opts);
	log_debug("%s: verifier log:", func);
	/* A line a message: the log escapes newlines within one. */
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		log_debug("  %s", line);
}

/* A copy of a loaded template, for h's function; the fd or -errno. */
static int load_copy(const struct hook *h, const struct bpf_program *tmpl,
		     int btf_obj_fd)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = bpf_program__expected_attach_type(tmpl),
		    .attach_btf_id = h->btf_id,
		    .attach_btf_obj_fd = btf_obj_fd > 0 ? btf_obj_fd : 0,
		    .prog_flags = bpf_program__flags(tmpl));
	const struct bpf_insn *insns = bpf_program__insns(tmpl);
	size_t cnt = bpf_program__insn_cnt(tmpl);
	int fd;

	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, bpf_program__name(tmpl), "GPL",
			   insns, cnt, &opts);
	if (fd < 0) {
		fd = -errno;
		log_refusal(h->func, insns, cnt, &opts);
	}
	return fd;
}

static void load_copies(struct hook *h, int btf_obj_fd)
{
	int fd = load_copy(h, h->exit, btf_obj_fd);

	if (fd < 0) {
		hook_set_failed(h, "load", fd);
		return;
	}
	h->prog_fds[1] = fd;
	fd = load_copy(h, h->entry, btf_obj_fd);
	if (fd < 0) {
		hook_set_failed(h, "load", fd);
		return;
	}
	h->prog_fds[0] = fd;
}

void hooks_load_copies(struct hook_set *hs)
{
	for (int i = 0; i < hs->n; i++) {
		struct hook *h = &hs->hooks[i];
		int btf_fd = 0;

		if (!h->copy || h->status != HOOK_ACTIVE)
			continue;
		if (h->module[0]) {
			btf_fd = module_btf_fd(h->module);
			if (btf_fd < 0) {
				hook_set_failed(h, "module BTF", btf_fd);
				continue;
			}
		}
		load_copies(h, btf_fd);
		if (btf_fd > 0)
			close(btf_fd);
	}
}

static int prog_fd(const struct hook *h, int k)
{
	if (h->copy)
		return h->prog_fds[k];
	return bpf_program__fd(k ? h->exit : h->entry);
}

static int attach_fentry(struct hook *h, int k)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts,
		    .tracing.cookie = IW_COOKIE(h->id, h->nr_args, h->internal));
	struct bpf_program *p = k ? h->exit : h->entry;
	int fd;

	fd = bpf_link_create(prog_fd(h, k), 0,
			     bpf_program__expected_attach_type(p), &opts);
	if (fd < 0)
		return -errno;
	h->link_fds[k] = fd;
	return 0;
}

/* By name, or a copy by its address (libbpf: no name, offset = address). */
static int attach_kprobe(struct hook *h, int k)
{
	LIBBPF_OPTS(bpf_kprobe_opts, opts,
		    .bpf_cookie = IW_COOKIE(h->id, h->nr_args, h->internal),
		    .offset = h->addr, .retprobe = k == 1);
	struct bpf_link *link;

	link = bpf_program__attach_kprobe_opts(k ? h->exit : h->entry,
					       h->addr ? NULL : h->func, &opts);
	if (!link)
		return -errno;
	h->kprobe_links[k] = link;
	return 0;
}

static int attach_prog(struct hook *h, int k)
{
	int err = h->mech == HOOK_KPROBE ? attach_kprobe(h, k)
					 : attach_fentry(h, k);

	if (err)
		hook_set_failed(h, "attach", err);
	return err;
}

static void detach_prog(struct hook *h, int k)
{
	if (h->link_fds[k] >= 0)
		close(h->link_fds[k]);
	h->link_fds[k] = -1;
	bpf_link__destroy(h->kprobe_links[k]);
	h->kprobe_links[k] = NULL;
}

void hooks_attach(struct hook_set *hs)
{
	for (int i = 0; i < hs->n; i++) {
		struct hook *h = &hs->hooks[i];

		if (h->status != HOOK_ACTIVE)
			continue;
		/* Exit first: an entry without its exit leaves marks behind. */
		if (h->exit && attach_prog(h, 1))
			continue;
		if (attach_prog(h, 0))
			detach_prog(h, 1);
	}
}

void hooks_detach(struct hook_set *hs)
{
	for (int i = 0; i < hs->n; i++)
		for (int k = 0; k < 2; k++)
			detach_prog(&hs->hooks[i], k);
}
