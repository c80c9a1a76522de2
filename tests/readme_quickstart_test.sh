#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Run README.md's quick start as it stands there: the fenced block after
# "<!-- quickstart -->", from the top of the tree (it builds userlib and
# tools/groovectl there and puts that groovectl first on PATH, never an
# installed one), its scratch directory under a private TMPDIR.  Check what
# it prints; then compile README's C example (the block after
# "<!-- example -->") against the tree's headers and libgroove.a and run it
# on the quick start's groove.  Prints TAP; exit status 1 on any failure.
#
#   tests/readme_quickstart_test.sh [--keep]
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
readme=$top/README.md
work=$(mktemp -d /tmp/groove-readme.XXXXXX)
[ "${1:-}" = --keep ] || trap 'rm -rf "$work"' EXIT

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $*"; }
expect() { # expect DESCRIPTION EXTENDED-REGEX: a line of the quick start's output
	if grep -Eq -- "$2" "$work/out"; then ok "$1"; else not_ok "$1 (no line matches /$2/)"; fi
}

# block MARKER: the first fenced block after the line MARKER, fences excluded.
block() {
	awk -v m="$1" '
		$0 == m { found = 1; next }
		found == 1 && /^```/ { found = 2; next }
		found == 2 && /^```/ { exit }
		found == 2 { print }' "$readme"
}

echo "TAP version 13"
echo "1..9"

block '<!-- quickstart -->' > "$work/quickstart.sh"
block '<!-- example -->' > "$work/example.c"
if [ -s "$work/quickstart.sh" ] && grep -q groovectl "$work/quickstart.sh"; then
	ok "README.md has a quick start block ($(wc -l < "$work/quickstart.sh") lines)"
else
	not_ok "README.md has a quick start block after <!-- quickstart -->"
fi

mkdir -p "$work/tmp"
# A fresh login-like environment: no GROOVE_DEVICE, the tree's tools only.
if (cd "$top" && env -u GROOVE_DEVICE TMPDIR="$work/tmp" sh -e "$work/quickstart.sh") \
	> "$work/out" 2>&1; then
	ok "the quick start runs to the end (sh -e) from the top of the tree"
else
	not_ok "the quick start runs to the end (sh -e) from the top of the tree"
fi
sed 's/^/# /' "$work/out"

expect "groovectl create formats my.groove" '^created my\.groove'
expect "groovectl add 4 then status: 4 volumes present" '\(4 present, 12 free\)'
expect "hello prints the object's offset" '^offset 0x[0-9a-f]+$'
expect "another process reads the string at that offset" '^hello, groove$'
expect "groovectl verify: the allocator state is consistent" 'consistent'

# The scratch directory the quick start made (and nothing left in the tree).
g=
for f in "$work"/tmp/*/my.groove; do [ -e "$f" ] && g=$f; break; done
if [ -n "$g" ] && [ ! -e "$top/my.groove" ] && [ ! -e "$top/hello" ]; then
	ok "the quick start worked in its scratch directory, not in the tree"
else
	not_ok "the quick start worked in its scratch directory, not in the tree"
fi

# README's C example, on the quick start's groove.
if [ -n "$g" ] && ${CC:-cc} -std=gnu11 -Wall -Wextra -Werror -o "$work/example" "$work/example.c" \
	-I"$top/userlib/include" -I"$top/uapi" "$top/userlib/libgroove.a" -pthread \
	> "$work/ex.log" 2>&1 &&
	(cd "${g%/my.groove}" && "$work/example") > "$work/ex.out" 2>&1 &&
	grep -Eq '^hello, groove at 0x[0-9a-f]+$' "$work/ex.out"; then
	ok "README's C example compiles (-Wall -Wextra -Werror) and runs on my.groove: $(cat "$work/ex.out")"
else
	not_ok "README's C example compiles and runs on my.groove"
	cat "$work/ex.log" "$work/ex.out" 2>/dev/null | sed 's/^/# /'
fi

[ "${1:-}" = --keep ] && echo "# kept $work"
[ $fails = 0 ]
