#!/usr/bin/env bash
# make demo: iommuwatch at work.
# On a host with an active IOMMU where fentry programs load, it watches the
# host without touching it: status, probe, a 20 s trace. Anywhere else (or
# with DEMO_LAB=1) it boots the newest lab kernel (DEMO_LINE to choose)
# with an RMRR on 0000:00:03.0 and drives real transitions under trace,
# then shows the RMRR release on 6.12, where iommuwatch flags a violation.
set -euo pipefail
cd "$(dirname "$0")/.."
IW=build/iommuwatch

host_can_watch() {
	[ -n "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ] &&
		"$IW" probe >/dev/null 2>&1
}

host_demo() {
	echo "This host has an active IOMMU: watching it (nothing is changed)."
	"$IW" status
	"$IW" probe
	"$IW" trace -d 20
}

lab_demo() {
	local line=${DEMO_LINE:-$(awk '!/^#/ && NF { l = $1 } END { print l }' tools/lab/kernels.conf)}
	echo "No IOMMU to watch here: booting the lab's $line kernel under qemu"
	echo "(emulated Intel IOMMU, 0000:00:03.0 with an RMRR, a second e1000e at 00:04.0)."
	tools/lab/fetch-kernels "$line"
	tools/lab/vm-run -k "$line" --rmrr 0000:00:03.0 --timeout 300 \
		--qemu-args "-device e1000e,addr=04.0" -- bash tools/lab/demo-guest.sh
	[ -z "${DEMO_LINE:-}" ] || return 0
	echo
	echo "The same RMRR device released on 6.12, whose release domain is still"
	echo "Intel's blocking domain (fixed by 7.x): iommuwatch flags it."
	tools/lab/fetch-kernels 6.12
	tools/lab/vm-run -k 6.12 --rmrr 0000:00:03.0 --timeout 300 -- \
		bash tools/lab/demo-guest.sh --release-only
}

if [ "${DEMO_LAB:-0}" != 1 ] && host_can_watch; then
	host_demo
else
	lab_demo
fi
