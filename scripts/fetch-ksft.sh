#!/bin/sh
# Extract the few kernel-tree files groove builds with (kselftest harness,
# lib.mk, runner, checkpatch) from Debian's linux-source-6.12 tarball into an
# ignored cache folder.  Never committed.  A no-op when already extracted
# from the same tarball.
set -eu

out=${1:-build/ksft}
tarball=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n1)
[ -n "$tarball" ] || { echo "fetch-ksft: linux-source-6.12 is not installed (scripts/install-deps.sh)" >&2; exit 1; }

stamp="$out/.stamp"
id=$(stat -c '%n %s %Y' "$tarball")
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$id" ]; then
	exit 0
fi

top=$(tar -tf "$tarball" | head -n1 | cut -d/ -f1)
files="tools/testing/selftests/kselftest.h
tools/testing/selftests/kselftest_harness.h
tools/testing/selftests/lib.mk
tools/testing/selftests/kselftest/runner.sh
tools/testing/selftests/kselftest/prefix.pl
scripts/checkpatch.pl
scripts/spelling.txt
scripts/const_structs.checkpatch
scripts/kernel-doc"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086
tar -xf "$tarball" -C "$tmp" $(for f in $files; do printf '%s/%s ' "$top" "$f"; done)
mkdir -p "$out/kselftest" "$out/scripts"
src="$tmp/$top"
cp "$src"/tools/testing/selftests/kselftest.h "$src"/tools/testing/selftests/kselftest_harness.h \
	"$src"/tools/testing/selftests/lib.mk "$out/"
cp "$src"/tools/testing/selftests/kselftest/runner.sh "$src"/tools/testing/selftests/kselftest/prefix.pl "$out/kselftest/"
cp "$src"/scripts/checkpatch.pl "$src"/scripts/spelling.txt "$src"/scripts/const_structs.checkpatch \
	"$src"/scripts/kernel-doc "$out/scripts/"
echo "$id" > "$stamp"
echo "fetch-ksft: extracted into $out"
