// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's journal in a scratch directory: synced, rotated past its
 * size, reopened after an outside move (what SIGHUP does); rotated over a
 * link planted at PATH.1 without writing through it; stopped, and said so,
 * when what is at PATH at a rotation or a reopen is a link or a FIFO,
 * never appending to the old file again until a reopen succeeds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include "journal.h"
#include "unit.h"

static char dir[] = "/tmp/iw-journal-XXXXXX";

/* dir/name into buf. */
static const char *at(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

/* A journal at dir/name, and the path of its other file (name + other). */
static int open_journal(struct journal *j, const char *name, long max_bytes,
			char path[128], const char *other, char other_path[128])
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s%s", name, other);
	at(path, 128, name);
	at(other_path, 128, buf);
	return journal_open(j, path, max_bytes);
}

/* What the session does per record: write if the journal is open. */
static void put(struct journal *j, const char *line)
{
	if (j->f)
		fputs(line, j->f);
	j->dirty = j->f != NULL;
}

static void test_journal_sync_and_rotate(void)
{
	char path[128], old[128];
	mode_t umask_was = umask(0);
	struct journal j;

	CHECK(open_journal(&j, "j.jsonl", 16, path, ".1", old) == 0);
	CHECK((unit_lmode(path) & 07777) == JOURNAL_MODE);
	put(&j, "{\"n\":1}\n");
	CHECK_STR(unit_slurp(path), "");		/* still in the FILE buffer */
	CHECK(journal_sync(&j) == 0);
	CHECK_STR(unit_slurp(path), "{\"n\":1}\n");
	CHECK_STR(unit_slurp(old), "(none)");
	umask(077);				/* the new file's mode still */
	put(&j, "{\"n\":2}\n{\"n\":3}\n");
	CHECK(journal_sync(&j) == 0);		/* 24 bytes > 16: rotated */
	CHECK_STR(unit_slurp(old), "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
	CHECK_STR(unit_slurp(path), "");
	CHECK((unit_lmode(path) & 07777) == JOURNAL_MODE);
	put(&j, "{\"n\":4}\n");
	journal_close(&j);			/* syncs what is left */
	CHECK_STR(unit_slurp(path), "{\"n\":4}\n");
	CHECK(!j.f && !j.path);
	journal_close(&j);			/* twice is harmless */
	umask(umask_was);
	unlink(path);
	unlink(old);
}

/* logrotate moved the file: what was written stays with it, then new. */
static void test_journal_reopen_after_move(void)
{
	char path[128], moved[128];
	struct journal j;

	CHECK(open_journal(&j, "r.jsonl", 0, path, ".moved", moved) == 0);
	put(&j, "a\n");
	CHECK(journal_sync(&j) == 0);
	CHECK(rename(path, moved) == 0);
	put(&j, "b\n");
	CHECK(journal_reopen(&j) == 0);
	put(&j, "c\n");
	CHECK(journal_sync(&j) == 0);
	CHECK_STR(unit_slurp(moved), "a\nb\n");
	CHECK_STR(unit_slurp(path), "c\n");
	journal_close(&j);
	unlink(path);
	unlink(moved);
}

static void test_journal_missing_dir(void)
{
	struct journal j;

	CHECK(journal_open(&j, "/nonexistent/iw/j.jsonl", 0) == -ENOENT);
	CHECK(!j.f);
	journal_close(&j);
}

/* PATH.1 a link to another file: the rotation replaces the link. */
static void test_journal_rotates_over_planted_link(void)
{
	char path[128], old[128];
	const char *v = unit_victim(dir);
	struct journal j;

	CHECK(open_journal(&j, "p.jsonl", 8, path, ".1", old) == 0);
	symlink(v, old);
	put(&j, "{\"n\":1}\n{\"n\":2}\n");
	CHECK(journal_sync(&j) == 0);
	CHECK(S_ISREG(unit_lmode(old)));
	CHECK_STR(unit_slurp(old), "{\"n\":1}\n{\"n\":2}\n");
	CHECK_STR(unit_slurp(v), UNIT_VICTIM_TEXT);
	CHECK(S_ISREG(unit_lmode(path)) && j.f);
	journal_close(&j);
	unlink(path);
	unlink(old);
	unlink(v);
}

/*
 * Another user moved the journal away and put a link at PATH before a
 * rotation: the journal stops (the old file is past its limit and no
 * longer PATH) and says so once; a reopen with PATH cleared resumes it.
 */
static void test_journal_stops_at_refused_rotation(void)
{
	char path[128], moved[128], want[512], log[1024];
	const char *v = unit_victim(dir);
	struct journal j;

	CHECK(open_journal(&j, "s.jsonl", 16, path, ".moved", moved) == 0);
	put(&j, "{\"n\":1}\n");
	CHECK(journal_sync(&j) == 0);
	CHECK(rename(path, moved) == 0 && symlink(v, path) == 0);
	put(&j, "{\"n\":2}\n{\"n\":3}\n");
	unit_stderr_begin();
	CHECK(journal_sync(&j) == -ELOOP);
	snprintf(want, sizeof(want), "iommuwatch: warning: cannot rotate journal %s: it is a symbolic link; records are not journalled until SIGHUP reopens it\n",
		 path);
	CHECK_STR(unit_stderr_end(log, sizeof(log)), want);
	CHECK(!j.f);
	put(&j, "{\"n\":4}\n");
	CHECK(journal_sync(&j) == 0);		/* stopped: nothing, no log */
	CHECK_STR(unit_slurp(moved), "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
	CHECK_STR(unit_slurp(v), UNIT_VICTIM_TEXT);
	unlink(path);
	CHECK(journal_reopen(&j) == 0 && j.f);
	put(&j, "{\"n\":5}\n");
	CHECK(journal_sync(&j) == 0);
	CHECK_STR(unit_slurp(path), "{\"n\":5}\n");
	journal_close(&j);
	unlink(path);
	unlink(moved);
	unlink(v);
}

/* SIGHUP with a FIFO at PATH: no hang, the moved file no longer written. */
static void test_journal_stops_at_refused_reopen(void)
{
	char path[128], moved[128], want[512], log[1024];
	struct journal j;

	CHECK(open_journal(&j, "f.jsonl", 0, path, ".moved", moved) == 0);
	put(&j, "a\n");
	CHECK(rename(path, moved) == 0 && mkfifo(path, 0666) == 0);
	unit_stderr_begin();
	alarm(10);				/* a hang fails the suite */
	CHECK(journal_reopen(&j) == -ENXIO);
	alarm(0);
	snprintf(want, sizeof(want), "iommuwatch: warning: cannot reopen journal %s: it is a FIFO; records are not journalled until SIGHUP reopens it\n",
		 path);
	CHECK_STR(unit_stderr_end(log, sizeof(log)), want);
	CHECK(!j.f);
	put(&j, "b\n");
	CHECK(journal_sync(&j) == 0);
	CHECK_STR(unit_slurp(moved), "a\n");
	CHECK(S_ISFIFO(unit_lmode(path)));
	unlink(path);
	journal_close(&j);
	unlink(moved);
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

UNIT_MAIN("journal", UNIT_CASE(test_journal_sync_and_rotate),
	  UNIT_CASE(test_journal_reopen_after_move),
	  UNIT_CASE(test_journal_missing_dir),
	  UNIT_CASE(test_journal_rotates_over_planted_link),
	  UNIT_CASE(test_journal_stops_at_refused_rotation),
	  UNIT_CASE(test_journal_stops_at_refused_reopen))
