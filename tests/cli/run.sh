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

# expect NAME RC REGEX STREAM CMD...: exit status RC and REGEX in a line
# of STREAM: --out (stdout: data), --err (stderr: messages), --err-only
# (stderr, and nothing on stdout: an error that stops the command) or --
# (either one; say which where it matters).
expect() {
	local name=$1 rc=$2 re=$3 stream=$4 out err got ok=0
	shift 4
	out=$("$@" 2>"$tmp/stderr")
	got=$?
	err=$(<"$tmp/stderr")
	case $stream in
	--out) grep -qE -- "$re" <<<"$out" && ok=1 ;;
	--err) grep -qE -- "$re" <<<"$err" && ok=1 ;;
	--err-only) [ -z "$out" ] && grep -qE -- "$re" <<<"$err" && ok=1 ;;
	--) grep -qE -- "$re" <<<"$out"$'\n'"$err" && ok=1 ;;
	*) err="expect: unknown stream '$stream'" ;;
	esac
	if [ "$got" = "$rc" ] && [ $ok = 1 ]; then
		echo "PASS  cli.$name"
		passed=$((passed + 1))
	else
		echo "FAIL  cli.$name: exit $got (want $rc), /$re/ in $stream of:"
		{ sed 's/^/    out: /' <<<"$out"; sed 's/^/    err: /' <<<"$err"; } |
			head -20
		failed=$((failed + 1))
	fi
}

# daemon_free_port ARGS...: the daemon listening on a free port; another
# program may take it in between, and then it tries another (3 at most).
daemon_free_port() {
	local rc
	for _ in 1 2 3; do
		"$IW" daemon --listen "127.0.0.1:$(tests/cli/free-port)" "$@" 2>"$tmp/dfp.err"
		rc=$?
		grep -q 'Address already in use' "$tmp/dfp.err" || break
	done
	cat "$tmp/dfp.err" >&2
	return "$rc"
}

# A fake sysfs: group 7 (DMA) with one device and a direct region.
fake_sysfs() {
	local g=$tmp/sys/kernel/iommu_groups/7
	mkdir -p "$g/devices/0000:00:1f.0"
	echo DMA >"$g/type"
	echo "0x00000000fed00000 0x00000000fed0ffff direct" >"$g/reserved_regions"
}
fake_sysfs

expect help 0 'EXAMPLES:' --out "$IW" --help
expect help_lists_commands 0 'probe +load and attach' --out "$IW" --help
expect version 0 '^iommuwatch [0-9]+\.[0-9]+\.[0-9]+ \(libbpf [0-9]+\.[0-9]+\)$' --out "$IW" --version
expect bad_flag 64 "unrecognized option '--bogus'" --err-only "$IW" trace --bogus
expect attach_bad_mode 64 "invalid --attach 'uprobe' \(auto, fentry or kprobe\)" --err-only "$IW" trace --attach uprobe
expect attach_elsewhere 64 "--attach is for 'trace', 'daemon' and 'probe'" --err-only "$IW" status --attach kprobe
expect bad_duration 64 "invalid duration: 'soon'" --err-only "$IW" trace -d soon
expect zero_duration 64 "invalid duration: '0'" --err-only "$IW" trace -d 0
expect bad_group 64 "invalid group: '-3'" --err-only "$IW" trace -g -3
expect unknown_command 64 "unknown command 'watch'" --err-only "$IW" watch
expect trace_opts_elsewhere 64 "--duration is for 'trace'" --err-only "$IW" status -d 5
expect not_root 1 'must run as root \(or with CAP_BPF and CAP_PERFMON\)$' --err-only \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$IW" trace
expect missing_btf 1 'cannot read BTF file /nonexistent/btf: No such file' --err-only \
	"$IW" trace --btf /nonexistent/btf
expect status_fake 0 '^7 +dma +yes +- +- +0000:00:1f\.0$' --out \
	"$IW" status --sysfs "$tmp/sys"
expect status_json 0 '^\{"type":"group","group":7,"domain":"dma","devices":\["0000:00:1f\.0"\],"direct":true,"iommu":null,"iommu_driver":null\}$' --out \
	"$IW" status --json --sysfs "$tmp/sys"
