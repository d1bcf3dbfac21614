#!/usr/bin/env bash
# The lab demo, inside the guest: trace while driving real transitions.
set -uo pipefail
. tests/lab/lib.sh

step() { printf '\n>>> %s\n' "$*"; }

# A JSON Lines trace beside the table one, drawn by `report` at the end
# into the run's export directory (vm-run --export copies it out).
json_start() {
	"$IW" trace --json >/tmp/demo.jsonl 2>/tmp/demo-json.err &
	JSON_PID=$!
	for _ in $(seq 1 600); do
		grep -q '^Tracing' /tmp/demo-json.err && return 0
		sleep 0.1
	done
	return 1
}

json_report() {
	local page=report-$IOMMUWATCH_LAB_FAMILY-$IOMMUWATCH_LAB_LINE.html

	kill -INT "$JSON_PID" && wait "$JSON_PID"
	[ -d "${IOMMUWATCH_LAB_EXPORT:-}" ] || return 0
	"$IW" report -o "$IOMMUWATCH_LAB_EXPORT/$page" /tmp/demo.jsonl 2>/dev/null &&
		echo "picture: $page"
}

# --release-only: just the RMRR device's release, traced.
if [ "${1:-}" = --release-only ]; then
	echo "kernel $(uname -r)"
	ensure_group 0000:00:03.0
	IW_OUT=/tmp/demo.out
	json_start
	iw_trace_start
	step "remove and rescan 0000:00:03.0 (its firmware wants direct mappings)"
	remove_rescan 0000:00:03.0
	iw_trace_stop >/dev/null
	cat "$IW_OUT"
	grep -vE '^(Tracing|iommuwatch: not watched)' "$IW_ERR" || true
	json_report
	exit 0
fi

# On arm64 a device gets its group as a driver binds: e1000e first.
modprobe e1000e 2>/dev/null
modprobe vfio-pci 2>/dev/null
modprobe vfio_iommu_type1 2>/dev/null
# Without interrupt remapping (the emulated SMMUv3) type1 refuses the
# container unless told that unsafe interrupts are fine.
[ "$IOMMUWATCH_LAB_FAMILY" = intel ] ||
	echo Y >/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts
echo "kernel $(uname -r)"
step "iommuwatch status"
"$IW" status

IW_OUT=/tmp/demo.out
json_start
iw_trace_start
g4=$(group_of 0000:00:04.0)
t4=$(cat /sys/kernel/iommu_groups/"$g4"/type)
step "unbind e1000e from 0000:00:04.0; group $g4 to identity, then back to $t4"
echo 0000:00:04.0 >/sys/bus/pci/devices/0000:00:04.0/driver/unbind
echo identity >/sys/kernel/iommu_groups/"$g4"/type
echo "$t4" >/sys/kernel/iommu_groups/"$g4"/type
step "remove and rescan 0000:00:03.0 (its firmware wants direct mappings)"
remove_rescan 0000:00:03.0
step "hand 0000:00:04.0 to vfio-pci and use it as a VMM would"
echo vfio-pci >/sys/bus/pci/devices/0000:00:04.0/driver_override
echo 0000:00:04.0 >/sys/bus/pci/drivers_probe
build/tests/vfio_claim "$g4"
iw_trace_stop >/dev/null
step "what iommuwatch trace printed"
cat "$IW_OUT"
grep -vE '^Tracing' "$IW_ERR" || true
json_report
