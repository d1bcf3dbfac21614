#!/usr/bin/env bash
# The report and the daemon's landing page in a real browser: Debian's
# chromium, headless, driven over the DevTools protocol (cdp.py). Pages:
#  - a lab guest (6.12, VT-d with PASID, an RMRR on 00:03.0, an e1000e at
#    00:04.0) runs the daemon with a journal while two PASIDs of 00:03.0
#    are attached and detached (tests/kmod), 00:04.0's group goes to
#    identity and back, then to VFIO as a VMM takes it, and 00:03.0 is
#    removed and rescanned (6.12 blocks it: a critical violation); the
#    daemon's landing page (fetched with curl) and its journal come back
#    on the guest's stdout;
#  - report of that journal, and of a recording in tests/replay;
#  - report of a synthetic 100 000-record journal (aggregation);
#  - a canary page with a console error and a fetch, which must fail.
# The oracle is the recording itself and replay's verdict on it: lanes are
# the groups it names, circles its violations, the evidence replay's.
# Every page fails on a console error, an exception or any request but
# its own file. Screenshots are kept in build/artifacts/browser/.
# Ends with "browser: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
IW=${IW:-build/iommuwatch}
ART=build/artifacts/browser
LINE=${BROWSER_LAB_LINE:-6.12}
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$ART"
export CDP_PROFILE=$tmp/profile

count() {
	local p f
	p=$(grep -c '^PASS  browser\.' "$1")
	f=$(grep -c '^FAIL  browser\.' "$1")
	passed=$((passed + p)) failed=$((failed + f))
}

# page NAME URL CHECKS: load it, check it, keep its screenshot.
page() {
	python3 tests/browser/cdp.py "$2" "$3" "$ART/$1.png" "$1" >"$tmp/out" 2>&1
	cat "$tmp/out"
	grep -q '^\(PASS\|FAIL\)  browser\.' "$tmp/out" ||
		echo "FAIL  browser.$1: cdp.py: $(tail -1 "$tmp/out")" | tee -a "$tmp/out"
	count "$tmp/out"
}

# What replay makes of a recording: violations as JSON, one per line.
violations() {
	"$IW" replay --json "$1" 2>/dev/null | jq -c 'select(.type == "violation")'
}

# The groups a recording names (start state and records).
n_groups() {
	jq -s '[.[] | select(.group != null) | .group] | unique | length' "$1"
}

# The first violation's evidence as report writes it: k=v k=v
first_evidence() {
	violations "$1" | head -1 |
		jq -r '[.evidence | to_entries[] | "\(.key)=\(.value)"] | join(" ")'
}

# checks_for NAME RECORDING: the DOM checks any page of RECORDING passes.
checks_for() {
	local name=$1 rec=$2 nv ev
	nv=$(violations "$rec" | wc -l)
	ev=$(first_evidence "$rec")
	last=$(jq -r 'select(.type | test("^(transition|release|domain_free|reset_prepare|reset_done)$")) | .time' "$rec" | tail -1)
	jq -n --arg n "$name" --argjson lanes "$(n_groups "$rec")" \
		--argjson nv "$nv" --arg ev "$ev" --arg last "$last" '[
	  { name: ($n + "_one_lane_per_group"), want: $lanes,
	    js: "document.querySelectorAll(\"g.lane:not(.pasid)\").length" },
	  { name: ($n + "_one_circle_per_violation"), want: $nv,
	    js: "document.querySelectorAll(\"circle.v\").length" },
	  { name: ($n + "_evidence_listed"), want: $ev,
	    js: "(document.querySelector(\"#violations tr[data-v] td.evidence\") || {}).textContent || \"\"" },
	  { name: ($n + "_evidence_on_hover"), want: true,
	    js: ("(document.querySelector(\"circle.v title\") || {textContent: \"\"}).textContent.endsWith(" + ($ev | tojson) + ")") },
	  { name: ($n + "_newest_record_first"), want: $last,
	    js: "document.querySelector(\"#recent tr:nth-child(2) td\").textContent" },
	  { name: ($n + "_hover_highlights"), want: true,
	    js: "(function(){var r=document.querySelector(\"tr[data-v]\");if(!r)return false;r.dispatchEvent(new MouseEvent(\"mouseenter\"));return document.querySelector(\"circle[data-v=\\\"\"+r.dataset.v+\"\\\"]\").classList.contains(\"hl\")})()" }
	]'
}

# ---- a daemon on a lab kernel: its page and its journal ----
guest() {
	cat <<'GUEST'
. tests/lab/lib.sh
modprobe e1000e; modprobe vfio-pci; modprobe vfio_iommu_type1
ensure_group 0000:00:03.0 || exit 1
pasid_load 0000:00:03.0 || exit 1
iw_daemon_start --journal /tmp/iw.jsonl || exit 1
for p in 1 2; do pasid_cmd alloc; pasid_cmd attach $p; pasid_cmd detach $p; pasid_cmd free; done
g4=$(group_of 0000:00:04.0)
t4=$(cat /sys/kernel/iommu_groups/"$g4"/type)
echo 0000:00:04.0 >/sys/bus/pci/devices/0000:00:04.0/driver/unbind
echo identity >/sys/kernel/iommu_groups/"$g4"/type
echo "$t4" >/sys/kernel/iommu_groups/"$g4"/type
echo vfio-pci >/sys/bus/pci/devices/0000:00:04.0/driver_override
echo 0000:00:04.0 >/sys/bus/pci/drivers_probe
build/tests/vfio_claim "$g4" >/dev/null
remove_rescan 0000:00:03.0
sleep 1
curl -sf "$IW_URL/" >/tmp/page.html || echo "no page"
iw_daemon_stop >/dev/null
echo "=== page"; cat /tmp/page.html
echo "=== journal"; cat /tmp/iw.jsonl
echo "=== end"
GUEST
}

