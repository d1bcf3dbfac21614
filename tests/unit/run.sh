#!/usr/bin/env bash
# Run every unit test binary given; print each case, then one total line.
set -uo pipefail
passed=0 failed=0
# The first sanitizer report ends the run (SAN_CFLAGS has
# -fno-sanitize-recover; halt_on_error holds a binary built without it).
# The slow unwinder reads on through libbpf, built without frame pointers,
# to the libbpf function that lsan.supp names.
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:fast_unwind_on_malloc=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS="suppressions=$(dirname "$0")/lsan.supp:print_suppressions=0"
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$'
	p=$(printf '%s\n' "$out" | grep -c '^PASS ')
	f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL  $(basename "$t"): exited $rc"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f))
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
