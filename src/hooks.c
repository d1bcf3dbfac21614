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

const char *hook_mech_name(enum hook_mech mech)
{
	return mech == HOOK_KPROBE ? "kprobe" : "fentry";
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
	}
}

/* Why the copies of a name cannot each get a kprobe; NULL if they can. */
static const char *copies_unwatchable(const struct hook_set *hs,
				      const struct ksym *sym)
{
	if (hs->mode == HOOK_ATTACH_FENTRY)
		return "fentry would take one, maybe not this driver's";
	if (sym->count > KSYM_MAX_ADDRS)
		return "too many to kprobe each";
	for (int c = 0; c < sym->count; c++)
		if (!sym->addrs[c])
			return "kallsyms hides their addresses (kptr_restrict)";
	return NULL;
}

/*
 * A name kallsyms holds more than once in its module: the kernel resolves
 * an fentry target (and a kprobe) by name to one symbol only, which may
 * be the other driver's. Each copy gets a kprobe at its own address; the
 * BTF prototype is the same for all (pahole drops a name whose copies
 * differ), so one template serves them.
 */
static int watch_copies(struct hook_set *hs, int i, const struct ksym *sym)
{
	const char *why = copies_unwatchable(hs, sym);
	struct hook *h = &hs->hooks[i];

	if (why) {
		h->status = HOOK_MISSING;
		snprintf(h->reason, sizeof(h->reason),
			 "%d functions of this name: %s", sym->count, why);
		if (h->op_kind != IW_OP_NONE)
			log_warn("%s is not watched: %s", h->func, h->reason);
		return 0;
	}
	h->mech = HOOK_KPROBE;
	h->nr_copies = sym->count;
	h->copy_nr = 1;
	h->addr = sym->addrs[0];
	for (int c = 1; c < sym->count; c++) {
		struct hook *copy = hooks_add(hs, h->func, h->role);

		if (!copy)
			return -ENOMEM;
		h = &hs->hooks[i];	/* hooks_add may move the array */
		*copy = *h;
		if (h->op_kind != IW_OP_NONE)
			copy->id = IW_HOOK_OP_BASE + hs->n - 1;
		copy->copy_nr = c + 1;
		copy->addr = sym->addrs[c];
	}
	return 0;
}

/*
 * One pass over kallsyms marks the hooks whose function has a symbol in
 * its own module (or vmlinux), and finds pci_bus_type for the programs,
 * which would otherwise need a second pass (libbpf's, for a __ksym) or a
 * string read per event.
 */
static int mark_symbols(struct hook_set *hs, const char *kallsyms)
{
	int n = hs->n, err;
	struct ksym *syms = calloc(n + 1, sizeof(*syms));

	if (!syms)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		syms[i].name = hs->hooks[i].func;
		syms[i].module = hs->hooks[i].module;
	}
	syms[n].name = "pci_bus_type";
	err = kallsyms_resolve(kallsyms, syms, n + 1);
	if (err) {
		log_warn("cannot read %s (%s): assuming every BTF function can be hooked",
			 kallsyms, strerror(-err));
		for (int i = 0; i <= n; i++)
			syms[i].count = -1;
		err = 0;
	}
	hs->pci_bus_type = syms[n].addrs[0];
	/* Copies go after the n hooks, which keep their indexes. */
	for (int i = 0; i < n && !err; i++) {
		mark_missing(&hs->hooks[i], syms[i].count);
		if (hs->hooks[i].status == HOOK_ACTIVE && syms[i].count > 1)
			err = watch_copies(hs, i, &syms[i]);
	}
	free(syms);
	return err;
}

int hooks_select(struct hook_set *hs, const struct btf *vmlinux,
		 struct btf *const *mods, const char *const *mod_names,
		 int nr_mods, const char *kallsyms, enum hook_attach_mode mode)
{
	int err;

	memset(hs, 0, sizeof(*hs));
	hs->mode = mode;
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
	} else {
		err = mark_symbols(hs, kallsyms);
	}
	for (int i = 0; mode == HOOK_ATTACH_KPROBE && i < hs->n; i++)
		hs->hooks[i].mech = HOOK_KPROBE;
	return err;
}

static const struct hook *hook_by_id(const struct hook_set *hs, int id)
{
	for (int i = 0; i < hs->n; i++)
		if (hs->hooks[i].id == id)
			return &hs->hooks[i];
	return NULL;
}

const char *hook_name(const struct hook_set *hs, int id)
{
	const struct hook *h = hook_by_id(hs, id);

	return h ? h->func : "unknown";
}

int hooks_count(const struct hook_set *hs, enum hook_status status)
{
	int n = 0;

	for (int i = 0; i < hs->n; i++)
		n += hs->hooks[i].status == status;
	return n;
}

const char *hooks_mechanisms(const struct hook_set *hs)
{
	static const char *const names[] = {
		"none", "fentry", "kprobe", "fentry+kprobe",
	};
	int used = 0;

	for (int i = 0; i < hs->n; i++)
		if (hs->hooks[i].status == HOOK_ACTIVE)
			used |= 1 << hs->hooks[i].mech;
	return names[used];
}

static bool hook_active(const struct hook_set *hs, int id)
{
	const struct hook *h = hook_by_id(hs, id);

	return h && h->status == HOOK_ACTIVE;
}

/*
 * With resets watched, iommu_detach_device_pasid too: in a reset's fence
 * it runs no op, and only its own hook shows the PASID going.
 */
bool hooks_ops_watched(const struct hook_set *hs)
{
	for (int i = 0; i < hs->n; i++)
		if (hs->hooks[i].op_kind != IW_OP_NONE &&
		    hs->hooks[i].status != HOOK_ACTIVE)
			return false;
	return !hook_active(hs, IW_HOOK_RESET_PREPARE) ||
	       hook_active(hs, IW_HOOK_DETACH_PASID);
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
