#!/bin/sh
# Static checks of groove, as TAP (one result per check):
#   checkpatch.pl --strict on every kmod/*.[ch], uapi/linux/groove.h, common/*.h
#   W=1 build with sparse (C=2) for every kernel of the bed (6.1, 6.12,
#   6.12-rt, the 7.2 debug kernel when built): no warning
#   kernel-doc on kmod/ and the uapi header: no warning
#   codespell on every tracked file (kernel/library identifiers that look
#   like typos, e.g. iput, are listed in scripts/codespell-ignore.txt)
# Logs: build/static/.  Needs build/ksft (scripts/fetch-ksft.sh).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=build/static
mkdir -p "$out"
ksft=build/ksft/scripts

n=0
failed=0
plan=""
pass() { n=$((n + 1)); echo "ok $n $*"; }
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
fail() {	# fail NAME LOG
	n=$((n + 1))
	echo "not ok $n $1"
	sed -n '1,30s/^/# /p' "$2"
	echo "# (full log: $2)"
	failed=1
}

checkpatch_files=$(ls kmod/*.c kmod/*.h uapi/linux/groove.h common/*.h 2>/dev/null | grep -v '\.mod\.c$')
kernels="6.1 6.12 6.12-rt debug"
plan=$(($(echo "$checkpatch_files" | grep -c .) + $(echo $kernels | wc -w) + 2))
echo "TAP version 13"
echo "1..$plan"

for f in $checkpatch_files; do
	log="$out/checkpatch-$(echo "$f" | tr / _).log"
	ignore=""
	# The compat header names what older kernels call things (their
	# __PageMovable() is CamelCase); it compares no versions.
	case "$f" in
	*_compat.h) ignore="--ignore CAMELCASE" ;;
	esac
	# shellcheck disable=SC2086
	if perl "$ksft/checkpatch.pl" --strict --no-tree --no-summary --terse $ignore -f "$f" > "$log" 2>&1; then
		pass "checkpatch --strict $f"
	else
		fail "checkpatch --strict $f" "$log"
	fi
done

# A kernel build prints "warning:" for W=1 and sparse findings alike; kbuild's
# own notices (BTF skipped for lack of vmlinux) are not findings.
findings() {
	grep -E 'warning:|error:|[Ww]arning: ' "$1" | grep -v 'Skipping BTF generation' || true
}
for k in $kernels; do
	paths=$(scripts/resolve-kernel.sh "$k" 2>/dev/null)
	if [ -z "$paths" ] || [ ! -d kmod ]; then
		skip "W=1 build and sparse on $k" "kernel $k or kmod/ missing"
		continue
	fi
	kdir=$(echo "$paths" | sed -n 's/^KDIR=//p')
	kver=$(echo "$paths" | sed -n 's/^KVER=//p')
	dir="$out/$kver"
	# A fresh tree, so every file is compiled and every warning shows;
	# one build runs both gcc with W=1 and sparse on each file (C=2).
	rm -rf "$dir"
	log="$out/w1-sparse-$k.log"
	if scripts/build-module.sh "$kdir" "$dir" W=1 C=2 > "$log" 2>&1 && [ -z "$(findings "$log")" ]; then
		pass "W=1 build and sparse on $k ($kver)"
	else
		fail "W=1 build and sparse on $k ($kver)" "$log"
	fi
done

log="$out/kernel-doc.log"
kdoc_files=$(ls kmod/*.c kmod/*.h uapi/linux/groove.h 2>/dev/null | grep -v '\.mod\.c$')
# shellcheck disable=SC2086
if perl "$ksft/kernel-doc" -none $kdoc_files > "$log" 2>&1 && [ ! -s "$log" ]; then
	pass "kernel-doc"
else
	fail "kernel-doc" "$log"
fi

log="$out/codespell.log"
# Tracked and new files, not the ignored ones (build/, objects).
files=$(git ls-files --cached --others --exclude-standard | while read -r f; do
	[ -f "$f" ] && echo "$f"; done)
# shellcheck disable=SC2086
if echo "$files" | xargs codespell --quiet-level=2 \
	--ignore-words=scripts/codespell-ignore.txt > "$log" 2>&1; then
	pass "codespell"
else
	fail "codespell" "$log"
fi

exit $failed
