#!/usr/bin/env bash
# The Debian package, end to end: build it from a fresh clone of HEAD (so
# nothing untracked leaks in), lint it, then in a clean chroot of the
# host's release install it with its dependencies, upgrade it to a rebuilt
# higher version, remove and purge it, and check that nothing is left.
#
# Needs root (chroot), git, dpkg-dev, debhelper, fakeroot, lintian,
# mmdebstrap and the package's Build-Depends (tools/deps.sh). The chroot
# (apt and systemd on the essential set) is made once with mmdebstrap from
# the mirror of the host's apt sources and cached as a tarball under
# $IOMMUWATCH_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/iommuwatch)/deb/;
# each run unpacks a fresh copy. Commits only: uncommitted edits are not
# in the clone.
set -Eeuo pipefail
cd "$(dirname "$0")/../.."
CACHE=${IOMMUWATCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iommuwatch}/deb
PKG=iommuwatch
# The debhelper 13 place on bookworm: dh_installsystemd looks there.
UNIT=/lib/systemd/system/iommuwatch.service
S=deb
# shellcheck source=tests/deb/lib.sh
. tests/deb/lib.sh

passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
root=$tmp/root

# check NAME WHY CMD...: pass if CMD exits 0, else fail with WHY.
check() {
	local name=$1 why=$2
	shift 2
	if "$@"; then
		pass "$name"
	else
		fail "$name" "$why"
	fi
}

# build NAME DIR: dpkg-buildpackage -b in DIR; sets built to the .deb.
build() {
	local name=$1 dir=$2 v arch log=$2.log
	v=$(cd "$dir" && dpkg-parsechangelog -S Version)
	arch=$(dpkg --print-architecture)
	built=${dir%/*}/${PKG}_${v}_$arch.deb
	if ! (cd "$dir" && dpkg-buildpackage -us -uc -b) >"$log" 2>&1; then
		fail "$name" "dpkg-buildpackage in $dir failed" "$(cat "$log")"
		finish
	fi
	if [ ! -f "$built" ]; then
		fail "$name" "no ${built##*/}" "$(ls "${dir%/*}")"
		finish
	fi
	pass "$name"
}

check_tools() {
	local t missing=""

	if [ "$(id -u)" -ne 0 ]; then
		fail tools "needs root (chroot, dpkg in the test root)"
		finish
	fi
	for t in git dpkg-buildpackage dh fakeroot lintian mmdebstrap; do
		command -v "$t" >/dev/null || missing="$missing $t"
	done
	if [ -n "$missing" ]; then
		fail tools "not found:$missing (bash tools/deps.sh)"
		finish
	fi
}

# Two clones of HEAD: the package, and the same bumped to a higher
# version (changelog and Makefile agree, as debian/rules insists) for the
# upgrade.
clone() {
	if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
		echo "      note: uncommitted changes are not tested (HEAD only)"
	fi
	git clone -q . "$tmp/a/src"
	git clone -q . "$tmp/b/src"
	ver=$(cd "$tmp/a/src" && dpkg-parsechangelog -S Version)
	ver2=$ver+1
	sed -i "1s/($ver)/($ver2)/" "$tmp/b/src/debian/changelog"
	sed -i "s/^VERSION\([[:space:]]*\):= .*/VERSION\1:= $ver2/" "$tmp/b/src/Makefile"
}

# No E: or W: from lintian on the .changes (the .deb and its -dbgsym).
check_lintian() {
	local changes=${deb%.deb}.changes out rc=0

	out=$(lintian "$changes" 2>&1) || rc=$?
	if [ "$rc" -eq 1 ] || grep -qE '^[EW]: ' <<<"$out"; then
		fail lintian "lintian exit $rc, errors or warnings" "$out"
	else
		pass lintian
	fi
}

