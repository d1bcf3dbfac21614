#!/usr/bin/env bash
# Fuzz the replay reader for a bounded time from the kept corpus; new
# inputs go to a scratch directory (merge them into corpus/ by hand).
# Usage: run.sh FUZZER SECONDS
set -uo pipefail
fuzzer=$1 seconds=$2
corpus=$(dirname "$0")/corpus
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1
"$fuzzer" -max_total_time="$seconds" -max_len=70000 -timeout=10 -print_final_stats=1 \
	-artifact_prefix="$scratch/" "$scratch" "$corpus" >"$scratch/log" 2>&1
rc=$?
grep -E "^Done [0-9]+ runs" "$scratch/log"
if [ $rc -eq 0 ]; then
	echo "PASS  fuzz.jsonl ($seconds s, $(grep -o 'stat::number_of_executed_units: [0-9]*' "$scratch/log" | grep -o '[0-9]*$' || echo '?') runs)"
	echo "fuzz: 1 passed, 0 failed"
else
	echo "FAIL  fuzz.jsonl: crash or leak; reproducer:"
	ls "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* 2>/dev/null
	grep -m 20 -E 'ERROR|SUMMARY|#[0-9]+ ' "$scratch/log"
	cp "$scratch"/crash-* "$scratch"/leak-* "$(dirname "$0")/" 2>/dev/null
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi
