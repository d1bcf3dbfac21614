#!/usr/bin/env bash
# Regenerate vmlinux/x86/vmlinux.h from the BTF of a lab kernel line (a
# Debian kernel with every IOMMU driver built in). CO-RE relocates the
# programs on every other kernel, so any one recent line will do.
# Usage: tools/gen-vmlinux.sh [LINE]   (default 6.12: bpftool 7.1 cannot
# print 7.x's tagged anonymous members as valid C)
set -euo pipefail
cd "$(dirname "$0")/.."
line=${1:-6.12}
tools/lab/fetch-kernels "$line" >&2
elf=$(tools/lab/vmlinux-elf "$line")
bpftool btf dump file "$elf" format c >vmlinux/x86/vmlinux.h.tmp
mv vmlinux/x86/vmlinux.h.tmp vmlinux/x86/vmlinux.h
echo "vmlinux/x86/vmlinux.h from $line ($(cat "${IOMMUWATCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iommuwatch}/kernels/$line/version"))" >&2