# A group with more devices than a line buffer would hold: none cut off.
g=$tmp/many/kernel/iommu_groups/9
for i in $(seq 0 39); do mkdir -p "$g/devices/0000:01:$(printf %02x "$i").0"; done
echo identity >"$g/type"
: >"$g/reserved_regions"
expect status_many_devices 0 '^40 devices$' --out bash -c \
	"set -o pipefail; \"$IW\" status --sysfs '$tmp/many' | awk '\$1 == 9 { print split(\$6, d, \",\") \" devices\" }'"
# An SMMUv3 instance, named by its MMIO base, wider than the IOMMU column's
# 13: the column widens, so DRIVER still heads the drivers.
g=$tmp/smmu/kernel/iommu_groups/3
u=$tmp/smmu/class/iommu/smmu3.0x0000000009050000
mkdir -p "$g/devices/0000:00:04.0" "$u/device" "$tmp/smmu/bus/platform/drivers/arm-smmu-v3"
ln -s "$u" "$g/devices/0000:00:04.0/iommu"
ln -s "$tmp/smmu/bus/platform/drivers/arm-smmu-v3" "$u/device/driver"
echo DMA >"$g/type"
: >"$g/reserved_regions"
expect status_wide_iommu 0 '^driver column 52 52$' --out bash -c \
	"set -o pipefail; \"$IW\" status --sysfs '$tmp/smmu' | awk 'NR == 1 { h = index(\$0, \"DRIVER\") } NR == 2 { print \"driver column\", h, index(\$0, \"arm-smmu-v3\") }'"
expect status_no_iommu 1 'no IOMMU groups in /nonexistent/kernel/iommu_groups: the IOMMU is off or absent \(.*iommu=pt or iommu\.passthrough=1 keep it on with identity domains, whose groups iommuwatch watches\)$' --err-only \
	"$IW" status --sysfs /nonexistent
# IOMMU off: the directory is there, with no group in it.
mkdir -p "$tmp/off/kernel/iommu_groups"
expect status_no_groups 1 '^iommuwatch: error: no IOMMU groups in .*/off/kernel/iommu_groups: the IOMMU is off or absent \(' --err-only \
	"$IW" status --sysfs "$tmp/off"
expect require_groups_elsewhere 64 "--require-groups is for 'trace' and 'daemon'" --err-only "$IW" status --require-groups

# The manual: lint-clean, and nothing --help offers is missing from it
# (nor a violation kind or a metric).
man=doc/iommuwatch.8
expect man_lint 0 '^lint clean$' --out bash -c \
	"out=\$(mandoc -T lint -W warning $man 2>&1) && [ -z \"\$out\" ] && echo 'lint clean' || echo \"\$out\""
expect man_options 0 '^[1-9][0-9]* options, none missing$' --out bash -c \
	"opts=\$(\"$IW\" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); m=0
	for o in \$opts; do grep -q -- \"Fl \${o#-}\\b\" $man || { echo \"missing \$o\"; m=1; }; done
	[ \$m = 0 ] && echo \"\$(wc -w <<<\"\$opts\") options, none missing\""
expect man_kinds_metrics 0 '^[1-9][0-9]* kinds and metrics, none missing$' --out bash -c \
	"names=\$(grep -ho '{ \"[a-z_]*\", IW_SEV_' src/rules.c | cut -d'\"' -f2; grep -o '\"iommuwatch_[a-z_]*\", PROM_' src/metrics.c | cut -d'\"' -f2); m=0
	for n in \$names; do grep -q \"Li \$n\\b\" $man || { echo \"missing \$n\"; m=1; }; done
	[ \$m = 0 ] && echo \"\$(wc -w <<<\"\$names\") kinds and metrics, none missing\""

# replay: recorded lab traces (tests/replay) and damaged copies of them.
rec=tests/replay
expect replay_violation 3 '!! critical blocked_with_rmr: 0000:00:03\.0 group 3 path=release to=blocked to_domain=2 require_direct=true' --out \
	"$IW" replay "$rec/rmrr-release-6.12.jsonl"
expect replay_clean 0 '^2 transitions, 1 releases, 1 domains freed, 0 violations, 0 bad lines$' --err \
	"$IW" replay "$rec/rmrr-release-7.3.jsonl"
