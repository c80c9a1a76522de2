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
echo "1..96"

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

# --- named grooves: create, list, -d NAME, destroy, errors --------------------
$ctl -q load volume_size=2M volume_max=8 limit_bytes=64M
expect 0 "create alpha: 2M volumes, 8 slots, 32M, mode 0660, group groove" \
	"created /dev/grooves/alpha: 8 slots of 2 MiB, 0 present, 0 B of 32 MiB limit reserved, mode 0660, owner root, group groove" \
	$ctl create alpha volume_size=2M volume_max=8 limit_bytes=32M mode=0660 group=groove
check "/dev/grooves/alpha is a char device, mode 0660, root:groove" sh -c \
	"ls -ln /dev/grooves/alpha | grep -Eq '^crw-rw---- +1 +0 +1002 '"
expect 0 "create --json beta: 4M volumes, 4 slots, 8M limit, owner member" \
	'"volume_max": 4' $ctl --json create beta volume_size=4M volume_max=4 limit_bytes=8M owner=member
check "list: the default groove, alpha and beta with their geometries" sh -c \
	"$ctl list > /tmp/list.out && grep -Eq '^\(default\) +2 MiB +8 ' /tmp/list.out && grep -Eq '^alpha +2 MiB +8 +0 +0 B +32 MiB +0 +0660 root:groove' /tmp/list.out && grep -Eq '^beta +4 MiB +4 +0 +0 B +8 MiB +0 +0600 member:root' /tmp/list.out"
expect 0 "list --json names both" '"name": "beta"' $ctl --json list
expect 0 "-d alpha add 2: on alpha" "added 2 volume" $ctl -d alpha add 2
expect 0 "-d beta info: beta's own geometry" "volume size +4 MiB" $ctl -d beta info
check "alpha's volumes are neither in beta nor in the default groove" sh -c \
	"$ctl -d beta --json info | grep -q '\"volumes_present\": 0' && $ctl --json info | grep -q '\"volumes_present\": 0' && grep -qx 2 /sys/class/groove/alpha/volumes_present"
expect 0 "-d alpha info: alpha's own sysfs counters" "2 volumes added" $ctl -d alpha info
expect 6 "beta's limit holds: add 3 x 4M over 8M, exit 6" "memory limit" $ctl -d beta add 3
expect 7 "create alpha again: EEXIST, exit 7" "a groove named 'alpha' exists already" $ctl create alpha
expect 2 "create Bad: not a groove name, exit 2" "'Bad' is not a groove name" $ctl create Bad
expect 2 "create a 32-character name: exit 2" "at most 31 characters" \
	$ctl create abcdefghijklmnopqrstuvwxyz012345
# Above the cap (cap_bytes, or half of RAM when 0) but within RAM, whatever the guest's size.
ram=$(($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) * 1024))
cap=$(cat /sys/module/groove/parameters/cap_bytes)
[ "$cap" != 0 ] || cap=$((ram / 2))
expect 6 "create with limit_bytes above cap_bytes: ERANGE, exit 6" "above the module's cap_bytes" \
	$ctl create gamma limit_bytes=$((cap + (ram - cap) / 2))
expect 2 "create with volume_size=3M: exit 2" "not a power of two" $ctl create gamma volume_size=3M
expect 4 "create as a user: exit 4, root only" "made and destroyed by root" as tester "$ctl create gamma"
expect 0 "a member of group groove uses alpha" "2 present" as member "$ctl -d alpha status"
expect 4 "a user outside the group: exit 4 on alpha" "permission denied on /dev/grooves/alpha" \
	as tester "$ctl -d alpha info"
exec 5</dev/grooves/alpha
expect 7 "destroy alpha while it is open: EBUSY, exit 7" "alpha is in use.*fuser" $ctl destroy alpha
exec 5<&-
expect 0 "destroy alpha once closed" "destroyed alpha" $ctl destroy alpha
check "alpha's node and sysfs directory are gone" sh -c \
	'! test -e /dev/grooves/alpha && ! test -e /sys/class/groove/alpha'
