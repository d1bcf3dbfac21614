/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json-c hash tables keyed by an integer held in the key pointer itself:
 * domain ids (state.c) and domain addresses (domains.c).
 */
#ifndef __IW_INTKEY_H
#define __IW_INTKEY_H

#include <stdint.h>
#include <json-c/linkhash.h>
#include <linux/types.h>

static inline void *intkey(__u64 v)
{
	return (void *)(uintptr_t)v;
}

/*
 * Every bit mixed in (the murmur3 finaliser): slab addresses share their
 * low bits, which json-c's own pointer hash keeps low.
 */
static inline unsigned long intkey_hash(const void *k)
{
	__u64 x = (uintptr_t)k;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static inline int intkey_equal(const void *a, const void *b)
{
	return a == b;
}

static inline struct lh_table *intkey_table_new(int size)
{
	return lh_table_new(size, NULL, intkey_hash, intkey_equal);
}

#endif /* __IW_INTKEY_H */
