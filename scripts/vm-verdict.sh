#!/bin/sh
# Judge one VM run from its logs; testable alone (tests/vmrunner/).
#
#   scripts/vm-verdict.sh --tap TAP --console CONSOLE --qemu-exit N [--name LABEL]
#
# Prints the guest's TAP (CR stripped), then one TAP block of its own checks:
#   1. qemu ended with the guest's success code (not a panic, timeout, crash)
#   2. the kernel log holds no BUG/WARNING/Oops/trace/lockup/hung-task/bad page table line
#   3. every TAP plan got all its results and every program finished
#   4. no test result is "not ok"
# Exit 0 when all pass; otherwise 1, after naming the console log.
set -eu

# Keep in sync with scripts/guest/init: guest value 0x31 -> (0x31 << 1) | 1.
QEMU_EXIT_PASS=99
QEMU_EXIT_TIMEOUT=124
BAD_KERNEL='BUG:|WARNING:|Oops|Call Trace|general protection|soft lockup|hard LOCKUP|hung_task|blocked for more than|Kernel panic|: bad (pte|pmd|pud|p4d|pgd) '

tap="" console="" qemu_exit="" name=vm
while [ $# -gt 0 ]; do
	case "$1" in
	--tap) tap=$2; shift 2 ;;
	--console) console=$2; shift 2 ;;
	--qemu-exit) qemu_exit=$2; shift 2 ;;
	--name) name=$2; shift 2 ;;
	*) echo "vm-verdict: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$tap" ] && [ -n "$console" ] && [ -n "$qemu_exit" ] ||
	{ echo "usage: vm-verdict.sh --tap TAP --console CONSOLE --qemu-exit N [--name LABEL]" >&2; exit 2; }

clean_tap=$(mktemp)
trap 'rm -f "$clean_tap"' EXIT
if [ -f "$tap" ]; then
	tr -d '\r' < "$tap" > "$clean_tap"
fi
cat "$clean_tap"

failed=0
n=0
result() {	# result OK|FAIL DESCRIPTION [DIAGNOSTIC LINES]
	n=$((n + 1))
	if [ "$1" = OK ]; then
		echo "ok $n $name: $2"
	else
		echo "not ok $n $name: $2"
		[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/# /'
		failed=1
	fi
}

echo "# $name: verdict"
echo "1..4"

case "$qemu_exit" in
"$QEMU_EXIT_PASS") result OK "guest reported success (qemu exit $qemu_exit)" ;;
"$QEMU_EXIT_TIMEOUT") result FAIL "timeout: the wall-clock limit killed qemu" ;;
0) result FAIL "qemu exit 0: kernel panic (reboot) or the guest powered off without a verdict" ;;
*) result FAIL "qemu exit $qemu_exit (guest success gives $QEMU_EXIT_PASS)" ;;
esac

bad_lines=""
[ -f "$console" ] && bad_lines=$(tr -d '\r' < "$console" | grep -Ev 'ommand line:|Failed to set sysctl parameter' | grep -E "$BAD_KERNEL" | awk '!seen[$0]++' | head -n 40 || true)
if [ -z "$bad_lines" ]; then
	result OK "kernel log clean"
else
	result FAIL "kernel log has bad lines" "$bad_lines"
fi

# Plans vs results, per block (a block starts at "TAP version" or at a
# framing mark of scripts/guest/init), and program framing.
incomplete=$(awk '
	function close_block() {
		if (plan >= 0 && results < plan)
			printf "%s: %d of %d planned results\n", block, results, plan
		plan = -1; results = 0
	}
	BEGIN { plan = -1; results = 0; block = "top"; open = "" }
	/^# groove-vm: begin / { close_block(); block = $4; open = $4; next }
	/^# groove-vm: end / {
		close_block()
		rc = $5; sub(/^exit=/, "", rc)
		if (rc != 0 && rc != 4) printf "%s: exit status %s\n", $4, rc
		open = ""; next
	}
	/^TAP version/ { close_block(); next }
	/^1\.\.[0-9]+/ { close_block(); p = $1; sub(/^1\.\./, "", p); plan = p + 0; next }
	/^(not )?ok [0-9]+/ { results++ }
	END {
		close_block()
		if (open != "") printf "%s: never finished\n", open
	}' "$clean_tap")
if [ -z "$incomplete" ]; then
	result OK "every TAP plan complete, every program finished"
else
	result FAIL "missing results or unfinished programs" "$incomplete"
fi

not_ok=$(grep -E '^not ok [0-9]+' "$clean_tap" || true)
if [ -z "$not_ok" ]; then
	result OK "no failed test"
else
	result FAIL "failed tests" "$not_ok"
fi

if [ $failed != 0 ]; then
	echo "# $name: FAILED; kernel console log: $console" >&2
	echo "# $name: FAILED; kernel console log: $console"
	exit 1
fi
exit 0
