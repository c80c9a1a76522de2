#!/bin/sh
# make demo: build everything, boot the 6.1 VM with groove.ko and tell the
# story in scripts/demo-guest.sh.  Under two minutes when the packages are
# there.  Full logs: build/vm/6.1/.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

echo "groove demo: building groove.ko, libgroove and the tools, booting Debian's"
echo "6.1 kernel in qemu (TCG, about a minute)..."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
sh scripts/vm-run.sh --kver 6.1 --no-selftests --mem 1024 --timeout 300 \
	--guest-script scripts/demo-guest.sh > "$out" 2>"$out.err"
rc=$?
# The story, without the runner's framing and verdict lines.
sed -n '/^# groove-vm: begin demo-guest.sh/,/^# groove-vm: end demo-guest.sh/p' "$out" |
	sed '1d;$d'
if [ $rc = 0 ]; then
	echo
	echo "groove demo: done; the kernel stayed clean (no warning, no taint)."
else
	echo
	echo "groove demo: FAILED (exit $rc):"
	grep -E '^not ok|^# ' "$out" | grep -v '^# groove-vm: \(begin\|end\)' | tail -n 20
	cat "$out.err"
fi
rm -f "$out.err"
exit $rc
