#!/usr/bin/env bash
# Benchmark 6 (deferred), run inside a lab guest booted with crashkernel=
# (tools/bench/run.sh deferred): in a kdump crash kernel, where the DMA
# layer calls iommu_deferred_attach on every map, what iommuwatch adds to
# that function (it attaches no program there: the attach_dev op labels the
# deferred attach) against what an empty fentry program there costs, and
# whether the real deferred attach at link-up is still reported.
#
# Usage: kdump.sh [--quick] VMLINUZ INITRD
# The same command runs twice: in the first kernel (no /proc/vmcore)
# tests/lab/kdump.sh loads VMLINUZ + INITRD (the lab's own initramfs, so
# the crash kernel mounts the shared root and runs this command again) with
# kexec -p and crashes the kernel; in the crash kernel it runs the
# benchmark, and prints the first kernel's log first. Ends with
# "bench deferred: ..." (or "could not run").
set -u

IW=${IW:-build/iommuwatch}
B=build/bench
FUNC=iommu_deferred_attach
DEV=0000:00:02.0
GW=10.0.2.2
QUICK=0
[ "${1:-}" = --quick ] && { QUICK=1; shift; }
VMLINUZ=${1:?usage: kdump.sh [--quick] VMLINUZ INITRD}
INITRD=${2:?usage: kdump.sh [--quick] VMLINUZ INITRD}
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
	bash tests/lab/kdump.sh "$VMLINUZ" "$INITRD" 2>/tmp/kd.err
	fail "$(sed 's/^kdump: error: //' /tmp/kd.err | tail -n 1)"
}

. "$(dirname "$0")/lib.sh"

# Every fentry/fexit link in the guest, from floor --stats, is the floor's
# (its two empty programs A and B, told apart by program id) or
# iommuwatch's (nothing else traces here). On FUNC, run_cnt and run_time_ns:
# "IW_LINKS IW_CNT IW_NS A_CNT A_NS B_CNT B_NS".
stats() {
	"$B/floor" --stats | awk -v f=$FUNC -v A="$(ids 1)" -v B="$(ids 2)" '
		$4 != f { next }
		{ w = index(" " A " ", " " $2 " ") ? "a" : index(" " B " ", " " $2 " ") ? "b" : "i" }
		w == "i" { n++ }
		{ c[w] += $5; t[w] += $6 }
		END { printf "%d %d %d %d %d %d %d\n", n, c["i"], t["i"], c["a"], t["a"], c["b"], t["b"] }'
}
ids() { awk -v n="$1" 'NR == n { print $2 }' /tmp/kd.floor.out; }

# "LINKS FUNCS": iommuwatch's fentry/fexit links in all, and on how many
# functions.
iw_links() {
	"$B/floor" --stats | awk -v A="$(ids 1) $(ids 2)" '
		!index(" " A " ", " " $2 " ") { n++; if (!seen[$4]++) f++ }
		END { printf "%d %d\n", n, f }'
}

# DMA traffic: ICMP echo to qemu's user-net gateway, the next request as
# soon as the reply arrives (each packet is a tx and an rx buffer map).
traffic() {
	busybox ping -q -A -c "$1" -W 5 $GW >/tmp/kd.ping 2>&1 ||
		fail "ping $GW failed: $(tail -2 /tmp/kd.ping | tr '\n' ' ')"
}

# Wall time as iommuwatch's JSON writes it, to compare as strings.
rfc3339() { date -u +%Y-%m-%dT%H:%M:%S.%NZ; }

# Two empty programs on FUNC, A and B, in one floor process: the cost a
# program there has at the least. A against B, identical programs (B is
# attached after A), shows the noise and the position in the trampoline.
start_floor() {
	"$B/floor" $FUNC:entry $FUNC:entry >/tmp/kd.floor.out 2>/tmp/kd.floor.err &
	pidF=$!
	wait_line /tmp/kd.floor.err Attached $pidF ||
		fail "floor did not start: $(tail -2 /tmp/kd.floor.err)"
}

start_iw() {
	"$IW" trace --json >/tmp/kd.iw.out 2>/tmp/kd.iw.err &
	pidI=$!
	wait_line /tmp/kd.iw.err Tracing $pidI ||
		fail "iommuwatch did not start: $(tail -2 /tmp/kd.iw.err)"
}

