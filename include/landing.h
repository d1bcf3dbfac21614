/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's landing page: the groups and their domains now, then the
 * report's picture of what this daemon has seen (its timeline), read-only.
 */
#ifndef __IW_LANDING_H
#define __IW_LANDING_H

#include <stddef.h>
#include "state.h"
#include "timeline.h"

/*
 * A daemon's timeline: at most 64 lanes and the last 100 violations, so
 * a page is under 8 MiB at worst (test_timeline measures 4.5 MiB: names
 * of 31 '&', a mark in every fourth column) and far less on a real host.
 */
#define LANDING_LANES		64
#define LANDING_VIOLATIONS	100

/* The page, malloc'd (*len bytes); NULL if memory ran out. */
char *landing_render(struct iw_state *st, const struct timeline *tl,
		     size_t *len);

#endif /* __IW_LANDING_H */
