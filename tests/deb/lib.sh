# shellcheck shell=bash
# What tests/deb/run.sh and tests/deb/systemd-guest.sh share: results
# (PASS/FAIL lines of suite $S), the test root ($root) and the cached
# root tarball of the host's release. The caller sets S, CACHE, tmp and
# root, and passed=0 failed=0.

pass() {
	echo "PASS  $S.$1"
	passed=$((passed + 1))
}

# fail NAME WHY [OUTPUT]: the output, if any, indented below; keep=1 asks
# the caller to keep its artifacts.
fail() {
	echo "FAIL  $S.$1: $2"
	if [ -n "${3:-}" ]; then
		sed 's/^/    /' <<<"$3" | tail -n 40
	fi
	failed=$((failed + 1))
	keep=1
}

finish() {
	echo "$S: $passed passed, $failed failed"
	exit $((failed > 0))
}

# in_root CMD...: CMD in the test root, with a clean environment.
in_root() {
	chroot "$root" /usr/bin/env -i \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# The mirror is read at run time so no host name lives in the project.
mirror() {
	awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources
}

# The root of the host's release (apt and systemd on the essential set),
# made once with mmdebstrap from the host's mirror and cached: sets
# tarball, and apt_line (the sources.list line for the root).
root_tarball() {
	local codename m

	# shellcheck disable=SC1091
	codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
	tarball=$CACHE/root-$codename.tar
	m=$(mirror)
	[ -n "$m" ] || { fail root "no URIs: in /etc/apt/sources.list.d/debian.sources"; finish; }
	apt_line="deb $m $codename main"
	[ -f "$tarball" ] && return
	echo "      creating the $codename root in $tarball (once)"
	mkdir -p "$CACHE"
	# mmdebstrap writes a tarball for a name ending in .tar.
	if ! mmdebstrap --quiet --variant=apt --include=systemd \
		--skip=cleanup/apt/lists "$codename" "$tarball.new.tar" \
		"$apt_line" >"$tmp/mmdebstrap.log" 2>&1; then
		rm -f "$tarball.new.tar"
		fail root "mmdebstrap failed" "$(cat "$tmp/mmdebstrap.log")"
		finish
	fi
	mv "$tarball.new.tar" "$tarball"
}

# root_install PKG...: apt-get install PKG... in the root (a path for a
# .deb copied into it); a cached root's package lists may be stale, so
# one apt-get update and a retry. The log is $tmp/apt.log.
root_install() {
	in_root apt-get install -y -q "$@" >"$tmp/apt.log" 2>&1 && return
	in_root apt-get update -q >>"$tmp/apt.log" 2>&1 &&
		in_root apt-get install -y -q "$@" >>"$tmp/apt.log" 2>&1
}