# Bind e1000e under trace, so that the real deferred attach on the first
# DMA map is seen. qemu's default NIC (00:02.0, user-net) had no driver in
# the first kernel, so its context entry was copied with no domain.
link_up() {
	local n
	nic=""
	modprobe e1000e || fail "modprobe e1000e failed"
	for n in "/sys/bus/pci/devices/$DEV/net/"*; do [ -e "$n" ] && nic=${n##*/}; done
	[ -n "$nic" ] || fail "no netdev on $DEV"
	{ ip link set "$nic" up && ip addr add 10.0.2.15/24 dev "$nic"; } || fail "cannot bring $nic up"
	for _ in $(seq 1 100); do
		[ "$(cat "/sys/class/net/$nic/carrier" 2>/dev/null)" = 1 ] && break
		sleep 0.1
	done
}

# Records iommuwatch wrote (other than the session and group lines) with a
# time inside one of the measured windows (/tmp/kd.windows: FROM TO).
events_in_windows() {
	jq -r 'select(.type != "session" and .type != "group") | .time' /tmp/kd.iw.out |
		awk 'NR == FNR { from[NR] = $1; to[NR] = $2; n = NR; next }
			{ for (i = 1; i <= n; i++) if ($1 >= from[i] && $1 <= to[i]) { c++; break } }
			END { print c + 0 }' /tmp/kd.windows -
}

# ---- crash kernel: the benchmark ----
crash_kernel() {
	local b r t0 t1 w0 w1 probe links nfuncs events seen
	pidF="" pidI=""
	bash tests/lab/kdump.sh
	say "== deferred: what iommuwatch adds to $FUNC vs an empty fentry program there, in a kdump crash kernel, same run"
	say "   crash kernel $KERNEL ($(nproc) vCPU, $(awk '/MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo)); cmdline: $(cat /proc/cmdline)"
	dmesg | grep -E -m2 'Translation already enabled|Copied translation tables' | sed 's/^/   dmesg: /'
	probe=$("$IW" probe 2>&1 | awk -v f=$FUNC '$1 == f { $1 = $1; print }')
	say "   iommuwatch probe: ${probe:-no hook on $FUNC}"
	sysctl -qw kernel.bpf_stats_enabled=1
	: >/tmp/kd.rounds; : >/tmp/kd.windows
	start_floor
	start_iw
	link_up
	b=$(stats)
	say "   modprobe e1000e + ip link set $nic up ($DEV, user-net): $FUNC ran $(echo "$b" | awk '{ print $4 }') times"
	read -r links nfuncs < <(iw_links)
	say "   fentry/fexit links: iommuwatch $links on $nfuncs functions, $(echo "$b" | awk '{ print $1 }') on $FUNC; floor 2 on $FUNC (empty A, B)"
	# Warm-up: TCG translates fresh JIT images the first time they run.
	traffic $WARM
	sleep 0.3
	for ((r = 1; r <= ROUNDS; r++)); do
		b=$(stats)
		w0=$(rfc3339)
		t0=$("$B/startup" --now)
		traffic $PINGS
		t1=$("$B/startup" --now)
		w1=$(rfc3339)
		echo "$b $(stats) $((t1 - t0))" >>/tmp/kd.rounds
		echo "$w0 $w1" >>/tmp/kd.windows
	done
	sleep 0.5
	stop_pid "$pidF"
	stop_pid "$pidI"
	sysctl -qw kernel.bpf_stats_enabled=0
	events=$(events_in_windows)
	seen=$(jq -r --arg d $DEV 'select(.type == "transition" and .device == $d and .path == "deferred" and .attach_deferred == true) | .device' /tmp/kd.iw.out | wc -l)
	say "   traffic per round: busybox ping -A -c $PINGS $GW over $nic, after one warm-up of $WARM; last: $(grep -m1 'packets' /tmp/kd.ping)"
	awk -v kernel="$KERNEL" -v ev="$events" -v seen="$seen" '
	{
		n = NR; il = $8; ic = $9 - $2; in_ = $10 - $3; ac = $11 - $4; an = $12 - $5; bc = $13 - $6; bn = $14 - $7
		if (ac <= 0 || bc <= 0) { bad = 1; next }
		em = (an / ac + bn / bc) / 2
		iw = in_ / ac
		printf "   round %d: %6d calls  iommuwatch %4.0f ns (%d program(s))  empty A %4.0f ns  B %4.0f ns  (A/B %.2f; %.0f ms wall)\n", NR, ac, iw, il, an / ac, bn / bc, (an / ac) / (bn / bc), $15 / 1e6
		ab[NR] = (an / ac) / (bn / bc)
		IC += ic; IN += in_; AC += ac; AN += an; BC += bc; BN += bn; IL = il > IL ? il : IL
		if (ac != bc || (il && ic != ac)) printf "   (round %d: A ran %d times, B %d, iommuwatch %d)\n", NR, ac, bc, ic
	}
	END {
		if (bad || !AC) { print "bench deferred: could not run (no measured call of the hooked function)"; exit 1 }
		# Added cost per call of the function: its programs time over its calls.
		iw = IN / AC; em = (AN / AC + BN / BC) / 2; ratio = IL ? iw / em : 0
		lo = hi = ab[1]; for (i = 2; i <= n; i++) { if (ab[i] < lo) lo = ab[i]; if (ab[i] > hi) hi = ab[i] }
		printf "   all rounds: %d calls of the function; iommuwatch: %d program(s) on it, %.0f ns/call; empty: %.0f ns/call (A %.0f, B %.0f; A/B %.2f, rounds %.2f..%.2f); ratio %.2f\n", AC, IL, iw, em, AN / AC, BN / BC, (AN / AC) / (BN / BC), lo, hi, ratio
		printf "   iommuwatch: %d record(s) during the measured traffic; %d deferred attach(es) of the link-up reported with path deferred\n", ev, seen
		printf "bench deferred: kernel=%s calls=%d iw_ns=%.0f empty_ns=%.0f ratio=%.2f events=%d deferred_seen=%d goal=1.2 (%s)\n", kernel, AC, iw, em, ratio, ev, seen, (ratio <= 1.2 && ev == 0 && seen >= 1 ? "met" : "missed")
	}' /tmp/kd.rounds || exit 1
	jq -c --arg d $DEV 'select(.type == "transition" and .device == $d and .path == "deferred")' /tmp/kd.iw.out |
		head -n 3 | cut -c1-420 | sed 's/^/   deferred: /'
	grep -v '^Tracing' /tmp/kd.iw.err | tail -n 1 | sed 's/^/   iommuwatch: /'
}

if [ -e /proc/vmcore ]; then
	crash_kernel
else
	first_kernel
fi
