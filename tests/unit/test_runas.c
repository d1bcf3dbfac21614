// SPDX-License-Identifier: GPL-2.0
/*
 * --user parsed against this host's passwd and group databases, and, in a
 * child (the switch cannot be undone), what a root run becomes: every uid
 * and gid the user's, no supplementary group, every capability set empty,
 * the bounding set too, and files opened before the switch with the
 * user's rights. Run without root, the privileged cases check that the
 * kernel refuses instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "caps.h"
#include "runas.h"
#include "unit.h"

#define TARGET	RUNAS_FALLBACK_ID

/* Checks in a child: say what failed, count it; the exit status is the count. */
#define CHILD_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "  %s:%d: CHECK(%s) failed in child\n", \
				__FILE__, __LINE__, #cond);		\
			failed++;					\
		}							\
	} while (0)

static void test_parse_ids(void)
{
	const char *why = NULL;
	struct runas r = {};

	CHECK(!runas_parse("1234:567", &r, &why));
	CHECK(r.uid == 1234 && r.gid == 567 && r.given);
	CHECK_STR(r.name, "1234");
	/* No such uid in passwd: the gid of the same number. */
	CHECK(!getpwuid(4000000000u));
	CHECK(!runas_parse("4000000000", &r, &why));
	CHECK(r.uid == 4000000000u && r.gid == 4000000000u);
}

/* The first entry that is not root's, as a name --user should take. */
static void test_parse_names(void)
{
	const char *why = NULL;
	struct runas r = {};
	struct passwd *pw;
	struct group *gr;
	char arg[128];

	setpwent();
	while ((pw = getpwent()) && (!pw->pw_uid || !pw->pw_gid))
		;
	CHECK(pw);
	if (pw) {
		uid_t uid = pw->pw_uid;
		gid_t gid = pw->pw_gid;

		snprintf(arg, sizeof(arg), "%s", pw->pw_name);
		CHECK(!runas_parse(arg, &r, &why));
		CHECK(r.uid == uid && r.gid == gid);
		CHECK_STR(r.name, arg);
	}
	endpwent();
	setgrent();
	while ((gr = getgrent()) && !gr->gr_gid)
		;
	CHECK(gr);
	if (gr) {
		gid_t gid = gr->gr_gid;

		snprintf(arg, sizeof(arg), "4000:%s", gr->gr_name);
		CHECK(!runas_parse(arg, &r, &why));
		CHECK(r.uid == 4000 && r.gid == gid);
		CHECK_STR(r.name, "4000");
	}
	endgrent();
}

static void test_parse_refused(void)
{
	static const struct {
		const char *arg, *why;
	} cases[] = {
		{ "root", "uid 0 is root" },
		{ "0", "uid 0 is root" },
		{ "0:65534", "uid 0 is root" },
		{ "65534:0", "gid 0 is root's group" },
		{ "65534:root", "gid 0 is root's group" },
		{ "iw-no-such-user", "no such user" },
		{ "65534:iw-no-such-group", "no such group" },
		{ "4294967295", "id out of range" },
		{ "65534:99999999999", "id out of range" },
		{ "", "expected NAME or UID, optionally :GROUP or :GID" },
		{ ":", "expected NAME or UID, optionally :GROUP or :GID" },
		{ ":65534", "expected NAME or UID, optionally :GROUP or :GID" },
		{ "65534:", "expected NAME or UID, optionally :GROUP or :GID" },
		{ "a123456789012345678901234567890123456789012345678901234567890123",
		  "expected NAME or UID, optionally :GROUP or :GID" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct runas r = {};
		const char *why = NULL;

		CHECK(runas_parse(cases[i].arg, &r, &why) == -EINVAL);
		CHECK_STR(why, cases[i].why);
		CHECK(!r.given);
	}
}

static void test_default(void)
{
	const struct passwd *pw = getpwnam("nobody");
	uid_t uid = pw ? pw->pw_uid : RUNAS_FALLBACK_ID;
	gid_t gid = pw ? pw->pw_gid : RUNAS_FALLBACK_ID;
	struct runas r = { .given = true };

	runas_default(&r);
	CHECK(r.uid == uid && r.gid == gid && uid && gid);
	CHECK(!r.given);
	CHECK_STR(r.name, "nobody");
}

/* /proc/self/status's KEY line, as a number (hex for Cap*); -1 if none. */
static long long status_field(const char *key, int base)
{
	char line[256];
	long long v = -1;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtoll(line + n + 1, NULL, base);
	if (f)
		fclose(f);
	return v;
}

/* Runs fn in a child; its exit status (the failed count), or -1. */
static int in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());	/* no atexit: LSan cannot follow a setuid */
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static const struct runas target = { TARGET, TARGET, true, "65534" };

