#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# libgroove.so.1's exported symbols: each one versioned by
# userlib/libgroove.map (no unversioned export, nothing the map does not
# name), each with a man page in Documentation/man (NAME.3), and the map
# naming nothing the library lacks.  A compat version ("(GROOVE_0.1)" in
# objdump, name@OLD) counts only next to the same name's default version.
# TAP on stdout.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
lib=$top/userlib/libgroove.so.1
make -s -C "$top/userlib" >/dev/null
echo "TAP version 13"
echo "1..4"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# "ADDR g DF .text SIZE VERSION NAME" for every defined dynamic function/object
objdump -T "$lib" | awk '$2 == "g" && $4 != "*UND*" && $NF !~ /^GROOVE_/ { print $(NF-1), $NF }' \
	| sort > "$tmp/exports"
awk '$1 !~ /^GROOVE_0\./ && $1 !~ /^\(GROOVE_0\.[0-9]+\)$/ || $1 == $2 { print }' \
	"$tmp/exports" > "$tmp/unversioned"
awk '$1 ~ /^\(/ { compat[$2] = 1 } $1 !~ /^\(/ { dflt[$2] = 1 }
     END { for (s in compat) if (!(s in dflt)) print "compat only", s }' \
	"$tmp/exports" >> "$tmp/unversioned"
if [ -s "$tmp/unversioned" ]; then
	sed 's/^/# unversioned or bad version: /' "$tmp/unversioned"
	echo "not ok 1 every export has a GROOVE_0.x version"
	fail=1
else
	echo "ok 1 every export has a GROOVE_0.x version ($(wc -l < "$tmp/exports") symbols)"
fi
missing=
for s in $(awk '{ print $2 }' "$tmp/exports"); do
	[ -f "$top/Documentation/man/$s.3" ] || missing="$missing $s"
done
if [ -n "$missing" ]; then
	echo "# no man page:$missing"
	echo "not ok 2 every export has a man page"
	fail=1
else
	echo "ok 2 every export has a man page"
fi
sed -n 's/^[[:space:]]*\(groove_[a-z0-9_]*\);$/\1/p' "$top/userlib/libgroove.map" | sort > "$tmp/mapped"
awk '{ print $2 }' "$tmp/exports" | sort > "$tmp/names"
if ! cmp -s "$tmp/mapped" "$tmp/names"; then
	diff "$tmp/mapped" "$tmp/names" | sed 's/^/# /'
	echo "not ok 3 the map names exactly the exports"
	fail=1
else
	echo "ok 3 the map names exactly the exports"
fi
# The thread cache is an initial-exec TLS block: too big and a dlopen()
# (Python's ctypes has about 1.6 KiB of static TLS room left) fails.
if command -v python3 >/dev/null 2>&1; then
	if python3 -c "import ctypes; ctypes.CDLL('$lib')" 2> "$tmp/dl"; then
		echo "ok 4 libgroove.so.1 loads with dlopen() (python3 ctypes)"
	else
		sed 's/^/# /' "$tmp/dl"
		echo "not ok 4 libgroove.so.1 loads with dlopen() (python3 ctypes)"
		fail=1
	fi
else
	echo "ok 4 libgroove.so.1 loads with dlopen() # SKIP no python3"
fi
exit ${fail:-0}
