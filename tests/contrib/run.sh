#!/usr/bin/env bash
# Lint and test contrib/: the Prometheus alert rules and their unit tests,
# the example Prometheus config, the systemd unit (verify, and a ceiling
# on its "systemd-analyze security" exposure score) and the bash completion.
#
# Needs promtool (Debian "prometheus", installed by tools/deps.sh),
# systemd-analyze (Debian "systemd", 252 or later for --offline) and
# build/iommuwatch (run make first): "systemd-analyze verify" insists that
# ExecStart's /usr/sbin/iommuwatch exists. When it does not, the binary is
# shown there only inside a private mount namespace (an overlay on /usr/sbin)
# so nothing is left on the host; without that, a temporary symlink is
# created and removed on exit.
set -uo pipefail
cd "$(dirname "$0")/../.."
IW=${IW:-build/iommuwatch}
UNIT=contrib/systemd/iommuwatch.service
PROM=contrib/prometheus
# The unit scores 1.7 with systemd 252 (1.5 with ProtectKernelTunables=yes,
# which hides /proc/kallsyms: the unit spells out the same read-only paths
# instead); fail if a change raises it.
EXPOSURE_MAX=1.7

passed=0 failed=0
tmp=$(mktemp -d)
link=""
cleanup() {
	[ -n "$link" ] && rm -f "$link"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass() {
	echo "PASS  contrib.$1"
	passed=$((passed + 1))
}

# fail NAME WHY [OUTPUT]: the output, if any, indented below.
fail() {
	echo "FAIL  contrib.$1: $2"
	[ -n "${3:-}" ] && sed 's/^/    /' <<<"$3" | head -40
	failed=$((failed + 1))
}

# need NAME TOOL HINT: true if TOOL is installed, else one failure.
need() {
	command -v "$2" >/dev/null && return 0
	fail "$1" "$2 not found ($3)"
	return 1
}

# run_ok NAME CMD...: pass if CMD exits 0.
run_ok() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "exit $? from: $*" "$out"
	fi
}

check_promtool() {
	local hint="run: bash tools/deps.sh"

	if need rules_check promtool "$hint"; then
		run_ok rules_check promtool check rules --lint=all --lint-fatal \
			"$PROM/iommuwatch.rules.yml"
	fi
	# From another directory: rule_files must resolve next to the test file.
	if need rules_test promtool "$hint"; then
		run_ok rules_test sh -c 'cd / && promtool test rules "$1"' sh \
			"$PWD/$PROM/iommuwatch.rules.test.yml"
	fi
	if need config_check promtool "$hint"; then
		run_ok config_check promtool check config --lint=all --lint-fatal \
			"$PROM/prometheus.example.yml"
	fi
}

# Every iommuwatch_* name the rules use is in the metric table.
check_rule_metrics() {
	local name missing=""

	for name in $(grep -oE 'iommuwatch_[a-z_]+' "$PROM/iommuwatch.rules.yml" |
		      sort -u); do
		grep -q "\"$name\"" src/metrics.c || missing="$missing $name"
	done
	if [ -z "$missing" ]; then
		pass rules_metrics
	else
		fail rules_metrics "not in src/metrics.c:$missing"
	fi
}

# verify_in_ns: systemd-analyze verify with $IW overlaid on /usr/sbin in a
# private mount namespace (as root, or as a mapped root in a user
# namespace). Exit 99 when the namespace or the overlay is not available.
verify_in_ns() {
	local script='mount -t overlay overlay -o "lowerdir=$1:/usr/sbin" /usr/sbin ||
		exit 99
	exec systemd-analyze verify "$2"'
	local ns=(unshare --mount --propagation private)

	[ "$(id -u)" -eq 0 ] || ns=(unshare --user --map-root-user --mount)
	command -v unshare >/dev/null && "${ns[@]}" true 2>/dev/null || return 99
	mkdir -p "$tmp/sbin" && cp "$IW" "$tmp/sbin/iommuwatch" || return 99
	"${ns[@]}" sh -c "$script" sh "$tmp/sbin" "$UNIT" 2>&1
}

check_unit_verify() {
	local out rc=0

	need unit_verify systemd-analyze "apt-get install systemd" || return
	if [ ! -x "$IW" ]; then
		fail unit_verify "$IW is missing: run make first"
		return
	fi
	if [ -e /usr/sbin/iommuwatch ]; then
		out=$(systemd-analyze verify "$UNIT" 2>&1) || rc=$?
	else
		out=$(verify_in_ns 2>&1) || rc=$?
		if [ "$rc" -eq 99 ] && [ -w /usr/sbin ]; then
			link=/usr/sbin/iommuwatch
			ln -s "$PWD/$IW" "$link"
			rc=0
			out=$(systemd-analyze verify "$UNIT" 2>&1) || rc=$?
			rm -f "$link"
			link=""
		elif [ "$rc" -eq 99 ]; then
			fail unit_verify "cannot place $IW at /usr/sbin/iommuwatch (no mount namespace, /usr/sbin not writable): run as root"
			return
		fi
	fi
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
		pass unit_verify
	else
		fail unit_verify "systemd-analyze verify: exit $rc, want 0 and no output" "$out"
	fi
}

