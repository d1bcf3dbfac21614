// SPDX-License-Identifier: GPL-2.0
/*
 * Drive the VFIO legacy container path the way a VMM does: claim DMA
 * ownership of each group (blocking domain), attach a type1 domain with
 * the first, add the others to the same container (type1 puts them on the
 * same domain where it can), then close everything in order (each group
 * detached and its ownership released; the domain freed after the last).
 * Usage: vfio_claim GROUP [GROUP...]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/vfio.h>

#define MAX_GROUPS	8

static int open_group(const char *id, int container)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/vfio/%s", id);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "vfio_claim: open %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (ioctl(fd, VFIO_GROUP_SET_CONTAINER, &container)) {
		fprintf(stderr, "vfio_claim: set container: %s\n",
			strerror(errno));
		close(fd);
		return -1;
	}
	printf("claimed group %s\n", id);
	return fd;
}

int main(int argc, char **argv)
{
	int container, groups[MAX_GROUPS], n = 0, err = EXIT_FAILURE;

	if (argc < 2 || argc - 1 > MAX_GROUPS) {
		fprintf(stderr, "usage: vfio_claim GROUP [GROUP...] (at most %d)\n",
			MAX_GROUPS);
		return EXIT_FAILURE;
	}
	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0) {
		fprintf(stderr, "vfio_claim: open: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	for (; n < argc - 1; n++) {
		groups[n] = open_group(argv[n + 1], container);
		if (groups[n] < 0)
			goto out;
		/* The IOMMU model is set once, with the first group. */
		if (n == 0 && ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
			fprintf(stderr, "vfio_claim: set iommu: %s\n",
				strerror(errno));
			n++;
			goto out;
		}
		if (n == 0)
			printf("type1 attached\n");
	}
	err = EXIT_SUCCESS;
out:
	for (int i = 0; i < n; i++)
		close(groups[i]);
	close(container);
	return err;
}
