#!/bin/sh
# 'make install DESTDIR=<tmp>' and prove the staged tree is usable: the
# files are where they belong, groove.pc resolves into the staged tree
# (PKG_CONFIG_PATH + PKG_CONFIG_SYSROOT_DIR), examples/ builds with
# 'pkg-config --cflags --libs groove', the example and the staged groovectl
# run against the staged libgroove on a groove file, the man pages format.
# Then the user-space-only install: 'make install-user DESTDIR=<tmp2>' with
# no kernel named (KVER=/KDIR= pointing nowhere) runs neither
# scripts/install-deps.sh nor a module build, installs no udev rule and no
# module, and the examples build through pkg-config from it as documented
# (make -C examples PKG_CONFIG_PATH=... on the command line, which make
# before 4.4 does not pass to $(shell)) and run; 'make uninstall' removes
# every file again.
# Prints TAP; exit status 1 on any failure.
#
#   scripts/install-check.sh [--keep] [--no-make]
#     --no-make: run scripts/install.sh directly instead of the top-level
#                'make install' (no module build, no modules_install)
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
keep=0
use_make=1
for a in "$@"; do
	case $a in
	--keep) keep=1 ;;
	--no-make) use_make=0 ;;
	*) echo "usage: $0 [--keep] [--no-make]" >&2; exit 2 ;;
	esac
done

stage=$(mktemp -d /tmp/groove-install.XXXXXX)
[ $keep = 1 ] || trap 'rm -rf "$stage"' EXIT
root=$stage/root
out=$stage/out
log=$stage/log
mkdir -p "$root" "$out"
prefix=/usr/local
libdir=$prefix/lib

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $*"; }
installed=1
check() { # check DESCRIPTION COMMAND...: ok/not ok by the command's status
	d=$1
	shift
	if [ $installed = 0 ]; then
		not_ok "$d # the install failed"
	elif "$@" >"$log" 2>&1; then
		ok "$d"
	else
		not_ok "$d"
		sed 's/^/# /' "$log" | tail -n 30
	fi
}

echo "TAP version 13"
echo "1..31"

# 1: the install itself
if [ $use_make = 1 ]; then
	check "make install DESTDIR=<staging>" make -C "$top" --no-print-directory install \
		DESTDIR="$root" PREFIX="$prefix"
else
	check "scripts/install.sh DESTDIR=<staging>" env DESTDIR="$root" PREFIX="$prefix" \
		sh "$top/scripts/install.sh"
fi

[ $fails = 0 ] || installed=0

# 2-9: files in place
check "libgroove.so.1 has SONAME libgroove.so.1" \
	sh -c "readelf -d '$root$libdir/libgroove.so.1' | grep -q 'SONAME.*\[libgroove\.so\.1\]'"
check "libgroove.so is a symlink to the versioned library" \
	sh -c "[ -L '$root$libdir/libgroove.so' ] && [ -e '$root$libdir/libgroove.so' ]"
check "libgroove.a installed" test -f "$root$libdir/libgroove.a"
check "public headers in include/groove/, <linux/groove.h> in include/groove/uapi/, nothing in include/linux/" \
	sh -c "test -f '$root$prefix/include/groove/groove.h' && test -f '$root$prefix/include/groove/uapi/linux/groove.h' && ! test -e '$root$prefix/include/linux'"
check "groovectl installed and runs" "$root$prefix/bin/groovectl" --version
check "man pages groovectl.8 and libgroove.3 installed" \
	sh -c "test -f '$root$prefix/share/man/man8/groovectl.8' && test -f '$root$prefix/share/man/man3/libgroove.3'"
check "udev rule, sysusers file and modprobe.d example installed" \
	sh -c "test -f '$root/etc/udev/rules.d/60-groove.rules' && test -f '$root$prefix/lib/sysusers.d/groove.conf' && test -f '$root$prefix/share/doc/groove/examples/groove-modprobe.conf'"
if [ $use_make = 1 ]; then
	check "groove.ko installed under lib/modules by modules_install" \
		sh -c "ls '$root'/lib/modules/*/*/groove.ko* >/dev/null 2>&1"
else
	n=$((n + 1))
	echo "ok $n groove.ko installed under lib/modules # SKIP --no-make"
fi

