#!/usr/bin/env bash
# Everything 'make check' runs, suite by suite, then one total line.
# Usage: tests/check.sh [SUITE...]   (lint unit cli files contrib deb systemd fuzz
# lab browser chaos bench; default: all). CHECK_FULL=1 (make check-full)
# runs the lab cases and chaos on every line and family instead of on the
# targets that make check picks.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0 failed=0 skipped=0
start=$SECONDS
times=()
log=$(mktemp) prefetch_log=$(mktemp)
trap 'rm -f "$log" "$prefetch_log"' EXIT

# run_suite NAME CMD...: stream the suite's output, add its closing counts
# ("N passed, N failed[, N skipped]", as run-scenarios ends) and time it.
# A suite that exits non-zero without counting a failure, prints no
# closing line, or passes nothing, counts one failure more.
run_suite() {
	local name=$1 p f k last rc t0=$SECONDS
	shift
	echo "== $name"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	last=$(grep -E '^([a-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	read -r p f < <(grep -oE '[0-9]+ passed, [0-9]+ failed' <<<"$last" |
		grep -oE '[0-9]+' | tr '\n' ' ')
	k=$(grep -oE ", [0-9]+ skipped" <<<"$last" | grep -oE "[0-9]+" || true)
	if [ -z "${p:-}" ]; then
		echo "$name: no result line; counted as one failure"
		p=0 f=1
	elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "$name: exited $rc with no failure counted; counted as one failure"
		f=1
	elif [ "$p" = 0 ] && [ "$f" = 0 ]; then
		echo "$name: passed nothing; counted as one failure"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + ${k:-0}))
	times+=("$(printf '%-8s %5d s  %s passed, %s failed' "$name" \
		$((SECONDS - t0)) "$p" "$f")")
	echo "== $name: $((SECONDS - t0)) s"
}

# The lab's kernels, roots and test module are fetched and built in the
# background while the suites that need no guest run (on a fresh machine
# that is minutes of downloads); the first guest suite waits for them.
prefetch_pid=''
# The suites that boot a lab guest.
boots_guest() {
	case $1 in systemd | lab | browser | chaos | bench) return 0 ;; esac
	return 1
}

prefetch_start() {
	local s
	for s in "${suites[@]}"; do
		boots_guest "$s" || continue
		echo "== prefetch: the lab's kernels in the background ($prefetch_log)"
		make --no-print-directory kernels kmods >"$prefetch_log" 2>&1 &
		prefetch_pid=$!
		return
	done
}

prefetch_wait() {
	local t0=$SECONDS rc=0
	[ -n "$prefetch_pid" ] || return 0
	wait "$prefetch_pid" || rc=$?
	prefetch_pid=''
	echo "== prefetch: done (waited $((SECONDS - t0)) s, exit $rc)"
	[ "$rc" = 0 ] && return
	sed 's/^/  | /' "$prefetch_log" | tail -n 40
	failed=$((failed + 1))
	times+=("$(printf '%-8s %5s    exit %s' prefetch - "$rc")")
}

scope=check
[ "${CHECK_FULL:-0}" = 0 ] || scope=check-full
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(lint unit cli files contrib deb systemd fuzz lab browser chaos bench)
prefetch_start
for s in "${suites[@]}"; do
	! boots_guest "$s" || prefetch_wait
	case $s in
	lint) run_suite lint bash tests/lint.sh ;;
	unit) run_suite unit make --no-print-directory unit ;;
	cli) run_suite cli bash tests/cli/run.sh ;;
	# links and FIFOs planted where the tool writes as root
	files) run_suite files bash tests/cli/files.sh ;;
	contrib) run_suite contrib bash tests/contrib/run.sh ;;
	# build, lint, install, upgrade and purge the Debian package
	deb) run_suite deb bash tests/deb/run.sh ;;
	# the package's unit under systemd as PID 1 in a lab guest
	systemd) run_suite systemd bash tests/deb/systemd-guest.sh ;;
	fuzz) run_suite fuzz make --no-print-directory fuzz FUZZ_SECONDS=20 ;;
	lab) run_suite lab make --no-print-directory "lab-$scope" ;;
	# the report and the daemon's page in headless chromium
	browser) run_suite browser bash tests/browser/run.sh ;;
	# one fixed-seed sequence of real operations per lab line
	chaos) run_suite chaos make --no-print-directory "chaos-$scope" ;;
	bench) run_suite bench bash tests/bench/smoke.sh ;;
	*) echo "check: unknown suite '$s'" >&2; exit 2 ;;
	esac
done
echo "== time per suite"
printf '  %s\n' "${times[@]}"
echo "== total: $((SECONDS - start)) s"
summary="check: $passed passed, $failed failed"
[ "$skipped" = 0 ] || summary+=", $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
