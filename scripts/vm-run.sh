#!/bin/sh
# Boot a kernel under qemu (TCG) with groove.ko and the selftests, print the
# TAP, judge the run.
#
#   scripts/vm-run.sh --kver <full kernel version | 6.1 | 6.12 | debug>
#       [--mem MiB] [--smp N] [--timeout SECONDS] [--filter REGEX]
#       [--guest-script FILE]... [--append "extra cmdline"] [--build-only]
#       [--tcg-thread single|multi]
#       [--kernel IMAGE --kdir KBUILD_DIR] [--exclude REGEX] [--no-selftests]
#       [--named REGEX] [--no-page-poison] [--log-dir DIR]
#
# --filter/--exclude: extended regexes on selftest program names (run those
# that match --filter and not --exclude).  Guest scripts run after them.
# --named: the programs that match run their fixtures on a named groove
# (GROOVE_TEST_GROOVE=named, selftests/groove/groove_selftest.h).
# --no-page-poison: boot a stock kernel without page poisoning (below).
#
# Exit 0: pass; 1: fail (console log path printed); 2: usage or build error;
# 4: skip (that kernel is not installed / not built).
# Logs: build/vm/<kernel release>/{console.log,tap.txt,build.log,qemu.log};
# build/vm/<6.1|6.12|debug> link to the last run of that series.  With
# --log-dir, console.log, tap.txt and qemu.log go there instead (so the next
# run of the same kernel, maybe someone else's, cannot overwrite them).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)

usage() {
	sed -n '5,12p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# 8 GiB: volumes come from ZONE_NORMAL (never ZONE_MOVABLE), which in a
# q35 guest is the RAM above 4G; every GiB the kernel has used since boot
# for something unmovable (page tables, slab of the tests' forks) is lost
# to the 1 GiB-volume tests.  With 6 GiB (4 GiB of ZONE_NORMAL) the second
# 1 GiB test in a row found none; with 8 GiB (6 GiB of it) they pass, and
# make check's host (24 GiB) holds it beside the debug VM's 10 GiB.
kver_arg="" mem=8192 smp=2 timeout=900 filter="" exclude="" named="" guest_scripts="" append=""
kimage="" kdir="" run_selftests=1 logdir="" build_only=0 tcg_thread="" page_poison=1
while [ $# -gt 0 ]; do
	case "$1" in
	--kver) kver_arg=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--filter) filter=${2?}; shift 2 ;;
	--exclude) exclude=${2?}; shift 2 ;;
	--named) named=${2?}; shift 2 ;;
	--guest-script)
		[ -f "${2:?}" ] || { echo "vm-run: guest script $2 not found" >&2; exit 2; }
		case "$2" in *[[:space:]]*) echo "vm-run: no spaces in guest script paths" >&2; exit 2 ;; esac
		guest_scripts="$guest_scripts --guest-script $(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
		shift 2 ;;
	--append) append=${2?}; shift 2 ;;
	--kernel) kimage=$(readlink -f "${2:?}"); shift 2 ;;
	--kdir) kdir=$(readlink -f "${2:?}"); shift 2 ;;
	--no-selftests) run_selftests=0; shift ;;
	--build-only) build_only=1; shift ;;
	--no-page-poison) page_poison=0; shift ;;
	--tcg-thread)
		case ${2:-} in
		single | multi) tcg_thread=$2; shift 2 ;;
		*) echo "vm-run: --tcg-thread wants single or multi" >&2; usage ;;
		esac
		;;
	--log-dir) mkdir -p "${2:?}"; logdir=$(cd "$2" && pwd); shift 2 ;;
	-h | --help) usage ;;
	*) echo "vm-run: unknown argument $1" >&2; usage ;;
	esac
done

cd "$top"
if [ -n "$kimage" ] || [ -n "$kdir" ]; then
	[ -f "$kimage" ] && [ -d "$kdir" ] || { echo "vm-run: --kernel and --kdir go together and must exist" >&2; exit 2; }
	kver=$(cat "$kdir/include/config/kernel.release" 2>/dev/null || make -s -C "$kdir" kernelrelease)
	series=${kver_arg:-$kver}
else
	[ -n "$kver_arg" ] || usage
	set +e
	paths=$(scripts/resolve-kernel.sh "$kver_arg")
	rc=$?
	set -e
	if [ $rc = 4 ]; then
		echo "vm-run: SKIP: kernel '$kver_arg' is not available"
		exit 4
	fi
	[ $rc = 0 ] || exit 2
	kver=$(echo "$paths" | sed -n 's/^KVER=//p')
	kimage=$(echo "$paths" | sed -n 's/^KIMAGE=//p')
	kdir=$(echo "$paths" | sed -n 's/^KDIR=//p')
	series=$kver_arg
fi

