#!/usr/bin/env bash
# A smoke run of every benchmark, so that 'make check' keeps them working.
# It asserts that each one ran and printed its summary line, never on a
# time or a ratio: these machines are too noisy for that (see README
# "Performance"). Ends with "bench: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."

passed=0 failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# expect NAME REGEX: one case, on the output of the last run.
expect() {
	if grep -qE "$2" "$out"; then
		echo "PASS  bench.$1"
		passed=$((passed + 1))
	else
		echo "FAIL  bench.$1: no line matching /$2/"
		failed=$((failed + 1))
	fi
}

num='[0-9]+(\.[0-9]+)?'
# A number above zero, as printed with two decimals.
pos='(0\.0*[1-9][0-9]*|[1-9][0-9]*(\.[0-9]+)?)'
make -s bench-consumer BENCH_EVENTS=200000 >"$out" 2>&1
sed 's/^/  /' "$out"
expect consumer_1k "^bench consumer_g1000: events_per_sec=$num .*render_ms=$num .*peak_rss_mib=$num"
expect consumer_10k "^bench consumer_g10000: events_per_sec=$num .*render_ms=$num .*peak_rss_mib=$num"

tests/bench/report.sh 100000 1 >"$out" 2>&1
sed 's/^/  /' "$out"
expect report "^bench report: records=100000 rounds=1 report_s=$num replay_s=$num ratio=$num html_bytes=[1-9][0-9]* report_rss_mib=$num"

tools/bench/run.sh --quick -k "${BENCH_LINE:-7.3}" >"$out" 2>&1
echo "  run.sh exit $?" >>"$out"
sed 's/^/  /' "$out"
expect lab_ran 'run.sh exit 0$'
expect probe_cost "^bench probe_cost: kernel=[^ ]+ worst_ratio=$num .*bpf_share=$num%"
# Each side's programs were found: the event floor's and bpftrace's.
expect probe_cost_sides "^bench probe_cost: .* worst_vs_event=$pos worst_vs_bpftrace=$pos bpf_vs_bpftrace=$pos .* event_floor_vs_empty=$pos "
expect overhead "^bench overhead: kernel=[^ ]+ storm_trace=[-+]$num% storm_daemon=[-+]$num% storm_bpftrace=[-+]$num% .* cpu_trace=[-+]$num% cpu_daemon=[-+]$num% cpu_bpftrace=[-+]$num% cpu_floor=[-+]$num%"
# The storm's events were counted, so the tracers' cost per event is known.
expect overhead_per_event "^bench overhead: .* us_per_event_trace=$pos us_per_event_daemon=$pos "
# The storm's CPU time was read (not a zero from the wrong process).
expect overhead_cpu_read "^   round 1 none +wall +$num ms +storm CPU +0*[1-9][0-9]*\.[0-9]+ ms"
expect startup "^bench startup: kernel=[^ ]+ iommuwatch_ms=[0-9]+ bpftrace_ms=[0-9]+ ratio=$num"

tools/bench/run.sh --quick -k "${BENCH_LINE:-7.3}" deferred >"$out" 2>&1
echo "  run.sh exit $?" >>"$out"
sed 's/^/  /' "$out"
expect deferred_ran 'run.sh exit 0$'
expect deferred "^bench deferred: kernel=[^ ]+ calls=[0-9]+ iw_ns=[0-9]+ empty_ns=[0-9]+ ratio=$num events=[0-9]+ deferred_seen=[0-9]+"
echo "bench: $passed passed, $failed failed"
