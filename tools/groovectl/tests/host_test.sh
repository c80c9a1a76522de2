#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# groovectl's command-line conformance on the host, on groove files (no
# module, no VM), built with ASan+UBSan.  Emits TAP.  Checks:
#  - every command has help ('help CMD', 'CMD --help', 'help --json CMD');
#  - every command with --json prints one valid JSON object (parsed by
#    Python's json module, not grepped), state-changing ones the new state;
#  - every failure exits non-zero with exactly one line, "groovectl: ...",
#    on stderr and nothing on stdout;
#  - options that do not apply are refused (exit 9), not ignored;
#  - messages fit the file backend (no "module not loaded", no udev rule);
#  - each exit status groovectl(8) documents is produced by some case;
#  - UTF-8 in --info round-trips (tests/utf8_check.py);
#  - create on a file is create-only: an existing path is refused and left
#    as it was, mode= is applied exactly, and of two concurrent creates of
#    one file exactly one succeeds.
#
#   tools/groovectl/tests/host_test.sh [GROOVECTL [GROOVECTL_HELPER]]
# (make -C tools/groovectl check builds both with sanitizers and runs this.)
set -u

here=$(cd "$(dirname "$0")" && pwd)
ctl_bin=${1:-$here/../groovectl}
helper=${2:-$here/groovectl_helper}
man=$here/../../../Documentation/man/groovectl.8
# The ABI the tree's uapi header defines: what --version must name.
abi=$(sed -n 's/^#define GROOVE_ABI_VERSION[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$here/../../../uapi/linux/groove.h")
work=$(mktemp -d /tmp/groovectl-host.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
f=$work/g.groove
out=$work/out
err=$work/err
codes=$work/codes
: > "$codes"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=99
unset GROOVE_DEVICE
n=0
fails=0

ctl() { "$ctl_bin" --device "$f" "$@"; }
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() {
	n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"
	{ echo "stdout:"; head -n 30 "$out"; echo "stderr:"; head -n 30 "$err"; } | sed 's/^/#   /'
}

# expect RC DESCRIPTION REGEX COMMAND...: COMMAND exits RC.  On failure
# (RC != 0) stderr is exactly one line "groovectl: ..." matching REGEX and
# stdout is empty (unless EXPECT_STDOUT=1); on success stdout+stderr match
# REGEX.  No sanitizer report either way.
expect() {
	want=$1 desc=$2 re=$3
	shift 3
	"$@" >"$out" 2>"$err" </dev/null
	rc=$?
	echo "$rc" >> "$codes"
	why=""
	if [ "$rc" != "$want" ]; then
		why="exit $rc, want $want"
	elif grep -q 'Sanitizer\|runtime error' "$out" "$err"; then
		why="sanitizer report"
	elif [ "$rc" != 0 ]; then
		if [ "$(wc -l < "$err")" != 1 ] || ! grep -q '^groovectl: ' "$err"; then
			why="stderr is not one 'groovectl: ' line"
		elif [ -s "$out" ] && [ "${EXPECT_STDOUT:-0}" != 1 ]; then
			why="a failure printed on stdout"
		elif [ -n "$re" ] && ! grep -Eq -- "$re" "$err"; then
			why="stderr must match /$re/"
		fi
	elif [ -n "$re" ] && ! cat "$out" "$err" | grep -Eq -- "$re"; then
		why="output must match /$re/"
	fi
	if [ -z "$why" ]; then ok "$desc"; else notok "$desc ($why)"; fi
}

# expect_json RC DESCRIPTION PYEXPR COMMAND...: COMMAND exits RC and its
# stdout is one JSON object d for which the Python expression PYEXPR holds.
expect_json() {
	want=$1 desc=$2 expr=$3
	shift 3
	"$@" >"$out" 2>"$err" </dev/null
	rc=$?
	echo "$rc" >> "$codes"
	if [ "$rc" != "$want" ]; then
		notok "$desc (exit $rc, want $want)"
	elif ! python3 - "$out" "$expr" 2>>"$err" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert isinstance(d, dict), "not an object"
assert eval(sys.argv[2]), "false: " + sys.argv[2]
PY
	then
		notok "$desc (not JSON, or /$expr/ is false)"
	else
		ok "$desc"
	fi
}

# "nothing/no match" helper for negative message checks
lacks() { ! grep -Eq -- "$1" "$err"; }

# Another user for the permission cases: as root, "nobody" via setpriv;
# otherwise this user, on a copy whose mode takes the access away.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	other() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	other_ok=1
elif [ "$(id -u)" != 0 ]; then
	other() { "$@"; }
	other_ok=1
else
	other_ok=0
fi

cmds="load unload info status add remove verify fsck create destroy list apply help"

echo "TAP version 13"

# --- help ------------------------------------------------------------------
expect 0 "--help lists every command" "create .*named groove.*groove file" "$ctl_bin" --help
for c in $cmds; do
	expect 0 "help $c prints $c's usage" "^usage: groovectl .* $c( |\$)" "$ctl_bin" help "$c"
	if grep -q 'commands:' "$out"; then notok "help $c is not the global usage"; else ok "help $c is not the global usage"; fi
	expect 0 "$c --help prints $c's usage" "^usage: groovectl .* $c( |\$)" "$ctl_bin" "$c" --help
	expect_json 0 "--json help $c is JSON naming $c" "d['commands'][0]['name'] == '$c'" \
		"$ctl_bin" --json help "$c"
done
expect_json 0 "--json help lists every command" \
	"sorted(c['name'] for c in d['commands']) == sorted('$cmds'.split())" "$ctl_bin" --json help
expect 2 "help of an unknown command: exit 2" "no command 'frob'" "$ctl_bin" help frob

# --- the command line ----------------------------------------------------------
expect 2 "--bogus: one line with a hint, not the usage" \
	"^groovectl: unknown option --bogus; see 'groovectl --help'\$" "$ctl_bin" --bogus
expect 2 "status --bogus: the hint names the command" "see 'groovectl status --help'" \
	"$ctl_bin" status --bogus
expect 2 "add -1 talks about counts" "'-1' is not a volume count.*positive" ctl add -1
expect 2 "add 0: exit 2" "not a volume count" ctl add 0
expect 2 "remove two: exit 2" "not a volume count" ctl remove two
expect 2 "add without a count: an example" "groovectl add 2" ctl add
expect 2 "no command: exit 2" "no command given" "$ctl_bin"
expect 2 "unknown command: exit 2" "unknown command 'frobnicate'" "$ctl_bin" frobnicate
expect 2 "--device without a value: exit 2" "option --device needs a value" "$ctl_bin" status --device
expect 2 "--node with a non-number: exit 2" "not a NUMA node" ctl add 1 --node x
expect 2 "status with an operand: exit 2" "unexpected argument 'x'" ctl status x
expect 0 "--version names the ABI ($abi, uapi/linux/groove.h)" "ABI $abi\\b" "$ctl_bin" --version
expect_json 0 "--json --version is JSON" "d['abi_version'] == $abi" "$ctl_bin" --json --version

# --- options that do not apply: exit 9 -------------------------------------------
expect 9 "status --ko: refused" "--ko does not apply to status \(it is load's" ctl status --ko x.ko
expect 9 "info --node: refused" "--node does not apply to info" ctl info --node 0
expect 9 "verify --info: refused" "--info does not apply to verify" ctl verify --info x
expect 9 "verify --dry-run: refused (fsck's)" "--dry-run does not apply to verify.*fsck" ctl verify --dry-run
expect 9 "remove --node: refused" "--node does not apply to remove" ctl remove 1 --node 0
expect 9 "load --device: refused" "--device does not apply" "$ctl_bin" --device "$f" load
expect 9 "unload --device: refused" "--device does not apply" "$ctl_bin" --device "$f" unload
expect 9 "create on a character device: refused" "is a device.*groove \*file\*" \
	"$ctl_bin" --device /dev/null create

# --- create ---------------------------------------------------------------------
expect 2 "create volume_size=3M: exit 2" "not a power of two" \
	"$ctl_bin" --device "$work/bad.groove" create volume_size=3M
if [ -e "$work/bad.groove" ]; then notok "a refused create leaves no file"; else ok "a refused create leaves no file"; fi
expect 2 "create without NAME or --device: exit 2" "give a NAME .* or --device FILE" "$ctl_bin" create
expect 2 "create with a bad argument: exit 2" "expected volume_size=SIZE" ctl create volume_sise=2M
expect_json 0 "create --json: the new groove" \
	"d['created'] is True and d['volume_max'] == 6 and d['volumes_present'] == 0 and d['device'] == 'file'" \
	ctl --json create volume_size=2M volume_max=6
expect 1 "create over an existing file: exit 1" "exists; remove it first" ctl create
cp "$f" "$work/before-create.groove"
expect 1 "create over an existing groove with another geometry: exit 1" "exists; remove it first" \
	ctl create volume_max=9
if cmp -s "$f" "$work/before-create.groove"; then ok "a refused create leaves the existing file as it was"; else notok "a refused create leaves the existing file as it was"; fi
rm -f "$work/before-create.groove"
printf 'not a groove\n' > "$work/text"
expect 1 "create over an existing non-groove file: exit 1, not formatted" "text exists; remove it first" \
	"$ctl_bin" --device "$work/text" create
if [ "$(cat "$work/text")" = "not a groove" ]; then ok "the non-groove file is untouched"; else notok "the non-groove file is untouched"; fi
mkdir "$work/adir"
expect 1 "create over a directory: exit 1" "adir exists; remove it first" "$ctl_bin" --device "$work/adir" create
ln -s "$work/target.groove" "$work/dangling"
expect 1 "create over a dangling symbolic link: exit 1" "dangling exists" "$ctl_bin" --device "$work/dangling" create
if [ ! -e "$work/target.groove" ]; then ok "create does not follow a dangling link"; else notok "create does not follow a dangling link"; fi
expect 3 "create in a missing directory: exit 3, says the directory" "nodir/g.groove: its directory does not exist" "$ctl_bin" --device "$work/nodir/g.groove" create
if [ -z "$(find "$work" -name '.*' ! -name . 2>/dev/null)" ]; then ok "failed creates leave no temporary files"; else notok "failed creates leave no temporary files: $(find "$work" -name '.*' ! -name .)"; fi
( umask 077; exec "$ctl_bin" -q --device "$work/m644.groove" create mode=0644 ) >"$out" 2>"$err"
if [ "$(stat -c %a "$work/m644.groove" 2>/dev/null)" = 644 ]; then ok "create mode=0644 under umask 077: mode 0644 exactly"; else notok "create mode=0644 under umask 077: mode $(stat -c %a "$work/m644.groove" 2>&1)"; fi
( umask 0; exec "$ctl_bin" -q --device "$work/m600.groove" create ) >"$out" 2>"$err"
if [ "$(stat -c %a "$work/m600.groove" 2>/dev/null)" = 600 ]; then ok "create without mode= under umask 0: mode 0600"; else notok "create without mode= under umask 0: mode $(stat -c %a "$work/m600.groove" 2>&1)"; fi
expect 0 "create mode=0660: says the mode" "created .*m660.groove: 16 slots of 2097152 bytes, mode 0660" \
	"$ctl_bin" --device "$work/m660.groove" create mode=0660
expect 2 "create mode=0777: exit 2" "mode=0777: not an octal mode of at most 0666" \
	"$ctl_bin" --device "$work/m777.groove" create mode=0777
expect 2 "create mode=rw: exit 2" "mode=rw: not an octal mode" "$ctl_bin" --device "$work/m777.groove" create mode=rw
expect 2 "create mode=08: exit 2" "mode=08: not an octal mode" "$ctl_bin" --device "$work/m777.groove" create mode=08
if [ ! -e "$work/m777.groove" ]; then ok "a refused mode leaves no file"; else notok "a refused mode leaves no file"; fi
rm -f "$work/m644.groove" "$work/m600.groove" "$work/m660.groove" "$work/text"
rmdir "$work/adir"; rm -f "$work/dangling"
# Two creates of one file at once: exactly one succeeds, the other exits 1
# ("exists"), and the winner's groove is complete.  Background jobs, no sleeps;
# several rounds, so that some of them really overlap.
race_bad=""
r=0
while [ $r -lt 20 ]; do
	rf=$work/race.groove
	rm -f "$rf"
	"$ctl_bin" --device "$rf" create volume_max=5 >"$work/ra.out" 2>"$work/ra.err" </dev/null & pa=$!
	"$ctl_bin" --device "$rf" create volume_max=5 >"$work/rb.out" 2>"$work/rb.err" </dev/null & pb=$!
	wait $pa; ra=$?
	wait $pb; rb=$?
	echo "$ra" >> "$codes"; echo "$rb" >> "$codes"
	case "$ra $rb" in
	"0 1") loser=rb ;;
	"1 0") loser=ra ;;
	*) race_bad="round $r: exits $ra and $rb, want one 0 and one 1"; break ;;
	esac
	if [ "$(wc -l < "$work/$loser.err")" != 1 ] || ! grep -q "^groovectl: create: .*race.groove exists; remove it first" "$work/$loser.err" ||
	   [ -s "$work/$loser.out" ]; then
		race_bad="round $r: the loser did not print one 'exists' line: $(head -c 300 "$work/$loser.err")"; break
	fi
	if grep -q 'Sanitizer\|runtime error' "$work"/ra.* "$work"/rb.*; then race_bad="round $r: sanitizer report"; break; fi
	if ! "$ctl_bin" -q --device "$rf" verify >/dev/null 2>&1; then race_bad="round $r: the winner's groove does not verify"; break; fi
	r=$((r + 1))
