#!/usr/bin/env bash
# Runs inside a lab guest (tools/lab/vm-run), from the repository root:
# the benchmarks of tools/bench/run.sh, one boot for all of them.
#
# Usage: guest.sh [--quick] [BENCH...]    BENCH: probe_cost overhead startup
# Prints the report on stdout; a line "bench NAME: ..." per benchmark, or
# "bench NAME: could not run (why)" and exit 1 when one could not run.
# BENCH_ICOUNT=1 (run.sh sets it): the guest runs on instruction time.
set -u

IW=${IW:-build/iommuwatch}
B=build/bench
BDF=0000:00:03.0
DEV=/sys/bus/pci/devices/$BDF
KERNEL=$(uname -r)
QUICK=0
BENCHES=()
for a in "$@"; do
	case $a in
	--quick) QUICK=1 ;;
	*) BENCHES+=("$a") ;;
	esac
done
[ ${#BENCHES[@]} -gt 0 ] || BENCHES=(probe_cost overhead startup)

if [ $QUICK = 1 ]; then
	PC_SWITCH=8 PC_RR=3 PC_CHUNKS=1  # probe cost: measured storm
	OV_SWITCH=10 OV_RR=3 OV_ROUNDS=1
	SU_REPS=1 SU_GRACE=10
else
	PC_SWITCH=20 PC_RR=6 PC_CHUNKS=5
	OV_SWITCH=150 OV_RR=40 OV_ROUNDS=5
	SU_REPS=5 SU_GRACE=30
fi

failed=0
now() { "$B/startup" --now; }
group_of() { basename "$(readlink "$DEV/iommu_group")"; }
say() { printf '%s\n' "$*"; }

# The storm: N default-domain switches identity <-> DMA of 00:03.0's group
# (no driver bound), then M remove/rescan cycles of the device.
storm() {
	local i g t
	g=$(group_of)
	t=/sys/kernel/iommu_groups/$g/type
	for ((i = 0; i < $1; i++)); do
		echo identity >"$t" && echo DMA >"$t" || return 1
	done
	for ((i = 0; i < $2; i++)); do
		echo 1 >"$DEV/remove" && echo 1 >/sys/bus/pci/rescan || return 1
		[ -e "$DEV" ] || return 1
	done
}

. "$(dirname "$0")/lib.sh"

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ---- the hooks iommuwatch attaches on this kernel ----
# HOOKS: "FUNC ROLE fentry|fentry+fexit|kprobe", one a line; a duplicate
# name's copies (arm64's arm-smmu and arm-smmu-v3), each on kprobes at its
# own address, are one line.
HOOKS=$("$IW" probe 2>/dev/null | awk '$3 == "active" && !seen[$1]++ {
	print $1, $2, (/kprobe\+kretprobe/ ? "kprobe" : $NF) }')
if [ -z "$HOOKS" ]; then
	say "iommuwatch probe found no active hook on $KERNEL"
	exit 1
fi

# The bpftrace equivalent: the same functions; the ops print a line per
# call at exit (probe, comm, pid, return value, latency), the core
# functions mark the task's path, release and domain free print a line.
# bpftrace attaches a kprobe by name only, to the first copy of a
# duplicate name: it has no programs on the kprobe hooks.
bpftrace_script() {
	local func role kind
	echo 'BEGIN { printf("READY\n"); }'
	while read -r func role kind; do
		[ "$kind" != kprobe ] || continue
		case $role in
		attach_dev | set_dev_pasid)
			echo "kfunc:$func { @start[tid] = nsecs; }"
			echo "kretfunc:$func { printf(\"%s %s %d ret=%d lat=%llu\\n\", probe, comm, pid, retval, nsecs - @start[tid]); delete(@start[tid]); }" ;;
		remove_dev_pasid)
			echo "kfunc:$func { @start[tid] = nsecs; }"
			echo "kretfunc:$func { printf(\"%s %s %d lat=%llu\\n\", probe, comm, pid, nsecs - @start[tid]); delete(@start[tid]); }" ;;
		release)
			echo "kfunc:$func { printf(\"%s %s %d\\n\", probe, comm, pid); @path[tid] = 1; }"
			echo "kretfunc:$func { delete(@path[tid]); }" ;;
		free)
			echo "kfunc:$func { printf(\"%s %s %d\\n\", probe, comm, pid); }" ;;
		deferred)
			echo "kfunc:$func { @deferred = count(); }" ;;
		*)
			echo "kfunc:$func { @path[tid] = 1; }"
			[ "$kind" = fentry+fexit ] && echo "kretfunc:$func { delete(@path[tid]); }" ;;
		esac
	done <<<"$HOOKS"
	echo 'END { clear(@start); clear(@path); }'
}

