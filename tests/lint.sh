#!/usr/bin/env bash
# Cheap checks that fail in seconds what the long suites would fail after
# an hour: every script parses and names only what it defines (pyflakes),
# every program make check builds late (the benchmark's) still builds, and
# the binaries built are hardened.
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0 failed=0

# result NAME OUTPUT RC: one PASS/FAIL line, the output under a failure.
result() {
	if [ "$3" -eq 0 ]; then
		echo "PASS  lint.$1"
		passed=$((passed + 1))
	else
		echo "FAIL  lint.$1:"
		sed 's/^/    /' <<<"$2" | head -20
		failed=$((failed + 1))
	fi
}

# Scripts by their first line, tracked ones only.
scripts() {
	local f
	git ls-files | while read -r f; do
		[ -f "$f" ] && head -n 1 "$f" | grep -qE "^#!.*($1)\$" && echo "$f"
	done
}

for f in $(scripts 'bash|sh'); do
	out=$(bash -n "$f" 2>&1)
	result "bash_n.$f" "$out" $?
done
for f in $(scripts python3); do
	out=$(pyflakes3 "$f" 2>&1)
	result "pyflakes.$f" "$out" $?
done
# Every scenario parses and names where make check runs it, within the
# lines and families it allows; a case without CHECK is refused.
out=$(tools/lab/run-scenarios --list --check 2>&1)
result scenarios.check_targets "$out" $?
canary=$(mktemp --suffix=.case)
printf 'NAME canary\nRUN true\n' >"$canary"
out=$(tools/lab/run-scenarios --list --check "$canary" 2>&1)
grep -q 'canary: bad case: no CHECK directive' <<<"$out"
result scenarios.check_required "$out" $?
printf 'NAME canary\nKERNELS 7.3\nCHECK 6.1\nRUN true\n' >"$canary"
out=$(tools/lab/run-scenarios --list --check "$canary" 2>&1)
grep -q 'CHECK 6.1 is outside its KERNELS/FAMILIES' <<<"$out"
result scenarios.check_in_matrix "$out" $?
# Every scenario runs iommuwatch (a case that only reads sysfs passes
# whatever iommuwatch does), and one that starts a trace or the daemon
# expects the exit status of each such run (tests/lab/lib.sh's iw_exits).
scenario_gaps() {
	local f start='^RUN .*(iw_trace_start|iw_daemon_start)'
	for f in "$@"; do
		grep -qE "$start|^RUN .*(\"\\\$IW\"|build/iommuwatch)" "$f" ||
			echo "$f: never runs iommuwatch"
		grep -qE "$start" "$f" || continue
		grep -q '^RUN iw_exits' "$f" &&
			grep -qE '^EXPECT \^iommuwatch exits: (trace|daemon)=' "$f" ||
			echo "$f: does not expect its runs' exit status (iw_exits)"
	done
}
out=$(scenario_gaps tests/scenarios/*.case)
result scenarios.run_iommuwatch "$out" "$(test -z "$out"; echo $?)"
printf 'NAME canary\nCHECK 7.3\nRUN cat /sys/kernel/iommu_groups/*/type\n' >"$canary"
out=$(scenario_gaps "$canary")
grep -q 'never runs iommuwatch' <<<"$out"
result scenarios.run_iommuwatch_required "$out" $?
printf 'NAME canary\nCHECK 7.3\nRUN iw_trace_start\nRUN iw_trace_stop\nEXPECT ^iommuwatch exit 0$\n' >"$canary"
out=$(scenario_gaps "$canary")
grep -q "does not expect its runs' exit status" <<<"$out"
result scenarios.exits_required "$out" $?
rm -f "$canary"
# The targets the lab cannot run are those tools/lab/missing-targets
# lists (every line and family, through a case that allows them all), and
# one that a broken lookup makes missing fails instead of skipping: here
# the newest arm64 line's row lost.
out=$(tools/lab/run-scenarios --list status_matches_sysfs 2>&1)
result scenarios.missing_targets "$out" $?
conf=$(mktemp)
last=$(awk '!/^#/ && NF { l = $1 } END { print l }' tools/lab/kernels-arm64.conf)
awk -v l="$last" '$1 != l' tools/lab/kernels-arm64.conf >"$conf"
out=$(IOMMUWATCH_KERNELS_CONF_ARM64=$conf tools/lab/run-scenarios --list \
	status_matches_sysfs 2>&1)
grep -q "^FAIL  $last/smmuv3 .*missing-targets does not list" <<<"$out"
result scenarios.missing_unlisted_fails "$out" $?
rm -f "$conf"
out=$(make --no-print-directory bench-consumer 2>&1)
result build.bench_consumer "$out" $?

# hardened BIN: a PIE, its relocations resolved at start and then read-only
# (RELRO, BIND_NOW), and its own objects (the static libraries linked in
# bring their own, so the binary's symbols prove nothing of ours) built
# with a stack protector and _FORTIFY_SOURCE: each in most objects, as
# -fstack-protector-strong guards only functions with arrays or addresses
# taken, and only calls whose buffer size is known are checked.
hardened() {
	local bin=$1 out="" o n=0 sp=0 fo=0 syms

	if [ ! -e "$bin" ]; then
		result "hardening.$bin" "missing: run make first" 1
		return
	fi
	readelf -hW "$bin" | grep -q 'Type: *DYN' || out+="not a PIE; "
	readelf -lW "$bin" | grep -q GNU_RELRO || out+="no GNU_RELRO; "
	readelf -dW "$bin" | grep -qE '\(FLAGS\).*BIND_NOW|\(FLAGS_1\).* NOW' ||
		out+="no BIND_NOW; "
	for o in "$(dirname "$bin")"/*.o; do
		[[ $o == *.bpf.o ]] && continue
		syms=$(readelf -sW "$o")
		n=$((n + 1))
		grep -q ' __stack_chk_fail$' <<<"$syms" && sp=$((sp + 1))
		grep -qE ' __[a-z0-9_]+_chk$' <<<"$syms" && fo=$((fo + 1))
	done
	[ $((2 * sp)) -gt "$n" ] || out+="stack protector in $sp of $n objects; "
	[ $((2 * fo)) -gt "$n" ] || out+="fortified calls in $fo of $n objects; "
	[ -z "$out" ]
	result "hardening.$bin" "$out" $?
}
hardened build/iommuwatch
# The arm64 cross build, where there is one (make check makes it on x86-64).
[ ! -e build/arm64/iommuwatch ] || hardened build/arm64/iommuwatch

echo "lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