check_unit_security() {
	local out rc=0 score limit=${EXPOSURE_MAX/./}

	need unit_security systemd-analyze "apt-get install systemd" || return
	out=$(systemd-analyze security --offline=yes --threshold="$limit" \
		"$UNIT" 2>&1) || rc=$?
	score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$out")
	if [ -z "$score" ]; then
		fail unit_security "no exposure score (systemd 252 or later needed for --offline)" "$out"
	elif [ "$rc" -ne 0 ]; then
		fail unit_security "exposure $score is above $EXPOSURE_MAX" \
			"$(grep '✗' <<<"$out")"
	else
		pass unit_security
		echo "      exposure $score (limit $EXPOSURE_MAX)"
	fi
}

# Settings that would raise the score a little but stop BPF from loading,
# or the hook selection from reading /proc/kallsyms: keep them out.
check_unit_bpf() {
	local why=""

	grep -qx 'CapabilityBoundingSet=CAP_BPF CAP_PERFMON' "$UNIT" ||
		why="$why; CapabilityBoundingSet is not CAP_BPF CAP_PERFMON"
	grep -qx 'AmbientCapabilities=CAP_BPF CAP_PERFMON' "$UNIT" ||
		why="$why; AmbientCapabilities is not CAP_BPF CAP_PERFMON"
	grep -qx 'SystemCallFilter=@system-service bpf perf_event_open' "$UNIT" ||
		why="$why; bpf or perf_event_open not allowed"
	grep -qxE 'PrivateUsers=(yes|true|1|on)' "$UNIT" &&
		why="$why; PrivateUsers= hides the capabilities from bpf()"
	grep -qx 'ProcSubset=pid' "$UNIT" &&
		why="$why; ProcSubset=pid hides /proc/kallsyms"
	grep -qx 'LimitMEMLOCK=infinity' "$UNIT" ||
		why="$why; LimitMEMLOCK is not infinity"
	if [ -z "$why" ]; then
		pass unit_bpf
	else
		fail unit_bpf "${why#; }"
	fi
}

# Every flag the defaults file documents is one the daemon has.
check_default_flags() {
	local help flag missing=""

	if [ ! -x "$IW" ]; then
		fail default_flags "$IW is missing: run make first"
		return
	fi
	help=$("$IW" --help 2>&1)
	for flag in $(grep -oE '^#   --?[a-z-]+' contrib/systemd/iommuwatch.default |
		      sed 's/^# *//'); do
		grep -qE -- "(^|[ ,])$flag([ =,]|$)" <<<"$help" ||
			missing="$missing $flag"
	done
	if [ -z "$missing" ]; then
		pass default_flags
	else
		fail default_flags "not in '$IW --help':$missing"
	fi
}

# The bash completion offers exactly the commands and options that
# "iommuwatch --help" lists, and no command once one is given.
check_completion() {
	local comp=contrib/bash-completion/iommuwatch
	local lib=/usr/share/bash-completion/bash_completion help want got

	if [ ! -x "$IW" ]; then
		fail completion "$IW is missing: run make first"
		return
	fi
	if [ ! -f "$lib" ]; then
		fail completion "$lib not found (bash tools/deps.sh)"
		return
	fi
	help=$("$IW" --help 2>&1)
	want=$({
		sed -n '/^COMMANDS:/,/^$/s/^  \([a-z]\{1,\}\) .*/\1/p' <<<"$help"
		sed -nE 's/^ +(-[^ ,]), .*/\1/p' <<<"$help"
		sed -nE 's/^ +(-[^ ,], )?(--[a-z-]+=?).*/\2/p' <<<"$help"
	} | sort)
	# shellcheck disable=SC2016 # expanded by the inner bash
	got=$(bash -c '. "$1" && . "$2" || exit 1
		compopt() { :; }
		comp() {
			COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMPREPLY=()
			COMP_LINE="$*" COMP_POINT=${#COMP_LINE}
			_iommuwatch iommuwatch "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
			printf "%s\n" "${COMPREPLY[@]}"
		}
		comp iommuwatch ""
		comp iommuwatch -
		comp iommuwatch -g 3 status ""' _ "$lib" "$comp" 2>&1 | sed '/^$/d' | sort)
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		pass completion
	else
		fail completion "commands and options differ from --help (< completion, > --help)" \
			"$(diff <(echo "$got") <(echo "$want"))"
	fi
}

check_promtool
check_rule_metrics
check_completion
check_unit_verify
check_unit_security
check_unit_bpf
check_default_flags
echo "contrib: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
