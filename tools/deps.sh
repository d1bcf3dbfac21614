#!/usr/bin/env bash
# Install what building, testing and the VM lab need, from Debian packages.
# Idempotent: packages already present are left as they are.
set -euo pipefail

packages=(
	# build
	make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev
	libmicrohttpd-dev libgnutls28-dev libjson-c-dev libcap-dev pkg-config
	# lab
	qemu-system-x86 busybox-static cpio zstd xz-utils kmod acpica-tools jq
	# lab, arm64 (vm-run --iommu smmuv3): the machine, its userland, its device tree
	qemu-system-arm mmdebstrap device-tree-compiler
	# benchmark 6: load a kdump crash kernel in the guest
	kexec-tools
	# daemon tests: promtool, a real Prometheus server, a load generator
	prometheus wrk curl
	# lint: Python names (tests/lint.sh); the manual (tests/cli/run.sh)
	python3-pyflakes mandoc
	# unit file checks (systemd-analyze)
	systemd
	# the Debian package (tests/deb/run.sh; mmdebstrap is above): the tools,
	# the bash completion's library, and the Build-Depends the build above
	# does not need (the unit tests' sanitizer runtime, which clang only
	# recommends)
	debhelper dpkg-dev fakeroot lintian bash-completion libclang-rt-dev
	# benchmarks: the tracer iommuwatch is compared with
	bpftrace
	# the report and the daemon's page in a real browser (tests/browser)
	chromium fonts-dejavu-core
)

# On x86-64, the arm64 build as well (make ARCH=arm64): Debian's cross
# compiler, the -dev packages of the arm64 architecture (multiarch), and
# qemu-user to run the result on this host.
cross_arch=
[ "$(dpkg --print-architecture)" != amd64 ] || cross_arch=arm64
if [ -n "$cross_arch" ]; then
	packages+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static)
	for p in libbpf-dev libelf-dev zlib1g-dev libjson-c-dev libcap-dev \
		 libmicrohttpd-dev libgnutls28-dev; do
		packages+=("$p:$cross_arch")
	done
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: need root to install: ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ -n "$cross_arch" ] && ! dpkg --print-foreign-architectures | grep -qx "$cross_arch"; then
	dpkg --add-architecture "$cross_arch"
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
