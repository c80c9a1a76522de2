#!/bin/sh
# Install groove's user-space parts: libgroove (.so with SONAME, .a), its
# public headers and uapi/linux/groove.h, groove.pc, groovectl, the man
# pages, the udev rule, the sysusers file and the modprobe.d example.
# The top-level Makefile calls this from 'make install' and does the module's
# modules_install itself.
#
# Environment: PREFIX (/usr/local), DESTDIR (empty), LIBDIR ($PREFIX/lib),
# INCLUDEDIR ($PREFIX/include), BINDIR ($PREFIX/bin), MANDIR
# ($PREFIX/share/man), UDEVRULESDIR (/usr/lib/udev/rules.d for PREFIX=/usr,
# else /etc/udev/rules.d, where udev looks), WITH_DKMS=1 also installs the
# module source for DKMS in /usr/src/groove-<version>.  KVER is only
# reported (the module is installed by the Makefile).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
LIBDIR=${LIBDIR:-$PREFIX/lib}
INCLUDEDIR=${INCLUDEDIR:-$PREFIX/include}
BINDIR=${BINDIR:-$PREFIX/bin}
MANDIR=${MANDIR:-$PREFIX/share/man}
DOCDIR=${DOCDIR:-$PREFIX/share/doc/groove}
PKGCONFIGDIR=${PKGCONFIGDIR:-$LIBDIR/pkgconfig}
SYSUSERSDIR=${SYSUSERSDIR:-$PREFIX/lib/sysusers.d}
if [ "$PREFIX" = /usr ]; then
	UDEVRULESDIR=${UDEVRULESDIR:-/usr/lib/udev/rules.d}
else
	UDEVRULESDIR=${UDEVRULESDIR:-/etc/udev/rules.d}
fi
MAKE=${MAKE:-make}
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
[ -n "$version" ] || { echo "install: no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }

say() { echo "install: $*"; }
inst() { # inst MODE SRC DESTDIR-RELATIVE-DIR
	install -d "$DESTDIR$3"
	install -m "$1" "$2" "$DESTDIR$3/"
}

# Library: its own Makefile knows the SONAME and symlinks.
$MAKE -C "$top/userlib" --no-print-directory
$MAKE -C "$top/userlib" --no-print-directory install \
	PREFIX="$PREFIX" DESTDIR="$DESTDIR" LIBDIR="$LIBDIR" INCLUDEDIR="$INCLUDEDIR"
say "libgroove -> $DESTDIR$LIBDIR"

# Public headers (again, in case the library's install leaves some out) and
# the ABI header they include as <linux/groove.h>.
for h in "$top"/userlib/include/groove/*.h; do
	[ -e "$h" ] && inst 0644 "$h" "$INCLUDEDIR/groove"
done
inst 0644 "$top/uapi/linux/groove.h" "$INCLUDEDIR/linux"
say "headers -> $DESTDIR$INCLUDEDIR/groove, $DESTDIR$INCLUDEDIR/linux/groove.h"

# pkg-config file: paths as the installed system sees them (no DESTDIR);
# pkg-config's PKG_CONFIG_SYSROOT_DIR maps them into a staged tree.
install -d "$DESTDIR$PKGCONFIGDIR"
sed -e "s|@PREFIX@|$PREFIX|g" -e "s|@LIBDIR@|$LIBDIR|g" \
    -e "s|@INCLUDEDIR@|$INCLUDEDIR|g" -e "s|@VERSION@|$version|g" \
    "$top/groove.pc.in" > "$DESTDIR$PKGCONFIGDIR/groove.pc"
chmod 0644 "$DESTDIR$PKGCONFIGDIR/groove.pc"
say "groove.pc -> $DESTDIR$PKGCONFIGDIR"

# groovectl
$MAKE -C "$top/tools/groovectl" --no-print-directory
$MAKE -C "$top/tools/groovectl" --no-print-directory install \
	PREFIX="$PREFIX" DESTDIR="$DESTDIR" BINDIR="$BINDIR"
say "groovectl -> $DESTDIR$BINDIR"

# Man pages
for m in "$top"/Documentation/man/*.[0-9]; do
	[ -e "$m" ] || continue
	sec=${m##*.}
	inst 0644 "$m" "$MANDIR/man$sec"
done
say "man pages -> $DESTDIR$MANDIR"

# Device permissions, group, and the modprobe.d example (not activated:
# copying it to /etc/modprobe.d is the administrator's choice).
inst 0644 "$top/packaging/60-groove.rules" "$UDEVRULESDIR"
install -d "$DESTDIR$SYSUSERSDIR"
install -m 0644 "$top/packaging/groove.sysusers" "$DESTDIR$SYSUSERSDIR/groove.conf"
inst 0644 "$top/packaging/groove-modprobe.conf" "$DOCDIR/examples"
inst 0644 "$top/examples/share_offset.c" "$DOCDIR/examples"
inst 0644 "$top/Documentation/groove.rst" "$DOCDIR"
say "udev rule -> $DESTDIR$UDEVRULESDIR, sysusers -> $DESTDIR$SYSUSERSDIR, examples -> $DESTDIR$DOCDIR"

if [ "${WITH_DKMS:-0}" = 1 ]; then
	src=/usr/src/groove-$version
	"$top/scripts/dkms-check.sh" --stage "$DESTDIR$src"
	say "DKMS source -> $DESTDIR$src (then: dkms add groove/$version)"
fi

# A live install (no staging): refresh the linker cache so the SONAME resolves.
if [ -z "$DESTDIR" ] && [ "$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then
	ldconfig
fi
say "done (module for ${KVER:-the default kernel} is installed by 'make install' itself)"
