#!/bin/sh
# groovectl in the test VM: load, add, status, remove, verify, unload and
# every error path whose message tells the user what to do.  Emits TAP.
# Optional guest programs (skipped when absent): share_offset (examples/)
# and groovectl_helper (tools/groovectl/tests/).
#
# Runs as root inside the busybox guest of scripts/vm-run.sh:
#   scripts/vm-run.sh --kver 6.1 --guest-script tools/groovectl/tests/groovectl_vm_test.sh
# Needs: groovectl on PATH (the runner puts it in /groove/bin), groove.ko
# at $GROOVE_KO (default /groove/groove.ko) and indexed under
# /lib/modules/$(uname -r) (the runner runs depmod), the module unloaded.
# Each test checks the exit status AND that the message says what to do.
set -u

ko=${GROOVE_KO:-/groove/groove.ko}
ctl=groovectl
out=/tmp/groovectl_vm_test.out
n=0
fails=0

# expect RC DESCRIPTION REGEX COMMAND...: COMMAND must exit RC and its
# stdout+stderr must match the extended regex REGEX (empty: anything).
expect() {
	want=$1 desc=$2 re=$3
	shift 3
	"$@" >"$out" 2>&1
	rc=$?
	n=$((n + 1))
	if [ "$rc" = "$want" ] && { [ -z "$re" ] || grep -Eq -- "$re" "$out"; }; then
		echo "ok $n $desc"
	else
		fails=$((fails + 1))
		echo "not ok $n $desc (exit $rc, want $want; output must match /$re/)"
		sed 's/^/#   /' "$out"
	fi
}

# check DESCRIPTION COMMAND...: a plain assertion.
check() {
	desc=$1
	shift
	n=$((n + 1))
	if "$@" >"$out" 2>&1; then
		echo "ok $n $desc"
	else
		fails=$((fails + 1))
		echo "not ok $n $desc"
		sed 's/^/#   /' "$out"
	fi
}

# Users for the permission paths: "tester" (no access) and "member"
# (in group groove, like the shipped udev rule intends).
setup_users() {
	mkdir -p /etc
	cat > /etc/passwd <<PW
root:x:0:0:root:/tmp:/bin/sh
tester:x:1000:1000:tester:/tmp:/bin/sh
member:x:1001:1001:member:/tmp:/bin/sh
PW
	cat > /etc/group <<GR
root:x:0:
tester:x:1000:
member:x:1001:
groove:x:1002:member
GR
}
as() { # as USER COMMAND...
	u=$1
	shift
	su -s /bin/sh "$u" -c "$*"
}

echo "TAP version 13"
echo "1..55"

command -v $ctl >/dev/null || { echo "Bail out! groovectl is not on PATH"; exit 1; }
rmmod groove 2>/dev/null
setup_users
kdir=/lib/modules/$(uname -r)

# --- module not loaded ---------------------------------------------------
expect 3 "status without the module: exit 3, says to run groovectl load" \
	"not loaded.*groovectl load" $ctl status
expect 3 "info --json without the module: exit 3" "groovectl load" $ctl --json info
expect 3 "unload without the module: exit 3, says not loaded" "not loaded" $ctl unload
expect 2 "unknown command: exit 2" "unknown command" $ctl frobnicate
expect 2 "--bogus: one line with a hint" "unknown option --bogus; see 'groovectl --help'" $ctl --bogus
expect 9 "status --ko: refused, exit 9" "--ko does not apply to status" $ctl status --ko x.ko
expect 9 "create on the device: refused, exit 9" "is a device" $ctl --device /dev/null create
expect 2 "add without a count: exit 2 with an example" "groovectl add 2" $ctl add
expect 2 "add 0: exit 2" "not a volume count" $ctl add 0
expect 8 "load --ko of a missing file: exit 8" "cannot read module file" \
	$ctl load --ko /nonexistent/groove.ko
expect 2 "load with an unknown parameter: exit 2, lists the real ones" \
	"no parameter 'volume_sise'.*volume_size" $ctl load volume_sise=2M
expect 2 "load with a parameter that is not param=value: exit 2" \
	"not param=value" $ctl load volume_size
expect 2 "load volume_size=3M (not a power of two): exit 2, explains the range" \
	"refused its parameters.*power of two" $ctl load volume_size=3M
check "the refused load left no module behind" sh -c '! test -e /sys/module/groove'
expect 4 "load as an unprivileged user: exit 4, names CAP_SYS_MODULE" \
	"CAP_SYS_MODULE" as tester "$ctl load volume_size=2M"

# --- load by name from the module path -----------------------------------
expect 0 "load volume_size=2M volume_max=8 by name (modules.dep)" \
	"loaded .*groove\.ko.* with volume_size=2097152 volume_max=8" \
	$ctl load volume_size=2M volume_max=8 limit_bytes=1G
check "the device exists and the parameters took" sh -c \
	'test -c /dev/groove && grep -qx 2097152 /sys/module/groove/parameters/volume_size'
expect 9 "load --device: refused, exit 9" "--device does not apply" $ctl --device /dev/groove load
expect 7 "load while loaded: exit 7, says unload first" "already loaded.*unload" \
	$ctl load volume_size=2M
expect 0 "info shows the geometry" "volume size +2 MiB.*|volume slots +8 \(0 present" $ctl info
expect 0 "info --json has the geometry" '"volume_size": 2097152' $ctl --json info

# --- add -------------------------------------------------------------------
expect 0 "add 3 --info vmtest" "added 3 volume" $ctl add 3 --info vmtest
expect 0 "status lists 3 empty volumes with their info" "0 +empty +0 +vmtest" $ctl status
expect 0 "status shows reserved bytes and the largest object" \
	"largest object" $ctl status
