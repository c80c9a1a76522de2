#!/bin/sh
# Install or uninstall groove's user-space parts.
#
#   scripts/install.sh [--user]      install
#   scripts/install.sh --uninstall   remove what an install put there
#
# --user (what 'make install-user' runs): libgroove (.so with SONAME, .a),
# its public headers in INCLUDEDIR/groove/ with the ABI header as
# INCLUDEDIR/groove/uapi/linux/groove.h (groove.pc's Cflags put
# INCLUDEDIR/groove/uapi on the include path, so <linux/groove.h> resolves
# there and no file lands in INCLUDEDIR/linux/, which the kernel headers
# package owns), groove.pc, groovectl and its bash completion, the man
# pages, and the docs
# (groove.rst, COPYING, LICENSES/, the examples).  It needs a C compiler and
# libkmod's development files (groovectl); no kernel headers, no qemu, no
# scripts/install-deps.sh.
# Without --user (what 'make install' runs, which also installs groove.ko
# itself): the same plus the udev rule, the sysusers file and the modprobe.d
# example; WITH_DKMS=1 also installs the module source for DKMS in
# /usr/src/groove-<version>.
# --uninstall removes all of it, including a <linux/groove.h> an older
# install left in INCLUDEDIR/linux/ ('make uninstall' also removes groove.ko
# from /lib/modules/KVER/extra/).  Give it the same PREFIX and DESTDIR.
#
# Environment: PREFIX (/usr/local), DESTDIR (empty), LIBDIR ($PREFIX/lib),
# INCLUDEDIR ($PREFIX/include), BINDIR ($PREFIX/bin), MANDIR
# ($PREFIX/share/man), DOCDIR ($PREFIX/share/doc/groove), PKGCONFIGDIR
# ($LIBDIR/pkgconfig), BASHCOMPDIR ($PREFIX/share/bash-completion/completions),
# UDEVRULESDIR (/usr/lib/udev/rules.d for PREFIX=/usr,
# else /etc/udev/rules.d, where udev looks), SYSUSERSDIR
# ($PREFIX/lib/sysusers.d), SYSTEMDUNITDIR ($PREFIX/lib/systemd/system),
# SYSCONFDIR (/etc).  KVER is only reported.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
mode=all
for a in "$@"; do
	case $a in
	--user) [ $mode = uninstall ] || mode=user ;;
	--uninstall) mode=uninstall ;;
	*) echo "usage: $0 [--user | --uninstall]" >&2; exit 2 ;;
	esac
done
PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
LIBDIR=${LIBDIR:-$PREFIX/lib}
INCLUDEDIR=${INCLUDEDIR:-$PREFIX/include}
BINDIR=${BINDIR:-$PREFIX/bin}
MANDIR=${MANDIR:-$PREFIX/share/man}
DOCDIR=${DOCDIR:-$PREFIX/share/doc/groove}
PKGCONFIGDIR=${PKGCONFIGDIR:-$LIBDIR/pkgconfig}
SYSUSERSDIR=${SYSUSERSDIR:-$PREFIX/lib/sysusers.d}
SYSTEMDUNITDIR=${SYSTEMDUNITDIR:-$PREFIX/lib/systemd/system}
SYSCONFDIR=${SYSCONFDIR:-/etc}
BASHCOMPDIR=${BASHCOMPDIR:-$PREFIX/share/bash-completion/completions}
if [ "$PREFIX" = /usr ]; then
	UDEVRULESDIR=${UDEVRULESDIR:-/usr/lib/udev/rules.d}
else
	UDEVRULESDIR=${UDEVRULESDIR:-/etc/udev/rules.d}