expect replay_json_stdin 3 '^\{"type":"violation",.*"kind":"attach_failed",.*"errno":"EPERM"' --out \
	sh -c "'$IW' replay --json - < $rec/rmrr-vfio-6.1.jsonl"
expect replay_all 3 ' 0000:00:03\.0 +- +none +dma-fq#3 +probe ' --out \
	"$IW" replay --all "$rec/rmrr-release-6.12.jsonl"
expect replay_filter 0 '0 transitions, 0 releases, 0 domains freed, 0 violations' --err \
	"$IW" replay -g 4 "$rec/rmrr-release-6.12.jsonl"
{
	head -c 200 "$rec/rmrr-release-6.12.jsonl"; echo	# a truncated line
	printf 'garbage\001\002\n{"type":"lost","time":"2026-11-23T00:00:00Z","count":1,"extra":1}\n'
	cat "$rec/rmrr-release-6.12.jsonl"
} >"$tmp/damaged.jsonl"
expect replay_damaged_lines 1 'damaged\.jsonl:2: not a JSON object \(truncated\?\)' --err \
	"$IW" replay "$tmp/damaged.jsonl"
expect replay_damaged_unknown_field 1 "damaged\.jsonl:4: unknown field 'extra'" --err \
	"$IW" replay "$tmp/damaged.jsonl"
expect replay_damaged_rest_analysed 1 '1 violations \(blocked_with_rmr=1\), 3 bad lines$' --err \
	"$IW" replay "$tmp/damaged.jsonl"
# replay on another host's journal: no value sizes the memory used, and
# one out of range is named with its line, skipped, and exit 1.
# Peak memory: tests/cli/peak-mem says "exit N, peak RSS R KiB, peak VM V
# KiB"; the VM counts memory allocated and never touched (a calloc of 2 GB
# is no RSS until written). UNDER_64M matches a number of KiB under 65000.
UNDER_64M='([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3})'
# peak-mem itself: 1 GiB mapped and never written is in the VM, not the RSS.
expect peak_mem_counts_untouched 0 '^exit 0, peak RSS [0-9]{1,5} KiB, peak VM [0-9]{7,} KiB$' --out \
	tests/cli/peak-mem python3 -c 'import mmap; m = mmap.mmap(-1, 1 << 30)'
transition() {
	printf '{"type":"transition","time":"%s","group":%s,"device":"0000:00:03.0","from":"dma","to":"identity","path":"default","ret":0}\n' "$@"
}
transition 2026-01-01T00:00:00Z 50000000 >"$tmp/huge-group.jsonl"
{ transition 2026-01-01T00:00:00Z 3; transition 2026-01-01T00:00:01Z 2147483648; } >"$tmp/group-range.jsonl"
{ transition 2026-01-01T00:00:00Z 3; transition 2262-06-01T00:00:00Z 3; } >"$tmp/time-range.jsonl"
expect replay_huge_group 0 '^1 transitions, 0 releases, 0 domains freed, 0 violations, 0 bad lines$' --err \
	"$IW" replay "$tmp/huge-group.jsonl"
# Under 64 MiB (the state sized by the id took 2.3 GB).
expect replay_huge_group_rss 0 "^exit 0, peak RSS $UNDER_64M KiB, peak VM $UNDER_64M KiB\$" --out \
	tests/cli/peak-mem "$IW" replay "$tmp/huge-group.jsonl"
# An endless line on stdin (100 MB, no newline) is read through, never
# held: under 16 MiB (getline held all of it: 102 MiB).
expect replay_endless_line_rss 0 "^exit 1, peak RSS ([0-9]{1,4}|1[0-5][0-9]{3}) KiB, peak VM $UNDER_64M KiB\$" --out \
	sh -c "head -c 100000000 /dev/zero | tr '\\000' x | tests/cli/peak-mem '$IW' replay -"
expect replay_group_out_of_range 1 "group-range\.jsonl:2: field 'group' out of range \(0\.\.2147483647\)" --err \
	"$IW" replay "$tmp/group-range.jsonl"
