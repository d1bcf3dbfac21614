// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: ub.c built with -fsanitize-recover=all (Makefile), so that it
 * is run.sh's own halt_on_error and report check that must fail it.
 */
#include "ub.c"