# FLOOR_ARGS: floor's targets, the functions iommuwatch hooks (entry only
# where iommuwatch hooks only the entry).
FLOOR_ARGS=()
while read -r func role kind; do
	case $kind in
	fentry) FLOOR_ARGS+=("$func:entry") ;;
	kprobe) FLOOR_ARGS+=("$func:kprobe") ;;
	*) FLOOR_ARGS+=("$func") ;;
	esac
done <<<"$HOOKS"

# cpu_ns PID...: the CPU time of every thread of these processes, in ns.
# On the bench guest (one vCPU, instruction time) that is the instructions
# they ran, interrupts included.
cpu_ns() {
	local p t c sum=0
	for p in "$@"; do
		for t in /proc/"$p"/task/*/schedstat; do
			read -r c _ <"$t" 2>/dev/null && sum=$((sum + c))
		done
	done
	echo $sum
}

# ---- 1. probe cost vs an empty program on the same functions ----
# The functions on which iommuwatch reports calls (an event each); the
# others only mark the task's path.
# EVENT_SIDES: "FUNC entry|exit", the program on it that submits the event.
EVENT_ARGS=()
EVENT_SIDES=
while read -r func role kind; do
	[ "$kind" != kprobe ] || continue	# the event floor is fexit's
	case $role:$func in
	attach_dev:* | set_dev_pasid:* | remove_dev_pasid:* | *:iommu_group_store_type)
		EVENT_SIDES+="$func exit"$'\n' ;;
	release:* | free:*)
		EVENT_SIDES+="$func entry"$'\n' ;;
	*) continue ;;
	esac
	EVENT_ARGS+=("$func:event")
done <<<"$HOOKS"

# prog_owner PID TAG: "PROG_ID TAG" for each BPF program PID holds.
prog_owner() {
	grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | sort -u |
		awk -v tag="$2" '{ print $2, tag }'
}

bench_probe_cost() {
	local fpid ipid bpid
	say "== probe_cost: run_time_ns/run_cnt of iommuwatch's programs vs empty fentry/fexit programs on the same functions, same run"
	say "   kernel $KERNEL; command: $IW trace --json >/dev/null; floors: $B/floor (tools/bench/empty.bpf.c) on the same hooks; bpftrace -B line /tmp/iw.bt"
	say "   storm: $PC_CHUNKS chunk(s) of $PC_SWITCH type switches identity<->DMA of $BDF's group + $PC_RR remove/rescan of $BDF (after a warm-up of 3+2, not counted); per program the median of the chunks' ns per call"
	sysctl -qw kernel.bpf_stats_enabled=1
	bpftrace_script >/tmp/iw.bt
	"$IW" trace --json >/dev/null 2>/tmp/pc.iw.err &
	ipid=$!
	"$B/floor" "${FLOOR_ARGS[@]}" "${EVENT_ARGS[@]}" >/tmp/pc.floor.out 2>/tmp/pc.floor.err &
	fpid=$!
	bpftrace -B line /tmp/iw.bt >/tmp/pc.bt.out 2>/tmp/pc.bt.err &
	bpid=$!
	if ! wait_line /tmp/pc.iw.err Tracing $ipid || ! wait_line /tmp/pc.floor.err Attached $fpid ||
		! wait_line /tmp/pc.bt.out READY $bpid; then
		say "bench probe_cost: could not run (a tracer or the floor did not start: $(tail -2 /tmp/pc.iw.err /tmp/pc.floor.err /tmp/pc.bt.err | tr '\n' ' '))"
		stop_pid $ipid; stop_pid $fpid; stop_pid $bpid; failed=1; return
	fi
	{ prog_owner $ipid i; prog_owner $bpid b; } >/tmp/pc.owner
	# Warm-up: TCG translates guest code the first time it runs, which
	# would be charged to whichever program ran first.
	storm 3 2
	# Counters after each chunk: an interrupt that lands inside a
	# program is charged to it, and the median of the chunks drops it.
	local c t0 storm_ns=0 snaps=(/tmp/pc.s0)
	"$B/floor" --stats >/tmp/pc.s0
	for ((c = 1; c <= PC_CHUNKS; c++)); do
		t0=$(now)
		storm $PC_SWITCH $PC_RR || { say "bench probe_cost: could not run (storm failed)"; failed=1; break; }
		storm_ns=$((storm_ns + $(now) - t0))
		"$B/floor" --stats >/tmp/pc.s$c
		snaps+=(/tmp/pc.s$c)
	done
	stop_pid $ipid; stop_pid $fpid; stop_pid $bpid
	sysctl -qw kernel.bpf_stats_enabled=0
	[ $failed = 0 ] || return
	probe_cost_report $storm_ns /tmp/pc.owner "${snaps[@]}" || failed=1
}

# probe_cost_report STORM_NS OWNERS SNAPSHOT...: per hooked function, the
# ns per call of each side's programs (entry + exit): for each program the
# median over the chunks between snapshots. Sides: i iommuwatch, e empty
# programs, v the event floor (fexit, report the call only), b bpftrace.
probe_cost_report() {
	local storm_ns=$1 owners=$2
	shift 2
	# link PROG_ID entry|exit FUNC RUN_CNT RUN_TIME_NS NAME
	awk -v kernel="$KERNEL" -v storm_ns="$storm_ns" '
	FILENAME == ARGV[1] { owner[$1] = $2; next }
	FNR == 1 { snap++ }
	{
		if ($7 ~ /^empty_/) who = "e"
		else if ($7 ~ /^event_/) who = "v"
		else if ($2 in owner) who = owner[$2]
		else next
		side[$2] = who SUBSEP $4 SUBSEP $3
		cnt[snap, $2] = $5; tns[snap, $2] = $6
		funcs[$4] = 1
	}
	function median(v, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	function per(who, f, s) { k = who SUBSEP f SUBSEP s; return (k in med) ? med[k] : 0 }
	function both(who, f) { return per(who, f, "entry") + per(who, f, "exit") }
	function ratio(a, b) { return b ? sprintf("%.2fx", a / b) : "-" }
	END {
		for (id in side) {
			n = 0
			for (c = 2; c <= snap; c++) {
				dc = cnt[c, id] - cnt[c - 1, id]
				if (dc > 0) v[++n] = (tns[c, id] - tns[c - 1, id]) / dc
			}
			split(side[id], w, SUBSEP)
			tot[w[1]] += tns[snap, id] - tns[1, id]
			runs[side[id]] += cnt[snap, id] - cnt[1, id]
			if (n) med[side[id]] = median(v, n)
			delete v
		}
		printf "   %-30s %6s %9s %9s %9s %9s %7s %9s %7s %9s %7s\n", "HOOK", "RUNS", "IW-ENTRY", "IW-EXIT", "IW(ns)", "EMPTY(ns)", "RATIO", "EVENT(ns)", "/EVENT", "BT(ns)", "/BT"
		worst = 0; n = 0; wbt = 0; wev = 0
		for (f in funcs) {
			r_ = runs["i" SUBSEP f SUBSEP "entry"]
			if (!r_) r_ = runs["i" SUBSEP f SUBSEP "exit"]
			if (!r_) continue
			ie = per("i", f, "entry"); ix = per("i", f, "exit")
			iw = ie + ix; fl = both("e", f); bt = both("b", f)
			ev = per("v", f, "exit"); if (ev) ev += per("e", f, "entry")
			r = fl ? iw / fl : 0
			printf "   %-30s %6d %9.0f %9.0f %9.0f %9.0f %7s %9s %7s %9s %7s\n", f, r_, ie, ix, iw, fl, ratio(iw, fl), (ev ? sprintf("%.0f", ev) : "-"), ratio(iw, ev), (bt ? sprintf("%.0f", bt) : "-"), ratio(iw, bt) | "sort -k7 -rn"
			if (r > worst) { worst = r; wf = f }
			if (ev && iw / ev > wev) wev = iw / ev
			if (ev && fl && (!efl || ev / fl < efl)) efl = ev / fl
			if (bt && iw / bt > wbt) wbt = iw / bt
			n++
		}
		close("sort -k7 -rn")
		printf "   (ns per call of the hooked function, entry+exit programs; RATIO = IW / EMPTY; EVENT: an empty entry and an exit that only reports the call, on the functions iommuwatch reports; BT: bpftrace'"'"'s programs; %d hooks ran)\n", n
		printf "   time in BPF over the storm (%.0f ms): iommuwatch %.1f ms (%.2f%%), empty programs %.1f ms, event floor %.1f ms, bpftrace %.1f ms\n", storm_ns / 1e6, tot["i"] / 1e6, 100 * tot["i"] / storm_ns, tot["e"] / 1e6, tot["v"] / 1e6, tot["b"] / 1e6
		if (!n) { print "bench probe_cost: could not run (no hooked function ran)"; exit 1 }
		printf "bench probe_cost: kernel=%s worst_ratio=%.2f worst_hook=%s worst_vs_event=%.2f worst_vs_bpftrace=%.2f bpf_vs_bpftrace=%.2f bpf_share=%.2f%% event_floor_vs_empty=%.2f goal=1.5 (%s)\n", kernel, worst, wf, wev, wbt, (tot["b"] ? tot["i"] / tot["b"] : 0), 100 * tot["i"] / storm_ns, efl, (worst <= 1.5 ? "met" : "missed")
	}' "$owners" "$@"
}

# ---- 2. storm overhead: no tracer, empty programs, iommuwatch, bpftrace ----
start_variant() {
	case $1 in
	none) VPID= ;;
	floor)
		"$B/floor" "${FLOOR_ARGS[@]}" >/dev/null 2>/tmp/ov.err &
		VPID=$!
		wait_line /tmp/ov.err Attached $VPID ;;
	trace)
		"$IW" trace --json >/dev/null 2>/tmp/ov.err &
		VPID=$!
		wait_line /tmp/ov.err Tracing $VPID ;;
	daemon)
		"$IW" daemon 2>/tmp/ov.err &
		VPID=$!
		local _
		for _ in $(seq 1 1200); do
			curl -sf http://127.0.0.1:7389/metrics -o /dev/null && return 0
			kill -0 $VPID 2>/dev/null || return 1
			sleep 0.05
		done
		return 1 ;;
	bpftrace)
		bpftrace -B line /tmp/iw.bt >/tmp/ov.bt.out 2>/tmp/ov.err &
		VPID=$!
		wait_line /tmp/ov.bt.out READY $VPID ;;
	esac
}

# One timed storm: "WALL_NS STORM_CPU_NS TRACER_CPU_NS". The storm runs in
# this (sub)shell, so its CPU time is the storm's: the traced calls and the
# programs on them. The tracer's is counted until it has drained (it reads
# every 100 ms).
timed_storm() {
	local t0 t1 m0 m1 v0=0 v1=0 me=$BASHPID
	[ -n "$VPID" ] && v0=$(cpu_ns $VPID)
	m0=$(cpu_ns $me)
	t0=$(now)
	storm $OV_SWITCH $OV_RR || return 1
	t1=$(now)
	m1=$(cpu_ns $me)
	sleep 0.3
	[ -n "$VPID" ] && v1=$(cpu_ns $VPID)
	echo "$((t1 - t0)) $((m1 - m0)) $((v1 - v0))"
}

bench_overhead() {
	local variants=(none floor trace daemon bpftrace) r i v res
	say "== overhead: the storm ($OV_SWITCH type switches + $OV_RR remove/rescan of $BDF), $OV_ROUNDS round(s), variants interleaved (order rotates each round)"
	say "   kernel $KERNEL, $(nproc) vCPU(s); variants: none | floor: $B/floor, empty programs on the same $(wc -l <<<"$HOOKS") functions | trace: $IW trace --json >/dev/null | daemon: $IW daemon | bpftrace -B line, the same functions, a line per event"
	say "   measured: wall time (CLOCK_MONOTONIC), the storm's CPU time (the traced calls and every program on them) and the tracer's CPU time (reading, decoding, printing)"
	bpftrace_script >/tmp/iw.bt
	storm 3 2 # warm-up
	for v in "${variants[@]}"; do : >/tmp/ov.$v; done
	for ((r = 0; r < OV_ROUNDS; r++)); do
		for ((i = 0; i < ${#variants[@]}; i++)); do
			v=${variants[$(((i + r) % ${#variants[@]}))]}
			if ! start_variant $v; then
				say "bench overhead: could not run ($v did not start: $(tail -3 /tmp/ov.err | tr '\n' ' '))"
				[ -n "$VPID" ] && stop_pid $VPID
				failed=1; return
			fi
			# Untimed warm-up: TCG translates a new tracer's JIT
			# images the first time they run.
			storm 2 1
			sleep 0.5
			if ! res=$(timed_storm); then
				say "bench overhead: could not run (storm failed)"
				[ -n "$VPID" ] && stop_pid $VPID
				failed=1; return
			fi
			[ -n "$VPID" ] && stop_pid $VPID
			echo "$res" >>/tmp/ov.$v
			say "   round $((r + 1)) $(awk '{ printf "%-8s wall %7.1f ms  storm CPU %7.2f ms  tracer CPU %7.2f ms", v, $1 / 1e6, $2 / 1e6, $3 / 1e6 }' v=$v <<<"$res")"
		done
	done
	if ! count_storm_events >/tmp/ov.events; then
		say "bench overhead: could not run (counting the storm's events failed)"
		failed=1; return
	fi
	overhead_report "${variants[@]}"
}

# The events iommuwatch submits over one storm of the timed size: the runs
# of its programs that submit one, counted by kernel.bpf_stats_enabled in an
# untimed storm.
count_storm_events() {
	local pid
	sysctl -qw kernel.bpf_stats_enabled=1
	"$IW" trace --json >/dev/null 2>/tmp/ov.count.err &
	pid=$!
	if ! wait_line /tmp/ov.count.err Tracing $pid; then
		stop_pid $pid; sysctl -qw kernel.bpf_stats_enabled=0; return 1
	fi
	prog_owner $pid i >/tmp/ov.owner
	"$B/floor" --stats >/tmp/ov.before
	storm $OV_SWITCH $OV_RR
	"$B/floor" --stats >/tmp/ov.after
	stop_pid $pid
	sysctl -qw kernel.bpf_stats_enabled=0
	# link PROG_ID entry|exit FUNC RUN_CNT RUN_TIME_NS NAME
	awk 'FILENAME == ARGV[1] { ev[$1 SUBSEP $2] = 1; next }
	FILENAME == ARGV[2] { own[$1] = 1; next }
	FILENAME == ARGV[3] { c0[$2] = $5; next }
	($2 in own) && (($4 SUBSEP $3) in ev) { n += $5 - c0[$2] }
	END { if (n > 0) print n; else exit 1 }' <(printf '%s' "$EVENT_SIDES") /tmp/ov.owner /tmp/ov.before /tmp/ov.after
}

# Medians per variant, overheads against no tracer, the verdict.
overhead_report() {
	local v f args=()
	for v in "$@"; do
		args+=(-v "w_$v=$(cut -d' ' -f1 /tmp/ov.$v | median)"
		       -v "s_$v=$(cut -d' ' -f2 /tmp/ov.$v | median)"
		       -v "t_$v=$(cut -d' ' -f3 /tmp/ov.$v | median)")
	done
	# Noise: the no-tracer rounds' range, wall (1) and storm CPU (2).
	for f in 1 2; do
		args+=(-v "lo$f=$(cut -d' ' -f$f /tmp/ov.none | sort -n | head -1)"
		       -v "hi$f=$(cut -d' ' -f$f /tmp/ov.none | sort -n | tail -1)")
	done
	awk -v kernel="$KERNEL" -v n=$OV_ROUNDS -v events="$(cat /tmp/ov.events)" "${args[@]}" '
	function pct(a, b) { return b ? (a / b - 1) * 100 : 0 }
	function row(name, w, s, t) {
		printf "   %-9s %9.1f %8.1f%% %10.2f %9.1f%% %10.2f %9.2f %9.1f%%\n", name, w / 1e6, pct(w, w_none), s / 1e6, pct(s, s_none), t / 1e6, t / events / 1e3, pct(s + t, s_none)
	}
	BEGIN {
		printf "   median of %d round(s); iommuwatch submits %d events a storm:\n", n, events
		printf "   %-9s %9s %9s %10s %10s %10s %9s %10s\n", "VARIANT", "WALL(ms)", "WALL", "STORM(ms)", "STORM", "TRACER(ms)", "/EVENT(us)", "CPU"
		row("none", w_none, s_none, t_none); row("floor", w_floor, s_floor, t_floor)
		row("trace", w_trace, s_trace, t_trace); row("daemon", w_daemon, s_daemon, t_daemon)
		row("bpftrace", w_bpftrace, s_bpftrace, t_bpftrace)
		printf "   (STORM: the storm'"'"'s CPU time (the traced calls and every program on them) over no tracer'"'"'s, which is its wall time when the tracer has a CPU of its own; TRACER: the tracer'"'"'s CPU, reading, decoding and printing, also per event; CPU: both, over no tracer'"'"'s; WALL: on this one vCPU, wall time over no tracer'"'"'s)\n"
		snoise = s_none ? (hi2 - lo2) / s_none * 100 : 0
		wnoise = w_none ? (hi1 - lo1) / w_none * 100 : 0
		if (n > 1) printf "   noise (no tracer, max - min over median): storm CPU %.1f%%, wall %.1f%%\n", snoise, wnoise
		else printf "   noise: unknown with one round (--quick); these numbers are a smoke test\n"
		st = pct(s_trace, s_none); sd = pct(s_daemon, s_none); sb = pct(s_bpftrace, s_none)
		ct = pct(s_trace + t_trace, s_none); cd = pct(s_daemon + t_daemon, s_none)
		cb = pct(s_bpftrace + t_bpftrace, s_none); cf = pct(s_floor, s_none)
		worst = st > sd ? st : sd
		frac = sb > 0 ? worst / sb : 0
		if (cb > 0) printf "   overhead / bpftrace'"'"'s: storm trace %.2f, daemon %.2f; with the tracer'"'"'s CPU trace %.2f, daemon %.2f\n", (sb > 0 ? st / sb : 0), (sb > 0 ? sd / sb : 0), ct / cb, cd / cb
		met = (worst <= 2 && sb > 0 && frac <= 1 / 3) ? "met" : "missed"
		if (n == 1) met = met ", inconclusive: one round"
		else if (snoise >= 2 * (worst > 2 ? worst : 2)) met = met ", inconclusive: noise " sprintf("%.0f%%", snoise)
		printf "bench overhead: kernel=%s storm_trace=%+.2f%% storm_daemon=%+.2f%% storm_bpftrace=%+.2f%% worst_vs_bpftrace=%s cpu_trace=%+.2f%% cpu_daemon=%+.2f%% cpu_bpftrace=%+.2f%% cpu_floor=%+.2f%% us_per_event_trace=%.2f us_per_event_daemon=%.2f us_per_event_bpftrace=%.2f noise=%s goal=2%%,0.33 on the storm (%s)\n", kernel, st, sd, sb, (sb > 0 ? sprintf("%.2f", frac) : "n/a"), ct, cd, cb, cf, t_trace / events / 1e3, t_daemon / events / 1e3, t_bpftrace / events / 1e3, (n == 1 ? "n/a" : sprintf("%.1f%%", snoise)), met
	}'
}

# ---- 5. start-up: exec to readiness ----
bench_startup() {
	local r ns
	say "== startup: exec to readiness, $SU_REPS rep(s) each, alternating"
	say "   kernel $KERNEL; iommuwatch: '$IW trace --json' until its 'Tracing' line; bpftrace: 'bpftrace -B line' with the same $(wc -l <<<"$HOOKS") functions until BEGIN's READY (printed after every probe is attached) and its 'Attaching' line"
	bpftrace_script >/tmp/iw.bt
	: >/tmp/su.iw; : >/tmp/su.bt; : >/tmp/su.bta
	for ((r = 0; r < SU_REPS; r++)); do
		ns=$("$B/startup" -t 120 -g $SU_GRACE Tracing -- "$IW" trace --json 2>/tmp/su.err) ||
			{ say "bench startup: could not run (iommuwatch: $(tail -2 /tmp/su.err | tr '\n' ' '))"; failed=1; return; }
		echo "${ns#startup_ns=}" >>/tmp/su.iw
		grep '^startup:' /tmp/su.err | sed 's/^/   (iommuwatch) /'
		ns=$("$B/startup" -t 120 -g $SU_GRACE READY -- bpftrace -B line /tmp/iw.bt 2>/tmp/su.err) ||
			{ say "bench startup: could not run (bpftrace: $(tail -3 /tmp/su.err | tr '\n' ' '))"; failed=1; return; }
		echo "${ns#startup_ns=}" >>/tmp/su.bt
		grep '^startup:' /tmp/su.err | sed 's/^/   (bpftrace READY) /'
		if [ $QUICK = 0 ]; then
			ns=$("$B/startup" -t 120 -g $SU_GRACE Attaching -- bpftrace -B line /tmp/iw.bt 2>/tmp/su.err) && echo "${ns#startup_ns=}" >>/tmp/su.bta
			grep '^startup:' /tmp/su.err | sed 's/^/   (bpftrace Attaching) /'
		else
			echo 0 >>/tmp/su.bta
		fi
		say "   rep $((r + 1)): iommuwatch $(tail -1 /tmp/su.iw | awk '{ printf "%.0f", $1 / 1e6 }') ms, bpftrace $(tail -1 /tmp/su.bt | awk '{ printf "%.0f", $1 / 1e6 }') ms (Attaching line at $(tail -1 /tmp/su.bta | awk '{ if ($1 > 0) printf "%.0f ms", $1 / 1e6; else printf "n/a" }'))"
	done
	awk -v kernel="$KERNEL" -v iw="$(median </tmp/su.iw)" -v bt="$(median </tmp/su.bt)" -v bta="$(median </tmp/su.bta)" -v hooks="$(wc -l <<<"$HOOKS")" 'BEGIN {
		r = iw / bt
		printf "   median: iommuwatch %.0f ms, bpftrace %.0f ms to READY", iw / 1e6, bt / 1e6
		if (bta > 0) printf " (%.0f ms to its Attaching line)", bta / 1e6
		printf "; ratio %.2f\n", r
		printf "bench startup: kernel=%s iommuwatch_ms=%.0f bpftrace_ms=%.0f ratio=%.2f goal=1.0 (%s)\n", kernel, iw / 1e6, bt / 1e6, r, (r <= 1 ? "met" : "missed")
	}'
}

say "iommuwatch benchmarks on $KERNEL ($(nproc) vCPU(s), qemu TCG$([ "${BENCH_ICOUNT:-0}" = 1 ] && echo " on instruction time"))$([ $QUICK = 1 ] && echo ', quick')"
for b in "${BENCHES[@]}"; do
	case $b in
	probe_cost) bench_probe_cost ;;
	overhead) bench_overhead ;;
	startup) bench_startup ;;
	*) say "unknown benchmark $b"; failed=1 ;;
	esac
done
exit $failed
