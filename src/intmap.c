// SPDX-License-Identifier: GPL-2.0
/* Open addressing, linear probing, backward-shift deletion. */
#include <errno.h>
#include <stdlib.h>
#include "intmap.h"

/* Key 0 marks an empty slot: no domain has address or id 0. */
struct slot {
	__u64 key;
	__u64 val;
};

struct intmap {
	struct slot *slots;
	size_t mask;		/* capacity - 1, a power of two */
	size_t len;
};

#define INTMAP_MIN	64

/*
 * Every bit mixed in (the murmur3 finaliser): slab addresses and
 * consecutive ids would otherwise crowd a few runs.
 */
static size_t home(const struct intmap *m, __u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x & m->mask;
}

static struct slot *find(const struct intmap *m, __u64 key)
{
	for (size_t i = home(m, key);; i = (i + 1) & m->mask) {
		if (m->slots[i].key == key)
			return &m->slots[i];
		if (!m->slots[i].key)
			return NULL;
	}
}

static int alloc_slots(struct intmap *m, size_t cap)
{
	struct slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	free(m->slots);
	m->slots = slots;
	m->mask = cap - 1;
	m->len = 0;
	return 0;
}

struct intmap *intmap_new(void)
{
	struct intmap *m = calloc(1, sizeof(*m));

	if (m && alloc_slots(m, INTMAP_MIN)) {
		free(m);
		return NULL;
	}
	return m;
}

void intmap_free(struct intmap *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m);
}

bool intmap_clear(struct intmap *m)
{
	return !alloc_slots(m, INTMAP_MIN);
}

size_t intmap_len(const struct intmap *m)
{
	return m->len;
}

__u64 *intmap_get(const struct intmap *m, __u64 key)
{
	struct slot *s = key ? find(m, key) : NULL;

	return s ? &s->val : NULL;
}

static void place(struct intmap *m, __u64 key, __u64 val)
{
	size_t i = home(m, key);

	while (m->slots[i].key)
		i = (i + 1) & m->mask;
	m->slots[i] = (struct slot){ .key = key, .val = val };
	m->len++;
}

/* Kept at most half full: short runs, and a miss ends soon. */
static int grow(struct intmap *m)
{
	struct slot *old = m->slots;
	size_t cap = m->mask + 1;

	m->slots = NULL;
	if (alloc_slots(m, cap * 2)) {
		m->slots = old;
		return -ENOMEM;
	}
	for (size_t i = 0; i < cap; i++)
		if (old[i].key)
			place(m, old[i].key, old[i].val);
	free(old);
	return 0;
}

int intmap_put(struct intmap *m, __u64 key, __u64 val)
{
	struct slot *s;

	if (!key)
		return -EINVAL;
	s = find(m, key);
	if (s) {
		s->val = val;
		return 0;
	}
	if (m->len + 1 > (m->mask + 1) / 2 && grow(m))
		return -ENOMEM;
	place(m, key, val);
	return 0;
}

/* May the entry at j, whose home is h, move back to the hole at i? */
static bool can_fill(size_t i, size_t j, size_t h)
{
	/* Yes unless its home lies cyclically in (i, j]. */
	return i <= j ? (h <= i || h > j) : (h <= i && h > j);
}

bool intmap_del(struct intmap *m, __u64 key, __u64 *val)
{
	struct slot *s = key ? find(m, key) : NULL;
	size_t i, j;

	if (!s)
		return false;
	if (val)
		*val = s->val;
	i = s - m->slots;
	for (j = (i + 1) & m->mask; m->slots[j].key; j = (j + 1) & m->mask) {
		if (can_fill(i, j, home(m, m->slots[j].key))) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i].key = 0;
	m->len--;
	return true;
}
