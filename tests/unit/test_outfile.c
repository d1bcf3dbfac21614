// SPDX-License-Identifier: GPL-2.0
/*
 * Files written into a scratch directory where links, FIFOs and hard links
 * were planted first, as another user who can write the directory would:
 * the textfile (and the report) replaced by rename through a temporary
 * file made exclusively, never rewritten in place nor through what was
 * planted; a file for appending opened only if it is a regular file and
 * its name its only link. A victim file outside must never change.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "outfile.h"
#include "unit.h"

static char dir[] = "/tmp/iw-outfile-XXXXXX";

/*
 * The temporary names come from getrandom(): queued values let a case
 * plant a link where the next temporary file would go.
 */
static unsigned long long queued[16];
static int n_queued;

ssize_t getrandom(void *buf, size_t len, unsigned int flags)
{
	if (!n_queued || len != sizeof(queued[0]))
		return syscall(SYS_getrandom, buf, len, flags);
	memcpy(buf, &queued[0], len);
	memmove(queued, queued + 1, --n_queued * sizeof(queued[0]));
	return len;
}

/* dir/name into buf. */
static const char *at(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

static bool victim_intact(const char *path)
{
	return !strcmp(unit_slurp(path), UNIT_VICTIM_TEXT);
}

/* Entries in dir, but . and .. */
static int n_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

static ino_t inode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

static void clean(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlink(at(path, sizeof(path), e->d_name));
	if (d)
		closedir(d);
}

/* A reader of the old file keeps it whole: the new one is renamed in. */
static void test_textfile_replaced_by_rename(void)
{
	char path[128], old_text[16] = "";
	FILE *reader;
	ino_t before;

	at(path, sizeof(path), "m.prom");
	CHECK(textfile_check(path) == 0);
	CHECK(n_entries() == 0);		/* the check leaves nothing */
	CHECK(textfile_write(path, "up 1\n", 5) == 0);
	CHECK_STR(unit_slurp(path), "up 1\n");
	before = inode_of(path);
	reader = fopen(path, "r");
	CHECK(textfile_write(path, "up 0\nx 2\n", 9) == 0);
	CHECK_STR(unit_slurp(path), "up 0\nx 2\n");
	CHECK(inode_of(path) != before);
	CHECK(n_entries() == 1);		/* no temporary file left */
	if (reader) {
		CHECK(fgets(old_text, sizeof(old_text), reader));
		fclose(reader);
	}
	CHECK_STR(old_text, "up 1\n");
	clean();
}

static void test_textfile_unwritable(void)
{
	const char *path = "/nonexistent/iw/m.prom";

	CHECK(textfile_check(path) == -ENOENT);
	CHECK(textfile_write(path, "up 1\n", 5) == -ENOENT);
}

/* The mode is the one asked for, whatever the umask says. */
static void test_replace_mode(void)
{
	char path[128];
	mode_t old = umask(0);

	at(path, sizeof(path), "r.html");
	CHECK(file_replace(path, "<p>", 3, 0644) == 0);
	CHECK((unit_lmode(path) & 07777) == 0644);
	umask(077);
	CHECK(file_replace(path, "<p>", 3, 0644) == 0);
	CHECK((unit_lmode(path) & 07777) == 0644);
	umask(old);
	clean();
}

/*
 * Links at the old fixed name (PATH.tmp) and at the very names the next
 * temporary files get: each is skipped, none written through, the file
 * still replaced. With every try taken, the write fails, still through
 * nothing.
 */
static void test_replace_planted_tmp(void)
{
	char path[128], link1[128], link2[128], fifo[128];
	const char *v = unit_victim(dir);

	at(path, sizeof(path), "m.prom");
	symlink(v, at(link1, sizeof(link1), "m.prom.tmp"));
	symlink(v, at(link2, sizeof(link2), "m.prom.0000000000aa.tmp"));
	mkfifo(at(fifo, sizeof(fifo), "m.prom.0000000000bb.tmp"), 0666);
	queued[0] = 0xaa;
	queued[1] = 0xbb;
	queued[2] = 0xcc;
	n_queued = 3;
	CHECK(textfile_write(path, "up 1\n", 5) == 0);
	CHECK(n_queued == 0);
	CHECK_STR(unit_slurp(path), "up 1\n");
	CHECK(victim_intact(v));
	CHECK(S_ISLNK(unit_lmode(link1)) && S_ISLNK(unit_lmode(link2)));
	CHECK(S_ISFIFO(unit_lmode(fifo)));
	for (int i = 0; i < 16; i++)
		queued[i] = 0xaa;
	n_queued = 16;
	CHECK(textfile_write(path, "up 2\n", 5) == -EEXIST);
	n_queued = 0;
	CHECK_STR(unit_slurp(path), "up 1\n");
	CHECK(victim_intact(v));
	CHECK(n_entries() == 4);
	clean();
	unlink(v);
}

/* At the target itself: a link, a FIFO, a directory are refused. */
static void test_replace_planted_target(void)
{
	char path[128];
	const char *v = unit_victim(dir);

	at(path, sizeof(path), "m.prom");
	symlink(v, path);
	CHECK(textfile_check(path) == -ELOOP);
	CHECK(textfile_write(path, "up 1\n", 5) == -ELOOP);
	CHECK(file_replace(path, "x", 1, 0644) == -ELOOP);
	CHECK(S_ISLNK(unit_lmode(path)));
	CHECK(victim_intact(v));
	unlink(path);
	mkfifo(path, 0666);
	alarm(10);				/* a hang fails the suite */
	CHECK(textfile_write(path, "up 1\n", 5) == -ENXIO);
	alarm(0);
	CHECK(S_ISFIFO(unit_lmode(path)));
	unlink(path);
	mkdir(path, 0755);
	CHECK(textfile_check(path) == -EISDIR);
	rmdir(path);
	CHECK(n_entries() == 0);
	unlink(v);
}

static int append_open(const char *name, const char **why)
{
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY), fd;

	*why = NULL;
	fd = outfile_open_append(dirfd, name, 0640, why);
	close(dirfd);
	return fd;
}