# 10-11: pkg-config against the staged tree
PKG_CONFIG_PATH=$root$libdir/pkgconfig
PKG_CONFIG_SYSROOT_DIR=$root
PKG_CONFIG_LIBDIR=$root$libdir/pkgconfig	# do not pick up a system-wide groove.pc
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR
flags=$(pkg-config --cflags --libs groove 2>"$log")
[ $installed = 0 ] || echo "# pkg-config --cflags --libs groove: $flags"
check "pkg-config --cflags --libs groove points into the staged tree" \
	sh -c "echo '$flags' | grep -q -- '-I$root$prefix/include ' && echo '$flags' | grep -q -- '-I$root$prefix/include/groove/uapi ' && echo '$flags' | grep -q -- '-L$root$libdir' && echo '$flags' | grep -q -- '-lgroove'"
check "pkg-config --modversion groove matches dkms.conf" \
	sh -c "[ \"\$(pkg-config --modversion groove)\" = \"\$(sed -n 's/^PACKAGE_VERSION=\"\(.*\)\"$/\1/p' '$top/dkms.conf')\" ]"

# 12-14: build the example with pkg-config, dynamically and statically
check "examples/ builds with pkg-config --cflags --libs groove" \
	make -C "$top/examples" --no-print-directory OUT="$out"
check "the example links the shared libgroove.so.1" \
	sh -c "readelf -d '$out/share_offset' | grep -q 'NEEDED.*\[libgroove\.so\.1\]'"
check "the example builds against libgroove.a (pkg-config --static)" \
	sh -c "cc -std=gnu11 -Wall -Wextra -Werror -o '$out/share_offset_static' '$top/examples/share_offset.c' \$(pkg-config --cflags groove) '$root$libdir/libgroove.a' \$(pkg-config --libs-only-other --static groove)"

# 15-16: run it on a groove file, against the staged library
export LD_LIBRARY_PATH=$root$libdir
check "share_offset runs on a groove file (alloc, offset to a child, child frees, double free caught)" \
	sh -c "cd '$stage' && '$out/share_offset' '$stage/ex.groove' > '$stage/ex.out' && cat '$stage/ex.out' &&
	       grep -q 'child:  freed it' '$stage/ex.out' && grep -q 'second free is refused' '$stage/ex.out'"
check "the statically linked example runs too" \
	"$out/share_offset_static" "$stage/ex_static.groove"

# 17-19: the staged groovectl on that file (no module needed)
ctl="$root$prefix/bin/groovectl --device $stage/ex.groove"
check "groovectl info/status on a groove file" sh -c "$ctl info && $ctl status"
check "groovectl status --json and verify --json are JSON" \
	sh -c "$ctl --json status | python3 -m json.tool >/dev/null && $ctl --json verify | python3 -m json.tool >/dev/null"
check "groovectl add 2 then remove 3 on a groove file removes the 3 empty volumes" \
	sh -c "$ctl add 2 --info staged && $ctl remove 3 | grep -q 'removed 3'"

# 20-21: error paths on files
check "groovectl on a file whose magic is overwritten: exit 10 (not a groove), says so" sh -c "
	cp '$stage/ex.groove' '$stage/bad.groove' &&
	dd if=/dev/zero of='$stage/bad.groove' bs=8 count=1 conv=notrunc 2>/dev/null
	$root$prefix/bin/groovectl --device '$stage/bad.groove' status 2>'$stage/bad.err'
	[ \$? = 10 ] && grep -q 'not a groove' '$stage/bad.err'"
check "groovectl on a missing file: exit 3" sh -c "
	$root$prefix/bin/groovectl --device '$stage/none.groove' status; [ \$? = 3 ]"

