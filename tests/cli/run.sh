#!/usr/bin/env bash
# Command-line contract on the host, no kernel support needed: help,
# version, bad flags, bad input and privileges each give one clear
# sentence and the documented exit status.
set -uo pipefail
cd "$(dirname "$0")/../.."
IW=${IW:-build/iommuwatch}
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect NAME RC REGEX -- CMD...: exit status RC and REGEX in stdout+stderr.
expect() {
	local name=$1 rc=$2 re=$3 out got
	shift 4
	out=$("$@" 2>&1)
	got=$?
	if [ "$got" = "$rc" ] && grep -qE -- "$re" <<<"$out"; then
		echo "PASS  cli.$name"
		passed=$((passed + 1))
	else
		echo "FAIL  cli.$name: exit $got (want $rc), /$re/ in:"
		sed 's/^/    /' <<<"$out" | head -20
		failed=$((failed + 1))
	fi
}

# A fake sysfs: group 7 (DMA) with one device and a direct region.
fake_sysfs() {
	local g=$tmp/sys/kernel/iommu_groups/7
	mkdir -p "$g/devices/0000:00:1f.0"
	echo DMA >"$g/type"
	echo "0x00000000fed00000 0x00000000fed0ffff direct" >"$g/reserved_regions"
}
fake_sysfs

expect help 0 'EXAMPLES:' -- "$IW" --help
expect help_lists_commands 0 'probe +load and attach' -- "$IW" --help
expect version 0 '^iommuwatch [0-9]+\.[0-9]+\.[0-9]+ \(libbpf [0-9]+\.[0-9]+\)$' -- "$IW" --version
expect bad_flag 64 "unrecognized option '--bogus'" -- "$IW" trace --bogus
expect attach_bad_mode 64 "invalid --attach 'uprobe' \(auto, fentry or kprobe\)" -- "$IW" trace --attach uprobe
expect attach_elsewhere 64 "--attach is for 'trace', 'daemon' and 'probe'" -- "$IW" status --attach kprobe
expect bad_duration 64 "invalid duration: 'soon'" -- "$IW" trace -d soon
expect zero_duration 64 "invalid duration: '0'" -- "$IW" trace -d 0
expect bad_group 64 "invalid group: '-3'" -- "$IW" trace -g -3
expect unknown_command 64 "unknown command 'watch'" -- "$IW" watch
expect trace_opts_elsewhere 64 "--duration is for 'trace'" -- "$IW" status -d 5
expect not_root 1 'must run as root \(or with CAP_BPF and CAP_PERFMON\)$' -- \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$IW" trace
expect missing_btf 1 'cannot read BTF file /nonexistent/btf: No such file' -- \
	"$IW" trace --btf /nonexistent/btf
expect status_fake 0 '^7 +dma +yes +- +- +0000:00:1f\.0$' -- \
	"$IW" status --sysfs "$tmp/sys"
expect status_json 0 '^\{"type":"group","group":7,"domain":"dma","devices":\["0000:00:1f\.0"\],"direct":true,"iommu":null,"iommu_driver":null\}$' -- \
	"$IW" status --json --sysfs "$tmp/sys"
# A group with more devices than a line buffer would hold: none cut off.
g=$tmp/many/kernel/iommu_groups/9
for i in $(seq 0 39); do mkdir -p "$g/devices/0000:01:$(printf %02x "$i").0"; done
echo identity >"$g/type"
: >"$g/reserved_regions"
expect status_many_devices 0 '^40 devices$' -- bash -c \
	"\"$IW\" status --sysfs '$tmp/many' | awk '\$1 == 9 { print split(\$6, d, \",\") \" devices\" }'"
# An SMMUv3 instance, named by its MMIO base, wider than the IOMMU column's
# 13: the column widens, so DRIVER still heads the drivers.
g=$tmp/smmu/kernel/iommu_groups/3
u=$tmp/smmu/class/iommu/smmu3.0x0000000009050000
mkdir -p "$g/devices/0000:00:04.0" "$u/device" "$tmp/smmu/bus/platform/drivers/arm-smmu-v3"
ln -s "$u" "$g/devices/0000:00:04.0/iommu"
ln -s "$tmp/smmu/bus/platform/drivers/arm-smmu-v3" "$u/device/driver"
echo DMA >"$g/type"
: >"$g/reserved_regions"
expect status_wide_iommu 0 '^driver column 52 52$' -- bash -c \
	"\"$IW\" status --sysfs '$tmp/smmu' | awk 'NR == 1 { h = index(\$0, \"DRIVER\") } NR == 2 { print \"driver column\", h, index(\$0, \"arm-smmu-v3\") }'"
