#!/usr/bin/env bash
# Build the iw_pasid test module for a lab kernel line.
# Usage: tests/kmod/build.sh LINE      (a line of tools/lab/kernels.conf)
# Prints the path of $CACHE/kmod/LINE/iw_pasid.ko. Exit status 2: the line's
# kernel has no PASID API. Rebuilds only when the sources are newer than the
# module or the lab line moved to another kernel.
#
# Headers come from Debian (linux-headers-REL, its -common, linux-kbuild) at
# the exact version the lab boots, through a private apt configuration. A
# line whose suite is the host's release builds on the host; another one
# builds in a minimal debootstrap chroot of that release (made once, cached),
# since its kbuild tools need that release's glibc and compiler.
set -euo pipefail
KMOD_SRC=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../tools/lab/lib.sh
. "$KMOD_SRC/../../tools/lab/lib.sh"

KMOD=$LAB_CACHE/kmod
APT_DIR=$KMOD/apt
SOURCES=(iw_pasid.c Kbuild)
# iommu_paging_domain_alloc() appeared in 6.11, the PASID attach API in 6.2.
MIN_LINE=6.11
NO_PASID_API=2
# Set by main for the helpers: the lab line, its kernel release and ABI name.
line=
rel=
abi=

log() {
	echo "${0##*/}: $*" >&2
}

version_lt() {
	[ "$1" != "$2" ] && [ "$(printf '%s\n' "$1" "$2" | sort -V | head -n 1)" = "$1" ]
}

apt_opts() {
	local suite=$1
	echo "-o Dir::Etc::SourceList=$APT_DIR/$suite.list" \
		"-o Dir::Etc::SourceParts=/dev/null" \
		"-o Dir::State::Lists=$APT_DIR/lists-$suite" \
		"-o Dir::Cache=$APT_DIR/cache-$suite" \
		"-o Dir::Cache::Archives=$APT_DIR/cache-$suite/archives" \
		"-o APT::Sandbox::User=$(id -un)" \
		"-o Debug::NoLocking=true"
}

# The mirror is read at run time so no host name lives in the project.
mirror() {
	awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources
}

# Package names from a Depends field: first alternative, no versions.
dep_names() {
	tr ',' '\n' <<<"$1" | sed -e 's/|.*//' -e 's/(.*)//' -e 's/[[:space:]]//g' |
		sed '/^$/d'
}

