/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stable ids for the kernel's domains. Events carry a domain's address;
 * it is turned into an id here, in order of first sight, and goes no
 * further: no record, line or metric holds an address. Naming domains in
 * the reader rather than in a BPF hash took three map lookups off every
 * attach event.
 */
#ifndef __IW_DOMAINS_H
#define __IW_DOMAINS_H

#include <stdbool.h>
#include "record.h"

struct domain_ids;

struct domain_ids *domain_ids_new(void);
void domain_ids_free(struct domain_ids *d);

/*
 * The record of a live event, its domains named. False: nothing to record
 * (the free of a domain no event has shown).
 */
bool domain_ids_record(struct domain_ids *d, const struct iommuwatch_event *e,
		       const char *hook_name, struct iw_record *rec);

/*
 * Events were lost, frees among them perhaps: forget every address (a
 * reused one must not inherit an id). Ids already given are not reused.
 */
void domain_ids_forget_all(struct domain_ids *d);

#endif /* __IW_DOMAINS_H */
