#!/usr/bin/env bash
# Files written as root into a directory another user can write (root's,
# group-writable by nogroup, as node_exporter's textfile directory is by
# its group): uid 65534 plants a symbolic link to a root-only file, then a
# FIFO, at each name the tool would write: report -o's page and its old
# fixed temporary name, the textfile that trace and the daemon check at
# start and its old temporary name, the journal the daemon opens at start.
# Every run is bounded by timeout: nothing may hang, the victim's sha256
# may not change, and a name the tool must not write is refused in one
# sentence. trace and daemon are given a BTF file that cannot be parsed:
# they open their files, then stop before anything is loaded ("cannot
# parse kernel BTF" shows that they got that far). Runs as root.
set -uo pipefail
cd "$(dirname "$0")/../.."
IW=${IW:-build/iommuwatch}
[ "$(id -u)" = 0 ] || { echo "files: needs root (files are planted as uid 65534)"; exit 1; }
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
w=$tmp/w
install -d -m 0775 -g 65534 "$w"
victim=$tmp/victim
printf 'root only\n' >"$victim"
chmod 600 "$victim"
sum=$(sha256sum <"$victim")
: >"$tmp/bad.btf"
rec=tests/replay/rmrr-release-7.3.jsonl
loaded='cannot parse kernel BTF'

as_user() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

result() {
	local name=$1 why=$2 out=$3
	if [ -z "$why" ]; then
		echo "PASS  files.$name"
		passed=$((passed + 1))
	else
		echo "FAIL  files.$name: $why, in:"
		sed 's/^/    /' <<<"$out" | head -10
		failed=$((failed + 1))
	fi
}

# expect NAME RC REGEX -- CMD...: CMD ends within 10 s with status RC and
# REGEX in its stdout+stderr, and the victim is as it was (restored if not,
# so that one failure does not fail the cases after it).
expect() {
	local name=$1 rc=$2 re=$3 out got why=
	shift 4
	out=$(timeout 10 "$@" 2>&1)
	got=$?
	if [ "$got" = 124 ]; then
		why="hung (killed after 10 s)"
	elif [ "$(sha256sum <"$victim")" != "$sum" ]; then
		why="the victim changed"
		printf 'root only\n' >"$victim"
	elif [ "$got" != "$rc" ]; then
		why="exit $got (want $rc)"
	elif ! grep -qE -- "$re" <<<"$out"; then
		why="no /$re/"
	fi
	result "$name" "$why" "$out"
}

# still NAME TEST... PATH: test(1) on what was planted at PATH holds.
still() {
	local name=$1
	shift
	if [ "$@" ]; then
		result "$name" "" ""
	else
		result "$name" "not [ $* ]" "$(ls -la "$w")"
	fi
}

# report -o: the page is written beside what was planted at the old
# temporary name; at the page's own name, a link or FIFO is refused.
as_user ln -s "$victim" "$w/a.html.tmp"
expect report_tmp_link 0 'report: 4 records' -- "$IW" report -o "$w/a.html" "$rec"
still report_tmp_link_untouched -L "$w/a.html.tmp"
as_user mkfifo "$w/b.html.tmp"
expect report_tmp_fifo 0 'report: 4 records' -- "$IW" report -o "$w/b.html" "$rec"
as_user ln -s "$victim" "$w/c.html"
expect report_target_link 1 "cannot write $w/c\.html: it is a symbolic link$" -- \
	"$IW" report -o "$w/c.html" "$rec"
still report_target_link_untouched -L "$w/c.html"
as_user mkfifo "$w/d.html"
expect report_target_fifo 1 "cannot write $w/d\.html: it is a FIFO$" -- \
	"$IW" report -o "$w/d.html" "$rec"
still report_target_fifo_untouched -p "$w/d.html"
expect report_mode 0 '^644 root$' -- stat -c '%a %U' "$w/a.html"

# trace --textfile: checked at start by making and removing a temporary
# file beside it, never at the old fixed name.
as_user ln -s "$victim" "$w/a.prom.tmp"
expect trace_textfile_tmp_link 1 "$loaded" -- \
	"$IW" trace --btf "$tmp/bad.btf" --textfile "$w/a.prom"
