/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The user a root daemon becomes once it has attached (--user, by default
 * nobody): root owns every root-owned file without any capability, so
 * dropping capabilities alone leaves the HTTP thread, which parses network
 * input, far more than it needs.
 */
#ifndef __IW_RUNAS_H
#define __IW_RUNAS_H

#include <stdbool.h>
#include <sys/types.h>

/* nobody:nogroup on Debian; used where the passwd database has no nobody. */
#define RUNAS_FALLBACK_ID	65534

struct runas {
	uid_t uid;
	gid_t gid;
	bool given;		/* named by --user, not the default */
	char name[64];		/* as the user was named, for messages */
};

/*
 * NAME or UID, optionally :GROUP or :GID (else the user's own group; a
 * UID not in the passwd database: the GID of the same number). 0, or
 * -EINVAL with *why a phrase saying what is wrong; uid 0 and gid 0 are
 * refused (they are what a root run gives up).
 */
int runas_parse(const char *arg, struct runas *r, const char **why);
/* nobody's ids, or RUNAS_FALLBACK_ID for both where there is no nobody. */
void runas_default(struct runas *r);
/* Any of the real, effective and saved uids is 0. */
bool runas_is_root(void);
/*
 * Who this run becomes: *become = u in a root run, else NULL (it already
 * is who it runs as). -EPERM, logged, where --user named someone else.
 */
int runas_choose(const struct runas *u, const struct runas **become);
/*
 * Files opened from now on are opened with r's rights and owned by it
 * (fsuid, fsgid, and no supplementary groups, which stay dropped) until
 * runas_fs_end(). Single-threaded callers only; 0 or -errno.
 */
int runas_fs_begin(const struct runas *r);
int runas_fs_end(void);
/* fn(arg) between the two; its result or -errno, logged with the user. */
int runas_fs_call(const struct runas *r, int (*fn)(void *arg), void *arg);
/*
 * Every uid and gid to r's, no supplementary group; with PR_SET_KEEPCAPS
 * off the kernel empties the permitted and effective sets. Checked by
 * reading the ids back; 0 or -errno, logged. glibc applies it to every
 * thread, but call it before any starts.
 */
int runas_switch(const struct runas *r);

#endif /* __IW_RUNAS_H */