# Download and unpack the three header packages of release $rel.
fetch_headers() {
	local suite=$1 ver=$2 dest=$3 m work
	m=$(mirror)
	[ -n "$m" ] || die "no URIs: in /etc/apt/sources.list.d/debian.sources"
	mkdir -p "$APT_DIR/lists-$suite/partial" "$APT_DIR/cache-$suite/archives/partial"
	echo "deb $m $suite main" >"$APT_DIR/$suite.list"
	# shellcheck disable=SC2046
	apt-get $(apt_opts "$suite") -qq update >&2 || die "apt-get update failed for $suite"
	work=$(mktemp -d "$KMOD/fetch.XXXXXX")
	# shellcheck disable=SC2046
	if ! (cd "$work" && apt-get $(apt_opts "$suite") -qq download \
		"linux-headers-$rel=$ver" "linux-headers-$abi-common=$ver" \
		"linux-kbuild-$abi=$ver" >&2); then
		rm -rf "$work"
		die "$line: download of the headers of $rel ($ver) failed"
	fi
	rm -rf "$dest.new" && mkdir -p "$dest.new/debs"
	for deb in "$work"/*.deb; do
		dpkg -x "$deb" "$dest.new/root"
	done
	mv "$work"/*.deb "$dest.new/debs/"
	rm -rf "$work"
	# The flavour's Makefile names itself and the -common tree by absolute
	# path: point them into the cache.
	sed -i "s|/usr/src/|$dest/root/usr/src/|g" \
		"$dest.new/root/usr/src/linux-headers-$rel/Makefile"
	rm -rf "$dest" && mv "$dest.new" "$dest"
}

# What Debian says building against these headers needs, less the kernel
# packages themselves, plus make, binutils (gcc runs `as`) and libc headers.
build_deps() {
	local hdr=$1 deb
	{
		for deb in "$hdr"/debs/linux-headers-"$rel"_*.deb "$hdr"/debs/linux-kbuild-*.deb; do
			dep_names "$(dpkg-deb -f "$deb" Depends)"
		done
		echo make
		echo libc6-dev
		echo binutils
	} | grep -v -e '^linux-' | sort -u
}

missing_host_pkgs() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' ||
			echo "$p"
	done
}

# Run a command in the chroot $1 in a private mount namespace, with /proc
# (objtool reads it) and the cache bind-mounted at its own path, so the
# rewritten header Makefile and the build directory resolve inside too.
# The mounts go away with the namespace.
in_chroot() {
	local dir=$1
	shift
	# shellcheck disable=SC2016 # expanded by the inner bash
	unshare --mount --propagation private --pid --fork --mount-proc="$dir/proc" \
		bash -c 'set -e; mkdir -p "$1$2"; mount --bind "$2" "$1$2"; d=$1; shift 2
			exec chroot "$d" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
				HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"' \
		_ "$dir" "$KMOD" "$@"
}

# Minimal chroot of release $1 in $2 with the packages $3...: made once,
# topped up when a newer kernel line needs more.
ensure_chroot() {
	local codename=$1 dir=$2 pkgs missing
	shift 2
	if [ ! -x "$dir/usr/bin/make" ]; then
		if ! command -v debootstrap >/dev/null; then
			log "installing debootstrap"
			apt-get install -y -qq debootstrap >&2
		fi
		pkgs=$(IFS=,; echo "$*")
		log "creating a minimal $codename chroot in $dir (once)"
		rm -rf "$dir.new"
		mkdir -p "$KMOD"
		if ! debootstrap --variant=minbase --include="$pkgs" "$codename" "$dir.new" \
			"$(mirror)" >"$KMOD/debootstrap-$codename.log" 2>&1; then
			tail -n 20 "$KMOD/debootstrap-$codename.log" >&2
			die "debootstrap of $codename failed (log: $KMOD/debootstrap-$codename.log)"
		fi
		rm -rf "$dir" && mv "$dir.new" "$dir"
		return 0
	fi
	# shellcheck disable=SC2016 # a dpkg-query format, not a variable
	mapfile -t missing < <(for p in "$@"; do
		in_chroot "$dir" dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q 'ok installed' || echo "$p"
	done)
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing ${missing[*]} in the $codename chroot"
		in_chroot "$dir" apt-get -qq update >&2
		in_chroot "$dir" apt-get install -y -qq "${missing[@]}" >&2
	fi
}

main() {
	local suite ver host_codename codename hdr out stamp bdir deps kdir
	[ $# = 1 ] || { sed -n '2,5s/^# \{0,1\}//p' "$0" >&2; exit 1; }
	line=$1
	read -r _ suite _ <<<"$(conf_row "$line")"
	if version_lt "$line" "$MIN_LINE"; then
		log "$line: no PASID API (iommu_attach_device_pasid/iommu_paging_domain_alloc need >= $MIN_LINE)"
		exit $NO_PASID_API
	fi
	ensure_kernel "$line"
	rel=$(kernel_release "$line")
	# The ABI is the release less its flavour (-amd64, -rt-amd64): every
	# trailing part that starts with a letter.
	abi=$(sed -E 's/(-[a-z][a-z0-9]*)+$//' <<<"$rel")
	# packages holds NAME=VERSION ...; all share the source version.
	ver=$(awk '{sub(/^[^=]*=/, "", $1); print $1}' "$(kernel_dir "$line")/packages")

	mkdir -p "$KMOD/$line"
	exec 9>"$KMOD/.lock"
	flock 9
	out=$KMOD/$line/iw_pasid.ko
	stamp=$KMOD/$line/version
	if [ -f "$out" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$rel" ] &&
		[ "$out" -nt "$KMOD_SRC/iw_pasid.c" ] && [ "$out" -nt "$KMOD_SRC/Kbuild" ]; then
		log "$line: $out is up to date"
		echo "$out"
		return 0
	fi

	hdr=$KMOD/headers/$rel
	if [ ! -f "$hdr/root/usr/src/linux-headers-$rel/Makefile" ]; then
		log "$line: fetching the headers of $rel ($ver, $suite)"
		fetch_headers "$suite" "$ver" "$hdr"
	fi
	kdir=$hdr/root/usr/src/linux-headers-$rel
	mapfile -t deps < <(build_deps "$hdr")

	bdir=$KMOD/$line/build
	rm -rf "$bdir" && mkdir -p "$bdir"
	for f in "${SOURCES[@]}"; do
		cp "$KMOD_SRC/$f" "$bdir/"
	done

	# shellcheck disable=SC1091
	host_codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
	codename=${suite%%-*}
	if [ "$codename" = "$host_codename" ]; then
		# The host's pahole is too old for newer kernels' module BTF: skip it.
		mapfile -t deps < <(missing_host_pkgs "${deps[@]}" | grep -vx pahole || true)
		if [ ${#deps[@]} -gt 0 ]; then
			log "installing ${deps[*]}"
			apt-get install -y -qq "${deps[@]}" >&2
		fi
		log "$line: building on the host"
		make -s -C "$kdir" M="$bdir" CONFIG_DEBUG_INFO_BTF_MODULES= modules >&2
	else
		ensure_chroot "$codename" "$LAB_CACHE/chroot/$codename" "${deps[@]}"
		log "$line: building in the $codename chroot"
		in_chroot "$LAB_CACHE/chroot/$codename" make -s -C "$kdir" M="$bdir" modules >&2
	fi

	cp "$bdir/iw_pasid.ko" "$out.new"
	mv "$out.new" "$out"
	echo "$rel" >"$stamp"
	echo "$out"
}

main "$@"
