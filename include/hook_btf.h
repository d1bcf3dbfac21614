/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which kernel functions to hook, read from BTF: the core functions of a
 * fixed table, and every function whose name and prototype make it a
 * driver's implementation of an op.
 */
#ifndef __IW_HOOK_BTF_H
#define __IW_HOOK_BTF_H

#include <stdbool.h>
#include <bpf/btf.h>
#include "hooks.h"

/* The core functions, with their argument count (-1: not in this BTF). */
int hook_btf_add_core(struct hook_set *hs, const struct btf *vmlinux);

/*
 * The op implementations among btf's own functions (a module's split BTF
 * skips vmlinux's); module is NULL for vmlinux. Ids follow hs->n.
 */
int hook_btf_add_ops(struct hook_set *hs, const struct btf *btf,
		     const struct btf *vmlinux, const char *module);

/* Which op a FUNC_PROTO implements: enum iw_op_kind, IW_OP_NONE if none. */
int hook_btf_match_op(const struct btf *btf, const struct btf_type *proto);

/* Whether struct st has a member of that name in btf. */
bool hook_btf_has_member(const struct btf *btf, const char *st,
			 const char *member);

/* The op's role name ("attach_dev", ...), which names its templates. */
const char *hook_op_role(int op_kind);

#endif /* __IW_HOOK_BTF_H */
