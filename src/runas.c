// SPDX-License-Identifier: GPL-2.0
/* The user a root daemon becomes: --user parsed, file rights, the switch. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include "log.h"
#include "runas.h"

static const char usage[] = "expected NAME or UID, optionally :GROUP or :GID";

/* A decimal id below (uid_t)-1, which the kernel reads as "unchanged". */
static int parse_id(const char *s, unsigned int *id, const char **why)
{
	unsigned long long v = 0;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++)
		if (v < (uid_t)-1)
			v = v * 10 + (s[i] - '0');
	if (!i || s[i])
		return 1;	/* not a number: a name */
	if (v >= (uid_t)-1) {
		*why = "id out of range";
		return -EINVAL;
	}
	*id = v;
	return 0;
}

static int parse_user(const char *s, struct runas *r, const char **why)
{
	struct passwd *pw;
	unsigned int id;
	int err;

	err = parse_id(s, &id, why);
	if (err < 0)
		return err;
	pw = err ? getpwnam(s) : getpwuid(id);
	if (err && !pw) {
		*why = "no such user";
		return -EINVAL;
	}
	r->uid = pw ? pw->pw_uid : id;
	r->gid = pw ? pw->pw_gid : id;
	return 0;
}

static int parse_group(const char *s, struct runas *r, const char **why)
{
	struct group *gr;
	unsigned int id;
	int err;

	err = parse_id(s, &id, why);
	if (err < 0)
		return err;
	if (!err) {
		r->gid = id;
		return 0;
	}
	gr = getgrnam(s);
	if (!gr) {
		*why = "no such group";
		return -EINVAL;
	}
	r->gid = gr->gr_gid;
	return 0;
}

int runas_parse(const char *arg, struct runas *r, const char **why)
{
	char user[sizeof(r->name)];
	const char *group;
	size_t len;
	int err;

	group = strchr(arg, ':');
	len = group ? (size_t)(group - arg) : strlen(arg);
	*why = usage;
	if (!len || len >= sizeof(user) || (group && !group[1]))
		return -EINVAL;
	memcpy(user, arg, len);
	user[len] = '\0';
	err = parse_user(user, r, why);
	if (!err && group)
		err = parse_group(group + 1, r, why);
	if (err)
		return err;
	if (!r->uid || !r->gid) {
		*why = r->uid ? "gid 0 is root's group" : "uid 0 is root";
		return -EINVAL;
	}
	r->given = true;
	snprintf(r->name, sizeof(r->name), "%s", user);
	return 0;
}

void runas_default(struct runas *r)
{
	const struct passwd *pw = getpwnam("nobody");

	r->uid = pw && pw->pw_uid ? pw->pw_uid : RUNAS_FALLBACK_ID;
	r->gid = pw && pw->pw_gid ? pw->pw_gid : RUNAS_FALLBACK_ID;
	r->given = false;
	snprintf(r->name, sizeof(r->name), "nobody");
}

bool runas_is_root(void)
{
	uid_t ruid, euid, suid;

	/* getresuid cannot fail with valid pointers. */
	getresuid(&ruid, &euid, &suid);
	return !ruid || !euid || !suid;
}

int runas_choose(const struct runas *u, const struct runas **become)
{
	*become = NULL;
	if (u && runas_is_root()) {
		*become = u;
		return 0;
	}
	if (u && u->given && (u->uid != getuid() || u->gid != getgid())) {
		log_err("--user %s needs a run as root: this one runs as uid %u",
			u->name, getuid());
		return -EPERM;
	}
	return 0;
}

/* setfsuid and setfsgid return the old id, never an error: read back. */
static int set_fs_ids(uid_t uid, gid_t gid)
{
	setfsgid(gid);
	setfsuid(uid);
	if ((gid_t)setfsgid(-1) != gid || (uid_t)setfsuid(-1) != uid)
		return -EPERM;
	return 0;
}

int runas_fs_begin(const struct runas *r)
{
	if (setgroups(0, NULL))
		return -errno;
	return set_fs_ids(r->uid, r->gid);
}

int runas_fs_end(void)
{
	return set_fs_ids(geteuid(), getegid());
}

int runas_fs_call(const struct runas *r, int (*fn)(void *arg), void *arg)
{
	int err, end;

	err = runas_fs_begin(r);
	if (err) {
		log_err("cannot take the file rights of user %s: %s", r->name,
			strerror(-err));
		return err;
	}
	err = fn(arg);
	end = runas_fs_end();
	if (end)
		log_err("cannot take the file rights back: %s", strerror(-end));
	if (err == -EACCES || err == -EPERM)
		log_info("a root daemon opens its files as user %s (uid %u, gid %u), see --user",
			 r->name, r->uid, r->gid);
	return err ? err : end;
}

/* All three uids and gids are r's, and no supplementary group is left. */
static bool became(const struct runas *r)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (getresuid(&ruid, &euid, &suid) || getresgid(&rgid, &egid, &sgid))
		return false;
	return ruid == r->uid && euid == r->uid && suid == r->uid &&
	       rgid == r->gid && egid == r->gid && sgid == r->gid &&
	       getgroups(0, NULL) == 0;
}

int runas_switch(const struct runas *r)
{
	int err = 0;

	/* Groups first: setgroups and setresgid need root's CAP_SETGID. */
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) || setgroups(0, NULL) ||
	    setresgid(r->gid, r->gid, r->gid) ||
	    setresuid(r->uid, r->uid, r->uid))
		err = -errno;
	else if (!became(r))
		err = -EPERM;
	if (err)
		log_err("cannot become user %s (uid %u, gid %u): %s", r->name,
			r->uid, r->gid, strerror(-err));
	return err;
}
