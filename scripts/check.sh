#!/bin/sh
# make check: every stage of groove's tests, as TAP, counted at the end.
#
#   1 static   checkpatch --strict, W=1 and sparse on 6.1, 6.12, 6.12-rt and
#              7.2, kernel-doc, codespell
#   2 host     the VM runner's canned-log test, the library's host tests
#              (make -C tests check), groovectl on files (make -C tools/groovectl
#              check), the install check, the DKMS check
#   3 vm       the selftests in qemu on Debian's 6.1, 6.12 and 6.12-rt
#              (PREEMPT_RT), and the groovectl VM test on one of them
#   4 debug    the selftests (fewer repetitions: scripts/vm-run.sh; those
#              that can, on a named groove) on the KASAN/lockdep/kmemleak
#              kernel built from 7.2, + its guest checks
#
# With all four: the debug VM (one TCG thread) runs in the background from
# the start, on one host CPU; on the other, the host tests, then 6.1 and
# 6.12-rt (one TCG thread each); then 6.12 alone with a thread per vCPU,
# and beside it at nice 19 the static stage, the install check and the
# DKMS check, one after another.
#
# Each stage writes build/check/<stage>.tap (stdout) and <stage>.log (stderr);
# the terminal shows results and the diagnostics of failures.  The last line
# is exactly "N passed, N failed" (+ ", N skipped").  Exit 1 on any failure.
#
# Environment: GROOVE_CHECK_STAGES="static host vm debug" selects stages;
# GROOVE_VM_PARALLEL=1 boots the stock-kernel VMs at once with one vCPU each
# (each guest touches all of its 8 GiB at boot: needs ~40 GiB of host RAM
# with the debug VM's 10);
# GROOVE_DEBUG_EXCLUDE (regex, default none) skips selftests on the debug kernel;
# GROOVE_STAGE_TIMEOUT (seconds, default 1200) limits each stage (debug: 3300;
# its vCPUs share one TCG thread, see scripts/vm-run.sh).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# Compilers through ccache, its cache beside the debug kernel's: a warm run
# in a fresh tree compiles only what changed (paths below the tree are
# hashed relative to it).
if [ -d /usr/lib/ccache ] && mkdir -p /var/cache/groove/ccache 2>/dev/null &&
	[ -w /var/cache/groove/ccache ]; then
	export PATH="/usr/lib/ccache:$PATH" CCACHE_DIR=/var/cache/groove/ccache
	export CCACHE_BASEDIR="$top" CCACHE_NOHASHDIR=1
fi
out=build/check
rm -rf "$out"
mkdir -p "$out"
stages=${GROOVE_CHECK_STAGES:-static host vm debug}
vm_parallel=${GROOVE_VM_PARALLEL:-0}
debug_exclude=${GROOVE_DEBUG_EXCLUDE:-}
# Most seconds one stage may take (the VM runs have their own, shorter limit;
# the debug stage's is 3000 s).
stage_limit=${GROOVE_STAGE_TIMEOUT:-1200}
stage_cap=""	# a longer limit for the next run_stage only
fg_nice=""	# "nice -n 5" while the debug VM runs in the background
# Stages that wait for 6.12's VM to run beside it (see the vm case).
deferred=""
start_all=$(date +%s)

# Results, then the "#" lines right below a "not ok" (its diagnostics).
terse() {
	awk '/^(not )?ok / { print; diag = /^not ok/; next }
	     diag && /^#/ { print; next }
	     { diag = 0 }
	     /^# .*(FAILED|SKIP:)/ { print }'
}

# A stage that dies before it can print a failing result still fails.
account() {	# account NAME EXIT_STATUS
	tap="$out/$1.tap"
	case $2 in
	0) ;;
	4)
		grep -qE '^(not )?ok ' "$tap" || {
			why=$(cat "$tap" "$out/$1.log" 2>/dev/null | grep . | tail -n1)
			echo "ok 1 $1 # SKIP $why" | tee -a "$tap"
		}
		;;
	124)
		echo "not ok 1 $1 hit its stage time limit (log: $out/$1.log)" | tee -a "$tap"
		;;
	*)
		grep -q '^not ok ' "$tap" || {
			echo "not ok 1 $1 exited with status $2 (log: $out/$1.log)" | tee -a "$tap"
			tail -n 20 "$out/$1.log" | sed 's/^/# /'
		}
		;;
	esac
}

run_stage() {	# run_stage NAME COMMAND...
	name=$1
	shift
	echo "## $name: $*"
	t0=$(date +%s)
	# A hung test must not hang make check: each stage has a wall-clock
	# limit (timeout kills the stage's whole process group; exit 124).
	limit=${stage_cap:-$stage_limit}
	stage_cap=""
	# shellcheck disable=SC2086
	$fg_nice timeout -k 10 "$limit" "$@" > "$out/$name.tap" 2> "$out/$name.log"
	rc=$?
	terse < "$out/$name.tap"
	account "$name" $rc
	echo "## $name: exit $rc, $(($(date +%s) - t0)) s"
}

