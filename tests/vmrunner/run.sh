#!/bin/sh
# The VM runner's own test: canned console/TAP logs fed to
# scripts/vm-verdict.sh, one TAP result per case in cases/:
#   console.log, tap.txt  what qemu's two serial ports captured
#   qemu-exit             qemu's exit status (99 = guest success, 124 = timeout)
#   expect                first line "pass" or "fail"; further lines must each
#                         start some line of the verdict's output
# A failing verdict must also name the console log.
set -u

here=$(cd "$(dirname "$0")" && pwd)
verdict="$here/../../scripts/vm-verdict.sh"
out=$(mktemp)
trap 'rm -f "$out"' EXIT

cases=$(ls -d "$here"/cases/*/)
echo "TAP version 13"
echo "1..$(echo "$cases" | grep -c .)"
n=0
status=0
for c in $cases; do
	c=${c%/}
	name=${c##*/}
	n=$((n + 1))
	want=$(head -n1 "$c/expect")
	sh "$verdict" --tap "$c/tap.txt" --console "$c/console.log" \
		--qemu-exit "$(cat "$c/qemu-exit")" --name vm > "$out" 2>/dev/null
	rc=$?
	problem=""
	case "$want" in
	pass) [ $rc = 0 ] || problem="verdict failed a clean run (exit $rc)" ;;
	fail)
		[ $rc = 1 ] || problem="verdict passed (exit $rc)"
		grep -qF "kernel console log: $c/console.log" "$out" ||
			problem="$problem; console log path not printed"
		;;
	esac
	tail -n +2 "$c/expect" | while IFS= read -r line; do
		awk -v p="$line" 'index($0, p) == 1 { found = 1 } END { exit !found }' "$out" ||
			echo "missing: $line"
	done > "$out.missing"
	if [ -s "$out.missing" ]; then
		problem="$problem; $(paste -sd';' "$out.missing")"
	fi
	rm -f "$out.missing"
	if [ -z "$problem" ]; then
		echo "ok $n vm-verdict: $name ($want)"
	else
		echo "not ok $n vm-verdict: $name ($want): ${problem#; }"
		sed 's/^/#   /' "$out"
		status=1
	fi
done
exit $status
