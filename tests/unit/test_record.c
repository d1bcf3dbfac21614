// SPDX-License-Identifier: GPL-2.0
/* Decoding BPF events into records, and the names records use. */
#include "record.h"
#include "unit.h"

static struct iommuwatch_event attach_event(void)
{
	struct iommuwatch_event e = {
		.ts_ns = 42, .latency_ns = 1500, .kind = IW_EV_ATTACH,
		.hook = IW_HOOK_OP_BASE, .path = IW_PATH_RELEASE,
		.group = 5, .pasid = IW_NO_PASID, .pid = 7, .cpu = 1,
		.new_dom = { .id = 2, .type = 11 },
		.comm = "bash", .dev = "0000:00:03.0",
	};
	return e;
}

static void decodes_attach_without_old(void)
{
	struct iommuwatch_event e = attach_event();
	struct iw_record r;

	record_from_event(&r, &e, "intel_iommu_attach_device");
	CHECK(r.type == IW_REC_TRANSITION);
	CHECK(r.to.kind == IW_DOM_DMA_FQ && r.to.id == 2);
	CHECK(!r.from_known);
	CHECK(r.group == 5 && r.pasid == IW_NO_PASID);
	CHECK(r.path == IW_PATH_RELEASE && r.latency_ns == 1500);
	CHECK_STR(r.device, "0000:00:03.0");
	CHECK_STR(r.hook, "intel_iommu_attach_device");
}

static void decodes_old_and_blocking(void)
{
	struct iommuwatch_event e = attach_event();
	struct iw_record r;

	/* A paging domain that is the group's blocker reads as blocked. */
	e.new_dom = (struct iommuwatch_domain_ref){ .id = 9, .type = 1 };
	e.old_dom = (struct iommuwatch_domain_ref){ .id = 3, .type = 4 };
	e.flags = IW_F_HAS_OLD | IW_F_NEW_IS_BLOCKING;
	record_from_event(&r, &e, "x");
	CHECK(r.to.kind == IW_DOM_BLOCKED && r.to.id == 9);
	CHECK(r.from_known && r.from.kind == IW_DOM_IDENTITY && r.from.id == 3);

	/* The kernel passed old == NULL: the RID had no domain. */
	e.old_dom = (struct iommuwatch_domain_ref){};
	record_from_event(&r, &e, "x");
	CHECK(r.from_known && r.from.kind == IW_DOM_NONE);
}

static void decodes_pasid_removal_and_free(void)
{
	struct iommuwatch_event e = attach_event();
	struct iw_record r;

	e.kind = IW_EV_REMOVE_PASID;
	e.pasid = 7;
	e.flags = IW_F_HAS_OLD;
	e.old_dom = (struct iommuwatch_domain_ref){ .id = 4, .type = 1 };
	record_from_event(&r, &e, "intel_iommu_remove_dev_pasid");
	CHECK(r.to.kind == IW_DOM_NONE && r.pasid == 7);
	CHECK(r.from.kind == IW_DOM_UNMANAGED && r.from.id == 4);

	e.kind = IW_EV_DOMAIN_FREE;
	e.new_dom = (struct iommuwatch_domain_ref){ .id = 4, .type = 1 };
	record_from_event(&r, &e, "iommu_domain_free");
	CHECK(r.type == IW_REC_DOMAIN_FREE);
	CHECK(r.from.id == 4 && r.from.kind == IW_DOM_UNMANAGED);
}

static void names_round_trip(void)
{
	for (int k = 0; k < IW_DOM_KIND_MAX; k++)
		CHECK(dom_kind_parse(dom_kind_name(k)) == k);
	for (int p = 0; p < IW_PATH_MAX; p++)
		CHECK(path_parse(path_name(p)) == p);
	CHECK(dom_kind_parse("DMA") == -1);
	CHECK(path_parse("") == -1);
	CHECK(dom_kind_from_sysfs("DMA-FQ") == IW_DOM_DMA_FQ);
	CHECK(dom_kind_from_sysfs("identity") == IW_DOM_IDENTITY);
	CHECK(dom_kind_from_sysfs("auto") == IW_DOM_UNKNOWN);
	CHECK(dom_kind_from_type(0x40, false) == IW_DOM_NESTED);
	CHECK(dom_kind_from_type(0x7, false) == IW_DOM_UNKNOWN);
}

UNIT_MAIN("record", UNIT_CASE(decodes_attach_without_old),
	  UNIT_CASE(decodes_old_and_blocking),
	  UNIT_CASE(decodes_pasid_removal_and_free),
	  UNIT_CASE(names_round_trip))
