#!/usr/bin/env bash
# Benchmark 6 (deferred), run inside a lab guest booted with crashkernel=
# (tools/bench/run.sh deferred): the cost of iommuwatch's
# iommu_deferred_attach program against an empty fentry program, in a kdump
# crash kernel, where the DMA layer calls iommu_deferred_attach on every map.
#
# Usage: kdump.sh [--quick] VMLINUZ INITRD
# The same command runs twice: in the first kernel (no /proc/vmcore) it
# loads VMLINUZ + INITRD (the lab's own initramfs, so the crash kernel
# mounts the shared root and runs this command again) with kexec -p and
# crashes the kernel; in the crash kernel it runs the benchmark. The first
# kernel's output is kept in /run/lab (the result share) and printed by the
# second run. Ends with "bench deferred: ..." (or "could not run").
set -u

IW=${IW:-build/iommuwatch}
B=build/bench
FUNC=iommu_deferred_attach
GW=10.0.2.2
QUICK=0
[ "${1:-}" = --quick ] && { QUICK=1; shift; }
VMLINUZ=${1:?usage: kdump.sh [--quick] VMLINUZ INITRD}
INITRD=${2:?usage: kdump.sh [--quick] VMLINUZ INITRD}
P1=/run/lab/kdump.first
KERNEL=$(uname -r)
if [ $QUICK = 1 ]; then
	WARM=100 PINGS=500 ROUNDS=2
else
	WARM=300 PINGS=2000 ROUNDS=6
fi

say() { printf '%s\n' "$*"; }
fail() { say "bench deferred: could not run ($*)"; exit 1; }

# ---- first kernel: load the crash kernel and crash ----
first_kernel() {
	local args
	grep -q 'crashkernel=' /proc/cmdline || fail "no crashkernel= on the first kernel's command line"
	[ "$(cat /sys/kernel/kexec_crash_size 2>/dev/null || echo 0)" -gt 0 ] ||
		fail "no memory reserved for a crash kernel: $(dmesg | grep -i -m1 crashkernel)"
	# The crash kernel gets the lab's command line (console, intel_iommu=on)
	# without the reservation; nr_cpus=1 as kdump setups do.
	args="$(sed 's/crashkernel=[^ ]*//' /proc/cmdline) nr_cpus=1 reset_devices"
	{
		say "first kernel $KERNEL: crash_size=$(cat /sys/kernel/kexec_crash_size)"
		say "kexec -p $VMLINUZ --initrd=$INITRD --append=\"$args\""
	} >$P1
	kexec -p "$VMLINUZ" --initrd="$INITRD" --append="$args" >>$P1 2>&1 ||
		{ cat $P1; fail "kexec -p failed"; }
	[ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ] || { cat $P1; fail "kexec_crash_loaded is 0"; }
	say "crash kernel loaded; echo c > /proc/sysrq-trigger" >>$P1
	sync
	echo c >/proc/sysrq-trigger
	sleep 30
	fail "the kernel did not crash"
}