# A step that prints no TAP: one result from its exit status.
run_step() {	# run_step NAME DESCRIPTION COMMAND...
	name=$1 desc=$2
	shift 2
	echo "## $name: $*"
	t0=$(date +%s)
	# shellcheck disable=SC2086
	$fg_nice "$@" > "$out/$name.log" 2>&1
	rc=$?
	if [ $rc = 0 ]; then
		echo "ok 1 $desc" | tee "$out/$name.tap"
	else
		echo "not ok 1 $desc (exit $rc, log: $out/$name.log)" | tee "$out/$name.tap"
		tail -n 20 "$out/$name.log" | sed 's/^/# /'
	fi
	echo "## $name: exit $rc, $(($(date +%s) - t0)) s"
}

# Like run_stage, in the background; wait_stages collects.
bg_pids=""
bg_stage() {
	name=$1
	shift
	echo "## $name: $* (in parallel)"
	limit=${stage_cap:-$stage_limit}
	stage_cap=""
	( timeout -k 10 "$limit" "$@" > "$out/$name.tap" 2> "$out/$name.log"
	  echo $? > "$out/$name.rc" ) &
	bg_pids="$bg_pids $!:$name:$(date +%s)"
}
wait_stages() {
	for p in $bg_pids; do
		wait "${p%%:*}"
		t0=${p##*:}
		name=${p#*:}
		name=${name%:*}
		rc=$(cat "$out/$name.rc")
		echo "## $name:"
		terse < "$out/$name.tap"
		account "$name" "$rc"
		echo "## $name: exit $rc, $(($(date +%s) - t0)) s"
	done
	bg_pids=""
}

# The stages that may wait for the end, by name.
run_deferrable() {
	case $1 in
	static) run_stage static sh scripts/static-check.sh ;;
	install-check) run_stage install-check sh scripts/install-check.sh ;;
	dkms-check) run_stage dkms-check sh scripts/dkms-check.sh ;;
	esac
}
# Beside the debug VM, with the stock VMs to come, a stage that only
# compiles waits for the last VM (see the vm case); else it runs now.
defer_or_run() {
	case " $stages " in
	*" vm "*)
		if [ -n "$bg_pids" ] && [ "$vm_parallel" != 1 ]; then
			deferred="$deferred $1"
			return
		fi
		;;
	esac
	run_deferrable "$1"
}

# The groovectl VM test runs on one stock kernel only (6.12-rt beside the
# debug VM, else 6.12): it tests user space on the device, and the kernel
# paths it takes are every selftest's, which run on every kernel.
vm_scripts=""
[ -f tools/groovectl/tests/groovectl_vm_test.sh ] &&
	vm_scripts="--guest-script tools/groovectl/tests/groovectl_vm_test.sh"
# The selftests whose fixtures can run on a named groove (groove_selftest.h)
# do so on the debug kernel: the named grooves' paths get KASAN and lockdep,
# the default groove's get the three stock kernels, and the module stays
# loaded from one fixture to the next.
named_selftests='^(groove_(addremove|mmap|hugemap|ioctl_errors|hostile|info|join|limits|pop_hazard)|e2e_persist)_test$'

# The debug kernel first: the static stage checks the module against it too.
# Builds and caches it when missing (~25 min cold).  Its VM then runs in the
# background beside every other stage: it runs its vCPUs in one TCG thread
# (scripts/vm-run.sh), so the other CPU does the rest meanwhile.  Not the
# groovectl VM test there (above).
# movablecore= (a ZONE_MOVABLE the 1 GiB test checks volumes never come
# from) takes 2 GiB: 10 GiB leave the 1 GiB tests the 6 GiB of ZONE_NORMAL
# a stock guest has (scripts/vm-run.sh); each kmemleak scan reads every
# struct page, so more RAM costs time (two scans: 62 s with 12 GiB).
case " $stages " in
*" debug "*)
	if [ -f scripts/debug-kernel/build.sh ]; then
		# Not through ccache: it is built once per configuration, and
		# its 2000 objects would only crowd out groove's.
		run_step debug-kernel-build "debug kernel (7.2) built (or cached)" \
			env CCACHE_DISABLE=1 nice sh scripts/debug-kernel/build.sh
		dbg_scripts=""
		[ -f scripts/debug-kernel/guest-checks.sh ] &&
			dbg_scripts="--guest-script scripts/debug-kernel/guest-checks.sh"
		# shellcheck disable=SC2086
		set -- --kver debug --timeout 3000 --mem 10240 --append "movablecore=2G" \
			--log-dir "$out/vm-debug" --exclude "$debug_exclude" \
			--named "$named_selftests" $dbg_scripts
		# Its builds before any other stage's, so none runs beside them.
		run_step vm-debug-build "debug VM: module, selftests and initramfs built" \
			sh scripts/vm-run.sh "$@" --build-only
		stage_cap=3300
		bg_stage vm-debug sh scripts/vm-run.sh "$@"
		# It is the longest stage: the others yield the CPU to it, so
		# they fill the time it takes instead of stretching it.
		fg_nice="nice -n 5"
	else
		echo "ok 1 debug kernel # SKIP scripts/debug-kernel/build.sh is missing" > "$out/vm-debug.tap"
	fi
	;;
