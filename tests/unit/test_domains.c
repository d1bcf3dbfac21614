// SPDX-License-Identifier: GPL-2.0
/* Domain addresses become ids in order of first sight, and only ids leave. */
#include "domains.h"
#include "unit.h"

#define DOM_A	0xffff888012345000ULL
#define DOM_B	0xffff888012346000ULL

static struct iommuwatch_event attach(__u64 new_key, __u64 old_key)
{
	struct iommuwatch_event e = {
		.kind = IW_EV_ATTACH, .group = 3, .pasid = IW_NO_PASID,
		.flags = IW_F_HAS_OLD, .dev = "0000:00:03.0",
		.new_dom = { .key = new_key, .type = 11 },
		.old_dom = { .key = old_key, .type = 4 },
		.group_dom = { .key = old_key, .type = 4 },
	};
	return e;
}

static struct iommuwatch_event domain_free(__u64 key)
{
	struct iommuwatch_event e = {
		.kind = IW_EV_DOMAIN_FREE, .group = -1,
		.new_dom = { .key = key, .type = 11 },
	};
	return e;
}

static void named_in_order_of_first_sight(void)
{
	struct domain_ids *d = domain_ids_new();
	struct iommuwatch_event e = attach(DOM_B, DOM_A);
	struct iw_record rec;

	CHECK(domain_ids_record(d, &e, "op", &rec));
	CHECK(rec.to.id == 1 && rec.from.id == 2);
	CHECK(rec.to.kind == IW_DOM_DMA_FQ && rec.from.kind == IW_DOM_IDENTITY);
	e = attach(DOM_A, DOM_B);
	CHECK(domain_ids_record(d, &e, "op", &rec));
	CHECK(rec.to.id == 2 && rec.from.id == 1);
	e = attach(DOM_A, 0);
	CHECK(domain_ids_record(d, &e, "op", &rec));
	CHECK(rec.from.id == 0 && rec.from.kind == IW_DOM_NONE);
	domain_ids_free(d);
}

static void free_forgets_the_address(void)
{
	struct domain_ids *d = domain_ids_new();
	struct iommuwatch_event e = attach(DOM_A, 0);
	struct iw_record rec;

	CHECK(domain_ids_record(d, &e, "op", &rec) && rec.to.id == 1);
	e = domain_free(DOM_A);
	CHECK(domain_ids_record(d, &e, "iommu_domain_free", &rec));
	CHECK(rec.type == IW_REC_DOMAIN_FREE && rec.from.id == 1);
	/* The address comes back as another domain: a new id. */
	e = attach(DOM_A, 0);
	CHECK(domain_ids_record(d, &e, "op", &rec) && rec.to.id == 2);
	domain_ids_free(d);
}

static void free_of_unseen_domain_dropped(void)
{
	struct domain_ids *d = domain_ids_new();
	struct iommuwatch_event e = domain_free(DOM_B);
	struct iw_record rec;

	CHECK(!domain_ids_record(d, &e, "iommu_domain_free", &rec));
	domain_ids_free(d);
}

/* A free that releases nothing (static, or kept by the driver) is no event. */
static void static_domain_keeps_its_id(void)
{
	static const __u32 outlives[] = { IW_F_FREE_NOOP, IW_F_FREE_MAYBE };
	struct domain_ids *d = domain_ids_new();
	struct iommuwatch_event e;
	struct iw_record rec;

	for (int i = 0; i < 2; i++) {
		e = attach(DOM_A, 0);
		CHECK(domain_ids_record(d, &e, "op", &rec) && rec.to.id == 1);
		e = domain_free(DOM_A);
		e.flags = outlives[i];
		CHECK(!domain_ids_record(d, &e, "iommu_domain_free", &rec));
	}
	/* The next group on it sees the same domain under the same id. */
	e = attach(DOM_A, DOM_B);
	CHECK(domain_ids_record(d, &e, "op", &rec) && rec.to.id == 1);
	domain_ids_free(d);
}

static void forget_all_never_reuses_ids(void)
{
	struct domain_ids *d = domain_ids_new();
	struct iommuwatch_event e = attach(DOM_A, DOM_B);
	struct iw_record rec;

	CHECK(domain_ids_record(d, &e, "op", &rec));
	domain_ids_forget_all(d);
	e = domain_free(DOM_A);
	CHECK(!domain_ids_record(d, &e, "iommu_domain_free", &rec));
	e = attach(DOM_B, 0);
	CHECK(domain_ids_record(d, &e, "op", &rec) && rec.to.id == 3);
	domain_ids_free(d);
}

UNIT_MAIN("domains", UNIT_CASE(named_in_order_of_first_sight),
	  UNIT_CASE(free_forgets_the_address),
	  UNIT_CASE(free_of_unseen_domain_dropped),
	  UNIT_CASE(static_domain_keeps_its_id),
	  UNIT_CASE(forget_all_never_reuses_ids))