expect 0 "status --json: 3 empty volumes, per-node bytes" \
	'"volumes_empty": 3' $ctl --json status
check "status --json reports node 0 holding 6 MiB" sh -c \
	"$ctl --json status | grep -A1 '\"node\": 0' | grep -q '\"bytes_reserved\": 6291456'"
expect 6 "add 6 with 5 free slots: exit 6, names the free slots" \
	"only 5 of 8 slots are free" $ctl add 6
expect 2 "add on an offline NUMA node: exit 2, asks whether it is online" \
	"NUMA node online" $ctl add 1 --node 63
expect 0 "add --json 1 --node 0: the state after" '"added": 1' $ctl --json add 1 --node 0
expect 0 "remove --json 1: the state after" '"volumes_present": 3' $ctl --json remove 1
info481=$(head -c 481 /dev/zero | tr '\0' x)
expect 2 "add --info longer than 480 bytes: exit 2" "at most 480" $ctl add 1 --info "$info481"
expect 0 "verify: consistent" "consistent \(3 volumes checked\)" $ctl verify

# --- permissions -------------------------------------------------------------
expect 4 "status as a user without access: exit 4, shows mode and group advice" \
	"permission denied on /dev/groove \(mode 0600, owner root, group root\).*usermod -aG groove" \
	as tester "$ctl status"
chgrp groove /dev/groove && chmod 0660 /dev/groove
expect 0 "status as a member of group groove once the device is 0660 root:groove" \
	"3 present" as member "$ctl status"
expect 4 "unload as a member: exit 4, names CAP_SYS_MODULE" "CAP_SYS_MODULE" \
	as member "$ctl unload"

# --- busy -------------------------------------------------------------------
exec 5</dev/groove
expect 7 "unload while the device is open: exit 7, says to close its users" \
	"in use.*close every program" $ctl unload
exec 5<&-

# --- programs using the device (when the runner put them in the guest) -------
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
if command -v share_offset >/dev/null; then
	expect 0 "share_offset on /dev/groove: a child reads and frees the parent's object by offset" \
		"child: +freed it" share_offset /dev/groove
else
	skip "share_offset is not in the guest"
fi
if command -v groovectl_helper >/dev/null; then
	expect 0 "objects allocated by a process stay in the groove" "" \
		groovectl_helper alloc /dev/groove 40
	expect 0 "status counts the 40 objects" "in 40 objects" $ctl status
	expect 0 "verify with live objects: consistent" "consistent" $ctl verify
	expect 0 "remove 3 with objects live: the empty ones go, the rest is explained" \
		"hold objects.*free their objects" $ctl remove 3
	expect 7 "remove 1 when every volume left holds objects: exit 7" \
		"0 of 1 removed.*hold objects" $ctl remove 1
	# objects do not pin the module: unloading frees them with their volumes
	$ctl -q unload
	$ctl -q load volume_size=2M volume_max=8 limit_bytes=1G
	$ctl -q add 3 --info vmtest
	groovectl_helper corrupt-stack /dev/groove
	expect 5 "remove with a corrupt stack head: exit 5, says reload and that info works" \
		"shared header of /dev/groove is corrupt.*groovectl info.*reload" $ctl remove 1
	expect 5 "verify with a corrupt stack head: exit 5" "corrupt" $ctl verify
	expect 0 "info still works on a corrupt header" "volume slots +8 \(3 present" $ctl info
	$ctl -q unload
	$ctl -q load volume_size=2M volume_max=8 limit_bytes=1G
	$ctl -q add 3 --info vmtest
else
	for t in alloc status verify remove remove-busy corrupt-remove corrupt-verify corrupt-info; do
		skip "groovectl_helper is not in the guest ($t)"
	done
fi

# --- remove -------------------------------------------------------------------
expect 0 "remove 2" "removed 2 volume" $ctl remove 2
expect 0 "remove 5 with one volume left removes it and says none are left" \
	"removed 1 volume.*|no volumes left" $ctl remove 5
expect 7 "remove 1 from an empty groove: exit 7" "has no volumes: nothing to remove" $ctl remove 1
check "remove 1 from an empty groove says so on stderr, not stdout" sh -c \
	"! $ctl remove 1 2>/dev/null | grep -q ."
expect 0 "unload --json" '"loaded": false' $ctl --json unload
check "the device is gone after unload" sh -c '! test -e /dev/groove'

# --- load by file, limits -------------------------------------------------------
expect 0 "load --json --ko FILE with limit_bytes=4M" '"loaded": true' \
	$ctl --json load --ko "$ko" volume_size=2M volume_max=8 limit_bytes=4M
expect 6 "add 3 over a 4 MiB limit: exit 6, names limit_bytes" \
	"memory limit.*limit_bytes" $ctl add 3
expect 0 "unload" "unloaded groove" $ctl unload

# --- a module that is installed but not indexed (no depmod yet) -------------------
mkdir -p /tmp/modidx
mv "$kdir"/modules.dep "$kdir"/modules.dep.bin "$kdir"/modules.alias* /tmp/modidx/ 2>/dev/null
expect 0 "load without a module index finds the file and says to run depmod" \
	"depmod -a.*|loaded " $ctl load volume_size=2M volume_max=4
mv /tmp/modidx/* "$kdir"/ 2>/dev/null
$ctl -q unload

rm -f /etc/passwd /etc/group "$out"
echo "# groovectl_vm_test: $((n - fails)) of $n passed"
[ $fails = 0 ]
