#!/usr/bin/env bash
# Fuzz the replay reader for a bounded time from the kept corpus, with the
# contract's dictionary; new inputs go to a scratch directory (merge them
# into corpus/ by hand). A line's values must not size the memory used:
# past FUZZ_RSS_MB of RSS, or one allocation past FUZZ_MALLOC_MB, is a
# finding.
# Usage: run.sh FUZZER SECONDS
set -uo pipefail
fuzzer=$1 seconds=$2
dir=$(dirname "$0")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
"$fuzzer" -max_total_time="$seconds" -max_len=70000 -timeout=10 -print_final_stats=1 \
	-dict="$dir/jsonl.dict" -rss_limit_mb="${FUZZ_RSS_MB:-512}" \
	-malloc_limit_mb="${FUZZ_MALLOC_MB:-256}" \
	-artifact_prefix="$scratch/" "$scratch" "$dir/corpus" >"$scratch/log" 2>&1
rc=$?
grep -E "^Done [0-9]+ runs" "$scratch/log"
if [ $rc -eq 0 ]; then
	echo "PASS  fuzz.jsonl ($seconds s, $(grep -o 'stat::number_of_executed_units: [0-9]*' "$scratch/log" | grep -o '[0-9]*$' || echo '?') runs)"
	echo "fuzz: 1 passed, 0 failed"
else
	echo "FAIL  fuzz.jsonl: crash, leak, timeout or memory; reproducer:"
	ls "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* "$scratch"/oom-* 2>/dev/null
	grep -m 20 -E 'ERROR|SUMMARY|runtime error|out-of-memory|#[0-9]+ ' "$scratch/log"
	cp "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* "$scratch"/oom-* "$dir/" 2>/dev/null
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi
