// SPDX-License-Identifier: GPL-2.0
/*
 * The integer map against a plain array that holds the same keys: random
 * puts, updates and deletes, with keys that crowd one run and wrap round.
 */
#include <stdlib.h>
#include "intmap.h"
#include "unit.h"

#define REF_MAX	4096

struct ref {
	__u64 key[REF_MAX], val[REF_MAX];
	int n;
};

static int ref_find(const struct ref *r, __u64 key)
{
	for (int i = 0; i < r->n; i++)
		if (r->key[i] == key)
			return i;
	return -1;
}

/* Every key the reference holds, and none it does not, at its value. */
static bool same(const struct intmap *m, const struct ref *r, __u64 absent)
{
	if (intmap_len(m) != (size_t)r->n || intmap_get(m, absent))
		return false;
	for (int i = 0; i < r->n; i++) {
		__u64 *v = intmap_get(m, r->key[i]);

		if (!v || *v != r->val[i])
			return false;
	}
	return true;
}

static void one_op(struct intmap *m, struct ref *r, __u64 key, bool del)
{
	int i = ref_find(r, key);

	if (del) {
		__u64 val = 0;

		CHECK(intmap_del(m, key, &val) == (i >= 0));
		CHECK(i < 0 || val == r->val[i]);
		if (i >= 0) {
			r->key[i] = r->key[--r->n];
			r->val[i] = r->val[r->n];
		}
		return;
	}
	CHECK(!intmap_put(m, key, key ^ 0x5a5a));
	if (i < 0 && r->n < REF_MAX)
		i = r->n++;
	r->key[i] = key;
	r->val[i] = key ^ 0x5a5a;
}

/* keys(x): few distinct keys, which crowd runs; absent is never one. */
static void random_ops(__u64 (*keys)(unsigned int), __u64 absent, int ops)
{
	struct intmap *m = intmap_new();
	struct ref *r = calloc(1, sizeof(*r));
	bool ok = true;

	srand(7);
	for (int i = 0; i < ops && r->n < REF_MAX - 1; i++) {
		one_op(m, r, keys(rand()), rand() % 3 == 0);
		if (i % 97 == 0)
			ok &= same(m, r, absent);
	}
	CHECK(ok && same(m, r, absent));
	intmap_free(m);
	free(r);
}

static __u64 slab_key(unsigned int x)
{
	return 0xffff888100000000ULL + (__u64)(x % 3000) * 64;
}

static __u64 small_key(unsigned int x)
{
	return 1 + x % 700;
}

static void matches_reference_slab_keys(void)
{
	random_ops(slab_key, slab_key(0) + 1, 200000);
}

static void matches_reference_small_ids(void)
{
	random_ops(small_key, 701, 200000);
}

/*
 * Churn: a few live keys, a million that come and go. Each comes back
 * absent once deleted, and the map stays as small as the live set.
 */
static void churn_leaves_nothing_behind(void)
{
	struct intmap *m = intmap_new();
	bool ok = true;

	for (__u64 k = 1; k <= 1000000; k++) {
		ok &= !intmap_put(m, k * 4096, k);
		ok &= intmap_get(m, k * 4096) && *intmap_get(m, k * 4096) == k;
		if (k > 3)
			ok &= intmap_del(m, (k - 3) * 4096, NULL);
		ok &= !intmap_get(m, (k - 3) * 4096);
	}
	CHECK(ok);
	CHECK(intmap_len(m) == 3);
	intmap_free(m);
}

static void zero_key_refused(void)
{
	struct intmap *m = intmap_new();

	CHECK(intmap_put(m, 0, 1) < 0);
	CHECK(!intmap_get(m, 0));
	CHECK(!intmap_del(m, 0, NULL));
	CHECK(!intmap_put(m, 5, 1) && intmap_clear(m) && intmap_len(m) == 0);
	CHECK(!intmap_get(m, 5));
	intmap_free(m);
}

UNIT_MAIN("intmap", UNIT_CASE(matches_reference_slab_keys),
	  UNIT_CASE(matches_reference_small_ids),
	  UNIT_CASE(churn_leaves_nothing_behind),
	  UNIT_CASE(zero_key_refused))
