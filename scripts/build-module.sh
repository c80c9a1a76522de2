#!/bin/sh
# Build groove.ko for one kernel out of a private copy of the sources, so
# builds for different kernels never clobber each other's objects.
#
#   scripts/build-module.sh KDIR OUTDIR [extra kbuild args, e.g. C=1 W=1]
#
# Copies Kbuild, kmod/, uapi/, common/ into OUTDIR (timestamps kept, so make
# rebuilds only what changed) and runs make -C KDIR M=OUTDIR.  The module
# ends up in OUTDIR/kmod/groove.ko.
set -eu

kdir=${1:?usage: build-module.sh KDIR OUTDIR [kbuild args]}
out=${2:?usage: build-module.sh KDIR OUTDIR [kbuild args]}
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)

[ -d "$top/kmod" ] || { echo "build-module: no kmod/ yet" >&2; exit 4; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
# Two builds of one folder at once corrupt each other's objects: take turns.
exec 7>"$out/.build.lock"
flock 7

# Mirror the sources only (never another kernel's objects): drop sources
# that vanished, copy the rest with their timestamps, keep our own objects.
sources() {
	find "$1" -type f ! -name '*.mod.c' \( -name '*.c' -o -name '*.h' -o -name Kbuild -o -name Makefile \)
}
for d in kmod uapi common; do
	mkdir -p "$out/$d"
	sources "$out/$d" | while read -r f; do
		[ -e "$top/${f#"$out"/}" ] || rm -f "$f"
	done
	(cd "$top" && sources "$d" | while read -r f; do
		mkdir -p "$out/$(dirname "$f")"
		cp -p "$f" "$out/$f"
	done)
done
cp -a "$top/Kbuild" "$out/Kbuild"

jobs=${GROOVE_JOBS:-2}
make -j"$jobs" -C "$kdir" M="$out" "$@" modules
