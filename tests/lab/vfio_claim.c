// SPDX-License-Identifier: GPL-2.0
/*
 * Drive the VFIO legacy container path on one iommu_group, the way a VMM
 * does: claim DMA ownership (blocking domain), attach a type1 domain, then
 * close everything (detach, ownership released, default domain back).
 * Usage: vfio_claim GROUP
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/vfio.h>

int main(int argc, char **argv)
{
	int container = -1, group = -1, err = EXIT_FAILURE;
	char path[64];

	if (argc != 2) {
		fprintf(stderr, "usage: vfio_claim GROUP\n");
		return EXIT_FAILURE;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%s", argv[1]);
	container = open("/dev/vfio/vfio", O_RDWR);
	group = open(path, O_RDWR);
	if (container < 0 || group < 0) {
		fprintf(stderr, "vfio_claim: open: %s\n", strerror(errno));
		goto out;
	}
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container)) {
		fprintf(stderr, "vfio_claim: set container: %s\n",
			strerror(errno));
		goto out;
	}
	printf("claimed group %s\n", argv[1]);
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		fprintf(stderr, "vfio_claim: set iommu: %s\n", strerror(errno));
		goto out;
	}
	printf("type1 attached\n");
	err = EXIT_SUCCESS;
out:
	if (group >= 0)
		close(group);
	if (container >= 0)
		close(container);
	return err;
}
