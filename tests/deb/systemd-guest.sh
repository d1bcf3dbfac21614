#!/usr/bin/env bash
# The Debian package under a real systemd: a lab guest (qemu TCG, the
# emulated Intel IOMMU, a Debian kernel line) boots systemd as PID 1 from
# a bookworm root with the package installed, and a oneshot unit there
# (systemd-guest/iw-check) runs the installed iommuwatch probe, then
# systemctl enable --now iommuwatch and checks the unit's hardening in
# force: every thread's capability sets, no_new_privs, seccomp and uid;
# its mount namespace (read-only /, /sys, /proc/sys; a private /tmp;
# /proc/kallsyms readable, as the hook selection needs); the
# systemd-analyze security score (at most contrib's ceiling); /metrics in
# the Prometheus format (promtool again here, where it is installed); a
# real remove/rescan counted; systemctl stop exiting cleanly; one start
# line and no warning in the journal.
#
# Usage: tests/deb/systemd-guest.sh [-k LINE] [--deb FILE] [--timeout SEC]
#   -k LINE        the lab's kernel line (default the lab's, tools/lab/kernels.conf)
#   --deb FILE     test this package instead of one built from a clone of HEAD
#   --timeout SEC  give the guest up after SEC seconds (default 300)
#
# Needs root, qemu-system-x86, busybox-static, cpio, git, dpkg-dev,
# debhelper, the package's Build-Depends and mmdebstrap (tools/deps.sh).
# The bookworm root is tests/deb/run.sh's cached tarball (made here the
# same way when absent), unpacked afresh; the guest sees it read-only over
# 9p under a tmpfs overlay, so nothing it writes outlives it. On failure
# the console log and the guest's results, detail log, scrape and journal
# are kept and their directory printed.
set -Eeuo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tools/lab/lib.sh
. tools/lab/lib.sh
CACHE=$LAB_CACHE/deb
PKG=iommuwatch
GUEST=tests/deb/systemd-guest
S=systemd
# shellcheck source=tests/deb/lib.sh
. tests/deb/lib.sh

line=
deb=
tarball=
timeout_s=300
passed=0 failed=0
tmp=$(mktemp -d)
keep=0
trap cleanup EXIT
trap 'exit 130' INT TERM
root=$tmp/root
out=$tmp/out

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	local dir
	if [ "$keep" = 1 ]; then
		dir=$(mktemp -d "${TMPDIR:-/tmp}/iommuwatch-systemd.XXXXXX")
		cp -a "$out/." "$dir/" 2>/dev/null || true
		echo "      artifacts: $dir"
	fi
	rm -rf "$tmp"
}

usage() {
	sed -n '15,18s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		-k) line=${2:?}; shift ;;
		--deb) deb=$(realpath "${2:?}"); shift ;;
		--timeout) timeout_s=${2:?}; shift ;;
		*) usage ;;
		esac
		shift
	done
	line=${line:-$(conf_default_line)}
}

check_tools() {
	local t missing=""

	if [ "$(id -u)" -ne 0 ]; then
		fail tools "needs root (chroot, dpkg in the test root)"
		finish
	fi
	for t in git dpkg-buildpackage fakeroot mmdebstrap qemu-system-x86_64 cpio busybox; do
		command -v "$t" >/dev/null || missing="$missing $t"
	done
	[ -f /usr/share/qemu/qboot.rom ] || missing="$missing qboot.rom"
	if [ -n "$missing" ]; then
		fail tools "not found:$missing (bash tools/deps.sh)"
		finish
	fi
	if ! conf_row "$line" >/dev/null 2>&1 || ! ensure_kernel "$line" >/dev/null; then
		fail tools "no kernel line '$line' (tools/lab/kernels.conf, tools/lab/fetch-kernels)"
		finish
	fi
}

# The package of HEAD, from a fresh clone (nothing untracked), without
# its unit tests (suite unit and deb's build run them).
build_deb() {
	local v arch log=$tmp/build.log

	[ -z "$deb" ] || return 0
	if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
		echo "      note: uncommitted changes are not tested (HEAD only)"
	fi
	git clone -q . "$tmp/src/$PKG"
	v=$(cd "$tmp/src/$PKG" && dpkg-parsechangelog -S Version)
	arch=$(dpkg --print-architecture)
	deb=$tmp/src/${PKG}_${v}_$arch.deb
	if ! (cd "$tmp/src/$PKG" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b) \
		>"$log" 2>&1 || [ ! -f "$deb" ]; then
		fail build "dpkg-buildpackage failed, or no ${deb##*/}" "$(cat "$log")"
		finish
	fi
	pass build
}

# apt-get install ./DEB in the root, with udev and kmod as on any booted
# Debian system (the cached root has neither: without udev no device unit
# ever appears and serial-getty@ttyS0 holds multi-user.target back for
# 90 s); a cached root's package lists may be stale, so one apt-get update
# and a retry.
apt_install() {
	cp "$deb" "$root/tmp/"
	root_install "/tmp/${deb##*/}" udev kmod
}

