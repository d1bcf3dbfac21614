/* SPDX-License-Identifier: GPL-2.0 */
/* The process's capabilities, read and dropped through libcap. */
#ifndef __IW_CAPS_H
#define __IW_CAPS_H

#include <stdbool.h>

struct runas;

/* Root, CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON in the effective set. */
bool caps_may_trace(void);
/*
 * Drop every capability (the bounding set where CAP_SETPCAP allows it),
 * becoming the user TO on the way unless it is NULL, and set
 * no_new_privs; 0 or -errno, logged. Credentials are per thread: call it
 * while the process is still one thread.
 */
int caps_drop_all(const struct runas *to);

#endif /* __IW_CAPS_H */
