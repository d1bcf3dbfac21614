// SPDX-License-Identifier: GPL-2.0
/* The textfile (and report -o's page): replaced whole by rename. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "log.h"
#include "outfile.h"

static int tmp_path(char *buf, size_t len, const char *path)
{
	return snprintf(buf, len, "%s.tmp", path) >= (int)len ? -ENAMETOOLONG
							      : 0;
}

int textfile_check(const char *path)
{
	char tmp[4096];
	int fd, err;

	if (tmp_path(tmp, sizeof(tmp), path))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = -errno;
		log_err("cannot write textfile %s: %s", path, strerror(-err));
		return err;
	}
	close(fd);
	unlink(tmp);
	return 0;
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

/* node_exporter must never read a half-written file: rename is atomic. */
int file_replace(const char *path, const char *buf, size_t len)
{
	char tmp[4096];
	int fd, err;

	if (tmp_path(tmp, sizeof(tmp), path))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	err = write_all(fd, buf, len);
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int textfile_write(const char *path, const char *buf, size_t len)
{
	int err = file_replace(path, buf, len);

	if (err)
		log_warn("cannot write textfile %s: %s", path, strerror(-err));
	return err;
}
