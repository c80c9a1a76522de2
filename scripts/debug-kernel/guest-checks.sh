#!/bin/sh
# Debug-kernel checks run inside the test VM after the selftests
# (scripts/vm-run.sh --kver debug --guest-script scripts/debug-kernel/guest-checks.sh).
# busybox sh; TAP on stdout.
#
#  - fault-injected passes of the volume add/remove selftest: failslab,
#    fail_page_alloc, then both, failing only allocations made from module
#    code (stack-trace filter) of the test's own processes (task-filter +
#    make-it-fail).  The test may report failures; the kernel must not: no
#    signal death, no hang, no new warning or taint, and the module unloads.
#  - groove unloads; two kmemleak scans list nothing allocated by groove.
#  - lockdep is still on (debug_locks 1).
#
# Env: GROOVE_FAULT_TEST=<name in /groove/selftests> picks the test to rerun
# (default: the first add/remove-like one).

selftests=/groove/selftests
debugfs=/sys/kernel/debug
# x86_64 module area (MODULES_VADDR with KASLR .. MODULES_END).  groove is
# the only module these VMs load, so a frame in here is a frame of groove.
module_start=0xffffffffc0000000
module_end=0xffffffffff000000
fault_timeout=300
# Passes as what:percent:spared:variant.  "spared" is a kernel function whose
# callees never fail (fault-injection reject range): sparing do_init_module
# puts the failures in add/remove/mmap; the last pass fails module init too,
# but spares vmalloc, whose failures always dump a stack (warn_alloc) that
# the VM verdict cannot tell from a bug.  "variant" (harness -v) keeps each
# pass to one volume size when the test has it: 2 MiB (buddy allocator),
# 16 MiB (alloc_contig_range), 4 MiB (largest buddy order).
passes="slab:20:do_init_module:size_2m page:20:do_init_module:size_16m"
passes="$passes slab+page:5:__vmalloc_node_range_noprof:size_4m"
bad='BUG:|WARNING:|Oops|Call Trace|general protection|soft lockup|hard LOCKUP|hung_task|blocked for more than'

n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n $*"
}
not_ok() {
	n=$((n + 1))
	failed=1
	echo "not ok $n $*"
}
skip() {
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}
# Indented copy of a file as TAP comments.
comment_file() {
	sed 's/^/#   /' "$1"
}

# Seconds since boot, to one decimal.
now() {
	cut -d' ' -f1 /proc/uptime
}
since() {
	awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'
}

groove_loaded() {
	grep -q '^groove ' /proc/modules
}

debug_locks() {
	awk '/debug_locks:/ { print $2 }' /proc/lockdep_stats 2>/dev/null
}

# /proc/config.gz and /proc/kallsyms are read once each: on this kernel
# under TCG every read costs seconds (kallsyms holds some 200000 lines).
config=/tmp/guest-checks.config
kallsyms=/tmp/guest-checks.kallsyms
config_has() {
	[ -f "$config" ] || zcat /proc/config.gz > "$config" 2>/dev/null
	grep -qx "$1=y" "$config"
}

# Set one fault-injection attribute; 'times' counts down per injected failure.
fi_set() {
	echo "$3" > "$debugfs/$1/$2"
}

# Address range [start end) of a core kernel function, from /proc/kallsyms
# (16 hex digits each, so string order is address order).
symbol_range() {
	[ -f "$kallsyms" ] || cat /proc/kallsyms > "$kallsyms"
	start=$(awk -v sym="$1" '$3 == sym { print $1; exit }' "$kallsyms")
	[ -n "$start" ] || return 1
	awk -v start="$start" '
		BEGIN { end = "ffffffffffffffff" }
		$1 > start && $1 < end { end = $1 }
		END { print "0x" start, "0x" end }' "$kallsyms"
}

# fi_arm ATTR PERCENT "START END" (reject range)
fi_arm() {
	fi_set "$1" probability "$2"
	fi_set "$1" interval 1
	fi_set "$1" times 1000000
	fi_set "$1" space 0
	# verbose 2 would dump a stack per failure, which the verdict reads as a bug.
	fi_set "$1" verbose 0
	fi_set "$1" task-filter Y
	fi_set "$1" ignore-gfp-wait N
	fi_set "$1" stacktrace-depth 32
	fi_set "$1" require-start "$module_start"
	fi_set "$1" require-end "$module_end"
	fi_set "$1" reject-start "${3% *}"
	fi_set "$1" reject-end "${3#* }"
	if [ "$1" = fail_page_alloc ]; then
		fi_set "$1" ignore-gfp-highmem N
		fi_set "$1" min-order 0
	fi
}

