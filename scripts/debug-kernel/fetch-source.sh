#!/bin/sh
# Fetch (once) the kernel source the debug kernel is built from: Debian
# unstable's linux-source-<series> package, downloaded with apt through a
# private sources list and a private lists directory (the host's own package
# sources are never touched) and unpacked with dpkg -x.
#
# Usage: fetch-source.sh            print the tarball's path (download if needed)
#        fetch-source.sh --version  print the package version of the cached copy
#
# Cache: $GROOVE_DEBUG_KERNEL_CACHE/../src (default /var/cache/groove/src)
# /linux-source-<series>_<version>.tar.xz.  The version is resolved from the
# sid index at most once a day; an unreachable archive with a cached tarball
# keeps using the cached one.
set -eu

series=${GROOVE_DEBUG_KERNEL_SERIES:-7.2}
pkg=linux-source-$series
cache_root=${GROOVE_DEBUG_KERNEL_CACHE:-/var/cache/groove/debug-kernel}
src_dir=$(dirname "$cache_root")/src
apt_dir=$src_dir/apt

die() { echo "fetch-source: $*" >&2; exit 1; }

cached() {
	ls -1 "$src_dir/${pkg}_"*.tar.xz 2>/dev/null | sort -V | tail -n1
}

apt_opts() {
	echo "-o Dir::Etc::SourceList=$apt_dir/sources.list -o Dir::Etc::SourceParts=/dev/null" \
		"-o Dir::State::Lists=$apt_dir/lists -o Dir::Cache=$apt_dir/cache" \
		"-o Debug::NoLocking=1"
}

# The sid index, refreshed when older than a day.
refresh_index() {
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main" \
		>"$apt_dir/sources.list"
	if [ -n "$(find "$apt_dir/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null)" ]; then
		return 0
	fi
	# shellcheck disable=SC2046
	apt-get -qq $(apt_opts) update >/dev/null 2>&1
}

fetch() {
	local version deb tmp tarball

	mkdir -p "$src_dir"
	exec 7>"$src_dir/.lock"
	flock 7
	if ! refresh_index; then
		tarball=$(cached)
		[ -n "$tarball" ] || die "cannot read Debian unstable's index, and no cached $pkg"
		echo "$tarball"
		return
	fi
	# shellcheck disable=SC2046
	version=$(apt-cache $(apt_opts) show "$pkg" 2>/dev/null |
		sed -n 's/^Version: //p' | sort -V | tail -n1)
	[ -n "$version" ] || die "$pkg is not in Debian unstable's index"
	tarball=$src_dir/${pkg}_$version.tar.xz
	if [ ! -f "$tarball" ]; then
		tmp=$(mktemp -d "$src_dir/.tmp.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		# shellcheck disable=SC2046
		(cd "$tmp" && apt-get -qq $(apt_opts) download "$pkg=$version" >/dev/null 2>&1) ||
			die "apt-get download $pkg=$version failed"
		deb=$(ls "$tmp"/*.deb)
		dpkg -x "$deb" "$tmp/x"
		mv "$tmp/x/usr/src/$pkg.tar.xz" "$tarball"
		rm -rf "$tmp"
		trap - EXIT
		# Older versions are dead weight (160 MB each).
		for old in "$src_dir/${pkg}_"*.tar.xz; do
			[ "$old" = "$tarball" ] || rm -f "$old"
		done
	fi
	echo "$tarball"
}

case ${1:-} in
--version)
	t=$(cached)
	[ -n "$t" ] || exit 1
	t=${t##*/"${pkg}"_}
	echo "${t%.tar.xz}"
	;;
"") fetch ;;
*) die "unknown argument '$1'" ;;
esac
