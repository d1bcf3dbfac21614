#!/usr/bin/env bash
# Run every unit test binary given; print each case, then one total line.
# A binary passes only when it ran at least one case, closed with its own
# "N passed, N failed" line agreeing with its PASS and FAIL lines, exited
# with the status those say (unit.h: 1 after a failed case, else 0), and
# no sanitizer reported anything. Anything else (a crash, an exit halfway,
# a sanitizer report) is one more failure, named.
set -uo pipefail
dir=$(dirname "$0")
# The first sanitizer report ends the run (SAN_CFLAGS has
# -fno-sanitize-recover; halt_on_error holds a binary built without it).
# The slow unwinder reads on through libbpf, built without frame pointers,
# to the libbpf function that lsan.supp names.
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:fast_unwind_on_malloc=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS="suppressions=$dir/lsan.supp:print_suppressions=0"
closing='^[0-9]+ passed, [0-9]+ failed$'
passed=0 failed=0

# verdict OUT RC: why a binary's output and exit status are not those of
# a run of all its cases, one reason a line (nothing when they are).
verdict() {
	local out=$1 rc=$2 p f last san want=0

	p=$(grep -c '^PASS ' <<<"$out")
	f=$(grep -c '^FAIL ' <<<"$out")
	last=$(grep -E "^(PASS|FAIL) |$closing" <<<"$out" | tail -n 1)
	san=$(grep -m 1 -E 'runtime error:|ERROR: [A-Za-z]+Sanitizer' <<<"$out" |
		sed -E 's/^==[0-9]+== ?//')
	[ -z "$san" ] || echo "sanitizer: $san"
	if ! grep -qE "$closing" <<<"$last"; then
		echo "no closing 'N passed, N failed' line: it ended early"
	elif [ "$last" != "$p passed, $f failed" ]; then
		echo "closing line '$last' but $p PASS and $f FAIL lines"
	fi
	[ $((p + f)) -gt 0 ] || echo "finished no test case"
	[ "$f" -eq 0 ] || want=1
	[ "$rc" -eq "$want" ] || echo "exited $rc with $f failed cases"
}

if [ $# -eq 0 ]; then
	echo "FAIL  unit: no test binary given"
	failed=1
fi
for t in "$@"; do
	out=$("$t" </dev/null 2>&1)
	rc=$?
	grep -vE "$closing" <<<"$out"
	p=$(grep -c '^PASS ' <<<"$out")
	f=$(grep -c '^FAIL ' <<<"$out")
	why=$(verdict "$out" "$rc")
	if [ -n "$why" ]; then
		echo "FAIL  $(basename "$t"): ${why//$'\n'/; }"
		f=$((f + 1))
	fi
	passed=$((passed + p)) failed=$((failed + f))
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
