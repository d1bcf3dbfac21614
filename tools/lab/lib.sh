# Shared helpers for the VM lab scripts; sourced, not run.
# shellcheck shell=bash

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_CONF=${IOMMUWATCH_KERNELS_CONF:-$LAB_DIR/kernels.conf}
LAB_CONF_ARM64=${IOMMUWATCH_KERNELS_CONF_ARM64:-$LAB_DIR/kernels-arm64.conf}
# The architecture the kernel helpers below work on: amd64 (kernels.conf,
# the cache's kernels/) or arm64 (kernels-arm64.conf, kernels-arm64/).
# Tools set it with lab_set_arch, from an option or from family_arch.
LAB_ARCH=amd64
LAB_CACHE=${IOMMUWATCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iommuwatch}
# apt options and the guest's bind mounts need an absolute path.
case $LAB_CACHE in /*) ;; *) LAB_CACHE=$PWD/$LAB_CACHE ;; esac

# Tools whose exit status carries another's (vm-run) set DIE_STATUS.
die() {
	echo "${0##*/}: $*" >&2
	exit "${DIE_STATUS:-1}"
}

lab_set_arch() {
	case $1 in
	amd64 | arm64) LAB_ARCH=$1 ;;
	*) die "unknown architecture '$1' (amd64 or arm64)" ;;
	esac
}

# The kernel lines file of LAB_ARCH.
lab_conf() {
	if [ "$LAB_ARCH" = arm64 ]; then echo "$LAB_CONF_ARM64"; else echo "$LAB_CONF"; fi
}

# Rows of the kernel lines file without comments and blank lines.
conf_rows() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$(lab_conf)"
}

conf_lines() {
	conf_rows | awk '{print $1}'
}

# The newest line is the last row, so adding a row moves the default.
conf_default_line() {
	conf_lines | tail -n 1
}

conf_row() {
	local row what="kernel line"
	row=$(conf_rows | awk -v l="$1" '$1 == l') || true
	[ "$LAB_ARCH" = amd64 ] || what="$LAB_ARCH $what"
	[ -n "$row" ] || die "unknown $what '$1' (see $(lab_conf))"
	echo "$row"
}

kernel_dir() {
	if [ "$LAB_ARCH" = arm64 ]; then
		echo "$LAB_CACHE/kernels-arm64/$1"
	else
		echo "$LAB_CACHE/kernels/$1"
	fi
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
	kernel_cached "$1" || "$LAB_DIR/fetch-kernels" --arch "$LAB_ARCH" "$1" >&2
}

# The emulated IOMMUs vm-run --iommu knows: three on x86 (q35), Arm's
# SMMUv3 on arm64 (virt).
LAB_FAMILIES="intel amd virtio smmuv3"

# The Debian architecture whose kernels and userland a family runs.
family_arch() {
	if [ "$1" = smmuv3 ]; then echo arm64; else echo amd64; fi
}

lab_family_valid() {
	[[ " $LAB_FAMILIES " == *" $1 "* ]] || die "unknown IOMMU family '$1' (one of: $LAB_FAMILIES)"
}

# Why the line's kernel cannot run the family (printed, status 1), or
# nothing (status 0). Debian 6.1 does not build virtio-iommu; 6.12 and
# 7.3 build it as a module. smmuv3 needs the line in kernels-arm64.conf
# (every arm64 line has the SMMUv3 driver built in).
family_missing() {
	local line=$1 family=$2
	if [ "$family" = smmuv3 ]; then
		(lab_set_arch arm64 && conf_lines | grep -qxF -- "$line") && return 0
		echo "no arm64 kernel for this line"
		return 1
	fi
	[ "$family" = virtio ] || return 0
	find "$(kernel_dir "$line")/lib/modules" -name 'virtio-iommu.ko*' | grep -q . && return 0
	echo "no virtio-iommu in this kernel"
	return 1
}

# The range a device with firmware-required direct mappings must keep
# identity-mapped: an RMRR (mkdmar) or an IVMD (mkivrs).
LAB_DIRECT_BASE=00000000FEFFC000
LAB_DIRECT_LIMIT=00000000FEFFFFFF
# On arm64 (mkdtb, a reserved-memory node of the device tree) it is the
# last MiB of the virt machine's 2 GiB of RAM (from 0x40000000).
LAB_DIRECT_BASE_ARM64=00000000BFF00000
LAB_DIRECT_LIMIT_ARM64=00000000BFFFFFFF

# 0000:00:03.0 -> "00 03 00" (hex bus, device, function).
parse_bdf() {
	[[ $1 =~ ^(0000:)?([0-9a-fA-F]{2}):([0-1][0-9a-fA-F])\.([0-7])$ ]] ||
		die "bad BDF '$1' (want 0000:BB:DD.F, segment 0)"
	printf '%02X %02X %02X\n' "0x${BASH_REMATCH[2]}" "0x${BASH_REMATCH[3]}" \
		"0x${BASH_REMATCH[4]}"
}