vmdir="build/vm/$kver"
mkdir -p "$vmdir"
if [ "$series" != "$kver" ]; then
	ln -sfn "$kver" "build/vm/$series"
fi

# One run per kernel at a time; builds of shared outputs are serialised.
exec 8>"build/vm/.$kver.lock"
flock 8
buildlog="$vmdir/build.log"
: > "$buildlog"

build() {
	exec 9>build/.build.lock
	flock 9
	scripts/fetch-ksft.sh >> "$buildlog" 2>&1
	scripts/build-module.sh "$kdir" "build/$kver" >> "$buildlog" 2>&1
	if [ -f userlib/Makefile ]; then
		make -C userlib >> "$buildlog" 2>&1
		make -C userlib test-hooks >> "$buildlog" 2>&1
	fi
	# Binaries whose source is gone must not run any more.
	for t in build/selftests/* build/guest/*; do
		[ -f "$t" ] || continue
		n=${t##*/}
		[ -f "selftests/groove/$n.c" ] || [ -f "scripts/guest/$n.c" ] ||
			[ -f "examples/$n.c" ] || rm -f "$t"
	done
	if [ $run_selftests = 1 ]; then
		make -C selftests/groove OUTPUT="$top/build/selftests" >> "$buildlog" 2>&1
	fi
	if [ -f tools/groovectl/Makefile ]; then
		make -C tools/groovectl >> "$buildlog" 2>&1
	fi
	make -f scripts/guest/Makefile >> "$buildlog" 2>&1
	exec 9>&-
}
# Not in an if: set -e must stop the build at the first failing step.
set +e
(
	set -e
	build
)
rc=$?
set -e
if [ $rc != 0 ]; then
	echo "vm-run: build failed for $kver; log: $buildlog" >&2
	tail -n 40 "$buildlog" >&2
	exit 2
fi

# The debug kernel (KASAN, lockdep, kmemleak) runs some five times slower:
# its test programs get three times the settings file's limit, the
# REMOVE/ADD race a third of its minute, the crash storm one round of its
# three, the named-groove hostile test a tenth of its operations and the
# bounded loops (the crash storm's kills among them) a third of their
# rounds (GROOVE_TEST_REPS_PERCENT): the same kernel paths, a fraction of
# the repetitions.  KASAN and lockdep judge a path the first time it runs;
# the stock kernels repeat.
#
# A stock kernel whose vCPUs share one host thread (--tcg-thread single,
# below) runs the REMOVE/ADD race for 20 s too: there the vCPUs take turns
# in slices of up to 100 ms (QEMU's round-robin kick), so its two CPUs
# never run at the same instant and the race is one of preemption.  The
# minute runs where the vCPUs run at once (thread=multi: 6.12 in make
# check).
[ -n "$tcg_thread" ] || { tcg_thread=multi; [ "$series" = debug ] && tcg_thread=single; }
prog_timeout=""
if [ "$series" = debug ]; then
	prog_timeout="--test-timeout 900 --env GROOVE_E2E_RACE_SECONDS=20
	--env GROOVE_E2E_CRASH_ROUNDS=1 --env GROOVE_NAMED_HOSTILE_OPS=2000
	--env GROOVE_TEST_REPS_PERCENT=33"
elif [ "$tcg_thread" = single ]; then
	prog_timeout="--env GROOVE_E2E_RACE_SECONDS=20"
