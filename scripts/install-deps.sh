#!/bin/sh
# Install what groove needs to build and test, idempotently: a no-op in
# seconds when everything is present.  Package versions are resolved from the
# package index, never hard-coded.
#
#   scripts/install-deps.sh           the whole test bed (make check, demo, bench)
#   scripts/install-deps.sh --build   what make / make install build with:
#                                     compilers, and kernel headers only when
#                                     the running kernel has none
#   scripts/install-deps.sh --ksft    --build + linux-source-6.12 (the
#                                     kselftest harness the selftests build with)
set -eu

mode=${1:-full}
case $mode in
full | --build | --ksft) ;;
*) echo "install-deps: unknown argument $mode (--build, --ksft or none)" >&2; exit 2 ;;
esac

# Only apt-get needs root: a user with everything installed passes.
need_root() {
	[ "$(id -u)" = 0 ] || { echo "install-deps: missing:$missing; run as root (apt-get)" >&2; exit 1; }
}

export DEBIAN_FRONTEND=noninteractive
stamp_dir=/var/lib/apt/lists

# Newest Debian 6.12 kernel of a flavour (amd64, rt-amd64) in the index,
# e.g. 6.12.113+deb12-amd64.
newest_612() {
	apt-cache search --names-only "^linux-image-6\\.12\\.[0-9]+\\+deb12-$1\$" |
		awk '{print $1}' | sed 's/^linux-image-//' | sort -V | tail -n1
}

build_want="build-essential make gcc bc flex bison libelf-dev libssl-dev dwarves kmod pkg-config"
if [ "$mode" != full ]; then
	want=$build_want
	[ "$mode" = --ksft ] && want="$want linux-source-6.12"
	# resolve-kernel.sh's fallback (the newest Debian 6.1 kernel) wants
	# its headers and image.
	[ -d "/lib/modules/$(uname -r)/build" ] || want="$want linux-headers-amd64 linux-image-amd64"
	missing=""
	for p in $want; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
			missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		need_root
		ls "$stamp_dir"/*Packages* >/dev/null 2>&1 || apt-get update -qq
		echo "install-deps: installing$missing"
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $missing
	fi
	echo "install-deps: ok (build)"
	exit 0
fi

want="build-essential make gcc clang bc flex bison libelf-dev libssl-dev
 dwarves kmod libkmod-dev cpio busybox-static qemu-system-x86 sparse codespell
 xz-utils pkg-config python3 libclang-rt-14-dev dkms ccache
 linux-headers-amd64 linux-image-amd64 linux-source-6.12
 libjemalloc-dev libmimalloc-dev libgoogle-perftools-dev libboost-dev gnuplot-nox"

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done

# The index may be empty on a fresh machine.
if [ -n "$missing" ] || ! ls "$stamp_dir"/*Packages* >/dev/null 2>&1; then
	need_root
	apt-get update -qq
fi

k612=$(newest_612 amd64)
if [ -z "$k612" ]; then
	need_root
	apt-get update -qq
	k612=$(newest_612 amd64)
fi
[ -n "$k612" ] || { echo "install-deps: no linux-image-6.12.*+deb12-amd64 in the index" >&2; exit 1; }
# PREEMPT_RT: latency-critical users run it; a package, no build.
k612rt=$(newest_612 rt-amd64)
[ -n "$k612rt" ] || { echo "install-deps: no linux-image-6.12.*+deb12-rt-amd64 in the index" >&2; exit 1; }
for p in "linux-image-$k612" "linux-headers-$k612" "linux-image-$k612rt" "linux-headers-$k612rt"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done

if [ -n "$missing" ]; then
	need_root
	echo "install-deps: installing$missing"
	# Kernel images run their postinst hooks (initramfs, grub); we only need
	# the files, so a failing bootloader hook on a container is not fatal.
	apt-get install -y -qq --no-install-recommends $missing
fi
echo "install-deps: ok (6.12: $k612, $k612rt)"
