#!/usr/bin/env bash
# iommuwatch benchmarks: ratios measured side by side in one lab guest.
#
# Usage: tools/bench/run.sh [--quick] [-k LINE] [--iommu FAMILY] [BENCH...]
#   BENCH: probe_cost overhead startup deferred (default: the first three;
#          deferred boots its own guest, with crashkernel=, and crashes it)
#   -k LINE: the lab kernel line (default: the newest, 7.3); may be repeated
#   --iommu FAMILY: the emulated IOMMU (intel, the default; amd; virtio;
#          smmuv3: the arm64 line, running build/arm64's binary and helpers)
#   --quick: small storms, one round (a smoke run, about 2.5 min per line)
# Exit 0 when every benchmark ran (missed goals are reported, not failures);
# non-zero when one could not run.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"

quick=
family=intel
deferred=0
lines=()
benches=()
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=--quick ;;
	-k) lines+=("${2:?-k wants a kernel line}"); shift ;;
	--iommu) family=${2:?--iommu wants a family}; shift ;;
	-h | --help) sed -n '4,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
	probe_cost | overhead | startup) benches+=("$1") ;;
	deferred) deferred=1 ;;
	*) echo "run.sh: unknown argument '$1'" >&2; exit 64 ;;
	esac
	shift
done
[ ${#lines[@]} -gt 0 ] || lines=(7.3)
if [ $deferred = 1 ] && [ "$family" = smmuv3 ]; then
	echo "run.sh: deferred runs on the x86-64 lab only (its kdump recipe)" >&2
	exit 64
fi
[ ${#benches[@]} -gt 0 ] || [ $deferred = 1 ] || benches=(probe_cost overhead startup)

# The binary under test (IW=..., default build/iommuwatch), copied so that a
# rebuild during the run does not swap it under a running guest. An arm64
# guest (smmuv3) sees build/arm64 as build/: its binary, helpers and
# copies live there.
arch=
[ "$family" != smmuv3 ] || arch=arm64
# The arm64 guest's root, with bpftrace (tools/lab/mkroot).
[ -z "$arch" ] || export LAB_ROOT_EXTRA=bpftrace
BUILD=build${arch:+/$arch}
IW=${IW:-$BUILD/iommuwatch}
if [ ! -x "$IW" ]; then
	echo "run.sh: $IW is missing: run make${arch:+ ARCH=$arch} first" >&2
	exit 1
fi
if [ ${#benches[@]} -gt 0 ] && [ -z "$arch" ] && ! command -v bpftrace >/dev/null; then
	echo "run.sh: bpftrace is missing (make deps installs it)" >&2
	exit 1
fi
make -s -C tools/bench ${arch:+ARCH=$arch} >/dev/null
# A copy per use (cp, then rename: a guest still running an older copy
# keeps its file).
snap() { cp "$IW" "$BUILD/bench/$1.tmp.$$" && mv "$BUILD/bench/$1.tmp.$$" "$BUILD/bench/$1"; }
[ ${#benches[@]} -eq 0 ] || snap iommuwatch.snap
[ $deferred = 0 ] || snap iommuwatch.kd.snap
. tools/lab/lib.sh

timeout=1800
[ -n "$quick" ] && timeout=420
# TCG runs an arm64 guest (and bpftrace's LLVM in it) at half the speed.
[ -z "$arch" ] || timeout=$((timeout * 2))
rc=0
for line in "${lines[@]}"; do
	echo "### tools/bench/run.sh $quick -k $line --iommu $family  ($(date -u +%FT%TZ), host $(nproc) cores, $IW $(sha256sum "$IW" | cut -c1-12), git $(git rev-parse --short HEAD 2>/dev/null))"
	if [ ${#benches[@]} -gt 0 ]; then
		# Instruction time on one vCPU: the guest's clocks and each
		# task's CPU time count guest instructions, whatever else the
		# host is doing.
		tools/lab/vm-run -k "$line" --iommu "$family" --icount 0 --smp 1 --timeout $timeout -- \
			env IW=build/bench/iommuwatch.snap BENCH_ICOUNT=1 bash tools/bench/guest.sh $quick "${benches[@]}" || rc=1
	fi
	# Benchmark 6 needs a guest booted with a crash kernel reservation; the
	# same command runs in the first kernel (tests/lab/kdump.sh: kexec -p,
	# crash) and in the crash kernel (the benchmark). The crash kernel is
	# the line's own kernel and lab initramfs, so it mounts the shared root
	# as well.
	if [ $deferred = 1 ]; then
		if ! command -v kexec >/dev/null; then
			echo "bench deferred: could not run (kexec is missing: make deps installs kexec-tools)"
			rc=1
			continue
		fi
		tools/lab/vm-run -k "$line" --append crashkernel=384M --timeout $((timeout / 2 + 60)) -- \
			env IW=build/bench/iommuwatch.kd.snap bash tools/bench/kdump.sh $quick \
			"$(kernel_dir "$line")/vmlinuz" "$(tools/lab/mkinitrd "$line")" || rc=1
	fi
done
exit $rc
