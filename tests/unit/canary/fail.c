// SPDX-License-Identifier: GPL-2.0
/* Canary: a case whose CHECK fails; run.sh must fail it. */
#include "unit.h"

static void breaks(void)
{
	CHECK(1 + 1 == 3);
}

UNIT_MAIN("canary", UNIT_CASE(breaks))
