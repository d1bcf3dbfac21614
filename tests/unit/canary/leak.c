// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: a leak with libbpf frames in its stack (a BTF never freed), not
 * the one lsan.supp names; run.sh must fail it.
 */
#include <bpf/btf.h>
#include "unit.h"

static void leaks(void)
{
	struct btf *btf = btf__new_empty();

	CHECK(btf);
}

UNIT_MAIN("canary", UNIT_CASE(leaks))