# 22: man pages format without warnings
# (from the man directory, where the '.so man3/...' alias pages resolve)
check "man pages format cleanly (groff -ww)" sh -c "
	cd '$root$prefix/share/man' || exit 1
	for m in man*/*; do
		w=\$(groff -man -ww -z -Tutf8 \"\$m\" 2>&1) || exit 1
		[ -z \"\$w\" ] || { echo \"\$m: \$w\"; exit 1; }
	done"

# 23-31: the user-space-only install, in a second staging tree
unset LD_LIBRARY_PATH PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR
installed=1
uroot=$stage/uroot
uout=$stage/uout
mkdir -p "$uroot" "$uout"
check "make -n install-user runs no scripts/install-deps.sh and no module build" sh -c "
	make -n -C '$top' --no-print-directory install-user DESTDIR='$uroot' > '$stage/n.out' 2>&1 || exit 1
	! grep -E 'install-deps|fetch-ksft|M=.*modules|modules_install' '$stage/n.out'"
check "make -n install installs only build dependencies (install-deps --build: no qemu, no test kernels) and builds no selftests" sh -c "
	make -n -C '$top' --no-print-directory install DESTDIR='$uroot' > '$stage/ni.out' 2>&1 || exit 1
	grep -q 'install-deps.sh --build' '$stage/ni.out' &&
	! grep -E 'install-deps.sh *(--ksft)?\$|fetch-ksft|selftests' '$stage/ni.out'"
check "make install-user DESTDIR=<staging> with no kernel (KVER=, KDIR= pointing nowhere)" \
	make -C "$top" --no-print-directory install-user DESTDIR="$uroot" PREFIX="$prefix" \
		KVER=0.0-none KDIR=/nonexistent
check "install-user: library, headers, groove.pc, groovectl, man pages, COPYING; no udev rule, no module" sh -c "
	test -e '$uroot$libdir/libgroove.so.1' && test -f '$uroot$libdir/libgroove.a' &&
	test -f '$uroot$prefix/include/groove/groove.h' && test -f '$uroot$prefix/include/groove/uapi/linux/groove.h' &&
	test -f '$uroot$libdir/pkgconfig/groove.pc' && test -x '$uroot$prefix/bin/groovectl' &&
	test -f '$uroot$prefix/share/man/man3/libgroove.3' && test -f '$uroot$prefix/share/doc/groove/COPYING' &&
	test -f '$uroot$prefix/share/doc/groove/LICENSES/preferred/GPL-2.0' &&
	! test -e '$uroot/etc' && ! test -e '$uroot/lib/modules' && ! test -e '$uroot$prefix/include/linux'"
pc="PKG_CONFIG_PATH=$uroot$libdir/pkgconfig PKG_CONFIG_LIBDIR=$uroot$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$uroot"
check "make -C examples PKG_CONFIG_PATH=... (command-line variables, $(make --version | sed -n '1s/GNU //p')) builds every example" \
	sh -c "make -C '$top/examples' --no-print-directory OUT='$uout' $pc && test -x '$uout/hello' && test -x '$uout/share_offset'"
uctl="$uroot$prefix/bin/groovectl --device $stage/u.groove"
check "staged groovectl creates a groove file and adds 2 volumes" \
	env LD_LIBRARY_PATH="$uroot$libdir" sh -c "$uctl create volume_size=2M volume_max=8 && $uctl add 2"
check "examples/hello (staged libgroove.so.1) puts a string in one process, another reads and frees it" \
	env LD_LIBRARY_PATH="$uroot$libdir" sh -c "
	ldd '$uout/hello' | grep -q '$uroot$libdir/libgroove.so.1' || { echo 'hello does not load the staged library'; exit 1; }
	off=\$('$uout/hello' '$stage/u.groove') && [ -n \"\$off\" ] &&
	[ \"\$('$uout/hello' '$stage/u.groove' \"\$off\")\" = 'hello, groove' ] &&
	! '$uout/hello' '$stage/u.groove' \"\$off\" 2>/dev/null"
check "a program built by hand with \$(pkg-config --cflags --libs groove) against the staged tree" sh -c "
	env $pc sh -c 'cc -std=gnu11 -Wall -Werror -o $uout/hello2 $top/examples/hello.c \$(pkg-config --cflags --libs groove)' &&
	LD_LIBRARY_PATH='$uroot$libdir' '$uout/hello2' '$stage/u.groove' >/dev/null"
check "make uninstall DESTDIR=<staging> removes every installed file" sh -c "
	make -s -C '$top' --no-print-directory uninstall DESTDIR='$uroot' PREFIX='$prefix' KVER=0.0-none >/dev/null &&
	left=\$(find '$uroot' -type f -o -type l) && [ -z \"\$left\" ] || { echo \"left: \$left\"; exit 1; }"
check "make uninstall also removes a <linux/groove.h> an older install put in include/linux/" sh -c "
	mkdir -p '$uroot$prefix/include/linux' && cp '$top/uapi/linux/groove.h' '$uroot$prefix/include/linux/' &&
	echo '/* not ours */' > '$uroot$prefix/include/linux/other.h' &&
	make -s -C '$top' --no-print-directory uninstall DESTDIR='$uroot' PREFIX='$prefix' KVER=0.0-none >/dev/null &&
	! test -e '$uroot$prefix/include/linux/groove.h' && test -e '$uroot$prefix/include/linux/other.h'"

[ $keep = 1 ] && echo "# kept $stage"
[ $fails = 0 ]
