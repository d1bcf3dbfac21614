# Helpers shared by the in-guest benchmark scripts (guest.sh, kdump.sh).
# Sourced; expects say() to be defined by the caller.

# wait_line FILE PREFIX PID: until FILE has a line starting with PREFIX.
wait_line() {
	local _
	for _ in $(seq 1 1200); do
		grep -q "^$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# stop_pid [PID]: SIGINT, then SIGKILL if it is still there after 30 s.
stop_pid() {
	local _
	[ -n "${1:-}" ] || return 0
	kill -INT "$1" 2>/dev/null
	for _ in $(seq 1 300); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$1" 2>/dev/null; then
		say "   (pid $1, $(tr '\0' ' ' </proc/$1/cmdline | cut -c1-60), did not exit 30 s after SIGINT: killed)"
		kill -KILL "$1"
	fi
	wait "$1" 2>/dev/null
}