# Every library the binary needs is shared and named in Depends, and
# those a plain make links in are among them.
check_shlibs() {
	local x=$tmp/x lib pkg depends why="" multiarch

	multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
	dpkg-deb -x "$deb" "$x"
	depends=$(dpkg-deb -f "$deb" Depends)
	for lib in $(readelf -d "$x/usr/sbin/$PKG" |
		     sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		pkg=$(dpkg-query -S "*/$multiarch/$lib" 2>/dev/null |
		      sed -n '1s/[:,].*//p')
		grep -qE "(^|, )$pkg( |,|$)" <<<"$depends" ||
			why="$why; $lib (${pkg:-no package}) not in Depends"
	done
	for lib in libbpf.so libjson-c.so libcap.so; do
		readelf -d "$x/usr/sbin/$PKG" | grep -q "\[$lib" ||
			why="$why; $lib linked in"
	done
	if [ -z "$why" ]; then
		pass shlibs
	else
		fail shlibs "${why#; }" "Depends: $depends"
	fi
}

check_contents() {
	local list f missing=""

	list=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\.||')
	for f in /usr/sbin/$PKG "$UNIT" /etc/default/$PKG \
		 /usr/share/$PKG/$PKG.rules.yml /usr/share/man/man8/$PKG.8.gz \
		 /usr/share/bash-completion/completions/$PKG; do
		grep -qx "$f" <<<"$list" || missing="$missing $f"
	done
	if [ -z "$missing" ]; then
		pass contents
	else
		fail contents "not in the package:$missing" "$list"
	fi
}

# A fresh root from the cached tarball, made once. Maintainer scripts find
# systemd "running" (/run/systemd/system) and a systemctl that logs jobs
# (start, stop, restart) instead of running them and hands the rest (unit
# file state) to the real one, offline; apt runs dpkg with a PATH of its
# own (DPkg::Path), so it is told where the stub is.
make_root() {
	root_tarball
	mkdir "$root"
	if ! tar -C "$root" -xf "$tarball"; then
		fail root "cannot unpack $tarball (remove it to make it again)"
		finish
	fi
	echo "$apt_line" >"$root/etc/apt/sources.list"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	mkdir -p "$root/run/systemd/system"
	cat >"$root/usr/local/sbin/systemctl" <<'EOF'
#!/bin/sh
echo "$*" >>/tmp/systemctl.log
case " $* " in
*" start "* | *" stop "* | *" restart "* | *" try-restart "* | \
*" daemon-reload "*) exit 0 ;;
*" is-active "*) exit 3 ;;
esac
SYSTEMD_OFFLINE=1 exec /usr/bin/systemctl "$@"
EOF
	chmod 0755 "$root/usr/local/sbin/systemctl"
	echo 'DPkg::Path "/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin";' \
		>"$root/etc/apt/apt.conf.d/99iommuwatch-test"
}

# Every path in the root but those apt, dpkg, ldconfig (libc-bin's
# trigger, run for the libraries apt pulled in) and the stub write anyway.
snapshot() {
	(cd "$root" && find . -xdev \( -path ./proc -o -path ./dev -o \
		-path ./sys -o -path ./run -o -path ./tmp -o \
		-path ./var/cache/apt -o -path ./var/lib/apt -o \
		-path ./var/cache/ldconfig -o -path ./var/log \) -prune -o \
		-print) | sort
}

# apt_install FILE: apt-get install ./FILE in the root.
apt_install() {
	cp "$1" "$root/tmp/"
	root_install "/tmp/${1##*/}"
}

# What the maintainer scripts asked systemctl since the last call.
jobs_since() {
	touch "$root/tmp/systemctl.log"
	cat "$root/tmp/systemctl.log"
	: >"$root/tmp/systemctl.log"
}

check_install() {
	local out jobs

	if ! apt_install "$deb"; then
		fail install "apt-get install ./${deb##*/} failed" "$(cat "$tmp/apt.log")"
		finish
	fi
	pass install
	jobs=$(jobs_since)
	out=$(in_root "$PKG" --version 2>&1) || true
	check version_runs "'$PKG --version' said '$out', want '$PKG $ver ...'" \
		grep -q "^$PKG $ver " <<<"$out"
	out=$(in_root systemctl is-enabled "${UNIT##*/}" 2>&1) || true
	if [ -f "$root$UNIT" ] && [ "$out" = disabled ]; then
		pass unit_disabled
	else
		fail unit_disabled "$UNIT missing, or is-enabled said '$out'"
	fi
	# The postinst asked to start it, through deb-systemd-invoke, which
	# asked is-enabled and started nothing.
	if grep -q "is-enabled -- ${UNIT##*/}" <<<"$jobs" &&
		! grep -qE "(^| )(start|restart) .*${UNIT##*/}" <<<"$jobs"; then
		pass not_started
	else
		fail not_started "postinst started the unit, or never asked" "$jobs"
	fi
	# shellcheck disable=SC2016 # a dpkg-query format, not a variable
	out=$(in_root dpkg-query -W -f='${Conffiles}' "$PKG")
	check conffile "/etc/default/$PKG is not a conffile: '$out'" \
		grep -q "^ /etc/default/$PKG " <<<"$out"
}

