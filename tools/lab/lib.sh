# Shared helpers for the VM lab scripts; sourced, not run.
# shellcheck shell=bash

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_CONF=${IOMMUWATCH_KERNELS_CONF:-$LAB_DIR/kernels.conf}
LAB_CACHE=${IOMMUWATCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iommuwatch}
# apt options and the guest's bind mounts need an absolute path.
case $LAB_CACHE in /*) ;; *) LAB_CACHE=$PWD/$LAB_CACHE ;; esac

# Tools whose exit status carries another's (vm-run) set DIE_STATUS.
die() {
	echo "${0##*/}: $*" >&2
	exit "${DIE_STATUS:-1}"
}

# Rows of kernels.conf without comments and blank lines.
conf_rows() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$LAB_CONF"
}

conf_lines() {
	conf_rows | awk '{print $1}'
}

# The newest line is the last row, so adding a row moves the default.
conf_default_line() {
	conf_lines | tail -n 1
}

conf_row() {
	local row
	row=$(conf_rows | awk -v l="$1" '$1 == l') || true
	[ -n "$row" ] || die "unknown kernel line '$1' (see $LAB_CONF)"
	echo "$row"
}

kernel_dir() {
	echo "$LAB_CACHE/kernels/$1"
}

# A line is usable once fetch-kernels finished it (it writes version last).
kernel_cached() {
	[ -s "$(kernel_dir "$1")/version" ]
}

kernel_release() {
	cat "$(kernel_dir "$1")/version"
}

# Fetch the line on first use so every tool works from a fresh clone.
ensure_kernel() {
	kernel_cached "$1" || "$LAB_DIR/fetch-kernels" "$1" >&2
}

# The emulated IOMMUs vm-run --iommu knows.
LAB_FAMILIES="intel amd virtio"

lab_family_valid() {
	[[ " $LAB_FAMILIES " == *" $1 "* ]] || die "unknown IOMMU family '$1' (one of: $LAB_FAMILIES)"
}

# Why the line's kernel cannot run the family (printed, status 1), or
# nothing (status 0). Debian 6.1 does not build virtio-iommu; 6.12 and
# 7.3 build it as a module.
family_missing() {
	local line=$1 family=$2
	[ "$family" = virtio ] || return 0
	find "$(kernel_dir "$line")/lib/modules" -name 'virtio-iommu.ko*' | grep -q . && return 0
	echo "no virtio-iommu in this kernel"
	return 1
}

# The range a device with firmware-required direct mappings must keep
# identity-mapped: an RMRR (mkdmar) or an IVMD (mkivrs).
LAB_DIRECT_BASE=00000000FEFFC000
LAB_DIRECT_LIMIT=00000000FEFFFFFF

# 0000:00:03.0 -> "00 03 00" (hex bus, device, function).
parse_bdf() {
	[[ $1 =~ ^(0000:)?([0-9a-fA-F]{2}):([0-1][0-9a-fA-F])\.([0-7])$ ]] ||
		die "bad BDF '$1' (want 0000:BB:DD.F, segment 0)"
	printf '%02X %02X %02X\n' "0x${BASH_REMATCH[2]}" "0x${BASH_REMATCH[3]}" \
		"0x${BASH_REMATCH[4]}"
}