expect replay_group_out_of_range_skipped 1 '^1 transitions, .*, 1 bad lines$' --err \
	"$IW" replay "$tmp/group-range.jsonl"
expect replay_time_out_of_range 1 "time-range\.jsonl:2: field 'time' out of range \(1970-01-01T00:00:00Z\.\.2262-04-11T23:47:16\.854775807Z\)" --err \
	"$IW" replay "$tmp/time-range.jsonl"
expect replay_time_out_of_range_skipped 1 '^1 transitions, .*, 1 bad lines$' --err \
	"$IW" replay "$tmp/time-range.jsonl"
expect replay_missing_file 1 'cannot open /nonexistent\.jsonl: No such file or directory' --err-only \
	"$IW" replay /nonexistent.jsonl
expect replay_no_file 64 'replay needs a FILE' --err-only "$IW" replay
expect replay_all_elsewhere 64 "--all is for 'replay'" --err-only "$IW" trace --all

# report: the same recordings drawn; bad input as replay has it.
# lanes FILE: the groups of a page's lanes, in the page's order.
lanes() {
	printf 'lanes: %s\n' "$(grep -o '<g class="lane" data-group="[0-9]*"' "$1" |
		grep -o '[0-9]*' | paste -sd ' ')"
}
expect report_written 0 'report: 4 records, 1 violations, 0 bad lines' --err \
	"$IW" report -o "$tmp/r.html" "$rec/rmrr-release-6.12.jsonl"
expect report_one_lane_per_group 0 '^lanes: 0 1 2 3 4 5 6$' --out lanes "$tmp/r.html"
expect report_violation_with_evidence 0 '<circle class="v critical" data-v="0" data-rule="blocked_with_rmr".*to=blocked to_domain=2 require_direct=true</title>' --out \
	cat "$tmp/r.html"
expect report_nothing_fetched 1 '^$' --out \
	sh -c "grep -Eo '(src|href)=\"[a-z]+:' '$tmp/r.html'"
"$IW" report -g 3 -o "$tmp/g3.html" "$rec/rmrr-release-6.12.jsonl" 2>/dev/null
expect report_group_filter 0 '^lanes: 3$' --out lanes "$tmp/g3.html"
"$IW" report -D 0000:00:03.0 -o "$tmp/d3.html" "$rec/rmrr-release-6.12.jsonl" 2>/dev/null
expect report_device_filter 0 '^lanes: 3$' --out lanes "$tmp/d3.html"
expect report_stdin_many_files 0 'report: 8 records, 1 violations, 0 bad lines' --err \
	sh -c "'$IW' report - '$rec/rmrr-release-7.3.jsonl' < '$rec/rmrr-release-6.12.jsonl' > '$tmp/r2.html'"
expect report_damaged_named 1 'damaged\.jsonl:2: not a JSON object \(truncated\?\)' --err \
	"$IW" report -o "$tmp/d.html" "$tmp/damaged.jsonl"
expect report_damaged_rest_drawn 0 '<tr><th>bad input lines</th><td>3</td></tr>' --out \
	cat "$tmp/d.html"
expect report_damaged_violation_drawn 0 'data-rule="blocked_with_rmr"' --out cat "$tmp/d.html"
expect report_huge_group_rss 0 "^exit 0, peak RSS $UNDER_64M KiB, peak VM $UNDER_64M KiB\$" --out \
	tests/cli/peak-mem "$IW" report -o "$tmp/h.html" "$tmp/huge-group.jsonl"
{
	transition 2026-01-01T00:00:00Z 3
	printf '{"type":"lost","time":"2026-01-01T00:00:05Z","count":5}\n'
	transition 2026-01-01T00:00:09Z 3
} >"$tmp/lost.jsonl"
"$IW" report -o "$tmp/lost.html" "$tmp/lost.jsonl" 2>/dev/null
expect report_loss_is_a_gap 0 '<rect class="gap" [^>]*><title>5 events lost here</title>' --out \
	cat "$tmp/lost.html"
expect report_loss_counted 0 '<tr><th>events lost</th><td>5</td></tr>' --out cat "$tmp/lost.html"
expect report_unwritable 1 'cannot write /nonexistent/r\.html: No such file or directory' --err-only \
	"$IW" report -o /nonexistent/r.html "$rec/rmrr-release-6.12.jsonl"
