// SPDX-License-Identifier: GPL-2.0
/* Canary: one case that passes; run.sh must pass it (the control). */
#include "unit.h"

static void holds(void)
{
	CHECK(1 + 1 == 2);
}

UNIT_MAIN("canary", UNIT_CASE(holds))
