// SPDX-License-Identifier: GPL-2.0
/*
 * The hook set: its growth and release, the choice of hooks from BTF and
 * kallsyms, and the questions the commands ask of it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hook_btf.h"
#include "hooks.h"
#include "kallsyms.h"
#include "log.h"

struct hook *hooks_add(struct hook_set *hs, const char *func, const char *role)
{
	struct hook *h;

	if (hs->n == hs->cap) {
		int cap = hs->cap ? 2 * hs->cap : 64;

		h = realloc(hs->hooks, cap * sizeof(*h));
		if (!h)
			return NULL;
		hs->hooks = h;
		hs->cap = cap;
	}
	h = &hs->hooks[hs->n++];
	memset(h, 0, sizeof(*h));
	snprintf(h->func, sizeof(h->func), "%s", func);
	h->role = role;
	h->op_kind = IW_OP_NONE;
	h->prog_fds[0] = h->prog_fds[1] = -1;
	h->link_fds[0] = h->link_fds[1] = -1;
	return h;
}

void hooks_free(struct hook_set *hs)
{
	for (int i = 0; i < hs->n; i++) {
		for (int k = 0; k < 2; k++) {
			if (hs->hooks[i].prog_fds[k] >= 0)
				close(hs->hooks[i].prog_fds[k]);
			hs->hooks[i].prog_fds[k] = -1;
		}
	}
	free(hs->hooks);
	hs->hooks = NULL;
	hs->n = hs->cap = 0;
}

const char *hook_status_name(enum hook_status status)
{
	switch (status) {
	case HOOK_ACTIVE:
		return "active";
	case HOOK_MISSING:
		return "missing";
	default:
		return "failed";
	}
}

/* nr_syms: its symbols in kallsyms, in its own module (-1: not known). */
static void mark_missing(struct hook *h, int nr_syms)
{
	if (h->nr_args < 0) {
		h->status = HOOK_MISSING;
		snprintf(h->reason, sizeof(h->reason), "not in this kernel's BTF");
	} else if (!nr_syms) {
		h->status = HOOK_MISSING;
		snprintf(h->reason, sizeof(h->reason),
			 "inlined: no symbol to attach to");
	} else if (nr_syms > 1) {
		/* The kernel resolves the name to its first symbol only. */
		h->status = HOOK_MISSING;
		snprintf(h->reason, sizeof(h->reason),
			 "%d functions of this name: fentry would take one, maybe not this driver's",
			 nr_syms);
	}
}

/*
 * One pass over kallsyms marks the hooks whose function has a symbol in
 * its own module (or vmlinux), and finds pci_bus_type for the programs,
 * which would otherwise need a second pass (libbpf's, for a __ksym) or a
 * string read per event.
 */
static int mark_symbols(struct hook_set *hs, const char *kallsyms)
{
	struct ksym *syms = calloc(hs->n + 1, sizeof(*syms));
	int err;

	if (!syms)
		return -ENOMEM;
	for (int i = 0; i < hs->n; i++) {
		syms[i].name = hs->hooks[i].func;
		syms[i].module = hs->hooks[i].module;
	}
	syms[hs->n].name = "pci_bus_type";
	err = kallsyms_resolve(kallsyms, syms, hs->n + 1);
	if (err) {
		log_warn("cannot read %s (%s): assuming every BTF function can be hooked",
			 kallsyms, strerror(-err));
		for (int i = 0; i <= hs->n; i++)
			syms[i].count = -1;
	}
	for (int i = 0; i < hs->n; i++)
		mark_missing(&hs->hooks[i], syms[i].count);
	hs->pci_bus_type = syms[hs->n].addr;
	free(syms);
	return 0;
}

int hooks_select(struct hook_set *hs, const struct btf *vmlinux,
		 struct btf *const *mods, const char *const *mod_names,
		 int nr_mods, const char *kallsyms)
{
	int err;

	memset(hs, 0, sizeof(*hs));
	err = hook_btf_add_core(hs, vmlinux);
	if (!err)
		err = hook_btf_add_ops(hs, vmlinux, vmlinux, NULL);
	for (int i = 0; !err && i < nr_mods; i++)
		err = hook_btf_add_ops(hs, mods[i], vmlinux, mod_names[i]);
	if (err)
		return err;
	hs->deferred_locked = hook_btf_has_member(vmlinux, "group_device",
						  "blocked");
	if (!kallsyms) {
		for (int i = 0; i < hs->n; i++)
			mark_missing(&hs->hooks[i], -1);
		return 0;
	}
	return mark_symbols(hs, kallsyms);
}

const char *hook_name(const struct hook_set *hs, int id)
{
	for (int i = 0; i < hs->n; i++)
		if (hs->hooks[i].id == id)
			return hs->hooks[i].func;
	return "unknown";
}

int hooks_count(const struct hook_set *hs, enum hook_status status)
{
	int n = 0;

	for (int i = 0; i < hs->n; i++)
		n += hs->hooks[i].status == status;
	return n;
}

static bool role_covered(const struct hook_set *hs, const char *role)
{
	for (int i = 0; i < hs->n; i++)
		if (!strcmp(hs->hooks[i].role, role) &&
		    hs->hooks[i].status == HOOK_ACTIVE)
			return true;
	return false;
}

void hooks_uncovered_roles(const struct hook_set *hs, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < hs->n && off < len; i++) {
		const char *role = hs->hooks[i].role;
		bool seen = false;

		for (int j = 0; j < i; j++)
			seen |= !strcmp(hs->hooks[j].role, role);
		if (seen || role_covered(hs, role))
			continue;
		off += snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
				role);
	}
}