expect status_no_iommu 1 'no IOMMU groups in /nonexistent/kernel/iommu_groups: the IOMMU is off or absent \(.*iommu=pt or iommu\.passthrough=1 keep it on with identity domains, whose groups iommuwatch watches\)$' -- \
	"$IW" status --sysfs /nonexistent
# IOMMU off: the directory is there, with no group in it.
mkdir -p "$tmp/off/kernel/iommu_groups"
expect status_no_groups 1 '^iommuwatch: error: no IOMMU groups in .*/off/kernel/iommu_groups: the IOMMU is off or absent \(' -- \
	"$IW" status --sysfs "$tmp/off"
expect require_groups_elsewhere 64 "--require-groups is for 'trace' and 'daemon'" -- "$IW" status --require-groups

# The manual: lint-clean, and nothing --help offers is missing from it
# (nor a violation kind or a metric).
man=doc/iommuwatch.8
expect man_lint 0 '^lint clean$' -- bash -c \
	"out=\$(mandoc -T lint -W warning $man 2>&1) && [ -z \"\$out\" ] && echo 'lint clean' || echo \"\$out\""
expect man_options 0 '^[0-9]+ options, none missing$' -- bash -c \
	"opts=\$(\"$IW\" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); m=0
	for o in \$opts; do grep -q -- \"Fl \${o#-}\\b\" $man || { echo \"missing \$o\"; m=1; }; done
	[ \$m = 0 ] && echo \"\$(wc -w <<<\"\$opts\") options, none missing\""
expect man_kinds_metrics 0 '^[0-9]+ kinds and metrics, none missing$' -- bash -c \
	"names=\$(grep -ho '{ \"[a-z_]*\", IW_SEV_' src/rules.c | cut -d'\"' -f2; grep -o '\"iommuwatch_[a-z_]*\", PROM_' src/metrics.c | cut -d'\"' -f2); m=0
	for n in \$names; do grep -q \"Li \$n\\b\" $man || { echo \"missing \$n\"; m=1; }; done
	[ \$m = 0 ] && echo \"\$(wc -w <<<\"\$names\") kinds and metrics, none missing\""

# replay: recorded lab traces (tests/replay) and damaged copies of them.
rec=tests/replay
expect replay_violation 3 '!! critical blocked_with_rmr: 0000:00:03\.0 group 3 path=release to=blocked to_domain=2 require_direct=true' -- \
	"$IW" replay "$rec/rmrr-release-6.12.jsonl"
expect replay_clean 0 '^2 transitions, 1 releases, 1 domains freed, 0 violations, 0 bad lines$' -- \
	"$IW" replay "$rec/rmrr-release-7.3.jsonl"
expect replay_json_stdin 3 '^\{"type":"violation",.*"kind":"attach_failed",.*"errno":"EPERM"' -- \
	sh -c "'$IW' replay --json - < $rec/rmrr-vfio-6.1.jsonl"
expect replay_all 3 ' 0000:00:03\.0 +- +none +dma-fq#3 +probe ' -- \
	"$IW" replay --all "$rec/rmrr-release-6.12.jsonl"
expect replay_filter 0 '0 transitions, 0 releases, 0 domains freed, 0 violations' -- \
	"$IW" replay -g 4 "$rec/rmrr-release-6.12.jsonl"
{
	head -c 200 "$rec/rmrr-release-6.12.jsonl"; echo	# a truncated line
	printf 'garbage\001\002\n{"type":"lost","time":"2026-11-23T00:00:00Z","count":1,"extra":1}\n'
	cat "$rec/rmrr-release-6.12.jsonl"
} >"$tmp/damaged.jsonl"
expect replay_damaged_lines 1 'damaged\.jsonl:2: not a JSON object \(truncated\?\)' -- \
	"$IW" replay "$tmp/damaged.jsonl"
expect replay_damaged_unknown_field 1 "damaged\.jsonl:4: unknown field 'extra'" -- \
	"$IW" replay "$tmp/damaged.jsonl"
expect replay_damaged_rest_analysed 1 '1 violations \(blocked_with_rmr=1\), 3 bad lines$' -- \
	"$IW" replay "$tmp/damaged.jsonl"