expect report_no_file 64 'report needs a FILE' --err-only "$IW" report
expect report_no_json 64 "--json is not for 'report'" --err-only "$IW" report --json x
expect output_elsewhere 64 "--output is for 'report'" --err-only "$IW" replay -o x y

# Outside strings: a journal from another host, a comm any process sets
# and sysfs names carry escape sequences (CSI, OSC, BEL, DEL, C1 CSI) and
# bytes that are not UTF-8, in values and in field names. Every output
# shows them escaped; none reaches the terminal raw.
# clean: stdin is valid UTF-8 with no control character but newline.
clean() {
	python3 -c 'import sys
d = sys.stdin.buffer.read()
try:
    s = d.decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit("not UTF-8: %s" % e)
bad = sorted({"U+%04X" % ord(c) for c in s if c != "\n" and (ord(c) < 32 or 127 <= ord(c) < 160)})
print("clean, %d bytes" % len(d) if not bad else "raw: " + " ".join(bad))'
}
# escaped NAME REGEX CMD...: CMD's stdout and stderr clean, REGEX in them.
escaped() {
	local name=$1 re=$2
	shift 2
	"$@" >"$tmp/esc.out" 2>&1
	expect "${name}_clean" 0 '^clean, [1-9][0-9]* bytes$' -- clean <"$tmp/esc.out"
	expect "$name" 0 "$re" -- cat "$tmp/esc.out"
}
{
	printf '{"type":"session","time":"2026-01-01T00:00:00Z","kernel":"6.1\\u001b[31m","deferred_locked":false}\n'
	printf '{"type":"group","group":3,"domain":"dma","devices":["0000:00:03.0\\u001b[2J"],"direct":false}\n'
	printf '{"type":"transition","time":"2026-01-01T00:00:01Z","group":3,"device":"0000:\\u001b[2J\\u009b\xff","from":"dma","to":"blocked","path":"attach","ret":-1,"mutex_held":false,"hook":"h\\u001b[5m\\u007f","comm":"\\u001b]0;pwn\\u0007"}\n'
	printf '{"type":"not_watched","time":"2026-01-01T00:00:02Z","module":"m\\u001b[1m"}\n'
	printf '{"type":"lost","time":"2026-01-01T00:00:03Z","count":1,"\\u001b[31mevil":1}\n'
	printf '{"type":"\\u009b31m","time":"2026-01-01T00:00:04Z"}\n'
	printf '{"type":"lost","time":"2026-01-01T00:00:05Z","count":1,"\xff\x1b[0m":1}\n'
} >"$tmp/hostile.jsonl"
dev='0000:\\x1b\[2J\\xc2\\x9b\\xff'
escaped escape_replay_table " ${dev} group 3 path=attach mutex_held=false hook=h\\\\x1b\[5m\\\\x7f$" \
	"$IW" replay "$tmp/hostile.jsonl"
escaped escape_replay_all " ${dev} +- +dma +blocked +attach +-1 +0\.0 \\\\x1b\]0;pwn$" \
	"$IW" replay --all "$tmp/hostile.jsonl"
escaped escape_field_name "hostile\.jsonl:5: unknown field '\\\\x1b\[31mevil'" \
	"$IW" replay "$tmp/hostile.jsonl"
escaped escape_record_type "hostile\.jsonl:6: unknown record type '\\\\xc2\\\\x9b31m'" \
	"$IW" replay "$tmp/hostile.jsonl"
escaped escape_field_name_not_utf8 "hostile\.jsonl:7: unknown field '\\\\xff\\\\x1b\[0m'" \
	"$IW" replay "$tmp/hostile.jsonl"
escaped escape_replay_json '"device":"0000:\\u001b\[2J\\u009b\\ufffd",.*"hook":"h\\u001b\[5m\\u007f","comm":"\\u001b\]0;pwn\\u0007"' \
	"$IW" replay --json --all "$tmp/hostile.jsonl"
escaped escape_report "<td>${dev}</td>" "$IW" report "$tmp/hostile.jsonl"
escaped escape_report_facts '<tr><th>kernel</th><td>6\.1\\x1b\[31m</td></tr>' \
	"$IW" report "$tmp/hostile.jsonl"
