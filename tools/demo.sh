#!/usr/bin/env bash
# make demo: iommuwatch at work.
# On a host with an active IOMMU where iommuwatch's programs load, it
# watches the host without touching it: status, probe, a 20 s trace.
# Anywhere else (or with DEMO_LAB=1) it boots the newest lab kernel
# (DEMO_LINE to choose) with firmware-required direct mappings on
# 0000:00:03.0 and drives real transitions under trace, then shows that
# device's release on 6.12. The make target passes IW (the binary) and
# DEMO_ARCH: with ARCH=arm64 on an x86-64 host the lab is the arm64 one,
# Debian's arm64 kernels behind an emulated SMMUv3.
set -euo pipefail
cd "$(dirname "$0")/.."
IW=${IW:-build/iommuwatch}
DEMO_ARCH=${DEMO_ARCH:-x86}
DEMO_HOST_ARCH=${DEMO_HOST_ARCH:-$DEMO_ARCH}

host_can_watch() {
	[ "$DEMO_ARCH" = "$DEMO_HOST_ARCH" ] &&
		[ -n "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ] &&
		"$IW" probe >/dev/null 2>&1
}

host_demo() {
	echo "This host has an active IOMMU: watching it (nothing is changed)."
	"$IW" status
	"$IW" probe
	"$IW" trace -d 20
}

# Where the guests' reports land: iommuwatch report of each run's trace.
PICTURES=build/demo

pictures() {
	echo
	echo "Each run drawn by iommuwatch report (open in a browser):"
	ls "$PICTURES"/report-*.html 2>/dev/null | sed 's/^/  /'
}

newest_line() {
	awk '!/^#/ && NF { l = $1 } END { print l }' "$1"
}

# The lab's guests run x86-64 or arm64 kernels from an x86-64 host's root.
lab_demo_x86() {
	local line=${DEMO_LINE:-$(newest_line tools/lab/kernels.conf)}
	echo "No IOMMU to watch here: booting the lab's $line kernel under qemu"
	echo "(emulated Intel IOMMU, 0000:00:03.0 with an RMRR, a second e1000e at 00:04.0)."
	tools/lab/fetch-kernels "$line"
	tools/lab/vm-run -k "$line" --rmrr 0000:00:03.0 --timeout 300 \
		--export "$PICTURES" --qemu-args "-device e1000e,addr=04.0" -- \
		bash tools/lab/demo-guest.sh
	[ -z "${DEMO_LINE:-}" ] || { pictures; return 0; }
	echo
	echo "The same RMRR device released on 6.12, whose release domain is still"
	echo "Intel's blocking domain (fixed by 7.x): iommuwatch flags it."
	tools/lab/fetch-kernels 6.12
	tools/lab/vm-run -k 6.12 --rmrr 0000:00:03.0 --timeout 300 \
		--export "$PICTURES" -- bash tools/lab/demo-guest.sh --release-only
	pictures
}

lab_demo_arm64() {
	local line=${DEMO_LINE:-$(newest_line tools/lab/kernels-arm64.conf)}
	local smmu=(--iommu smmuv3 --rmrr 0000:00:03.0 --timeout 400)
	echo "Booting the lab's arm64 $line kernel under qemu (emulated SMMUv3;"
	echo "0000:00:03.0 with direct mappings from the device tree, a second e1000e at 00:04.0)."
	tools/lab/fetch-kernels --arch arm64 "$line"
	tools/lab/vm-run -k "$line" "${smmu[@]}" --export "$PICTURES" \
		--qemu-args "-device e1000e,addr=04.0" -- bash tools/lab/demo-guest.sh
	[ -z "${DEMO_LINE:-}" ] || { pictures; return 0; }
	echo
	echo "The same device released on 6.12: SMMUv3's own arm_smmu_release_device"
	echo "attaches the identity domain, outside the core; iommuwatch sees it, silent."
	tools/lab/fetch-kernels --arch arm64 6.12
	tools/lab/vm-run -k 6.12 "${smmu[@]}" --export "$PICTURES" -- \
		bash tools/lab/demo-guest.sh --release-only
	pictures
}

if [ "${DEMO_LAB:-0}" != 1 ] && host_can_watch; then
	host_demo
elif [ "$DEMO_HOST_ARCH" != x86 ]; then
	echo "demo: no IOMMU to watch here, and the lab runs on x86-64 hosts only" >&2
	exit 1
elif [ "$DEMO_ARCH" = arm64 ]; then
	lab_demo_arm64
else
	lab_demo_x86
fi
