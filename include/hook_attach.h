/* SPDX-License-Identifier: GPL-2.0 */
/*
 * From a chosen hook set to running programs: the object's programs are
 * pointed at their functions before load; after it, every further op
 * implementation gets its own copy of the op's template, and all of them
 * are attached with the hook's id as cookie. No slot limit.
 */
#ifndef __IW_HOOK_ATTACH_H
#define __IW_HOOK_ATTACH_H

#include <bpf/libbpf.h>
#include "hooks.h"

/*
 * Which op hooks run copies: all active ones but each op's first, which
 * runs the templates. Pure; hooks_configure() calls it.
 */
void hooks_plan_copies(struct hook_set *hs);
/* Set obj's programs (targets, autoload) for the selection, before load. */
int hooks_configure(struct hook_set *hs, struct bpf_object *obj);
/* After load: a copy of the templates per further op; failures mark. */
void hooks_load_copies(struct hook_set *hs);
/* Attach the prepared programs; failures mark hooks, never abort. */
void hooks_attach(struct hook_set *hs);
void hooks_detach(struct hook_set *hs);

#endif /* __IW_HOOK_ATTACH_H */
