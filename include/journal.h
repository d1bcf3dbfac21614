/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's JSON Lines journal: appended, flushed to disk after every
 * batch, rotated to PATH.1 past a size, reopened on SIGHUP (logrotate).
 * Opened as outfile.h opens files: no link followed, no FIFO waited on.
 * A failed rotation or reopen stops it, said once in the log, until the
 * next SIGHUP opens it again.
 */
#ifndef __IW_JOURNAL_H
#define __IW_JOURNAL_H

#include <stdbool.h>
#include <stdio.h>

/* Records of the host's devices: root and its log group read them. */
#define JOURNAL_MODE	0640

struct journal {
	char *path;		/* NULL: no journal */
	FILE *f;		/* NULL: stopped after a failure */
	long max_bytes;		/* rotate to PATH.1 past this; 0: never */
	bool dirty;		/* written since the last sync */
};

/* Open for appending; 0 or -errno with one logged sentence. */
int journal_open(struct journal *j, const char *path, long max_bytes);
/* fflush + fdatasync what was written; rotate if too large. */
int journal_sync(struct journal *j);
/* Open PATH again (after an outside move); on failure the journal stops. */
int journal_reopen(struct journal *j);
void journal_close(struct journal *j);

#endif /* __IW_JOURNAL_H */