done
if [ -z "$race_bad" ]; then ok "two concurrent creates of one file: one succeeds, one says exists (20 rounds)"; else notok "two concurrent creates of one file ($race_bad)"; fi
expect 0 "the raced file is a complete groove" "volume slots +5 \(0 present" "$ctl_bin" --device "$work/race.groove" info
rm -f "$work/race.groove" "$work"/ra.* "$work"/rb.*
expect 0 "info of the new file" "volume slots +6 \(0 present" ctl info
expect_json 0 "info --json" "d['volume_size'] == 2097152 and d['path'] == '$f'" ctl --json info

# --- add, status ----------------------------------------------------------------------
expect_json 0 "add 3 --info host --json: the state after" \
	"d['added'] == 3 and d['volumes_present'] == 3" ctl --json add 3 --info host
expect 9 "add --node on a file: refused" "--node does not apply to a groove file" ctl add 1 --node 0
expect 9 "add --ko: refused" "--ko does not apply to add" ctl add 1 --ko x.ko
info481=$(head -c 481 /dev/zero | tr '\0' x)
expect 2 "add --info longer than 480 bytes: exit 2" "at most 480" ctl add 1 --info "$info481"
expect 6 "add more volumes than free slots: exit 6" "only 3 of 6 slots are free" ctl add 9
expect 0 "status lists 3 empty volumes" "2 +empty +- +host" ctl status
expect 0 "objects allocated by another process" "" "$helper" alloc "$f" 40
expect 0 "status counts the 40 objects" "in use +3[0-9.]+ KiB in 40 objects" ctl status
expect_json 0 "status --json: objects, volumes and their info" \
	"d['objects'] == 40 and d['volumes_present'] == 3 and [v['info'] for v in d['volumes']] == ['host'] * 3" \
	ctl --json status