# The root the guest boots: the package installed with its dependencies
# (the postinst starts nothing: no systemd runs in the chroot), a machine
# id (no first boot, so no preset enables the unit behind the test's
# back), the test and its unit enabled, the mount points init uses.
make_root() {
	root_tarball
	mkdir "$root" "$out"
	if ! tar -C "$root" -xf "$tarball"; then
		fail root "cannot unpack $tarball (remove it to make it again)"
		finish
	fi
	echo "$apt_line" >"$root/etc/apt/sources.list"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	if ! apt_install; then
		fail install "apt-get install ./${deb##*/} failed" "$(cat "$tmp/apt.log")"
		finish
	fi
	rm -f "$root/tmp/${deb##*/}"
	od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$root/etc/machine-id"
	echo >>"$root/etc/machine-id"
	# The ceiling contrib's test holds the unit's exposure score to.
	sed -n 's/^EXPOSURE_MAX=\([0-9.]*\)$/EXPOSURE_MAX=\1/p' tests/contrib/run.sh \
		>"$root/etc/iw-check.conf"
	install -m 0755 "$GUEST/iw-check" "$root/usr/local/sbin/iw-check"
	install -m 0644 "$GUEST/iw-check.service" "$root/etc/systemd/system/"
	mkdir -p "$root/etc/systemd/system/multi-user.target.wants" "$root/usr/lib/modules"
	ln -sf ../iw-check.service "$root/etc/systemd/system/multi-user.target.wants/"
	pass install
}

# The lab's initramfs of the line (busybox, the 9p and overlay modules)
# with this test's /init appended over the lab's. Compressed as well: the
# kernel takes an uncompressed archive only at a 4-byte aligned offset,
# which the end of a gzip stream is not, as a rule.
make_initrd() {
	local base
	base=$(tools/lab/mkinitrd "$line" intel)
	mkdir "$tmp/initrd"
	install -m 0755 "$GUEST/init" "$tmp/initrd/init"
	(cd "$tmp/initrd" && echo init | cpio -o -H newc --quiet | gzip -1) >"$tmp/init.cpio.gz"
	cat "$base" "$tmp/init.cpio.gz" >"$tmp/initrd.img"
}

# vm-run's x86 machine (tools/lab/vm-run: q35, VT-d, e1000e at 00:03.0,
# qboot), with three shares: the root, the line's modules, the results.
# One vCPU, as make check's scenarios: with two, a loaded host once let a
# vCPU run a stale int3 of the kernel's boot-time patching (an Oops in
# sched_clock_cpu), which one vCPU cannot.
boot() {
	local kdir st=0 t0
	kdir=$(kernel_dir "$line")
	# shellcheck disable=SC2054 # commas belong to qemu's option syntax
	local qemu=(qemu-system-x86_64 -accel tcg,thread=multi -smp 1 -cpu max -m 2048
		-M q35,kernel-irqchip=split
		-device intel-iommu,intremap=on,x-scalable-mode=on
		-device e1000e,addr=03.0
		-fsdev "local,id=rootfs,path=$root,security_model=none,readonly=on"
		-device virtio-9p-pci,fsdev=rootfs,mount_tag=root,addr=1c.0
		-fsdev "local,id=modfs,path=$kdir/lib/modules,security_model=none,readonly=on"
		-device virtio-9p-pci,fsdev=modfs,mount_tag=modules,addr=1d.0
		-fsdev "local,id=outfs,path=$out,security_model=none"
		-device virtio-9p-pci,fsdev=outfs,mount_tag=out,addr=1e.0
		-bios /usr/share/qemu/qboot.rom -nographic -no-reboot
		-kernel "$kdir/vmlinuz" -initrd "$tmp/initrd.img"
		-append "console=ttyS0 quiet panic=-1 intel_iommu=on no_timer_check")
	t0=$SECONDS
	timeout -k 5 "$timeout_s" "${qemu[@]}" </dev/null >"$out/console.log" 2>&1 || st=$?
	echo "      guest: kernel $(kernel_release "$line"), $((SECONDS - t0)) s, qemu exit $st"
	if [ "$st" = 124 ] || [ "$st" = 137 ]; then
		fail guest "timed out after ${timeout_s}s" "$(tail -n 30 "$out/console.log" | tr -d '\r')"
	fi
}

# The guest's results as this suite's lines; promtool over its scrape.
report() {
	local kind rest name why
	if [ ! -f "$out/results" ]; then
		fail guest "no results (the test never ran)" \
			"$(tail -n 30 "$out/console.log" | tr -d '\r')"
		return
	fi
	while read -r kind rest; do
		case $kind in
		PASS) pass "$rest" ;;
		FAIL) name=${rest%%:*} why=${rest#*: }
			fail "$name" "$why" ;;
		INFO) echo "      $rest" ;;
		esac
	done <"$out/results"
	if ! grep -qx END "$out/results"; then
		fail guest "the test stopped before its end" \
			"$(tail -n 30 "$out/console.log" | tr -d '\r')"
	fi
	if [ -s "$out/metrics.txt" ] && command -v promtool >/dev/null; then
		if why=$(promtool check metrics <"$out/metrics.txt" 2>&1); then
			pass promtool
		else
			fail promtool "promtool check metrics" "$why"
		fi
	fi
}

trap 'fail script "line $LINENO: exit $?"; finish' ERR
parse_args "$@"
check_tools
build_deb
make_root
make_initrd
boot
report
finish