as_user mkfifo "$w/b.prom.tmp"
expect trace_textfile_tmp_fifo 1 "$loaded" -- \
	"$IW" trace --btf "$tmp/bad.btf" --textfile "$w/b.prom"
as_user ln -s "$victim" "$w/c.prom"
expect trace_textfile_link 1 "cannot write textfile $w/c\.prom: it is a symbolic link$" -- \
	"$IW" trace --btf "$tmp/bad.btf" --textfile "$w/c.prom"
as_user mkfifo "$w/d.prom"
expect trace_textfile_fifo 1 "cannot write textfile $w/d\.prom: it is a FIFO$" -- \
	"$IW" trace --btf "$tmp/bad.btf" --textfile "$w/d.prom"

# daemon: the textfile as trace's, the journal opened without following
# a link, waiting on a FIFO or appending to a file linked elsewhere too.
# A port the kernel picked, not a fixed one another test run may hold.
port=$(tests/cli/free-port)
daemon=("$IW" daemon --listen "127.0.0.1:$port" --btf "$tmp/bad.btf")
as_user ln -s "$victim" "$w/e.prom.tmp"
expect daemon_textfile_tmp_link 1 "$loaded" -- "${daemon[@]}" --textfile "$w/e.prom"
still daemon_textfile_tmp_link_untouched -L "$w/e.prom.tmp"
as_user ln -s "$victim" "$w/a.jsonl"
expect daemon_journal_link 1 "cannot open journal $w/a\.jsonl: it is a symbolic link\"$" -- \
	"${daemon[@]}" --journal "$w/a.jsonl"
still daemon_journal_link_untouched -L "$w/a.jsonl"
as_user ln -s "$tmp/made" "$w/b.jsonl"
expect daemon_journal_dangling_link 1 "cannot open journal $w/b\.jsonl: it is a symbolic link\"$" -- \
	"${daemon[@]}" --journal "$w/b.jsonl"
still daemon_journal_dangling_link_created_nothing ! -e "$tmp/made"
as_user mkfifo "$w/c.jsonl"
expect daemon_journal_fifo 1 "cannot open journal $w/c\.jsonl: it is a FIFO\"$" -- \
	"${daemon[@]}" --journal "$w/c.jsonl"
# A hard link to a root-only file: the user can make one where
# fs.protected_hardlinks is 0; where it is 1, root plants it instead.
# A root daemon opens its journal as nobody, who cannot write it.
as_user ln "$victim" "$w/d.jsonl" 2>/dev/null || ln "$victim" "$w/d.jsonl"
expect daemon_journal_hard_link 1 "cannot open journal $w/d\.jsonl: Permission denied\"$" -- \
	"${daemon[@]}" --journal "$w/d.jsonl"
# A hard link to a file of nobody's own elsewhere: the open succeeds,
# the link count refuses it, and the file is unchanged.
mkdir -m 755 "$tmp/n"
printf 'nobody\n' >"$tmp/n/own"
chown 65534:65534 "$tmp/n/own"
as_user ln "$tmp/n/own" "$w/d2.jsonl"
expect daemon_journal_hard_link_own 1 "cannot open journal $w/d2\.jsonl: it has other hard links\"$" -- \
	"${daemon[@]}" --journal "$w/d2.jsonl"
still daemon_journal_hard_link_own_unchanged "$(cat "$tmp/n/own")" = nobody
expect daemon_journal_created 1 "$loaded" -- \
	sh -c "umask 0; exec \"$IW\" daemon --listen 127.0.0.1:$port --btf '$tmp/bad.btf' --journal '$w/e.jsonl'"
expect daemon_journal_mode 0 '^640 nobody$' -- stat -c '%a %U' "$w/e.jsonl"

# Nothing of the tool's is left behind but the files it was asked for.
expect no_temporary_left 0 '^none$' -- \
	sh -c "ls -A '$w' | grep -E '\.[0-9a-f]{12}\.tmp$' || echo none"

echo "files: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
