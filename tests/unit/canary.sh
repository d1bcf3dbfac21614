#!/usr/bin/env bash
# The unit harness against binaries broken on purpose (tests/unit/canary):
# run.sh must pass the one that passes and fail each other one for its
# own reason, and the sanitized build itself must stop on UB. A harness
# or SAN_CFLAGS change that lets any through turns this red.
# Usage: canary.sh DIR   (the canaries as the Makefile builds them)
set -uo pipefail
dir=$1
run=$(dirname "$0")/run.sh
passed=0 failed=0

# result NAME OK OUTPUT: one PASS/FAIL line, the output under a failure.
result() {
	if [ "$2" = 1 ]; then
		echo "PASS  canary.$1"
		passed=$((passed + 1))
	else
		echo "FAIL  canary.$1:"
		sed 's/^/    /' <<<"$3" | head -20
		failed=$((failed + 1))
	fi
}

# expect NAME RC REGEX [BINARY...]: run.sh on the binaries (none: none)
# exits RC (0, or 1 for any failure) with REGEX in what it prints.
expect() {
	local name=$1 rc=$2 re=$3 out got ok=0
	shift 3
	out=$(bash "$run" "$@" 2>&1)
	got=$?
	[ "$got" -ne 0 ] && got=1
	[ "$got" = "$rc" ] && grep -qE -- "$re" <<<"$out" && ok=1
	result "$name" "$ok" "exit $got (want $rc), /$re/ in:"$'\n'"$out"
}

expect pass 0 '^unit: 1 passed, 0 failed$' "$dir/pass"
expect fail 1 '^unit: 0 passed, 1 failed$' "$dir/fail"
expect ub 1 '^FAIL  ub: sanitizer: .*runtime error: signed integer overflow' \
	"$dir/ub"
expect ub_recover 1 '^FAIL  ub_recover: sanitizer: .*runtime error: signed integer overflow' \
	"$dir/ub_recover"
expect exit 1 "^FAIL  exit: no closing 'N passed, N failed' line: it ended early\$" \
	"$dir/exit"
expect empty 1 '^FAIL  empty: finished no test case$' "$dir/empty"
expect leak 1 '^FAIL  leak: sanitizer: ERROR: LeakSanitizer: detected memory leaks' \
	"$dir/leak"
expect no_binary 1 '^FAIL  unit: no test binary given$'
expect one_bad_of_two 1 '^unit: 2 passed, 1 failed$' "$dir/pass" "$dir/exit"

# The build, not run.sh's options, stops on UB: recovery asked for at run
# time is refused.
out=$(UBSAN_OPTIONS=halt_on_error=0 "$dir/ub" 2>&1)
rc=$?
result ub_halts_unasked "$([ $rc -ne 0 ] && echo 1)" "exit $rc (want non-zero):"$'\n'"$out"

echo "canary: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
