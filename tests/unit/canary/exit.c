// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: a library's exit(0) halfway; the cases after it never run and
 * the binary exits 0 without its closing line. run.sh must fail it.
 */
#include <stdlib.h>
#include "unit.h"

static void holds(void)
{
	CHECK(1);
}

static void exits(void)
{
	exit(0);
}

UNIT_MAIN("canary", UNIT_CASE(holds), UNIT_CASE(exits), UNIT_CASE(holds))