# replay on another host's journal: no value sizes the memory used, and
# one out of range is named with its line, skipped, and exit 1.
# peak_rss CMD...: run CMD; say its exit status and peak RSS in KiB.
peak_rss() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>&1
		echo "exit $?, peak RSS $(tail -1 "$tmp/rss") KiB"
	else
		python3 -c 'import resource, subprocess, sys
rc = subprocess.run(sys.argv[1:], capture_output=True).returncode
print("exit %d, peak RSS %d KiB" % (rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))' "$@"
	fi
}
transition() {
	printf '{"type":"transition","time":"%s","group":%s,"device":"0000:00:03.0","from":"dma","to":"identity","path":"default","ret":0}\n' "$@"
}
transition 2026-01-01T00:00:00Z 50000000 >"$tmp/huge-group.jsonl"
{ transition 2026-01-01T00:00:00Z 3; transition 2026-01-01T00:00:01Z 2147483648; } >"$tmp/group-range.jsonl"
{ transition 2026-01-01T00:00:00Z 3; transition 2262-06-01T00:00:00Z 3; } >"$tmp/time-range.jsonl"
expect replay_huge_group 0 '^1 transitions, 0 releases, 0 domains freed, 0 violations, 0 bad lines$' -- \
	"$IW" replay "$tmp/huge-group.jsonl"
# Under 64 MiB (the state sized by the id took 2.3 GB).
expect replay_huge_group_rss 0 '^exit 0, peak RSS ([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}) KiB$' -- \
	peak_rss "$IW" replay "$tmp/huge-group.jsonl"
# An endless line on stdin (100 MB, no newline) is read through, never
# held: under 16 MiB (getline held all of it: 102 MiB).
expect replay_endless_line_rss 0 '^exit 1, peak RSS ([0-9]{1,4}|1[0-5][0-9]{3}) KiB$' -- \
	peak_rss sh -c "head -c 100000000 /dev/zero | tr '\\000' x | '$IW' replay -"
expect replay_group_out_of_range 1 "group-range\.jsonl:2: field 'group' out of range \(0\.\.2147483647\)" -- \
	"$IW" replay "$tmp/group-range.jsonl"
expect replay_group_out_of_range_skipped 1 '^1 transitions, .*, 1 bad lines$' -- \
	"$IW" replay "$tmp/group-range.jsonl"
expect replay_time_out_of_range 1 "time-range\.jsonl:2: field 'time' out of range \(1970-01-01T00:00:00Z\.\.2262-04-11T23:47:16\.854775807Z\)" -- \
	"$IW" replay "$tmp/time-range.jsonl"
expect replay_time_out_of_range_skipped 1 '^1 transitions, .*, 1 bad lines$' -- \
	"$IW" replay "$tmp/time-range.jsonl"
expect replay_missing_file 1 'cannot open /nonexistent\.jsonl: No such file or directory' -- \
	"$IW" replay /nonexistent.jsonl
expect replay_no_file 64 'replay needs a FILE' -- "$IW" replay
expect replay_all_elsewhere 64 "--all is for 'replay'" -- "$IW" trace --all

# report: the same recordings drawn; bad input as replay has it.
expect report_written 0 'report: 4 records, 1 violations, 0 bad lines' -- \
	"$IW" report -o "$tmp/r.html" "$rec/rmrr-release-6.12.jsonl"
expect report_one_lane_per_group 0 '^7$' -- \
	sh -c "grep -c '<g class=\"lane\" data-group=' '$tmp/r.html'"
expect report_violation_with_evidence 0 '<circle class="v critical" data-v="0" data-rule="blocked_with_rmr".*to=blocked to_domain=2 require_direct=true</title>' -- \
	cat "$tmp/r.html"
expect report_nothing_fetched 1 '^$' -- \
	sh -c "grep -Eo '(src|href)=\"[a-z]+:' '$tmp/r.html'"
"$IW" report -g 3 -o "$tmp/g3.html" "$rec/rmrr-release-6.12.jsonl" 2>/dev/null
expect report_group_filter 0 '^1 data-group="3"$' -- \
	sh -c "grep -o '<g class=\"lane\" data-group=\"[0-9]*\"' '$tmp/g3.html' | sed 's/.*data/data/' | sort | uniq -c | sed 's/^ *//'"
"$IW" report -D 0000:00:03.0 -o "$tmp/d3.html" "$rec/rmrr-release-6.12.jsonl" 2>/dev/null
expect report_device_filter 0 '^1 data-group="3"$' -- \
	sh -c "grep -o '<g class=\"lane\" data-group=\"[0-9]*\"' '$tmp/d3.html' | sed 's/.*data/data/' | sort | uniq -c | sed 's/^ *//'"