# The operator edits the defaults and enables the daemon, then upgrades:
# the edit stays, the new binary is in place and the daemon is restarted.
check_upgrade() {
	local out jobs edit="IOMMUWATCH_ARGS=\"--device-labels\" # deb test"

	echo "$edit" >>"$root/etc/default/$PKG"
	out=$(in_root systemctl enable "${UNIT##*/}" 2>&1) ||
		fail enable "systemctl enable failed" "$out"
	jobs_since >/dev/null
	if ! apt_install "$deb2"; then
		fail upgrade "apt-get install ./${deb2##*/} failed" "$(cat "$tmp/apt.log")"
		finish
	fi
	jobs=$(jobs_since)
	# shellcheck disable=SC2016
	out=$(in_root dpkg-query -W -f='${Version}' "$PKG")
	check upgrade "installed version '$out', want '$ver2'" [ "$out" = "$ver2" ]
	out=$(in_root "$PKG" --version 2>&1) || true
	check upgrade_binary "'$PKG --version' said '$out', want '$PKG $ver2 ...'" \
		grep -q "^$PKG $ver2 " <<<"$out"
	check upgrade_conffile "the local edit of /etc/default/$PKG was lost" \
		grep -qxF "$edit" "$root/etc/default/$PKG"
	check upgrade_restart "an enabled daemon was not restarted: '$jobs'" \
		grep -qE "(^| )restart .*${UNIT##*/}" <<<"$jobs"
}

# Remove keeps the conffile and stops the daemon; purge leaves no trace,
# once the dependencies apt pulled in are gone too.
check_remove_purge() {
	local out jobs left

	if ! in_root apt-get remove -y -q "$PKG" >"$tmp/apt.log" 2>&1; then
		fail remove "apt-get remove failed" "$(cat "$tmp/apt.log")"
	fi
	jobs=$(jobs_since)
	# shellcheck disable=SC2016
	out=$(in_root dpkg-query -W -f='${Status}' "$PKG" 2>&1) || true
	if [ "$out" = "deinstall ok config-files" ] &&
		[ ! -e "$root/usr/sbin/$PKG" ] && [ -f "$root/etc/default/$PKG" ]; then
		pass remove
	else
		fail remove "status '$out' (want config-files), or the binary stayed, or the conffile went"
	fi
	check remove_stop "the daemon was not stopped: '$jobs'" \
		grep -qE "(^| )stop .*${UNIT##*/}" <<<"$jobs"
	if ! in_root apt-get purge -y -q "$PKG" >"$tmp/apt.log" 2>&1 ||
		! in_root apt-get autoremove --purge -y -q >>"$tmp/apt.log" 2>&1; then
		fail purge "apt-get purge or autoremove failed" "$(cat "$tmp/apt.log")"
	fi
	# shellcheck disable=SC2016
	out=$(in_root dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null) || true
	check purge "dpkg still has $PKG: '$out'" \
		grep -qE '^$|not-installed$' <<<"$out"
	left=$(comm -13 "$tmp/before" <(snapshot))
	if [ -z "$left" ]; then
		pass leftovers
	else
		fail leftovers "paths the purge left behind" "$left"
	fi
}

# Anything else that fails still ends with the counts.
trap 'fail script "line $LINENO: exit $?"; finish' ERR
check_tools
clone
build build "$tmp/a/src"
deb=$built
check_lintian
check_shlibs
check_contents
# The unit tests ran in the first build: not again for the same code.
DEB_BUILD_OPTIONS=nocheck build build_upgrade "$tmp/b/src"
deb2=$built
make_root
snapshot >"$tmp/before"
check_install
check_upgrade
check_remove_purge
finish
