#!/usr/bin/env bash
# The report benchmark: a long synthetic daemon journal (report-journal.py)
# through `report` and, side by side in the same rounds, through `replay`,
# which reads and checks the same lines and draws nothing. Prints one line:
#   bench report: records=N rounds=R report_s=.. replay_s=.. ratio=..
#                 html_bytes=.. report_rss_mib=..
# (times are medians; ratio is report over replay: what the drawing costs).
# Usage: tests/bench/report.sh [RECORDS] [ROUNDS]  (default 1000000 3)
set -Eeuo pipefail
cd "$(dirname "$0")/../.."
IW=${IW:-build/iommuwatch}
records=${1:-1000000}
rounds=${2:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 tests/bench/report-journal.py "$records" >"$tmp/j.jsonl"

# run_timed OUT CMD...: CMD's wall seconds and peak RSS (KiB) to OUT
# (time's last line: a non-zero exit, replay's 3, adds one before it).
run_timed() {
	local out=$1
	shift
	/usr/bin/time -f '%e %M' -o "$out.all" "$@" >/dev/null 2>&1 || true
	tail -1 "$out.all" >"$out"
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

for ((i = 1; i <= rounds; i++)); do
	run_timed "$tmp/t" "$IW" report -o "$tmp/r.html" "$tmp/j.jsonl"
	read -r s rss <"$tmp/t"
	echo "$s" >>"$tmp/report"
	echo "$rss" >>"$tmp/rss"
	run_timed "$tmp/t" "$IW" replay "$tmp/j.jsonl"
	read -r s _ <"$tmp/t"
	echo "$s" >>"$tmp/replay"
	echo "   round $i report $(tail -1 "$tmp/report") s replay $s s"
done
rep=$(median <"$tmp/report")
ply=$(median <"$tmp/replay")
echo "bench report: records=$records rounds=$rounds report_s=$rep" \
	"replay_s=$ply ratio=$(awk -v a="$rep" -v b="$ply" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')" \
	"html_bytes=$(stat -c %s "$tmp/r.html")" \
	"report_rss_mib=$(awk '{ m = $1 > m ? $1 : m } END { printf "%.1f", m / 1024 }' "$tmp/rss")"
