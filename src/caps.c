// SPDX-License-Identifier: GPL-2.0
/* Capabilities: what the loader needs, and giving all of them up. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include "caps.h"
#include "log.h"
#include "runas.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON	38
#define CAP_BPF		39
#endif

static bool has_cap(cap_t caps, cap_value_t cap)
{
	cap_flag_value_t v = CAP_CLEAR;

	return !cap_get_flag(caps, cap, CAP_EFFECTIVE, &v) && v == CAP_SET;
}

bool caps_may_trace(void)
{
	cap_t caps;
	bool ok;

	if (geteuid() == 0)
		return true;
	caps = cap_get_proc();
	if (!caps)
		return false;
	ok = has_cap(caps, CAP_SYS_ADMIN) ||
	     (has_cap(caps, CAP_BPF) && has_cap(caps, CAP_PERFMON));
	cap_free(caps);
	return ok;
}

/*
 * Empty the bounding set where CAP_SETPCAP allows it (root; the unit's
 * holds only CAP_BPF and CAP_PERFMON): then not even an exec without
 * no_new_privs could regain a capability.
 */
static int drop_bounding_set(void)
{
	cap_value_t c = 0;

	while (!cap_drop_bound(c))
		c++;
	/* EINVAL: past the kernel's last capability; EPERM: no CAP_SETPCAP */
	return errno == EINVAL || (errno == EPERM && !c) ? 0 : -errno;
}

/*
 * After attach nothing needs a capability: maps and rings are open fds.
 * The bounding set goes first, while CAP_SETPCAP is still held; the user
 * next, while CAP_SETUID is. Emptying the inheritable set clears the
 * ambient one too.
 */
int caps_drop_all(const struct runas *to)
{
	cap_t none = cap_init();
	int err = drop_bounding_set();

	if (!err && to) {
		err = runas_switch(to);
		if (err)
			goto out_free;
	}
	if (!err && (!none || cap_set_proc(none)))
		err = -errno;
	if (!err && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		err = -errno;
	if (err)
		log_err("cannot drop capabilities: %s", strerror(-err));
out_free:
	cap_free(none);
	return err;
}
