#!/bin/sh
# Boot one kernel of the test bed N times in a row with make check's qemu
# settings and command line, no tests (the guest checks its own health and
# exits), and count the clean boots: the proof that a stage does not flake
# before groove even loads.
#
#   scripts/boot-loop.sh --kver 6.1|6.12|6.12-rt|debug [--count N] [--mem MiB]
#
# Prints one TAP line per boot and "K of N boots clean"; exit 1 if any boot
# failed (its console log is kept in build/boot-loop/<kver>/<i>/).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
kver="" count=20 mem=6144
while [ $# -gt 0 ]; do
	case "$1" in
	--kver) kver=${2:?}; shift 2 ;;
	--count) count=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	*) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
[ -n "$kver" ] || { echo "boot-loop: --kver is required" >&2; exit 2; }

out=$top/build/boot-loop/$kver
rm -rf "$out"
mkdir -p "$out"
clean=0
echo "1..$count"
i=1
while [ $i -le "$count" ]; do
	t0=$(date +%s)
	if sh "$top/scripts/vm-run.sh" --kver "$kver" --mem "$mem" --timeout 600 \
		--no-selftests --log-dir "$out/$i" >"$out.$i.log" 2>&1; then
		clean=$((clean + 1))
		echo "ok $i boot $i of $kver ($(($(date +%s) - t0)) s)"
		rm -rf "$out/$i" "$out.$i.log"
	else
		echo "not ok $i boot $i of $kver (log: $out/$i/console.log)"
		grep -m3 -E 'BUG|WARNING|panic|Oops' "$out/$i/console.log" 2>/dev/null | sed 's/^/# /' || true
	fi
	i=$((i + 1))
done
echo "$clean of $count boots of $kver clean"
[ "$clean" = "$count" ]