expect 0 "verify: consistent" "consistent \(3 volumes checked\)" ctl verify
expect_json 0 "verify --json" "d['consistent'] is True and d['volumes_checked'] == 3" ctl --json verify

# --- remove ----------------------------------------------------------------------------
expect 0 "remove 3 while objects live: the empty ones go, the rest is explained" \
	"hold objects.*free their objects" ctl remove 3
expect 7 "remove 1 when every volume left holds objects: exit 7" \
	"0 of 1 removed.*hold objects" ctl remove 1
g2=$work/empty.groove
"$ctl_bin" -q --device "$g2" create volume_max=4
expect_json 0 "add --json on a second file" "d['added'] == 2" "$ctl_bin" --device "$g2" --json add 2
expect_json 0 "remove --json: the state after" "d['removed'] == 2 and d['volumes_present'] == 0" \
	"$ctl_bin" --device "$g2" --json remove 5
expect 7 "remove 1 on an empty groove: exit 7, on stderr" "has no volumes: nothing to remove" \
	"$ctl_bin" --device "$g2" remove 1
expect 0 "-q add prints nothing" "" "$ctl_bin" -q --device "$g2" add 1
if [ -s "$out" ]; then notok "-q add printed: $(cat "$out")"; else ok "-q add is quiet"; fi