tools/lab/fetch-kernels "$LINE" >/dev/null
make --no-print-directory -s kmods LAB_LINES="$LINE" >/dev/null 2>&1
if tools/lab/vm-run -k "$LINE" --rmrr 0000:00:03.0 --pasid --timeout 240 \
	--qemu-args "-device e1000e,addr=04.0" -- \
	bash -c "$(guest)" >"$tmp/guest" 2>"$tmp/guest.err"; then
	awk '/^=== page$/ { f = 1; next } /^=== journal$/ { f = 0 } f' \
		"$tmp/guest" >"$tmp/landing.html"
	awk '/^=== journal$/ { f = 1; next } /^=== end$/ { f = 0 } f' \
		"$tmp/guest" >"$tmp/lab.jsonl"
	cp "$tmp/lab.jsonl" "$ART/lab-$LINE.jsonl"
	checks_for daemon "$tmp/lab.jsonl" >"$tmp/c.json"
	# Two PASIDs were attached: their lanes, on the page and in the report.
	jq '. + [{ name: "daemon_pasid_lanes", want: 2,
	           js: "document.querySelectorAll(\"g.lane.pasid\").length" }]' \
		"$tmp/c.json" >"$tmp/c1.json" && mv "$tmp/c1.json" "$tmp/c.json"
	jq --argjson g "$(jq -s '[.[] | select(.type == "group")] | length' "$tmp/lab.jsonl")" \
		--arg k "$(jq -r 'select(.type == "session") | .kernel' "$tmp/lab.jsonl")" \
		'. + [{ name: "daemon_groups_now", want: $g,
		        js: "document.querySelectorAll(\"#groups tr[data-group]\").length" },
		      { name: "daemon_kernel_fact", want: $k,
		        js: "document.querySelector(\"#facts td\").textContent" }]' \
		"$tmp/c.json" >"$tmp/c2.json"
	page daemon "file://$tmp/landing.html" "$tmp/c2.json"
	"$IW" report -o "$tmp/lab.html" "$tmp/lab.jsonl" 2>/dev/null
	checks_for report_lab "$tmp/lab.jsonl" >"$tmp/c.json"
	jq '. + [{ name: "report_lab_pasid_lanes", want: 2,
	           js: "document.querySelectorAll(\"g.lane.pasid\").length" }]' \
		"$tmp/c.json" >"$tmp/c1.json" && mv "$tmp/c1.json" "$tmp/c.json"
	page report_lab "file://$tmp/lab.html" "$tmp/c.json"
else
	echo "FAIL  browser.daemon: the lab guest failed (vm-run exit $?)"
	tail -5 "$tmp/guest.err" | sed 's/^/    /'
	failed=$((failed + 1))
fi

# ---- a recording in the tree ----
rec=tests/replay/rmrr-release-6.12.jsonl
"$IW" report -o "$tmp/rec.html" "$rec" 2>/dev/null
checks_for report "$rec" >"$tmp/c.json"
jq --arg k "$(jq -r 'select(.type == "session") | .kernel' "$rec")" \
	'. + [{ name: "report_kernel_fact", want: $k,
	        js: "document.querySelector(\"#facts td\").textContent" }]' \
	"$tmp/c.json" >"$tmp/c2.json"
page report "file://$tmp/rec.html" "$tmp/c2.json"

# ---- aggregation: 100 000 records, 64 groups, two PASIDs each ----
python3 tests/bench/report-journal.py 100000 >"$tmp/big.jsonl"
"$IW" report -o "$tmp/big.html" "$tmp/big.jsonl" 2>/dev/null
jq -n --argjson nv "$(violations "$tmp/big.jsonl" | wc -l)" '[
  { name: "big_lanes", want: 192, js: "document.querySelectorAll(\"g.lane\").length" },
  { name: "big_pasid_lanes", want: 128, js: "document.querySelectorAll(\"g.lane.pasid\").length" },
  { name: "big_violations_counted", want: ($nv | tostring),
    js: "document.querySelector(\"#rules td:nth-child(3)\").textContent" },
  { name: "big_last_1000_listed", want: ([$nv, 1000] | min),
    js: "document.querySelectorAll(\"#violations tr[data-v]\").length" }
]' >"$tmp/c.json"
page big "file://$tmp/big.html" "$tmp/c.json"

# ---- the canary: the checks themselves must catch a broken page ----
cat >"$tmp/canary.html" <<'HTML'
<!DOCTYPE html><html><body><p>canary</p>
<script>console.error("canary error")</script>
<img src="http://127.0.0.1:9/canary.png"></body></html>
HTML
echo '[]' >"$tmp/c.json"
python3 tests/browser/cdp.py "file://$tmp/canary.html" "$tmp/c.json" \
	"$tmp/canary.png" canary >"$tmp/out" 2>&1
if grep -q 'console.error' "$tmp/out" && grep -q 'request: http://127.0.0.1:9/' "$tmp/out"; then
	echo "PASS  browser.canary_caught"
	passed=$((passed + 1))
else
	echo "FAIL  browser.canary_caught: the console error or the fetch was missed"
	sed 's/^/    /' "$tmp/out"
	failed=$((failed + 1))
fi

echo "browser: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