fi_disarm() {
	fi_set "$1" probability 0
	fi_set "$1" task-filter N
}

# Failures injected since fi_arm.
fi_injected() {
	echo $((1000000 - $(cat "$debugfs/$1/times")))
}

pick_fault_test() {
	if [ -n "${GROOVE_FAULT_TEST:-}" ]; then
		[ -x "$selftests/$GROOVE_FAULT_TEST" ] && echo "$selftests/$GROOVE_FAULT_TEST"
		return
	fi
	for pattern in '*add*remove*' '*volume*' '*add*' '*ioctl*'; do
		for t in $selftests/$pattern; do
			case $t in *_test) ;; *) continue ;; esac
			[ -x "$t" ] && { echo "$t"; return; }
		done
	done
}

# --- Is this the debug kernel at all?
is_debug=1
for opt in CONFIG_KASAN CONFIG_PROVE_LOCKING CONFIG_DEBUG_KMEMLEAK CONFIG_FAILSLAB \
	CONFIG_FAIL_PAGE_ALLOC CONFIG_FAULT_INJECTION_STACKTRACE_FILTER; do
	config_has "$opt" || { is_debug=0; missing="${missing:-} $opt"; }
done
grep -q " $debugfs debugfs " /proc/mounts || mount -t debugfs debugfs "$debugfs" 2>/dev/null
echo "1..9"
if [ $is_debug = 0 ]; then
	skip "debug kernel" "$(uname -r) lacks$missing"
	for what in "fault pass 1" "fault pass 2" "fault pass 3" \
		"fault injection reached groove" "groove unloads" "kmemleak" "debug_locks" \
		"no kernel warnings"; do
		skip "$what" "not the debug kernel"
	done
	exit 0
fi
ok "debug kernel $(uname -r): KASAN, PROVE_LOCKING, DEBUG_KMEMLEAK, FAILSLAB, FAIL_PAGE_ALLOC"
dmesg_start=$(dmesg | wc -l)
taint_start=$(cat /proc/sys/kernel/tainted)

# --- Fault-injected add/remove passes.
groove_loaded && rmmod groove
fault_test=$(pick_fault_test)
total_injected=0
for pass in $passes; do
	IFS=: read -r what prob spared variant <<-EOF
	$pass
	EOF
	name="fault pass $what (p=$prob%, sparing $spared)"
	if [ -z "$fault_test" ]; then
		skip "$name" "no add/remove selftest in $selftests"
		continue
	fi
	set --
	if "$fault_test" -l 2>&1 | awk -v v="$variant" '{ for (i = 1; i <= NF; i++) if ($i == v) f = 1 } END { exit !f }'; then
		set -- -v "$variant"
		name="$name, $variant"
	fi
	attrs=""
	case $what in *slab*) attrs="$attrs failslab" ;; esac
	case $what in *page*) attrs="$attrs fail_page_alloc" ;; esac
	lines_before=$(dmesg | wc -l)
	if ! reject=$(symbol_range "$spared"); then
		echo "# $spared not in /proc/kallsyms: nothing spared"
		reject="0 0"
	fi
	for a in $attrs; do fi_arm "$a" "$prob" "$reject"; done
	t0=$(now)
	# make-it-fail is inherited by the test's children and threads.
	timeout -s KILL "$fault_timeout" sh -c \
		'echo 1 > /proc/self/make-it-fail && exec "$0" "$@"' "$fault_test" "$@" \
		> /tmp/fault-pass.tap 2>&1 < /dev/null
	rc=$?
	injected=0
	for a in $attrs; do
		injected=$((injected + $(fi_injected "$a")))
		fi_disarm "$a"
	done
	total_injected=$((total_injected + injected))
	passed=$(grep -c '^ok ' /tmp/fault-pass.tap)
	tfailed=$(grep -c '^not ok ' /tmp/fault-pass.tap)
	problems=""
	# kselftest exits 0 (pass), 1 (fail) or 4 (skip); anything else is a
	# signal or the timeout.
	case $rc in 0 | 1 | 4) ;; *) problems="$problems exit=$rc" ;; esac
	if groove_loaded && ! rmmod groove; then
		problems="$problems module-stuck:$(awk '$1 == "groove" { print $3 }' /proc/modules)-refs"
	fi
	dmesg | tail -n +$((lines_before + 1)) > /tmp/fault-dmesg
	grep -E -B 15 -A 30 "$bad" /tmp/fault-dmesg | head -n 120 > /tmp/fault-bad
	[ -s /tmp/fault-bad ] && problems="$problems kernel-warnings"
	[ "$(cat /proc/sys/kernel/tainted)" = "$taint_start" ] || problems="$problems new-taint"
	[ "$(debug_locks)" = 1 ] || problems="$problems lockdep-off"
	figures="$(basename "$fault_test"): $injected failures injected, $passed ok, $tfailed not ok, exit $rc, $(since "$t0") s"
	if [ -z "$problems" ]; then
		ok "$name: $figures"
	else
		not_ok "$name: $figures;$problems"
		comment_file /tmp/fault-pass.tap
		comment_file /tmp/fault-bad
	fi