# --- fsck -------------------------------------------------------------------------------
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
	EXPECT_STDOUT=1 expect 7 "fsck --json while busy: exit 7, one line on stderr" "in use by process" \
		ctl --json fsck
	expect_json 7 "fsck --json while busy: JSON names the holder" \
		"d['result'] == 'busy' and d['holder_pid'] == $holder" ctl --json fsck
	kill $holder; wait $holder 2>/dev/null
	"$helper" strand "$f" 20
	cp "$f" "$work/before.groove"
	EXPECT_STDOUT=1 expect 5 "fsck --dry-run after a crash: exit 5, a repair is needed" \
		"needs a repair" ctl fsck --dry-run
	if grep -Eq "would mark [1-9][0-9]* objects free" "$out"; then ok "fsck --dry-run reports what it would reclaim"; else notok "fsck --dry-run reports what it would reclaim"; fi
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
	expect_json 0 "fsck --json repairs: the state after" \
		"d['consistent'] is True and d['dry_run'] is False and d['verify_after'] == 'success'" \
		ctl --json fsck
	expect 0 "fsck --dry-run after the repair: nothing stranded" "nothing stranded" \
		ctl fsck --dry-run
else
	expect 1 "fsck without library recovery says so" "no recovery" ctl fsck
fi

# --- paths that are not a groove, or not there --------------------------------------------
for c in info status add remove verify fsck; do
	a=""; [ $c = add ] || [ $c = remove ] && a=1
	expect 3 "$c on a missing file: exit 3, no such file (not 'module')" \
		"none.groove does not exist: make a groove file" \
		"$ctl_bin" --device "$work/none.groove" $c $a
	if lacks 'module'; then ok "$c on a missing file does not mention the module"; else notok "$c on a missing file mentions the module"; fi