expect 3 "destroy alpha again: ENOENT, exit 3" "no groove named 'alpha'" $ctl destroy alpha
expect 3 "-d alpha status after destroy: exit 3" "no groove named 'alpha'" $ctl -d alpha status
expect 0 "destroy --json beta" '"destroyed": true' $ctl --json destroy beta
expect 9 "list --device: refused, exit 9" "--device does not apply" $ctl --device /dev/groove list

# --- apply: /etc/groove.d -----------------------------------------------------------
$ctl -q create other
mkdir -p /etc/groove.d
cat > /etc/groove.d/10-svc.conf <<'CONF'
# service A: group groove may use it
[svc-a]
volume_size = 2M
volume_max = 4
limit_bytes = 8M   # 4 volumes
mode = 0660
group = groove
CONF
cat > /etc/groove.d/20-svc.conf <<'CONF'
[svc-b]
volume_size=4M
limit_bytes=16M
owner=member
CONF
echo "not a conf file" > /etc/groove.d/README
expect 0 "apply --dry-run: would create svc-a and svc-b" "would create +svc-a.*|would create +svc-b" \
	$ctl apply --dry-run
check "apply --dry-run created nothing" sh -c '! test -e /dev/grooves/svc-a && ! test -e /dev/grooves/svc-b'
expect 0 "apply creates what /etc/groove.d declares" "created 2, updated 0, recreated 0; 0 unchanged" $ctl apply
check "exactly the declared grooves were created (other left alone)" sh -c \
	"cd /sys/class/groove && test \"\$(echo *)\" = 'other svc-a svc-b'"
check "svc-a and svc-b have the declared geometry, mode and owner" sh -c \
	"grep -qx 4 /sys/class/groove/svc-a/volume_max && grep -qx 8388608 /sys/class/groove/svc-a/bytes_limit && grep -qx 4194304 /sys/class/groove/svc-b/volume_size && grep -qx 4 /sys/class/groove/svc-b/volume_max && ls -ln /dev/grooves/svc-a | grep -Eq '^crw-rw---- +1 +0 +1002 ' && ls -ln /dev/grooves/svc-b | grep -Eq '^crw------- +1 +1001 +0 '"
$ctl list > /tmp/list.before
expect 0 "a second apply changes nothing and says so" \
	"nothing to change: 2 grooves as declared in /etc/groove.d" $ctl apply
expect 0 "a second apply --json: changed false, 2 unchanged" '"unchanged": 2' $ctl --json apply
check "the second apply left every groove as it was" sh -c \
	"$ctl list | cmp -s - /tmp/list.before && ! $ctl --json apply | grep -q '\"changed\": true'"
sed -i 's/volume_size=4M/volume_size=8M/' /etc/groove.d/20-svc.conf
expect 1 "apply refuses svc-b whose volume size differs, exit 1" "svc-b: volume_size is 4 MiB, declared 8 MiB: refused.*--recreate" \
	$ctl apply
check "the refused groove is untouched" grep -qx 4194304 /sys/class/groove/svc-b/volume_size
expect 0 "apply --recreate re-creates svc-b" "recreated +svc-b" $ctl apply --recreate
check "svc-b now has 8M volumes" grep -qx 8388608 /sys/class/groove/svc-b/volume_size
chmod 0600 /dev/grooves/svc-a
expect 0 "apply puts back svc-a's declared mode" "updated +svc-a \(mode 0600 -> 0660\)" $ctl apply
printf '[svc-c]\nvolume_sise = 2M\n' > /etc/groove.d/30-bad.conf
expect 2 "apply with a typo in a key: exit 2, names file and line, changes nothing" \
	"30-bad.conf:2: \[svc-c\] unknown key 'volume_sise'.*nothing was changed" $ctl apply
check "the bad file made nothing" sh -c '! test -e /dev/grooves/svc-c'
rm -rf /etc/groove.d
for g in svc-a svc-b other; do $ctl -q destroy $g; done
expect 0 "unload after the named grooves are gone" "unloaded groove" $ctl unload

rm -f /etc/passwd /etc/group "$out"
echo "# groovectl_vm_test: $((n - fails)) of $n passed"
[ $fails = 0 ]
