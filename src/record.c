// SPDX-License-Identifier: GPL-2.0
/* Decoding of BPF events into records, and the names records use. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "record.h"
#include "util.h"

static const char *const dom_kind_names[IW_DOM_KIND_MAX] = {
	[IW_DOM_NONE] = "none",
	[IW_DOM_BLOCKED] = "blocked",
	[IW_DOM_IDENTITY] = "identity",
	[IW_DOM_UNMANAGED] = "unmanaged",
	[IW_DOM_DMA] = "dma",
	[IW_DOM_DMA_FQ] = "dma-fq",
	[IW_DOM_SVA] = "sva",
	[IW_DOM_NESTED] = "nested",
	[IW_DOM_PLATFORM] = "platform",
	[IW_DOM_UNKNOWN] = "unknown",
};

static const char *const path_names[IW_PATH_MAX] = {
	[IW_PATH_UNKNOWN] = "unknown",
	[IW_PATH_PROBE] = "probe",
	[IW_PATH_DEFAULT] = "default",
	[IW_PATH_ATTACH] = "attach",
	[IW_PATH_DETACH] = "detach",
	[IW_PATH_OWNER] = "owner",
	[IW_PATH_RELEASE] = "release",
	[IW_PATH_RESET] = "reset",
	[IW_PATH_DEFERRED] = "deferred",
	[IW_PATH_PASID] = "pasid",
};

static int name_index(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return i;
	return -1;
}

const char *dom_kind_name(enum iw_dom_kind kind)
{
	return kind < IW_DOM_KIND_MAX ? dom_kind_names[kind] : "unknown";
}

int dom_kind_parse(const char *name)
{
	return name_index(dom_kind_names, IW_DOM_KIND_MAX, name);
}

const char *path_name(enum iw_path path)
{
	return path < IW_PATH_MAX ? path_names[path] : "unknown";
}

const char *record_path_name(enum iw_record_type type, enum iw_path path)
{
	return type == IW_REC_DOMAIN_FREE ? "free" : path_name(path);
}

int path_parse(const char *name)
{
	return name_index(path_names, IW_PATH_MAX, name);
}

enum iw_dom_kind dom_kind_from_type(__u32 type, bool blocking)
{
	if (blocking)
		return IW_DOM_BLOCKED;
	switch (type) {
	case IW_DOMAIN_TYPE_BLOCKED:
		return IW_DOM_BLOCKED;
	case IW_DOMAIN_TYPE_IDENTITY:
		return IW_DOM_IDENTITY;
	case IW_DOMAIN_TYPE_UNMANAGED:
		return IW_DOM_UNMANAGED;
	case IW_DOMAIN_TYPE_DMA:
		return IW_DOM_DMA;
	case IW_DOMAIN_TYPE_DMA_FQ:
		return IW_DOM_DMA_FQ;
	case IW_DOMAIN_TYPE_SVA:
		return IW_DOM_SVA;
	case IW_DOMAIN_TYPE_PLATFORM:
		return IW_DOM_PLATFORM;
	case IW_DOMAIN_TYPE_NESTED:
		return IW_DOM_NESTED;
	default:
		return IW_DOM_UNKNOWN;
	}
}

enum iw_dom_kind dom_kind_from_sysfs(const char *type)
{
	static const struct {
		const char *sysfs;
		enum iw_dom_kind kind;
	} map[] = {
		{ "blocked", IW_DOM_BLOCKED },	 { "identity", IW_DOM_IDENTITY },
		{ "unmanaged", IW_DOM_UNMANAGED }, { "DMA", IW_DOM_DMA },
		{ "DMA-FQ", IW_DOM_DMA_FQ },
	};

	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (!strcasecmp(map[i].sysfs, type))
			return map[i].kind;
	return IW_DOM_UNKNOWN;
}

static void dom_from_ref(struct iw_dom *dom, const struct iommuwatch_domain_ref *ref,
			 bool blocking)
{
	dom->id = ref->id;
	dom->kind = ref->id ? dom_kind_from_type(ref->type, blocking)
			    : IW_DOM_NONE;
}

static enum iw_record_type record_type(__u32 kind)
{
	switch (kind) {
	case IW_EV_RELEASE:
		return IW_REC_RELEASE;
	case IW_EV_DOMAIN_FREE:
		return IW_REC_DOMAIN_FREE;
	case IW_EV_GROUP_TYPE:
		return IW_REC_GROUP_TYPE;
	case IW_EV_RESET_PREPARE:
		return IW_REC_RESET_PREPARE;
	case IW_EV_RESET_DONE:
		return IW_REC_RESET_DONE;
	default:
		return IW_REC_TRANSITION;
	}
}

/* A bounded copy: snprintf's format parsing was a third of decoding. */
static void copy_name(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

void record_from_event(struct iw_record *rec, const struct iommuwatch_event *e,
		       const char *hook_name)
{
	memset(rec, 0, sizeof(*rec));
	rec->type = record_type(e->kind);
	rec->mono_ns = e->ts_ns;
	rec->latency_ns = e->latency_ns;
	rec->group = e->group;
	rec->pasid = e->pasid;
	rec->path = e->path < IW_PATH_MAX ? e->path : IW_PATH_UNKNOWN;
	rec->ret = e->ret;
	rec->pid = e->pid;
	rec->cpu = e->cpu;
	rec->flags = e->flags;
	rec->reset_depth = e->reset_depth;
	copy_name(rec->device, sizeof(rec->device), e->dev);
	copy_name(rec->comm, sizeof(rec->comm), e->comm);
	copy_name(rec->hook, sizeof(rec->hook), hook_name);

	switch (e->kind) {
	case IW_EV_GROUP_TYPE:
	case IW_EV_ATTACH:
	case IW_EV_SET_PASID:
		dom_from_ref(&rec->to, &e->new_dom,
			     e->flags & IW_F_NEW_IS_BLOCKING);
		break;
	case IW_EV_REMOVE_PASID:
	case IW_EV_PASID_FORGOTTEN:
		/* The PASID is left with no domain at all (in the core's
		 * view: a fenced device keeps the blocked one it was on). */
		rec->to.kind = IW_DOM_NONE;
		break;
	case IW_EV_DOMAIN_FREE:
		dom_from_ref(&rec->from, &e->new_dom, false);
		rec->from_known = true;
		return;
	case IW_EV_RELEASE:
		dom_from_ref(&rec->from, &e->group_dom, false);
		return;
	case IW_EV_RESET_PREPARE:
	case IW_EV_RESET_DONE:
		return;		/* the state says where its RID is */
	}
	if (e->flags & IW_F_HAS_OLD) {
		dom_from_ref(&rec->from, &e->old_dom,
			     e->flags & IW_F_OLD_IS_BLOCKING);
		rec->from_known = true;
	}
}
