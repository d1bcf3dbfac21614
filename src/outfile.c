// SPDX-License-Identifier: GPL-2.0
/* Journal and textfile writing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "log.h"
#include "outfile.h"

int journal_open(struct journal *j, const char *path, long max_bytes)
{
	memset(j, 0, sizeof(*j));
	j->path = strdup(path);
	j->max_bytes = max_bytes;
	if (!j->path)
		return -ENOMEM;
	return journal_reopen(j);
}

int journal_reopen(struct journal *j)
{
	FILE *f = fopen(j->path, "ae");
	int err;

	if (!f) {
		err = -errno;
		log_err("cannot open journal %s: %s", j->path, strerror(-err));
		return err;
	}
	if (j->f)
		fclose(j->f);
	j->f = f;
	return 0;
}

static int rotate(struct journal *j)
{
	char old[4096];
	int err;

	if (snprintf(old, sizeof(old), "%s.1", j->path) >= (int)sizeof(old))
		return -ENAMETOOLONG;
	if (rename(j->path, old)) {
		err = -errno;
		log_warn("cannot rotate journal %s: %s", j->path,
			 strerror(-err));
		return err;
	}
	return journal_reopen(j);
}

int journal_sync(struct journal *j)
{
	int err;

	if (!j->f || !j->dirty)
		return 0;
	j->dirty = false;
	if (fflush(j->f) || fdatasync(fileno(j->f))) {
		err = -errno;
		log_warn("journal %s: %s", j->path, strerror(-err));
		return err;
	}
	if (j->max_bytes && ftell(j->f) > j->max_bytes)
		return rotate(j);
	return 0;
}

void journal_close(struct journal *j)
{
	if (j->f) {
		j->dirty = true;
		journal_sync(j);
		fclose(j->f);
	}
	free(j->path);
	memset(j, 0, sizeof(*j));
}

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