done
mkfifo "$work/fifo"
expect 10 "info on a FIFO: exit 10, says FIFO (and does not hang)" "is a FIFO, not a groove" timeout 20 \
	"$ctl_bin" --device "$work/fifo" info
expect 10 "status on a FIFO: exit 10" "is a FIFO, not a groove" timeout 20 "$ctl_bin" --device "$work/fifo" status
expect 10 "status on a directory: exit 10" "is a directory, not a groove" "$ctl_bin" --device "$work" status
head -c 1048576 /dev/zero > "$work/zeros"
expect 10 "info on a file that was never formatted: exit 10" "is not a groove \(never formatted" \
	"$ctl_bin" --device "$work/zeros" info
cp "$f" "$work/bad.groove"
dd if=/dev/zero of="$work/bad.groove" bs=8 count=1 conv=notrunc 2>/dev/null
expect 10 "status on a file with a destroyed magic: exit 10" "is not a groove" \
	"$ctl_bin" --device "$work/bad.groove" status
cp "$f" "$work/hostile.groove"
"$helper" corrupt-stack "$work/hostile.groove"
expect 5 "verify on a corrupt file: exit 5, one readable line with a hint" \
	"hostile.groove: the shared allocator state is corrupt.*groovectl fsck" \
	"$ctl_bin" --device "$work/hostile.groove" verify
if lacks 'is corruption detected|\(-[0-9]+\)'; then ok "verify's message has no error code jargon"; else notok "verify's message has error code jargon"; fi
expect_json 5 "verify --json on a corrupt file: consistent is false" "d['consistent'] is False" \
	"$ctl_bin" --device "$work/hostile.groove" --json verify
expect 8 "load --ko of a missing file: exit 8" "cannot read module file" \
	"$ctl_bin" load --ko "$work/none.ko"

# --- another user -------------------------------------------------------------------------------
if [ $other_ok = 1 ]; then
	cp "$f" "$work/ro.groove"
	chmod 0644 "$work/ro.groove"
	[ "$(id -u)" != 0 ] && chmod 0444 "$work/ro.groove"
	expect 0 "info on a 0644 file as another user: works (read-only)" "volume slots +6" \
		other "$ctl_bin" --device "$work/ro.groove" info
	expect_json 0 "info --json on a 0644 file as another user" "d['volume_max'] == 6" \
		other "$ctl_bin" --device "$work/ro.groove" --json info
	expect 4 "status on a 0644 file as another user: exit 4, read and write access" \
		"permission denied on .*ro.groove \(mode 0[46]44.*needs read and write access" \
		other "$ctl_bin" --device "$work/ro.groove" status
	if lacks 'udev|usermod'; then ok "a file's permission message does not suggest the udev rule"; else notok "a file's permission message suggests the udev rule"; fi
	expect 4 "add on a 0644 file as another user: exit 4" "permission denied" \
		other "$ctl_bin" --device "$work/ro.groove" add 1