done
if [ -z "$fault_test" ]; then
	skip "fault injection reached groove" "no add/remove selftest"
elif [ "$total_injected" -gt 0 ]; then
	ok "fault injection reached groove: $total_injected failures in all passes"
else
	not_ok "fault injection reached groove: no allocation from module code was failed"
fi

# --- Unload, then look for leaks.
if ! groove_loaded; then
	ok "groove unloads (was not loaded)"
elif rmmod groove; then
	ok "groove unloads"
else
	not_ok "groove unloads: rmmod failed, refcount $(awk '$1 == "groove" { print $3 }' /proc/modules)"
fi

# kmemleak reports only objects older than 5 s (MSECS_MIN_AGE) and only
# from their second scan on (the first records a checksum of each new
# object and counts it referenced; one scan here found no leak from a
# module that leaks in its init): let the youngest
# allocation of the runs above age past that threshold first.  This waits
# for a documented age, not for another task.
sleep 6
t0=$(now)
echo scan > "$debugfs/kmemleak"
echo scan > "$debugfs/kmemleak"
rm -f /tmp/kmemleak-groove
cat "$debugfs/kmemleak" > /tmp/kmemleak.txt
# One report per "unreferenced object" block; groove's frames show as
# groove symbols while it is loaded, as raw module addresses after rmmod.
awk -v out=/tmp/kmemleak-groove '
	/^unreferenced object/ { if (blk != "" && hit) print blk > out; blk = $0; hit = 0; next }
	{ blk = blk "\n" $0 }
	/groove/ || /0xffffffff[c-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]/ { hit = 1 }
	END { if (blk != "" && hit) print blk > out }
' /tmp/kmemleak.txt
all_leaks=$(grep -c '^unreferenced object' /tmp/kmemleak.txt)
groove_leaks=0
[ -s /tmp/kmemleak-groove ] && groove_leaks=$(grep -c '^unreferenced object' /tmp/kmemleak-groove)
if [ "$groove_leaks" = 0 ]; then
	ok "kmemleak: no leak from groove ($all_leaks unreferenced objects elsewhere in the kernel; 2 scans in $(since "$t0") s)"
else
	not_ok "kmemleak: $groove_leaks leaked objects from groove"
	comment_file /tmp/kmemleak-groove
fi
[ "$all_leaks" -gt 0 ] && head -n 40 /tmp/kmemleak.txt | sed 's/^/# other: /'

if [ "$(debug_locks)" = 1 ]; then
	ok "debug_locks is still 1"
else
	not_ok "debug_locks is $(debug_locks): lockdep turned itself off"
fi

dmesg | tail -n +$((dmesg_start + 1)) | grep -E -B 15 -A 30 "$bad" | head -n 120 > /tmp/checks-bad
if [ -s /tmp/checks-bad ]; then
	not_ok "no kernel warnings during these checks"
	comment_file /tmp/checks-bad
else
	ok "no kernel warnings during these checks"
fi

exit $failed
