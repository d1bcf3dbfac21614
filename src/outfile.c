// SPDX-License-Identifier: GPL-2.0
/*
 * Files the tool writes, often as root into a directory another user can
 * write: every name there is looked at without being followed, and every
 * file written is one this process created or checked through its fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include "log.h"
#include "outfile.h"

int outfile_open_dir(const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int fd;

	*name = slash ? slash + 1 : path;
	if (!**name)
		return slash ? -EISDIR : -ENOENT;
	if (!slash)
		strcpy(dir, ".");
	else if (snprintf(dir, sizeof(dir), "%.*s",
			  slash == path ? 1 : (int)(slash - path),
			  path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

const char *outfile_why(const char *why, int err)
{
	return why ? why : strerror(-err);
}

/* Anything but a regular file, refused: -errno, and *why in words. */
static int not_regular(mode_t mode, const char **why)
{
	if (S_ISLNK(mode)) {
		*why = "it is a symbolic link";
		return -ELOOP;
	}
	if (S_ISDIR(mode)) {
		*why = "it is a directory";
		return -EISDIR;
	}
	*why = S_ISFIFO(mode) ? "it is a FIFO" :
	       S_ISSOCK(mode) ? "it is a socket" : "it is a device";
	return -ENXIO;
}

/*
 * What NAME is now, not followed: nothing, or a regular file. Replacing
 * never writes through what is there (rename swaps the name): this only
 * refuses, in words, what cannot be meant.
 */
static int check_target(int dirfd, const char *name, const char **why)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	return S_ISREG(st.st_mode) ? 0 : not_regular(st.st_mode, why);
}

/*
 * The file open at fd is regular, and NAME, looked at after the open, is
 * it and its only link: a hard link to another file (made before the open
 * and removed after it, or still there) is refused.
 */
static int check_sole_link(int dirfd, const char *name, int fd,
			   const char **why)
{
	struct stat opened, named;

	if (fstat(fd, &opened))
		return -errno;
	if (!S_ISREG(opened.st_mode))
		return not_regular(opened.st_mode, why);
	if (fstatat(dirfd, name, &named, AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (named.st_dev != opened.st_dev || named.st_ino != opened.st_ino) {
		*why = "it was replaced while being opened";
		return -EAGAIN;
	}
	if (named.st_nlink != 1) {
		*why = "it has other hard links";
		return -EMLINK;
	}
	return 0;
}

/* An open that failed as a link (ELOOP) or a FIFO (ENXIO) does, named. */
static int open_refused(int dirfd, const char *name, int err, const char **why)
{
	struct stat st;

	if ((err == -ELOOP || err == -ENXIO) &&
	    !fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) &&
	    !S_ISREG(st.st_mode))
		return not_regular(st.st_mode, why);
	return err;
}

/*
 * NAME already there, opened without following a link or waiting on a
 * FIFO (O_NONBLOCK stays set: a regular file ignores it), then checked.
 */
static int open_existing(int dirfd, const char *name, int flags,
			 const char **why)
{
	int fd = openat(dirfd, name, flags | O_NOFOLLOW | O_NONBLOCK);
	int err;

	if (fd < 0)
		return open_refused(dirfd, name, -errno, why);
	err = check_sole_link(dirfd, name, fd, why);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int outfile_open_append(int dirfd, const char *name, mode_t mode,
			const char **why)
{
	const int flags = O_WRONLY | O_APPEND | O_CLOEXEC;
	int fd, err;

	/* O_EXCL: a link or FIFO already there fails, never followed. */
	fd = openat(dirfd, name, flags | O_CREAT | O_EXCL, mode);
	if (fd < 0)
		return errno == EEXIST ? open_existing(dirfd, name, flags, why)
				       : -errno;
	if (fchmod(fd, mode) || fsync(dirfd)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/*
 * NAME.XXXXXXXXXXXX.tmp beside NAME (48 random bits), created exclusively:
 * a link or FIFO planted under the name is an error, never followed, and
 * none can be planted ahead. An fd, tmp holding the name, or -errno.
 */
static int create_tmp(int dirfd, const char *name, char tmp[NAME_MAX + 1])
{
	unsigned long long r;
	int fd;

	for (int tries = 0; tries < 8; tries++) {
		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			return -errno;
		if (snprintf(tmp, NAME_MAX + 1, "%s.%012llx.tmp", name,
			     r & 0xffffffffffffULL) > NAME_MAX)
			return -ENAMETOOLONG;
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			    0600);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Written, moded and synced, then renamed over NAME; the directory synced. */
static int replace_at(int dirfd, const char *name, const char *buf,
		      size_t len, mode_t mode)
{
	char tmp[NAME_MAX + 1];
	int fd, err;

	fd = create_tmp(dirfd, name, tmp);
	if (fd < 0)
		return fd;
	err = write_all(fd, buf, len);
	if (!err && (fchmod(fd, mode) || fsync(fd)))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && renameat(dirfd, tmp, dirfd, name))
		err = -errno;
	if (err) {
		unlinkat(dirfd, tmp, 0);
		return err;
	}
	return fsync(dirfd) ? -errno : 0;
}

/* Show that NAME can be replaced: a temporary file made and removed. */
static int probe_at(int dirfd, const char *name)
{
	char tmp[NAME_MAX + 1];
	int fd = create_tmp(dirfd, name, tmp);

	if (fd < 0)
		return fd;
	close(fd);
	unlinkat(dirfd, tmp, 0);
	return 0;
}

/* PATH's directory, opened, and what is at PATH checked: dirfd or -errno. */
static int open_target(const char *path, const char **name, const char **why)
{
	int dirfd = outfile_open_dir(path, name), err;

	if (dirfd < 0)
		return dirfd;
	err = check_target(dirfd, *name, why);
	if (err) {
		close(dirfd);
		return err;
	}
	return dirfd;
}

/* 0 or -errno, *why set for a refusal. */
static int replace(const char *path, const char *buf, size_t len,
		   mode_t mode, const char **why)
{
	const char *name;
	int dirfd, err;

	dirfd = open_target(path, &name, why);
	if (dirfd < 0)
		return dirfd;
	err = replace_at(dirfd, name, buf, len, mode);
	close(dirfd);
	return err;
}

int file_replace(const char *path, const char *buf, size_t len, mode_t mode)
{
	const char *why = NULL;
	int err = replace(path, buf, len, mode, &why);

	if (err)
		log_err("cannot write %s: %s", path, outfile_why(why, err));
	return err;
}

int textfile_check(const char *path)
{
	const char *why = NULL, *name;
	int dirfd, err;

	dirfd = open_target(path, &name, &why);
	err = dirfd < 0 ? dirfd : probe_at(dirfd, name);
	if (dirfd >= 0)
		close(dirfd);
	if (err)
		log_err("cannot write textfile %s: %s", path,
			outfile_why(why, err));
	return err;
}

/* node_exporter must never read a half-written file: rename is atomic. */
int textfile_write(const char *path, const char *buf, size_t len)
{
	const char *why = NULL;
	int err = replace(path, buf, len, OUTFILE_MODE, &why);

	if (err)
		log_warn("cannot write textfile %s: %s", path,
			 outfile_why(why, err));
	return err;
}