else
	for _ in 1 2 3 4 5; do n=$((n + 1)); echo "ok $n # SKIP no way to run as another user"; done
fi

# --- UTF-8 ------------------------------------------------------------------------------------------
python3 "$here/utf8_check.py" "$ctl_bin" "$work" > "$work/utf8" 2>&1
while read -r res rest; do
	case $res in
	ok) ok "UTF-8 --info: $rest" ;;
	*) n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n UTF-8 --info: $rest" ;;
	esac
done < "$work/utf8"

# --- bash completion --------------------------------------------------------------------------------
if command -v bash >/dev/null; then
	bash "$here/completion_test.sh" "$here/../groovectl.bash-completion" "$ctl_bin" > "$work/comp" 2>&1
	while read -r res rest; do
		case $res in
		ok) ok "bash completion: $rest" ;;
		*) n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n bash completion: ${rest#ok }" ;;
		esac
	done < "$work/comp"
fi

# --- named grooves: create NAME, destroy, -d NAME (no module on the host) --------------
nomod() { GROOVECTL_ROOT=$work/nothing "$ctl_bin" "$@"; }
expect 2 "create Bad: not a groove name, exit 2" "'Bad' is not a groove name: 1 to 31 of a-z" nomod create Bad
expect 2 "create x.y: not a groove name, exit 2" "'x.y' is not a groove name" nomod create x.y
expect 2 "create a 32-character name: exit 2" "at most 31 characters" \
	nomod create abcdefghijklmnopqrstuvwxyz012345
expect 2 "create NAME with an unknown key: exit 2, lists the keys" \
	"unknown key 'volume_sise'.*volume_size, volume_max, limit_bytes, mode, owner, group" \
	nomod create cache volume_sise=2M
expect 2 "create NAME mode=0777: exit 2" "at most 0666" nomod create cache mode=0777
expect 2 "create NAME owner=nosuchuser-x: exit 2" "owner=nosuchuser-x: no such user" nomod create cache owner=nosuchuser-x
expect 2 "create NAME with a limit below volume_size: exit 2" "below volume_size" \
	nomod create cache volume_size=4M limit_bytes=2M
expect 2 "create NAME with volume_size twice: exit 2" "given twice" nomod create cache volume_size=2M volume_size=4M
expect 3 "create NAME without the module: exit 3, says how to load it" "not loaded.*groovectl load" \
	nomod create cache volume_size=2M
expect 9 "create NAME with --device: refused, exit 9" "a NAME or --device, not both" "$ctl_bin" --device "$f" create cache
expect 9 "--device FILE create limit_bytes=8M: refused for a file, exit 9" "limit_bytes does not apply to a groove file" \
	"$ctl_bin" --device "$work/lim.groove" create limit_bytes=8M
expect 9 "--device FILE create owner=root: refused for a file, exit 9" "owner does not apply to a groove file" \
	"$ctl_bin" --device "$work/lim.groove" create owner=root
if [ ! -e "$work/lim.groove" ]; then ok "a refused key leaves no file"; else notok "a refused key leaves no file"; fi
expect 2 "destroy without a name: exit 2" "takes one groove name" nomod destroy
expect 2 "destroy Bad/Name: exit 2" "is not a groove name" nomod destroy Bad/Name
expect 3 "destroy without the module: exit 3" "not loaded" nomod destroy cache
expect 9 "destroy --device: refused, exit 9" "--device does not apply" "$ctl_bin" --device "$f" destroy cache
expect 9 "list --device: refused, exit 9" "--device does not apply" "$ctl_bin" --device "$f" list
expect 9 "apply --device: refused, exit 9" "--device does not apply" "$ctl_bin" --device "$f" apply
expect 9 "status --recreate: refused (apply's), exit 9" "--recreate does not apply to status.*apply" ctl status --recreate
expect 9 "apply --node: refused, exit 9" "--node does not apply to apply" nomod apply --node 0
expect 3 "list without the module: exit 3" "not loaded" nomod list
if [ ! -e /dev/grooves/nosuch ]; then
	expect 3 "-d nosuch is /dev/grooves/nosuch: exit 3" "/dev/grooves/nosuch" "$ctl_bin" -d nosuch info
else
	n=$((n + 1)); echo "ok $n # SKIP /dev/grooves/nosuch exists"
fi
expect 3 "-d DIR/g.groove stays a file path" "g.groove does not exist: make a groove file" \
	"$ctl_bin" -d "$work/none/g.groove" info

# --- list and apply on a fake sysfs ($GROOVECTL_ROOT) ------------------------------------
fr=$work/root
mkgroove() { # mkgroove DIR volume_size volume_max present reserved limit joins
	mkdir -p "$1"
	echo "$2" > "$1/volume_size"; echo "$3" > "$1/volume_max"; echo "$4" > "$1/volumes_present"
	echo "$5" > "$1/bytes_reserved"; echo "$6" > "$1/bytes_limit"; echo "$7" > "$1/joins_live"
}
mkdir -p "$fr/sys/module/groove" "$fr/dev/grooves"
mkgroove "$fr/sys/class/misc/groove" 2097152 8 1 2097152 1073741824 0
mkgroove "$fr/sys/class/groove/cache" 4194304 16 0 0 67108864 2
mkgroove "$fr/sys/class/groove/old" 2097152 4 0 0 8388608 0
: > "$fr/dev/groove"; : > "$fr/dev/grooves/cache"; : > "$fr/dev/grooves/old"
chmod 0600 "$fr/dev/grooves/old"
chmod 0600 "$fr/dev/grooves/cache"
me=$(id -u)
mygid=$(id -g)
fake() { GROOVECTL_ROOT=$fr "$ctl_bin" "$@"; }
expect 0 "list: the default groove and the named ones by name" \
	"^cache +4 MiB +16 +0 +0 B +64 MiB +2 +0600 " fake list
if grep -q '^(default) ' "$out" && grep -q '^old ' "$out"; then ok "list shows (default), cache and old"; else notok "list shows (default), cache and old"; fi
expect_json 0 "list --json: every groove with geometry and use" \
	"[g['name'] for g in d['grooves']] == [None, 'cache', 'old'] and d['grooves'][1]['volume_size'] == 4194304 and d['grooves'][1]['bytes_limit'] == 67108864 and d['grooves'][1]['joins_live'] == 2 and d['grooves'][0]['default'] is True and d['grooves'][1]['mode'] == '0600'" \
	fake --json list
conf=$work/groove.d
mkdir -p "$conf"
{
	echo "# the cache, as it runs now"
	echo "[cache]"
	echo "volume_size = 4M"
	echo "limit_bytes = 64M   # 16 volumes"
	echo "mode = 0600"
	echo "owner = $me"
	echo "group = $mygid"
	echo ""
	echo "; a new one"
	echo "[analytics]"
	echo "volume_size=2M"
	echo "limit_bytes=8M"
} > "$conf/10-cache.conf"
echo "[ignored]" > "$conf/README"
expect 0 "apply --dry-run: unchanged, would create, undeclared" \
	"unchanged +cache" fake apply --dry-run "$conf"
if grep -Eq '^would create +analytics$' "$out" && grep -Eq '^undeclared +old ' "$out" &&
   grep -q 'dry run, nothing changed: would create 1' "$out" && ! grep -q ignored "$out"; then
	ok "apply --dry-run names each groove, and only *.conf files count"
else
	notok "apply --dry-run names each groove, and only *.conf files count"
fi
expect_json 0 "apply --dry-run --json: actions per groove, would_change" \
	"[(g['name'], g['action'], g['line']) for g in d['grooves']] == [('cache', 'unchanged', 2), ('analytics', 'create', 10)] and d['would_change'] is True and d['changed'] is False and d['undeclared'] == ['old'] and d['files'] == 1" \
	fake --json apply --dry-run "$conf"
expect 3 "apply (for real) with no control device: exit 3" "groove-control does not exist" fake apply "$conf"
sed -i "s/^\[analytics\]/[old]/; s/^volume_size=2M/volume_size=2M\nvolume_max=4\nowner=$me\ngroup=$mygid/" "$conf/10-cache.conf"
expect 0 "apply --dry-run with nothing to change: says so" \
	"nothing to change: 2 grooves as declared in $conf" fake apply --dry-run "$conf"
expect_json 0 "apply --dry-run --json with nothing to change: would_change false" \
	"d['would_change'] is False and d['unchanged'] == 2" fake --json apply --dry-run "$conf"
expect 0 "apply with nothing to change needs no control device" "nothing to change" fake apply "$conf"
chmod 0640 "$fr/dev/grooves/cache"
expect 0 "apply --dry-run: a node whose mode differs would be updated" \
	"would update +cache \(mode 0640 -> 0600\)" fake apply --dry-run "$conf"
chmod 0600 "$fr/dev/grooves/cache"
sed -i 's/^volume_size = 4M/volume_size = 8M/' "$conf/10-cache.conf"
EXPECT_STDOUT=1 expect 1 "apply: a declared groove whose geometry differs is refused, exit 1" \
	"cache: volume_size is 4 MiB, declared 8 MiB: refused.*--recreate" fake apply --dry-run "$conf"
expect 0 "apply --dry-run --recreate: would recreate it" "would recreate +cache" \
	fake apply --dry-run --recreate "$conf"
mkdir -p "$work/empty.d"
expect 0 "apply on a directory with no .conf: nothing declared" "no grooves declared" fake apply "$work/empty.d"
expect 3 "apply on a missing directory: exit 3" "cannot read the directory" fake apply "$work/none.d"
bad() { # bad DESCRIPTION REGEX CONTENT
	rm -rf "$work/bad.d"
	mkdir -p "$work/bad.d"
	printf '%b' "$3" > "$work/bad.d/a.conf"
	expect 2 "apply: $1: exit 2, file:line" "$2" fake apply --dry-run "$work/bad.d"
}
bad "unknown key" "a.conf:2: \[x\] unknown key 'volume_sise'.*nothing was changed" '[x]\nvolume_sise = 2M\n'
bad "key before any section" "a.conf:1: 'volume_size = 2M' comes before any \[NAME\]" 'volume_size = 2M\n'
bad "bad section name" "a.conf:1: \[Big\]: a groove name is" '[Big]\n'
bad "unterminated section" "a.conf:1: .*a section is \[NAME\] alone" '[x\n'
bad "a line that is neither" "a.conf:2: 'volume_size 2M' is neither" '[x]\nvolume_size 2M\n'
bad "a key given twice" "a.conf:3: \[x\] volume_size given twice" '[x]\nvolume_size=2M\nvolume_size=4M\n'
bad "limit below the volume size" "a.conf:1: \[x\] limit_bytes=2097152 is below volume_size" '[x]\nvolume_size=4M\nlimit_bytes=2M\n'
bad "an unknown group" "group=nosuchgroup-x: no such group" '[x]\ngroup = nosuchgroup-x\n'
printf '[x]\n' > "$work/bad.d/b.conf"
printf '[x]\n' > "$work/bad.d/a.conf"
expect 2 "apply: a name declared in two files: exit 2, names both" "b.conf:1: \[x\] is declared already at .*a.conf:1" \
	fake apply --dry-run "$work/bad.d"
sed 's/^group = groove$/group = root/' "$here/../../../packaging/groove.d-example.conf" > "$work/empty.d/example.conf"
expect_json 0 "the shipped groove.d example parses (its group made root)" \
	"[g['name'] for g in d['grooves']] == ['analytics', 'bigpages'] and all(g['action'] == 'create' for g in d['grooves'])" \
	fake --json apply --dry-run "$work/empty.d"

# --- every documented exit status was produced -------------------------------------------------------
documented=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$man" | sed -n '/^\.TP/{n;s/^\.B \([0-9][0-9]*\)$/\1/p}' | sort -n | tr '\n' ' ')
seen=$(sort -n -u "$codes" | tr '\n' ' ')
missing=""
for c in $documented; do grep -qx "$c" "$codes" || missing="$missing $c"; done
if [ -n "$documented" ] && [ -z "$missing" ]; then
	ok "every exit status groovectl(8) documents ($documented) is produced"
else
	notok "exit statuses documented: $documented; produced: $seen; missing:$missing"
fi
undocumented=""
for c in $seen; do echo " $documented " | grep -q " $c " || undocumented="$undocumented $c"; done
if [ -z "$undocumented" ]; then ok "every exit status produced is documented"; else notok "undocumented exit statuses:$undocumented"; fi

echo "1..$n"
echo "# groovectl host test: $((n - fails)) of $n passed"
[ $fails = 0 ]
