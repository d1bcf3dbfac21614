/* SPDX-License-Identifier: GPL-2.0 */
/* The node_exporter textfile and report -o's page: replaced atomically. */
#ifndef __IW_OUTFILE_H
#define __IW_OUTFILE_H

#include <stddef.h>

/* Check now that PATH's directory takes a new file; 0 or -errno, logged. */
int textfile_check(const char *path);
/* Write buf to PATH.tmp, fsync, rename over PATH; 0 or -errno. */
int file_replace(const char *path, const char *buf, size_t len);
/* The same, a failure logged as the textfile's. */
int textfile_write(const char *path, const char *buf, size_t len);

#endif /* __IW_OUTFILE_H */