escaped escape_report_module '<td>m\\x1b\[1m</td>' "$IW" report "$tmp/hostile.jsonl"
escaped escape_report_file_errors "hostile\.jsonl:5: unknown field '\\\\x1b\[31mevil'" \
	"$IW" report -o "$tmp/hostile.html" "$tmp/hostile.jsonl"
expect escape_report_file_clean 0 '^clean, [1-9][0-9]* bytes$' -- clean <"$tmp/hostile.html"
# A file name is an outside string in a message too.
escaped escape_file_name "cannot open /nonexistent/\\\\x1b\[2Jx: No such file" \
	"$IW" replay "/nonexistent/$(printf '\033[2J')x"
# libbpf's messages (-v) name files and carry the kernel's text.
printf 'not BTF' >"$tmp/$(printf '\033[2J')btf"
escaped escape_libbpf "^libbpf: failed to get EHDR from .*/\\\\x1b\[2Jbtf$" \
	"$IW" trace -v --btf "$tmp/$(printf '\033[2J')btf"
escaped escape_logfmt '^level=error msg="cannot open journal /proc/\\u001b\]0;t\\u0007: ' \
	"$IW" daemon --listen 127.0.0.1:17393 --journal "/proc/$(printf '\033]0;t\007')"
# sysfs: device and IOMMU names as a driver gives them.
g=$tmp/esc-sys/kernel/iommu_groups/5
u=$tmp/esc-sys/class/iommu/$(printf 'mmu\033[7m')
mkdir -p "$g/devices/$(printf '0000:00:05.0\033[2J')" "$u"
ln -s "$u" "$g/devices/$(printf '0000:00:05.0\033[2J')/iommu"
echo DMA >"$g/type"
: >"$g/reserved_regions"
escaped escape_status '^5 +dma +no +mmu\\x1b\[7m +- +0000:00:05\.0\\x1b\[2J$' \
	"$IW" status --sysfs "$tmp/esc-sys"
escaped escape_status_json '"devices":\["0000:00:05\.0\\u001b\[2J"\],"direct":false,"iommu":"mmu\\u001b\[7m"' \
	"$IW" status --json --sysfs "$tmp/esc-sys"

# --allow-host: a name or an address, as a Host header has it less the port.
expect allow_host_with_port 64 "invalid --allow-host 'evil\.example:7389' \(a host name or address, without port or brackets\)" -- \
	"$IW" daemon --allow-host evil.example:7389
expect allow_host_escaped 64 "invalid --allow-host 'a\\\\x1bb'" -- "$IW" daemon --allow-host "$(printf 'a\033b')"
expect allow_host_v6 1 "bad --listen 'nowhere'" -- "$IW" daemon --allow-host ::1 --allow-host Host-1.example --listen nowhere
expect allow_host_elsewhere 64 "--listen, --allow-host, .* are for 'daemon'" -- "$IW" trace --allow-host x

# daemon: every bad output is refused at start, before any BPF is loaded.
expect daemon_bad_listen 1 "bad --listen 'nowhere': expected ADDR:PORT" --err-only \
	"$IW" daemon --listen nowhere
expect daemon_bad_port 1 "bad --listen '127.0.0.1:99999': expected ADDR:PORT" --err-only \
	"$IW" daemon --listen 127.0.0.1:99999
expect daemon_bad_host 1 "bad --listen 'no.such.host.invalid:7389': " --err-only \
	"$IW" daemon --listen no.such.host.invalid:7389