/* What the daemon ends as: the user's ids only, and no capability left. */
static int drop_all(void)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	int failed = 0;

	CHILD_CHECK(!caps_drop_all(&target));
	CHILD_CHECK(!getresuid(&ruid, &euid, &suid));
	CHILD_CHECK(ruid == TARGET && euid == TARGET && suid == TARGET);
	CHILD_CHECK(!getresgid(&rgid, &egid, &sgid));
	CHILD_CHECK(rgid == TARGET && egid == TARGET && sgid == TARGET);
	CHILD_CHECK(getgroups(0, NULL) == 0);
	CHILD_CHECK(status_field("CapInh", 16) == 0);
	CHILD_CHECK(status_field("CapPrm", 16) == 0);
	CHILD_CHECK(status_field("CapEff", 16) == 0);
	CHILD_CHECK(status_field("CapAmb", 16) == 0);
	/* Dropped before the switch took CAP_SETPCAP away. */
	CHILD_CHECK(status_field("CapBnd", 16) == 0);
	CHILD_CHECK(status_field("NoNewPrivs", 10) == 1);
	CHILD_CHECK(!runas_is_root());
	/* Root cannot come back. */
	CHILD_CHECK(setresuid(0, 0, 0) == -1 && errno == EPERM);
	return failed;
}

/* Without root: nothing can be switched, and nothing is. */
static int refused(void)
{
	int failed = 0;
	uid_t uid = getuid();

	CHILD_CHECK(runas_switch(&target) == -EPERM);
	CHILD_CHECK(runas_fs_begin(&target) == -EPERM);
	CHILD_CHECK(getuid() == uid);
	return failed;
}

static void test_switch(void)
{
	CHECK(in_child(runas_is_root() ? drop_all : refused) == 0);
}

/* Not root: --user must name this run's own ids, the default is ignored. */
static int choose_not_root(void)
{
	const struct runas other = { 4000, 4000, true, "4000" };
	const struct runas dflt = { TARGET, TARGET, false, "nobody" };
	const struct runas *become = &other;
	struct runas self = { .given = true };
	int failed = 0;

	if (runas_is_root())
		CHILD_CHECK(!runas_switch(&target));
	self.uid = getuid();
	self.gid = getgid();
	CHILD_CHECK(runas_choose(&other, &become) == -EPERM);
	CHILD_CHECK(!runas_choose(&self, &become) && !become);
	CHILD_CHECK(!runas_choose(&dflt, &become) && !become);
	CHILD_CHECK(!runas_choose(NULL, &become) && !become);
	return failed;
}

static void test_choose(void)
{
	const struct runas *become = NULL;

	if (runas_is_root()) {
		CHECK(!runas_choose(&target, &become) && become == &target);
		CHECK(!runas_choose(NULL, &become) && !become);
	}
	CHECK(in_child(choose_not_root) == 0);
}

static char priv[] = "/tmp/iw-runas-priv-XXXXXX";
static char open_dir[] = "/tmp/iw-runas-open-XXXXXX";

/* Creates DIR/NAME; 0 or -errno, and its owner in *uid. */
static int create_in(const char *dir, const char *name, uid_t *uid)
{
	char path[128];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	fstat(fd, &st);
	*uid = st.st_uid;
	close(fd);
	return 0;
}

/* Files opened in the window are the user's; root's rights come back. */
static int fs_window(void)
{
	uid_t owner = 0;
	int failed = 0;

	CHILD_CHECK(!runas_fs_begin(&target));
	CHILD_CHECK(create_in(priv, "as-user", &owner) == -EACCES);
	CHILD_CHECK(!create_in(open_dir, "as-user", &owner) &&
		    owner == TARGET);
	CHILD_CHECK(!runas_fs_end());
	CHILD_CHECK(!create_in(priv, "as-root", &owner) && owner == 0);
	CHILD_CHECK(getgroups(0, NULL) == 0);
	CHILD_CHECK(geteuid() == 0);
	return failed;
}

static void test_fs_window(void)
{
	char path[128];

	if (!runas_is_root()) {
		CHECK(in_child(refused) == 0);
		return;
	}
	CHECK(mkdtemp(priv) && mkdtemp(open_dir));
	CHECK(!chmod(priv, 0700) && !chmod(open_dir, 01777));
	CHECK(in_child(fs_window) == 0);
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/as-%s", i & 1 ? priv : open_dir,
			 i & 2 ? "root" : "user");
		unlink(path);
	}
	CHECK(!rmdir(priv) && !rmdir(open_dir));
}

UNIT_MAIN("runas",
	  UNIT_CASE(test_parse_ids),
	  UNIT_CASE(test_parse_names),
	  UNIT_CASE(test_parse_refused),
	  UNIT_CASE(test_default),
	  UNIT_CASE(test_switch),
	  UNIT_CASE(test_choose),
	  UNIT_CASE(test_fs_window))