fi
bins=""
for b in build/guest/* tools/groovectl/groovectl tools/groovectl/tests/groovectl_helper; do
	[ -f "$b" ] && [ -x "$b" ] && bins="$bins --bin $b"
done
# shellcheck disable=SC2086
scripts/build-initramfs.sh --kver "$kver" --ko "build/$kver/kmod/groove.ko" \
	--out "$vmdir/initramfs.cpio" --selftests build/selftests $bins \
	$guest_scripts --filter "$filter" --exclude "$exclude" --named "$named" $prog_timeout \
	$([ $run_selftests = 1 ] || echo --no-selftests) >> "$buildlog" 2>&1 ||
	{ echo "vm-run: initramfs failed; log: $buildlog" >&2; exit 2; }
# make check builds before it boots this kernel in the background, so that
# no build of the stages after it runs beside this one.
[ $build_only = 0 ] || exit 0

# Page poisoning fills every freed page and checks it when the page is
# allocated again, so a write through a stale mapping of a removed volume
# shows in the log.  It writes all of the guest's RAM at boot: 33 s of a
# stock VM's 8 GiB under TCG (a boot takes 15 s without it), 50 s of a
# 12 GiB debug VM.  So the debug kernel, whose KASAN catches the
# kernel's own use after free, goes without it, and so may a stock kernel
# (--no-page-poison: make check keeps it on 6.1, whose stage has the
# time).  (init_on_free, which page poisoning overrides on these kernels,
# is left out.)
poison=" page_poison=1"
[ "$series" = debug ] || [ "$page_poison" = 0 ] && poison=""
cmdline="console=ttyS0 panic=-1 oops=panic panic_on_warn=1 panic_on_taint=0x2a0"
cmdline="$cmdline softlockup_panic=1 hung_task_panic=1 slub_debug=FZPU$poison"
cmdline="$cmdline quiet panic_print=0x20 $append"

logdir=${logdir:-$top/$vmdir}
echo "# vm-run: $kver (mem ${mem}M, smp $smp, timeout ${timeout}s), logs in $logdir" >&2
# -cpu max without la57: qemu's TCG offers 5-level paging, and a KASAN
# kernel that runs with it takes false "wild-memory-access" reports in early
# boot.  identify_cpu() clears boot_cpu_data's capability words and reads
# them back; until then pgtable_l5_enabled() (= cpu_feature_enabled(LA57)
# before alternatives) is false, so KASAN_SHADOW_START is computed for
# 4-level paging and an interrupt handler's access to the 5-level direct map
# (0xff11...) looks like it has no shadow (seen in 5 of 14 boots of the 6.12
# debug kernel: handle_edge_irq -> do_raw_spin_lock).  Every kernel of the
# bed gets the same CPU, so no stage differs from another in this.
#
# The debug kernel runs its vCPUs in one host thread (thread=single): with
# one thread per vCPU, one of 24 boots of the 7.2 KASAN kernel died of an
# unhandled int3 in blake2s_compress (a static key patched by text_poke_bp
# on one vCPU while the other ran; the trap came after the patching ended,
# i.e. the other vCPU ran a stale translation).  The stock kernels, which
# patch less while the other vCPU runs, booted 60 of 60 times with one
# thread per vCPU and keep it (twice as fast for the concurrency tests).
#
# --tcg-thread single puts a stock kernel's vCPUs in one thread too: make
# check does so for the stock VMs that run beside the debug VM, because two
# vCPU threads sharing one host CPU with a third stall each other (seen: a
# vCPU thread of the 6.12 guest off the host CPU long enough for a 46 s RCU
# stall report, the guest clock 172 s ahead of its watchdog's).  One thread
# per VM and one VM per host CPU cannot starve a vCPU behind another.
tcg=tcg,thread=$tcg_thread

# qemu starts an uncompressed kernel that has a PVH entry (CONFIG_PVH, as
# Debian's have) without the decompressor: a Debian vmlinuz is xz, which
# the guest unpacks under TCG in some 5 s a boot; unpacked once on the host
# (build/vm/<release>/vmlinux) it costs nothing.  Any doubt: the vmlinuz.
pvh_image() {
	vmlinux="$vmdir/vmlinux"
	if [ ! -s "$vmlinux" ] || [ "$kimage" -nt "$vmlinux" ]; then
		rm -f "$vmlinux"
		grep -qx 'CONFIG_PVH=y' "$kdir/.config" 2>/dev/null || return 0
		off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$kimage" | head -n1 | cut -d: -f1)
		[ -n "$off" ] || return 0
		tail -c +$((off + 1)) "$kimage" | xz -dc --single-stream > "$vmlinux.tmp" 2>/dev/null
		if [ "$(head -c 4 "$vmlinux.tmp" 2>/dev/null | od -An -c | tr -d ' ')" = 177ELF ]; then
			mv "$vmlinux.tmp" "$vmlinux"
		else
			rm -f "$vmlinux.tmp"
			return 0
		fi
	fi
	kimage=$vmlinux
}
[ "$series" = debug ] || pvh_image
boot() {
	rm -f "$logdir/console.log" "$logdir/tap.raw" "$logdir/tap.txt"
	set +e
	timeout -k 10 "$timeout" qemu-system-x86_64 -accel "$tcg" -machine q35 -cpu max,la57=off \
		-m "$mem" -smp "$smp" -nographic -no-reboot -nic none -monitor none \
		-kernel "$kimage" -initrd "$vmdir/initramfs.cpio" -append "$cmdline" \
		-serial "file:$logdir/console.log" -serial "file:$logdir/tap.raw" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		> "$logdir/qemu.log" 2>&1 < /dev/null
	qemu_exit=$?
	set -e
}
# One boot: a kernel that dies early is a failure like any other (a retry
# would hide exactly the flakes this bed must not have).
boot
tr -d '\r' < "$logdir/tap.raw" > "$logdir/tap.txt" 2>/dev/null || : > "$logdir/tap.txt"
if [ "$qemu_exit" != 99 ] && [ -s "$logdir/qemu.log" ]; then
	echo "# vm-run: qemu said:" >&2
	sed 's/^/#   /' "$logdir/qemu.log" >&2
fi

exec scripts/vm-verdict.sh --tap "$logdir/tap.txt" --console "$logdir/console.log" \
	--qemu-exit "$qemu_exit" --name "vm $series"
