#!/bin/sh
# groovectl on the host, on groove files (no module needed), built with
# ASan+UBSan: create, info, add, status (text and JSON), verify, remove, and
# the error paths that do not need the device.  Emits TAP.
#
#   tools/groovectl/tests/host_test.sh [GROOVECTL [GROOVECTL_HELPER]]
# (make -C tools/groovectl check builds both with sanitizers and runs this.)
set -u

here=$(cd "$(dirname "$0")" && pwd)
ctl_bin=${1:-$here/../groovectl}
helper=${2:-$here/groovectl_helper}
work=$(mktemp -d /tmp/groovectl-host.XXXXXX)
trap 'rm -rf "$work"' EXIT
f=$work/g.groove
out=$work/out
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=99
n=0
fails=0

ctl() { "$ctl_bin" --device "$f" "$@"; }
expect() { # expect RC DESCRIPTION REGEX COMMAND...
	want=$1 desc=$2 re=$3
	shift 3
	"$@" >"$out" 2>&1
	rc=$?
	n=$((n + 1))
	if [ "$rc" = "$want" ] && { [ -z "$re" ] || grep -Eq -- "$re" "$out"; } &&
	   ! grep -q 'Sanitizer\|runtime error' "$out"; then
		echo "ok $n $desc"
	else
		fails=$((fails + 1))
		echo "not ok $n $desc (exit $rc, want $want; output must match /$re/)"
		sed 's/^/#   /' "$out" | head -n 40
	fi
}
json_ok() { "$@" > "$work/json" && python3 -m json.tool "$work/json" >/dev/null; }

echo "TAP version 13"
echo "1..31"
expect 0 "create volume_size=2M volume_max=6" "created .*6 slots" ctl create volume_size=2M volume_max=6
expect 1 "create over an existing file is refused" "exists" ctl create
expect 2 "create with a bad geometry: exit 2" "power of two" \
	"$ctl_bin" --device "$work/bad.groove" create volume_size=3M
expect 0 "info of the new file" "volume slots +6 \(0 present" ctl info
expect 0 "add 3 --info host" "added 3 volume" ctl add 3 --info host
expect 0 "status lists 3 empty volumes" "2 +empty +- +host" ctl status
expect 0 "objects allocated by another process" "" "$helper" alloc "$f" 40
expect 0 "status counts the 40 objects and shows their size class" \
	"in use +3[0-9.]+ KiB in 40 objects" ctl status
expect 0 "status --json is JSON" "" json_ok ctl --json status
check_json() { grep -q '"objects": 40' "$work/json" && grep -q '"volumes_present": 3' "$work/json"; }
expect 0 "status --json has objects and volumes" "" check_json
expect 0 "info --json is JSON" "" json_ok ctl --json info
expect 0 "verify: consistent" "consistent \(3 volumes checked\)" ctl verify
expect 0 "verify --json is JSON" "" json_ok ctl --json verify
expect 0 "remove 3 while objects live: the empty ones go, the rest is explained" \
	"hold objects.*free their objects" ctl remove 3
expect 7 "remove 1 when every volume left holds objects: exit 7" \
	"0 of 1 removed.*hold objects" ctl remove 1
expect 6 "add more volumes than free slots: exit 6" "" ctl add 9
if grep -qsE 'int groove_data_rebuild\(groove_t \*[a-z_]*\);' "$here"/../../../userlib/include/groove/*.h; then
	expect 0 "fsck rebuilds a consistent state" "rebuilt" ctl fsck
	expect 0 "fsck --dry-run on a consistent state: nothing stranded" "nothing stranded" \
		ctl fsck --dry-run
	"$helper" hold "$f" "$work/ready" & holder=$!
	while [ ! -e "$work/ready" ] && kill -0 $holder 2>/dev/null; do sleep 0.05; done
	expect 7 "fsck while another process is joined: exit 7, names it" \
		"in use by process $holder \(1 other user\); stop it first" ctl fsck
	expect 7 "fsck --dry-run while another process is joined: exit 7" "in use by process" \
		ctl fsck --dry-run
	check_busy() { "$@" > "$work/json"; rc=$?; python3 -m json.tool "$work/json" >/dev/null &&
		grep -q '"result": "busy"' "$work/json" && grep -q "\"holder_pid\": $holder" "$work/json" &&
		return $rc; }
	expect 7 "fsck --json while busy: JSON names the holder" "" check_busy ctl --json fsck
	kill $holder; wait $holder 2>/dev/null
	"$helper" strand "$f" 20
	cp "$f" "$work/before.groove"
	expect 5 "fsck --dry-run after a crash: exit 5, reports what it would reclaim" \
		"would mark [1-9][0-9]* objects free" ctl fsck --dry-run
	# Every open writes its join's entry (join table at hdr_size, 32 KiB): not data.
	cmp_but_joins() { python3 - "$1" "$2" <<'PY'
import struct, sys
a, b = (open(p, 'rb').read() for p in sys.argv[1:3])
off = struct.unpack_from('<Q', a, 24)[0]
strip = lambda x: x[:off] + x[off + 32768:]
sys.exit(0 if len(a) == len(b) and strip(a) == strip(b) else 1)
PY
	}
	expect 0 "fsck --dry-run wrote nothing (but its join entry)" "" \
		cmp_but_joins "$f" "$work/before.groove"
	expect 0 "fsck --json repairs and is JSON" "" json_ok ctl --json fsck
	expect 0 "fsck --dry-run after the repair: nothing stranded" "nothing stranded" \
		ctl fsck --dry-run
	expect 2 "--dry-run is fsck's only" "only fsck" ctl verify --dry-run
else
	expect 1 "fsck without library recovery says so" "no recovery" ctl fsck
fi
cp "$f" "$work/bad.groove"
dd if=/dev/zero of="$work/bad.groove" bs=8 count=1 conv=notrunc 2>/dev/null
expect 5 "status on a file with a destroyed magic: exit 5" "is not a groove" \
	"$ctl_bin" --device "$work/bad.groove" status
expect 3 "status on a missing file: exit 3" "No such file" \
	"$ctl_bin" --device "$work/none.groove" status
cp "$f" "$work/hostile.groove"
"$helper" corrupt-stack "$work/hostile.groove"
expect 5 "verify on a file whose stack head is out of range: exit 5" "corrupt" \
	"$ctl_bin" --device "$work/hostile.groove" verify
expect 2 "remove with a non-number: exit 2" "not a volume count" ctl remove two
expect 0 "--version names the ABI" "ABI 2" "$ctl_bin" --version
echo "# groovectl host test: $((n - fails)) of $n passed"
[ $fails = 0 ]
