/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's files: the JSON Lines journal (appended, flushed to disk
 * after every batch, rotated by size or reopened on SIGHUP) and the
 * node_exporter textfile (replaced atomically).
 */
#ifndef __IW_OUTFILE_H
#define __IW_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

struct journal {
	char *path;
	FILE *f;
	long max_bytes;		/* rotate to PATH.1 past this; 0: never */
	bool dirty;		/* written since the last sync */
};

/* Open for appending; 0 or -errno with one logged sentence. */
int journal_open(struct journal *j, const char *path, long max_bytes);
/* fflush + fdatasync what was written; rotate if too large. */
int journal_sync(struct journal *j);
/* Close and open PATH again (after an external rotation). */
int journal_reopen(struct journal *j);
void journal_close(struct journal *j);

/* Check now that PATH's directory takes a new file; 0 or -errno, logged. */
int textfile_check(const char *path);
/* Write buf to PATH.tmp, fsync, rename over PATH; 0 or -errno. */
int file_replace(const char *path, const char *buf, size_t len);
/* The same, a failure logged as the textfile's. */
int textfile_write(const char *path, const char *buf, size_t len);

#endif /* __IW_OUTFILE_H */
