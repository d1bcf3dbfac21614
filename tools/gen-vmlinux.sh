#!/usr/bin/env bash
# Regenerate vmlinux/ARCH/vmlinux.h from the BTF of a lab kernel line (a
# Debian kernel with every IOMMU driver built in). CO-RE relocates the
# programs on every other kernel, so any one recent line will do.
# Usage: tools/gen-vmlinux.sh [LINE [ARCH]]   (ARCH x86, the default, or
#   arm64, whose BTF tools/lab/vmlinux-btf carves out of the line's Image)
# LINE defaults to 6.12 on both: bpftool 7.1 prints 7.x's tagged anonymous
# members as "struct foo;", which loses their fields (clang -Wall warns).
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${2:-x86}
case $arch in
x86 | amd64)
	line=${1:-6.12} dir=vmlinux/x86
	tools/lab/fetch-kernels "$line" >&2
	btf=$(tools/lab/vmlinux-elf "$line")
	;;
arm64)
	line=${1:-6.12} dir=vmlinux/arm64
	tools/lab/fetch-kernels --arch arm64 "$line" >&2
	btf=$(tools/lab/vmlinux-btf "$line" arm64)
	;;
*) echo "gen-vmlinux: unknown ARCH '$arch' (x86 or arm64)" >&2; exit 1 ;;
esac
mkdir -p "$dir"
bpftool btf dump file "$btf" format c >"$dir/vmlinux.h.tmp"
mv "$dir/vmlinux.h.tmp" "$dir/vmlinux.h"
echo "$dir/vmlinux.h from $line ($(cat "$(dirname "$btf")/version"))" >&2