esac

for stage in $stages; do
	case $stage in
	static)
		defer_or_run static
		;;
	host)
		run_stage vmrunner sh tests/vmrunner/run.sh
		[ -f tests/Makefile ] && run_stage host-tests make -s -C tests check
		[ -f tools/groovectl/Makefile ] && run_stage groovectl-host make -s -C tools/groovectl check
		[ -f scripts/install-check.sh ] && defer_or_run install-check
		[ -f scripts/dkms-check.sh ] && defer_or_run dkms-check
		;;
	vm)
		if [ "$vm_parallel" = 1 ]; then
			t0=$(date +%s)
			# shellcheck disable=SC2086
			bg_stage vm-6.1 sh scripts/vm-run.sh --kver 6.1 --smp 1 --log-dir "$out/vm-6.1"
			# shellcheck disable=SC2086
			bg_stage vm-6.12 sh scripts/vm-run.sh --kver 6.12 --smp 1 --log-dir "$out/vm-6.12" $vm_scripts
			# shellcheck disable=SC2086
			bg_stage vm-6.12-rt sh scripts/vm-run.sh --kver 6.12-rt --smp 1 --log-dir "$out/vm-6.12-rt"
			wait_stages
			echo "## vm (all): $(($(date +%s) - t0)) s"
		elif [ -n "$bg_pids" ]; then
			# Beside the debug VM: one TCG thread per VM (vm-run.sh
			# says why), 6.1 with page poisoning (33 s a boot: this
			# lane has the time, the last stage has not), 6.12-rt
			# with the groovectl VM test; then 6.12, built meanwhile, alone
			# with a thread per vCPU, so one stock kernel runs its
			# races truly in parallel.  The deferred stages (static,
			# install, DKMS: compilers) run beside it at nice 19,
			# one after another, in the CPU time its guest leaves
			# idle (boot, one-threaded tests): a vCPU thread always
			# takes the CPU from them.
			run_stage vm-6.1 sh scripts/vm-run.sh --kver 6.1 --tcg-thread single \
				--log-dir "$out/vm-6.1"
			# shellcheck disable=SC2086
			run_stage vm-6.12-rt sh scripts/vm-run.sh --kver 6.12-rt --tcg-thread single \
				--no-page-poison --log-dir "$out/vm-6.12-rt" $vm_scripts
			run_step vm-6.12-build "6.12 VM: module and initramfs built" \
				sh scripts/vm-run.sh --kver 6.12 --log-dir "$out/vm-6.12" --build-only
			wait_stages
			fg_nice=""
			tail_pid=""
			if [ -n "$deferred" ]; then
				( fg_nice="nice -n 19"
				  for d in $deferred; do run_deferrable "$d"; done ) &
				tail_pid=$!
				deferred=""
			fi
			run_stage vm-6.12 sh scripts/vm-run.sh --kver 6.12 --no-page-poison \
				--log-dir "$out/vm-6.12"
			[ -z "$tail_pid" ] || wait "$tail_pid"
		else
			run_stage vm-6.1 sh scripts/vm-run.sh --kver 6.1 --log-dir "$out/vm-6.1"
			# shellcheck disable=SC2086
			run_stage vm-6.12 sh scripts/vm-run.sh --kver 6.12 --log-dir "$out/vm-6.12" $vm_scripts
			run_stage vm-6.12-rt sh scripts/vm-run.sh --kver 6.12-rt --log-dir "$out/vm-6.12-rt"
		fi
		;;
	debug)
		# Started in the background before the other stages (above).
		;;
	*)
		echo "check: unknown stage $stage" >&2
		exit 2
		;;
	esac
done
wait_stages
for d in $deferred; do run_deferrable "$d"; done

passed=0 failed=0 skipped=0
for f in "$out"/*.tap; do
	[ -f "$f" ] || continue
	p=$(grep -E '^ok ' "$f" | grep -viEc '# *skip' || true)
	s=$(grep -E '^ok ' "$f" | grep -iEc '# *skip' || true)
	x=$(grep -Ec '^not ok ' "$f" || true)
	passed=$((passed + p)) skipped=$((skipped + s)) failed=$((failed + x))
done
echo "## check: $(($(date +%s) - start_all)) s; logs in $out/"
if [ $failed != 0 ]; then
	grep -H '^not ok ' "$out"/*.tap | sed 's/^/# /'
fi
summary="$passed passed, $failed failed"
[ $skipped = 0 ] || summary="$summary, $skipped skipped"
echo "$summary"
[ $failed = 0 ]