expect report_stdin_many_files 0 'report: 8 records, 1 violations, 0 bad lines' -- \
	sh -c "'$IW' report - '$rec/rmrr-release-7.3.jsonl' < '$rec/rmrr-release-6.12.jsonl' > '$tmp/r2.html'"
expect report_damaged_named 1 'damaged\.jsonl:2: not a JSON object \(truncated\?\)' -- \
	"$IW" report -o "$tmp/d.html" "$tmp/damaged.jsonl"
expect report_damaged_rest_drawn 0 '<tr><th>bad input lines</th><td>3</td></tr>' -- \
	cat "$tmp/d.html"
expect report_damaged_violation_drawn 0 'data-rule="blocked_with_rmr"' -- cat "$tmp/d.html"
expect report_huge_group_rss 0 '^exit 0, peak RSS ([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}) KiB$' -- \
	peak_rss "$IW" report -o "$tmp/h.html" "$tmp/huge-group.jsonl"
{
	transition 2026-01-01T00:00:00Z 3
	printf '{"type":"lost","time":"2026-01-01T00:00:05Z","count":5}\n'
	transition 2026-01-01T00:00:09Z 3
} >"$tmp/lost.jsonl"
"$IW" report -o "$tmp/lost.html" "$tmp/lost.jsonl" 2>/dev/null
expect report_loss_is_a_gap 0 '<rect class="gap" [^>]*><title>5 events lost here</title>' -- \
	cat "$tmp/lost.html"
expect report_loss_counted 0 '<tr><th>events lost</th><td>5</td></tr>' -- cat "$tmp/lost.html"
expect report_unwritable 1 'cannot write /nonexistent/r\.html: No such file or directory' -- \
	"$IW" report -o /nonexistent/r.html "$rec/rmrr-release-6.12.jsonl"
expect report_no_file 64 'report needs a FILE' -- "$IW" report
expect report_no_json 64 "--json is not for 'report'" -- "$IW" report --json x
expect output_elsewhere 64 "--output is for 'report'" -- "$IW" replay -o x y

# daemon: every bad output is refused at start, before any BPF is loaded.
expect daemon_bad_listen 1 "bad --listen 'nowhere': expected ADDR:PORT" -- \
	"$IW" daemon --listen nowhere
expect daemon_bad_port 1 "bad --listen '127.0.0.1:99999': expected ADDR:PORT" -- \
	"$IW" daemon --listen 127.0.0.1:99999
expect daemon_bad_host 1 "bad --listen 'no.such.host.invalid:7389': " -- \
	"$IW" daemon --listen no.such.host.invalid:7389
busybox httpd -f -p 127.0.0.1:17389 -h "$tmp" &
srv_pid=$!
sleep 0.3
expect daemon_port_in_use 1 'cannot listen on 127.0.0.1:17389: Address already in use' -- \
	"$IW" daemon --listen 127.0.0.1:17389
kill "$srv_pid" 2>/dev/null
wait "$srv_pid" 2>/dev/null
expect daemon_bad_textfile 1 'cannot write textfile /nonexistent/iw.prom: No such file or directory' -- \
	"$IW" daemon --listen 127.0.0.1:17390 --textfile /nonexistent/iw.prom
expect daemon_bad_journal 1 'cannot open journal /proc/iw.jsonl: ' -- \
	"$IW" daemon --listen 127.0.0.1:17391 --journal /proc/iw.jsonl
expect daemon_logfmt 1 '^level=error msg="cannot open journal ' -- \
	"$IW" daemon --listen 127.0.0.1:17392 --journal /proc/iw.jsonl
expect daemon_opts_elsewhere 64 "are for 'daemon'" -- "$IW" trace --journal /tmp/x
expect textfile_elsewhere 64 "--textfile is for 'daemon' and 'trace'" -- "$IW" status --textfile /tmp/x
expect daemon_no_json 64 "are not for 'daemon'" -- "$IW" daemon --json
expect daemon_bad_interval 64 "invalid interval: '0'" -- "$IW" daemon --textfile-interval 0
expect bad_ringbuf 64 "invalid ring buffer size: '5000' \\(a power of two\\)" -- "$IW" trace --ringbuf-size 5000
expect ringbuf_elsewhere 64 "--ringbuf-size is for 'trace' and 'daemon'" -- "$IW" status --ringbuf-size 4096

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