/* Created with exactly its mode, whatever the umask; then appended to. */
static void test_append_creates_and_appends(void)
{
	char path[128], other[128];
	const char *why;
	mode_t old = umask(0);
	int fd;

	at(path, sizeof(path), "j.jsonl");
	fd = append_open("j.jsonl", &why);
	CHECK(fd >= 0 && write(fd, "a\n", 2) == 2);
	close(fd);
	CHECK((unit_lmode(path) & 07777) == 0640);
	umask(077);
	fd = append_open("k.jsonl", &why);
	close(fd);
	CHECK((unit_lmode(at(other, sizeof(other), "k.jsonl")) & 07777) == 0640);
	fd = append_open("j.jsonl", &why);
	CHECK(fd >= 0 && write(fd, "b\n", 2) == 2);
	close(fd);
	umask(old);
	CHECK_STR(unit_slurp(path), "a\nb\n");
	clean();
}

/*
 * A link (dangling too), a FIFO with and without a reader, a hard link to
 * another file: each refused in words, nothing written, nothing waited on.
 */
static void test_append_planted(void)
{
	char path[128], dangling[128];
	const char *v = unit_victim(dir), *why;
	int reader;

	at(path, sizeof(path), "j.jsonl");
	symlink(v, path);
	CHECK(append_open("j.jsonl", &why) == -ELOOP);
	CHECK_STR(why, "it is a symbolic link");
	unlink(path);
	symlink(at(dangling, sizeof(dangling), "made"), path);
	CHECK(append_open("j.jsonl", &why) == -ELOOP);
	CHECK(!unit_lmode(dangling));
	unlink(path);
	mkfifo(path, 0666);
	alarm(10);
	CHECK(append_open("j.jsonl", &why) == -ENXIO);
	CHECK_STR(why, "it is a FIFO");
	reader = open(path, O_RDONLY | O_NONBLOCK);
	CHECK(append_open("j.jsonl", &why) == -ENXIO);
	CHECK_STR(why, "it is a FIFO");
	alarm(0);
	close(reader);
	unlink(path);
	CHECK(link(v, path) == 0);
	CHECK(append_open("j.jsonl", &why) == -EMLINK);
	CHECK_STR(why, "it has other hard links");
	CHECK(victim_intact(v));
	clean();
	unlink(v);
}

/* One scratch directory for every case, made before main() runs them. */
__attribute__((constructor)) static void make_dir(void)
{
	if (!mkdtemp(dir))
		perror("mkdtemp");
}

__attribute__((destructor)) static void remove_dir(void)
{
	rmdir(dir);
}

UNIT_MAIN("outfile", UNIT_CASE(test_textfile_replaced_by_rename),
	  UNIT_CASE(test_textfile_unwritable),
	  UNIT_CASE(test_replace_mode),
	  UNIT_CASE(test_replace_planted_tmp),
	  UNIT_CASE(test_replace_planted_target),
	  UNIT_CASE(test_append_creates_and_appends),
	  UNIT_CASE(test_append_planted))
