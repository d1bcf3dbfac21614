/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files replaced by a tool that often runs as root, in directories others
 * may write (node_exporter's textfile directory): nothing found there is
 * followed, waited on or written through. A file is replaced through a
 * temporary one created exclusively beside it under a name no one can
 * guess, renamed over it, the directory then synced.
 */
#ifndef __IW_OUTFILE_H
#define __IW_OUTFILE_H

#include <stddef.h>
#include <sys/types.h>

/* Whatever the umask: node_exporter and a browser's user read these. */
#define OUTFILE_MODE	0644

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
