// SPDX-License-Identifier: GPL-2.0
/* Canary: no case at all, "0 passed, 0 failed"; run.sh must fail it. */
#include "unit.h"

UNIT_MAIN("canary")