# wait_line FILE PREFIX PID: until FILE has a line starting with PREFIX.
wait_line() {
	local _
	for _ in $(seq 1 1200); do
		grep -q "^$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

stop_pid() {
	local _
	[ -n "$1" ] || return 0
	kill -INT "$1" 2>/dev/null
	for _ in $(seq 1 300); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$1" 2>/dev/null && kill -KILL "$1"
	wait "$1" 2>/dev/null
}

# run_cnt and run_time_ns on FUNC of iommuwatch's program and of the two
# floors' empty programs (told apart by program id):
# "IW_CNT IW_NS A_CNT A_NS B_CNT B_NS".
stats() {
	"$B/floor" --stats | awk -v f=$FUNC -v A="$(ids 1)" -v B="$(ids 2)" '
		$4 == f && $3 == "entry" {
			w = index(" " A " ", " " $2 " ") ? "a" : index(" " B " ", " " $2 " ") ? "b" : ($7 ~ /^empty_/ ? "?" : "i")
			c[w] += $5; t[w] += $6
		}
		END { printf "%d %d %d %d %d %d\n", c["i"], t["i"], c["a"], t["a"], c["b"], t["b"] }'
}
ids() { awk -v n="$1" 'NR == n { print $2 }' /tmp/kd.floor.out; }

# DMA traffic: ICMP echo to qemu's user-net gateway, the next request as
# soon as the reply arrives (each packet is a tx and an rx buffer map).
traffic() {
	busybox ping -q -A -c "$1" -W 5 $GW >/tmp/kd.ping 2>&1
}

# The programs on FUNC: two empty ones, A and B, in one floor process,
# and iommuwatch's. A trampoline runs its programs in an order set by
# attachment, and under TCG the position alone moves an empty program's
# cost by tens of percent, so the rounds come in pairs: the empty programs
# attached before iommuwatch (odd rounds; iommuwatch and the floor start
# anew), then after it (even rounds; only the floor restarts). Over a pair,
# iommuwatch and the empty programs' mean sit at the same mean position.
# A against B shows the noise.
start_floor() {
	"$B/floor" $FUNC:entry $FUNC:entry >/tmp/kd.floor.out 2>/tmp/kd.floor.err &
	pidF=$!
	wait_line /tmp/kd.floor.err Attached $pidF ||
		fail "floor did not start: $(tail -2 /tmp/kd.floor.err)"
}

start_iw() {
	"$IW" trace --json >>/tmp/kd.iw.out 2>/tmp/kd.iw.err &
	pidI=$!
	wait_line /tmp/kd.iw.err Tracing $pidI ||
		fail "iommuwatch did not start: $(tail -2 /tmp/kd.iw.err)"
}

stop_iw() {
	stop_pid "$pidI"
	grep -v '^Tracing' /tmp/kd.iw.err | tail -1 >>/tmp/kd.iw.sum
}

# ---- crash kernel: the benchmark ----
crash_kernel() {
	local nic="" n r b t0 t1 lines0 probe ev_all ev_win=0
	pidF="" pidI=""
	cat $P1 2>/dev/null
	say "== deferred: iommuwatch's fentry program on $FUNC vs empty fentry programs, in a kdump crash kernel, same run"
	say "   crash kernel $KERNEL ($(nproc) vCPU, $(awk '/MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo)); cmdline: $(cat /proc/cmdline)"
	dmesg | grep -E -m2 'Translation already enabled|Copied translation tables' | sed 's/^/   dmesg: /'
	probe=$("$IW" probe 2>&1 | awk -v f=$FUNC '$1 == f { $1 = $1; print }')
	say "   iommuwatch probe: $probe"
	[ "$(echo "$probe" | awk '{ print $3 }')" = active ] ||
		fail "iommuwatch does not attach $FUNC in the crash kernel"
	sysctl -qw kernel.bpf_stats_enabled=1
	: >/tmp/kd.iw.out; : >/tmp/kd.iw.sum; : >/tmp/kd.rounds
	start_floor
	start_iw
	# Bind e1000e now, under trace, so that a real deferred attach on the
	# first DMA map is seen. qemu's default NIC (00:02.0) has user-net.
	modprobe e1000e || fail "modprobe e1000e failed"
	for n in /sys/bus/pci/devices/0000:00:02.0/net/*; do [ -e "$n" ] && nic=${n##*/}; done
	[ -n "$nic" ] || fail "no netdev on 0000:00:02.0"
	{ ip link set "$nic" up && ip addr add 10.0.2.15/24 dev "$nic"; } || fail "cannot bring $nic up"
	for _ in $(seq 1 100); do
		[ "$(cat "/sys/class/net/$nic/carrier" 2>/dev/null)" = 1 ] && break
		sleep 0.1
	done
	b=$(stats)
	say "   modprobe e1000e + ip link set $nic up (0000:00:02.0, user-net): $FUNC ran ${b%% *} times"
	for ((r = 1; r <= ROUNDS; r++)); do
		if [ $r -gt 1 ]; then
			stop_pid "$pidF"
			if [ $((r % 2)) = 1 ]; then
				stop_iw
				start_floor
				start_iw
			else
				start_floor
			fi
		fi
		# Warm-up: TCG translates fresh JIT images the first time they run.
		traffic $WARM || fail "ping $GW failed: $(tail -2 /tmp/kd.ping | tr '\n' ' ')"
		sleep 0.3
		lines0=$(wc -l </tmp/kd.iw.out)
		b=$(stats)
		t0=$("$B/startup" --now)
		traffic $PINGS || fail "ping $GW failed: $(tail -2 /tmp/kd.ping | tr '\n' ' ')"
		t1=$("$B/startup" --now)
		echo "$b $(stats) $((t1 - t0)) $([ $((r % 2)) = 1 ] && echo empty-first || echo iw-first)" >>/tmp/kd.rounds
		sleep 0.3
		ev_win=$((ev_win + $(tail -n +$((lines0 + 1)) /tmp/kd.iw.out | grep -c '"path":"deferred"')))
	done
	stop_pid "$pidF"
	stop_iw
	sysctl -qw kernel.bpf_stats_enabled=0
	ev_all=$(grep -c '"path":"deferred"' /tmp/kd.iw.out)
	say "   traffic per round: busybox ping -A -c $PINGS $GW over $nic after a warm-up of $WARM; last: $(grep -m1 'packets' /tmp/kd.ping)"
	say "   $ROUNDS round(s), in pairs: empty A and B attached before iommuwatch (empty-first), then after it (iw-first)"
	awk -v kernel="$KERNEL" -v ev="$ev_win" '
	{
		ic = $7 - $1; in_ = $8 - $2; ac = $9 - $3; an = $10 - $4; bc = $11 - $5; bn = $12 - $6
		if (ic <= 0 || ac <= 0 || bc <= 0) { bad = 1; next }
		em = (an / ac + bn / bc) / 2
		printf "   round %d (%s): %6d calls  iw %5.0f ns  empty A %5.0f ns  B %5.0f ns  ratio %.2f  (A/B %.2f; %.0f ms wall)\n", NR, $14, ic, in_ / ic, an / ac, bn / bc, in_ / ic / em, (an / ac) / (bn / bc), $13 / 1e6
		r[NR] = in_ / ic / em; n = NR
		IC += ic; IN += in_; AC += ac; AN += an; BC += bc; BN += bn
		if (ic != ac || ic != bc) printf "   (round %d: iommuwatch ran %d times, A %d, B %d)\n", NR, ic, ac, bc
	}
	END {
		if (bad || !IC) { print "bench deferred: could not run (no measured call of the hooked function)"; exit 1 }
		iw = IN / IC; em = (AN / AC + BN / BC) / 2; ratio = iw / em
		lo = hi = r[1]; for (i = 2; i <= n; i++) { if (r[i] < lo) lo = r[i]; if (r[i] > hi) hi = r[i] }
		printf "   all rounds: %d calls, iommuwatch %.0f ns/call, empty %.0f ns/call (A %.0f, B %.0f): ratio %.2f (rounds %.2f..%.2f), empty A/B %.2f\n", IC, iw, em, AN / AC, BN / BC, ratio, lo, hi, (AN / AC) / (BN / BC)
		if (n % 2) printf "   (%d round(s): an odd count leaves the position in the trampoline unbalanced)\n", n
		printf "bench deferred: kernel=%s calls=%d iw_ns=%.0f empty_ns=%.0f ratio=%.2f events=%d goal=1.2 (%s)\n", kernel, IC, iw, em, ratio, ev, (ratio <= 1.2 && ev == 0 ? "met" : "missed")
	}' /tmp/kd.rounds || exit 1
	say "   iommuwatch: path=deferred transitions: $ev_all in the session, $ev_win during the measured traffic"
	grep '"path":"deferred"' /tmp/kd.iw.out | head -3 | cut -c1-400 | sed 's/^/   deferred: /'
	sed -n 1p /tmp/kd.iw.sum
}

if [ -e /proc/vmcore ]; then
	crash_kernel
else
	first_kernel
fi