fi
MAKE=${MAKE:-make}
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
[ -n "$version" ] || { echo "install: no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
uapidir=$INCLUDEDIR/groove/uapi/linux

say() { echo "install: $*"; }
inst() { # inst MODE SRC DESTDIR-RELATIVE-DIR
	install -d "$DESTDIR$3"
	install -m "$1" "$2" "$DESTDIR$3/"
}

# An older install put the ABI header in INCLUDEDIR/linux/: ours if it
# defines groove's ioctls.
old_uapi() {
	f=$DESTDIR$INCLUDEDIR/linux/groove.h
	if [ -f "$f" ] && grep -q 'GROOVE_IOC_' "$f"; then
		rm -f "$f"
		rmdir "$DESTDIR$INCLUDEDIR/linux" 2>/dev/null || true
		say "removed $f (an older install's location)"
	fi
}

if [ $mode = uninstall ]; then
	removed=0
	un() { # un PATH...: remove files, count them
		for f in "$@"; do
			if [ -e "$DESTDIR$f" ] || [ -L "$DESTDIR$f" ]; then
				rm -f "$DESTDIR$f" && removed=$((removed + 1))
			fi
		done
	}
	rmd() { # rmd DIR...: remove directories if empty
		for d in "$@"; do rmdir "$DESTDIR$d" 2>/dev/null || true; done
	}
	un "$LIBDIR/libgroove.so.1" "$LIBDIR/libgroove.so" "$LIBDIR/libgroove.a"
	for h in "$top"/userlib/include/groove/*.h; do un "$INCLUDEDIR/groove/${h##*/}"; done
	un "$uapidir/groove.h"
	rmd "$uapidir" "$INCLUDEDIR/groove/uapi" "$INCLUDEDIR/groove"
	old_uapi
	un "$PKGCONFIGDIR/groove.pc" "$BINDIR/groovectl" "$BASHCOMPDIR/groovectl"
	for m in "$top"/Documentation/man/*.[0-9]; do
		[ -e "$m" ] || continue
		un "$MANDIR/man${m##*.}/${m##*/}"
	done
	if [ -d "$DESTDIR$DOCDIR" ]; then
		rm -rf "$DESTDIR$DOCDIR" && say "removed $DESTDIR$DOCDIR"
	fi
	un "$UDEVRULESDIR/60-groove.rules" "$SYSUSERSDIR/groove.conf"
	un "$SYSTEMDUNITDIR/groove-apply.service"
	rmd "$SYSCONFDIR/groove.d"
	if [ -d "$DESTDIR/usr/src/groove-$version" ]; then
		rm -rf "$DESTDIR/usr/src/groove-$version" &&
			say "removed $DESTDIR/usr/src/groove-$version (dkms remove groove/$version first if you added it)"
	fi
	if [ -z "$DESTDIR" ] && [ "$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then
		ldconfig
	fi
	say "uninstall done: $removed files removed from $DESTDIR$PREFIX and the system directories"
	exit 0
fi

# Library: its own Makefile knows the SONAME and symlinks.
$MAKE -C "$top/userlib" --no-print-directory
$MAKE -C "$top/userlib" --no-print-directory install \
	PREFIX="$PREFIX" DESTDIR="$DESTDIR" LIBDIR="$LIBDIR" INCLUDEDIR="$INCLUDEDIR"
say "libgroove -> $DESTDIR$LIBDIR"

# Public headers (again, in case the library's install leaves some out) and
# the ABI header they include as <linux/groove.h>, in groove's own directory.
for h in "$top"/userlib/include/groove/*.h; do
	[ -e "$h" ] && inst 0644 "$h" "$INCLUDEDIR/groove"
done
inst 0644 "$top/uapi/linux/groove.h" "$uapidir"
old_uapi
say "headers -> $DESTDIR$INCLUDEDIR/groove, $DESTDIR$uapidir/groove.h"

# pkg-config file: paths as the installed system sees them (no DESTDIR);
# pkg-config's PKG_CONFIG_SYSROOT_DIR maps them into a staged tree.
install -d "$DESTDIR$PKGCONFIGDIR"
sed -e "s|@PREFIX@|$PREFIX|g" -e "s|@LIBDIR@|$LIBDIR|g" \
    -e "s|@INCLUDEDIR@|$INCLUDEDIR|g" -e "s|@VERSION@|$version|g" \
    "$top/groove.pc.in" > "$DESTDIR$PKGCONFIGDIR/groove.pc"
chmod 0644 "$DESTDIR$PKGCONFIGDIR/groove.pc"
say "groove.pc -> $DESTDIR$PKGCONFIGDIR"

# groovectl
$MAKE -C "$top/tools/groovectl" --no-print-directory install \
	PREFIX="$PREFIX" DESTDIR="$DESTDIR" BINDIR="$BINDIR" BASHCOMPDIR="$BASHCOMPDIR"
say "groovectl -> $DESTDIR$BINDIR, its bash completion -> $DESTDIR$BASHCOMPDIR"

# Man pages
for m in "$top"/Documentation/man/*.[0-9]; do
	[ -e "$m" ] || continue
	sec=${m##*.}
	inst 0644 "$m" "$MANDIR/man$sec"
done
say "man pages -> $DESTDIR$MANDIR"

# Docs, licences, the example.
inst 0644 "$top/Documentation/groove.rst" "$DOCDIR"
inst 0644 "$top/COPYING" "$DOCDIR"
for l in "$top"/LICENSES/*/*; do
	sub=${l#"$top"/}
	inst 0644 "$l" "$DOCDIR/${sub%/*}"
done
for e in "$top"/examples/*.c; do inst 0644 "$e" "$DOCDIR/examples"; done
say "docs, COPYING, LICENSES and examples -> $DESTDIR$DOCDIR"

if [ $mode = all ]; then
	# Device permissions, group, and the modprobe.d example (not activated:
	# copying it to /etc/modprobe.d is the administrator's choice).
	inst 0644 "$top/packaging/60-groove.rules" "$UDEVRULESDIR"
	install -d "$DESTDIR$SYSUSERSDIR"
	install -m 0644 "$top/packaging/groove.sysusers" "$DESTDIR$SYSUSERSDIR/groove.conf"
	inst 0644 "$top/packaging/groove-modprobe.conf" "$DOCDIR/examples"
	say "udev rule -> $DESTDIR$UDEVRULESDIR, sysusers -> $DESTDIR$SYSUSERSDIR"

	# groove-apply.service (groovectl apply at boot; installed, not enabled),
	# an empty /etc/groove.d, and the example of its *.conf files.
	install -d "$DESTDIR$SYSTEMDUNITDIR" "$DESTDIR$SYSCONFDIR/groove.d"
	sed -e "s|@BINDIR@|$BINDIR|g" "$top/packaging/groove-apply.service.in" \
		> "$DESTDIR$SYSTEMDUNITDIR/groove-apply.service"
	chmod 0644 "$DESTDIR$SYSTEMDUNITDIR/groove-apply.service"
	inst 0644 "$top/packaging/groove.d-example.conf" "$DOCDIR/examples"
	say "groove-apply.service -> $DESTDIR$SYSTEMDUNITDIR (not enabled: systemctl enable groove-apply), $DESTDIR$SYSCONFDIR/groove.d/ (example in $DESTDIR$DOCDIR/examples)"

	if [ "${WITH_DKMS:-0}" = 1 ]; then
		src=/usr/src/groove-$version
		"$top/scripts/dkms-check.sh" --stage "$DESTDIR$src"
		say "DKMS source -> $DESTDIR$src (then: dkms add groove/$version)"
	fi
fi

# A live install (no staging): refresh the linker cache so the SONAME resolves.
if [ -z "$DESTDIR" ] && [ "$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then
	ldconfig
fi
if [ $mode = user ]; then
	say "done (user space only: no module, udev rule or sysusers file)"
else
	say "done (module for ${KVER:-the default kernel} is installed by 'make install' itself)"
fi
