// SPDX-License-Identifier: GPL-2.0
/* The daemon's journal: appended, synced, rotated and reopened. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "journal.h"
#include "log.h"
#include "outfile.h"

/* NAME in dirfd opened in place of the file written so far. */
static int switch_to(struct journal *j, int dirfd, const char *name,
		     const char **why)
{
	FILE *f;
	int fd, err;

	fd = outfile_open_append(dirfd, name, JOURNAL_MODE, why);
	if (fd < 0)
		return fd;
	f = fdopen(fd, "a");
	if (!f) {
		err = -errno;
		close(fd);
		return err;
	}
	if (j->f)
		fclose(j->f);
	j->f = f;
	return 0;
}

static int open_path(struct journal *j, const char **why)
{
	const char *name;
	int dirfd, err;

	dirfd = outfile_open_dir(j->path, &name);
	if (dirfd < 0)
		return dirfd;
	err = switch_to(j, dirfd, name, why);
	close(dirfd);
	return err;
}

/*
 * No more appending to a file that is not PATH, nor past the size limit:
 * the journal stops, which is said once, until SIGHUP opens PATH again.
 */
static void stop(struct journal *j, const char *what, int err,
		 const char *why)
{
	if (j->f)
		fclose(j->f);
	j->f = NULL;
	log_warn("cannot %s journal %s: %s; records are not journalled until SIGHUP reopens it",
		 what, j->path, outfile_why(why, err));
}

int journal_open(struct journal *j, const char *path, long max_bytes)
{
	const char *why = NULL;
	int err;

	memset(j, 0, sizeof(*j));
	j->path = strdup(path);
	j->max_bytes = max_bytes;
	if (!j->path)
		return -ENOMEM;
	err = open_path(j, &why);
	if (err)
		log_err("cannot open journal %s: %s", path,
			outfile_why(why, err));
	return err;
}

int journal_reopen(struct journal *j)
{
	const char *why = NULL;
	int err;

	if (!j->path)
		return 0;
	err = open_path(j, &why);
	if (err)
		stop(j, "reopen", err, why);
	return err;
}

/* Is NAME, not followed, the file open at fd? */
static bool names_file(int dirfd, const char *name, int fd)
{
	struct stat named, opened;

	return !fstatat(dirfd, name, &named, AT_SYMLINK_NOFOLLOW) &&
	       !fstat(fd, &opened) && named.st_dev == opened.st_dev &&
	       named.st_ino == opened.st_ino;
}

/*
 * PATH renamed to PATH.1 (which replaces whatever is there, never writing
 * through it), then a new PATH. A PATH that is no longer this file
 * (logrotate moved it and its SIGHUP is still to come) is only reopened.
 */
static int rotate(struct journal *j, const char **why)
{
	char old[NAME_MAX + 1];
	const char *name;
	int dirfd, err = 0;

	dirfd = outfile_open_dir(j->path, &name);
	if (dirfd < 0)
		return dirfd;
	if (snprintf(old, sizeof(old), "%s.1", name) >= (int)sizeof(old))
		err = -ENAMETOOLONG;
	else if (names_file(dirfd, name, fileno(j->f)) &&
		 (renameat(dirfd, name, dirfd, old) || fsync(dirfd)))
		err = -errno;
	if (!err)
		err = switch_to(j, dirfd, name, why);
	close(dirfd);
	return err;
}

/* What was written, on disk; *size the file's size. */
static int sync_file(struct journal *j, off_t *size)
{
	struct stat st;
	int err;

	j->dirty = false;
	if (fflush(j->f) || fdatasync(fileno(j->f)) ||
	    fstat(fileno(j->f), &st)) {
		err = -errno;
		log_warn("journal %s: %s", j->path, strerror(-err));
		return err;
	}
	*size = st.st_size;
	return 0;
}

int journal_sync(struct journal *j)
{
	const char *why = NULL;
	off_t size;
	int err;

	if (!j->f || !j->dirty)
		return 0;
	err = sync_file(j, &size);
	if (err || !j->max_bytes || size <= j->max_bytes)
		return err;
	err = rotate(j, &why);
	if (err)
		stop(j, "rotate", err, why);
	return err;
}

void journal_close(struct journal *j)
{
	off_t size;

	if (j->f) {
		sync_file(j, &size);
		fclose(j->f);
	}
	free(j->path);
	memset(j, 0, sizeof(*j));
}