# A port held by another listener, one the kernel picked: a fixed one may
# be taken by another test run on the host. It says the port once it
# listens. exec: the pid killed below is python's own, which must not
# outlive the suite holding its output open (tests/check.sh's tee waits).
coproc HOLDER { exec python3 2>/dev/null -c 'import socket, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
print(s.getsockname()[1], flush=True)
time.sleep(60)'; }
srv_pid=$HOLDER_PID
read -r -t 10 held <&"${HOLDER[0]}"
expect daemon_port_in_use 1 "cannot listen on 127.0.0.1:$held: Address already in use" --err-only \
	"$IW" daemon --listen "127.0.0.1:$held"
kill "$srv_pid" 2>/dev/null
wait "$srv_pid" 2>/dev/null
expect daemon_bad_textfile 1 'cannot write textfile /nonexistent/iw.prom: No such file or directory' --err-only \
	daemon_free_port --textfile /nonexistent/iw.prom
expect daemon_bad_journal 1 'cannot open journal /proc/iw.jsonl: ' --err-only \
	daemon_free_port --journal /proc/iw.jsonl
expect daemon_logfmt 1 '^level=error msg="cannot open journal ' --err-only \
	daemon_free_port --journal /proc/iw.jsonl
expect daemon_opts_elsewhere 64 "are for 'daemon'" --err-only "$IW" trace --journal /tmp/x
expect textfile_elsewhere 64 "--textfile is for 'daemon' and 'trace'" --err-only "$IW" status --textfile /tmp/x
expect daemon_no_json 64 "are not for 'daemon'" --err-only "$IW" daemon --json
expect daemon_bad_interval 64 "invalid interval: '0'" --err-only "$IW" daemon --textfile-interval 0
expect bad_ringbuf 64 "invalid ring buffer size: '5000' \\(a power of two\\)" --err-only "$IW" trace --ringbuf-size 5000
expect ringbuf_elsewhere 64 "--ringbuf-size is for 'trace' and 'daemon'" --err-only "$IW" status --ringbuf-size 4096

# daemon --user: what a root run becomes. Bad values are usage errors; its
# files are opened with that user's rights, so one it cannot write stops
# the start (the CLI runs as root: $tmp is root's, 0700).
expect user_unknown 64 "invalid --user 'iw-no-such-user': no such user$" --err-only \
	"$IW" daemon --user iw-no-such-user
expect user_root 64 "invalid --user 'root': uid 0 is root$" --err-only "$IW" daemon --user root
expect user_root_group 64 "invalid --user '65534:0': gid 0 is root's group$" --err-only \
	"$IW" daemon --user 65534:0
expect user_unknown_group 64 "invalid --user '65534:iw-no-such-group': no such group$" --err-only \
	"$IW" daemon --user 65534:iw-no-such-group
expect user_out_of_range 64 "invalid --user '4294967295': id out of range$" --err-only \
	"$IW" daemon --user 4294967295
expect user_empty_group 64 "invalid --user '65534:': expected NAME or UID, optionally :GROUP or :GID$" \
	--err-only "$IW" daemon --user 65534:
expect user_elsewhere 64 "--user, --device-labels and --check are for 'daemon'" --err-only \
	"$IW" trace --user nobody
expect user_not_root 1 "--user 4000 needs a run as root: this one runs as uid 65534\"$" --err-only \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$IW" daemon --user 4000
expect user_journal_denied 1 "^level=error msg=\"cannot open journal $tmp/j.jsonl: Permission denied\"$" \
	--err-only "$IW" daemon --listen 127.0.0.1:17393 --journal "$tmp/j.jsonl"
expect user_journal_hint 1 'msg="a root daemon opens its files as user 4000 \(uid 4000, gid 4000\), see --user"$' \
	--err-only "$IW" daemon --listen 127.0.0.1:17393 --user 4000 --journal "$tmp/j.jsonl"
expect user_textfile_denied 1 "cannot write textfile $tmp/t.prom: Permission denied\"$" --err-only \
	"$IW" daemon --listen 127.0.0.1:17393 --textfile "$tmp/t.prom"
chmod 0711 "$tmp"
mkdir -m 0755 "$tmp/ro" && install -m 0666 /dev/null "$tmp/ro/j.jsonl"
expect user_journal_no_rotation 1 "cannot rotate journal $tmp/ro/j.jsonl later: $tmp/ro: Permission denied\"$" \
	--err-only "$IW" daemon --listen 127.0.0.1:17393 --journal "$tmp/ro/j.jsonl"
mkdir -m 1777 "$tmp/open"
expect user_journal_owner 0 '^owner 65534:65534$' --out bash -c \
	"\"$IW\" daemon --check --user 65534 --journal '$tmp/open/j.jsonl' 2>/dev/null; stat -c 'owner %u:%g' '$tmp/open/j.jsonl'"

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
