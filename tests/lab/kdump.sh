#!/usr/bin/env bash
# Get a lab guest into a kdump crash kernel. Run inside a guest booted with
# crashkernel= (vm-run --append crashkernel=384M, scenario APPEND), as part
# of the guest's command: the same command runs again in the crash kernel.
#
# Usage: tests/lab/kdump.sh [VMLINUZ INITRD]
#   First kernel (no /proc/vmcore): loads VMLINUZ and INITRD (default: the
#   line's kernel and lab initramfs, from the lab cache) with kexec -p, its
#   command line the guest's without crashkernel= plus "nr_cpus=1
#   reset_devices", logs what it did to /run/lab/kdump.first (the result
#   share, which the crash kernel mounts again) and crashes the kernel.
#   It does not return then; on failure it prints "kdump: error: ..." on
#   stderr and exits 1.
#   Crash kernel (/proc/vmcore exists): prints that log and exits 0.
#
# The crash kernel is the line's own kernel with the lab initramfs, so it
# mounts the shared root and the result share and runs vm-run's command
# again (1 vCPU, about 330 MiB). Its stdout is what vm-run returns.
set -u

LOG=/run/lab/kdump.first

err() {
	echo "kdump: error: $*" >&2
	exit 1
}

if [ -e /proc/vmcore ]; then
	cat "$LOG" 2>/dev/null
	exit 0
fi

line=${IOMMUWATCH_LAB_LINE:-}
if [ $# -ge 2 ]; then
	vmlinuz=$1 initrd=$2
else
	[ -n "$line" ] || err "not in a lab guest (no IOMMUWATCH_LAB_LINE): name VMLINUZ and INITRD"
	top=$(cd "$(dirname "$0")/../.." && pwd)
	vmlinuz=$IOMMUWATCH_CACHE/kernels/$line/vmlinuz
	# The initramfs vm-run booted is cached; this only names it.
	initrd=$("$top/tools/lab/mkinitrd" "$line" 2>/tmp/kdump.err) ||
		err "no lab initramfs: $(tail -n 1 /tmp/kdump.err)"
fi
command -v kexec >/dev/null || err "kexec is missing (make deps installs kexec-tools)"
grep -q 'crashkernel=' /proc/cmdline || err "no crashkernel= on the kernel command line"
[ "$(cat /sys/kernel/kexec_crash_size 2>/dev/null || echo 0)" -gt 0 ] ||
	err "no memory reserved for a crash kernel: $(dmesg | grep -i -m1 crashkernel)"
args="$(sed 's/crashkernel=[^ ]*//' /proc/cmdline) nr_cpus=1 reset_devices"
{
	echo "first kernel $(uname -r): crash_size=$(cat /sys/kernel/kexec_crash_size)"
	echo "kexec -p $vmlinuz --initrd=$initrd --append=\"$args\""
} >$LOG
kexec -p "$vmlinuz" --initrd="$initrd" --append="$args" >>$LOG 2>&1 ||
	err "kexec -p failed: $(tail -n 3 $LOG | tr '\n' ' ')"
[ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ] || err "kexec_crash_loaded is 0 after kexec -p"
echo "crash kernel loaded; echo c > /proc/sysrq-trigger" >>$LOG
sync
echo c >/proc/sysrq-trigger
sleep 30
err "the kernel did not crash"
