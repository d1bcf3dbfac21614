/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files written by a tool that often runs as root, into directories others
 * may write (node_exporter's textfile directory, a log directory): nothing
 * found there is followed, waited on or written through. A file is replaced
 * through a temporary one created exclusively beside it under a name no one
 * can guess, renamed over it, the directory then synced; a file appended to
 * must be a regular file and its name the only link to it.
 */
#ifndef __IW_OUTFILE_H
#define __IW_OUTFILE_H

#include <stddef.h>
#include <sys/types.h>

/* Whatever the umask: node_exporter and a browser's user read these. */
#define OUTFILE_MODE	0644

/*
 * PATH's directory, opened (its own path is followed: it is the
 * operator's); *name points at PATH's last component. An fd or -errno.
 */
int outfile_open_dir(const char *path, const char **name);
/*
 * NAME in dirfd for appending: created with exactly mode (and the directory
 * synced), or the regular file already there whose only link NAME is,
 * opened without following a link or waiting on a FIFO. An fd or -errno;
 * a refusal sets *why to a phrase ("it is a symbolic link").
 */
int outfile_open_append(int dirfd, const char *name, mode_t mode,
			const char **why);
/* Why a call failed: *why if it was set, else strerror. */
const char *outfile_why(const char *why, int err);

/*
 * PATH replaced whole by buf (mode exactly), the file and its directory
 * synced; a failure logged as "cannot write PATH: why". 0 or -errno.
 */
int file_replace(const char *path, const char *buf, size_t len, mode_t mode);
/* Check now that PATH can be replaced; 0 or -errno, logged as an error. */
int textfile_check(const char *path);
/* file_replace() at OUTFILE_MODE, a failure logged as the textfile's. */
int textfile_write(const char *path, const char *buf, size_t len);

#endif /* __IW_OUTFILE_H */
