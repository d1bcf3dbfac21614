// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: a signed overflow in a case whose CHECK holds. UBSan's default
 * prints "runtime error" and goes on to exit 0; run.sh must fail it.
 */
#include <limits.h>
#include "unit.h"

static void overflows(void)
{
	volatile int big = INT_MAX;
	int sum = big + 1;

	CHECK(sum != 0);
}

UNIT_MAIN("canary", UNIT_CASE(overflows))
