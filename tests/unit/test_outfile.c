// SPDX-License-Identifier: GPL-2.0
/*
 * The textfile in a scratch directory: replaced by rename, never
 * rewritten in place.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include "outfile.h"
#include "unit.h"

static char dir[] = "/tmp/iw-outfile-XXXXXX";

/* dir/name into buf. */
static const char *at(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

/* The whole file as a string (static buffer); "(none)" if absent. */
static const char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return "(none)";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static ino_t inode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

/* A reader of the old file keeps it whole: the new one is renamed in. */
static void test_textfile_replaced_by_rename(void)
{
	char path[128], tmp[128], old_text[16] = "";
	FILE *reader;
	ino_t before;

	at(path, sizeof(path), "m.prom");
	at(tmp, sizeof(tmp), "m.prom.tmp");
	CHECK(textfile_check(path) == 0);
	CHECK(access(tmp, F_OK) && access(path, F_OK));
	CHECK(textfile_write(path, "up 1\n", 5) == 0);
	CHECK_STR(slurp(path), "up 1\n");
	before = inode_of(path);
	reader = fopen(path, "r");
	CHECK(textfile_write(path, "up 0\nx 2\n", 9) == 0);
	CHECK_STR(slurp(path), "up 0\nx 2\n");
	CHECK(inode_of(path) != before);
	CHECK(access(tmp, F_OK) && errno == ENOENT);
	if (reader) {
		CHECK(fgets(old_text, sizeof(old_text), reader));
		fclose(reader);
	}
	CHECK_STR(old_text, "up 1\n");
	unlink(path);
}

static void test_textfile_unwritable(void)
{
	const char *path = "/nonexistent/iw/m.prom";

	CHECK(textfile_check(path) == -ENOENT);
	CHECK(textfile_write(path, "up 1\n", 5) == -ENOENT);
}

/* One scratch directory for every case, made before main() runs them. */
__attribute__((constructor)) static void make_dir(void)
{
	if (!mkdtemp(dir))
		perror("mkdtemp");
}

__attribute__((destructor)) static void remove_dir(void)
{
	rmdir(dir);
}

UNIT_MAIN("outfile", UNIT_CASE(test_textfile_replaced_by_rename),
	  UNIT_CASE(test_textfile_unwritable))
