// SPDX-License-Identifier: GPL-2.0
/* The daemon's journal: appended, synced, rotated and reopened. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "journal.h"
#include "log.h"

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
