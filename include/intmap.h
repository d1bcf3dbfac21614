/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Integer keys to integer values: domain addresses to ids (domains.c),
 * domain ids to reference counts (state.c).
 *
 * Not json-c's linkhash: it leaves a marker in every deleted slot and
 * clears them only when the table grows, which churn never makes it do.
 * Domains come and go for as long as a host runs while the live count
 * stays put, so the markers filled the table and every new domain's
 * lookup scanned all of it (tests/bench/consumer.c measures the churn).
 * Here deletion shifts the run back: no markers, and slots are 16 bytes.
 */
#ifndef __IW_INTMAP_H
#define __IW_INTMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct intmap;

struct intmap *intmap_new(void);
void intmap_free(struct intmap *m);
/* Drop every key; false if memory ran out (the map is then unchanged). */
bool intmap_clear(struct intmap *m);
size_t intmap_len(const struct intmap *m);

/* The value of key (never 0), or NULL: valid until the next put or del. */
__u64 *intmap_get(const struct intmap *m, __u64 key);
/* Set key (never 0) to val; -ENOMEM or -EINVAL, else 0. */
int intmap_put(struct intmap *m, __u64 key, __u64 val);
/* Remove key, its value to *val (may be NULL); false if it was not there. */
bool intmap_del(struct intmap *m, __u64 key, __u64 *val);

#endif /* __IW_INTMAP_H */
