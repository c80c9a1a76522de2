#!/bin/bash
# bash, not sh (arrays): re-exec when started as 'sh dkms-check.sh'.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Prove that dkms.conf works: in a throwaway DKMS tree (nothing under
# /var/lib/dkms, /usr/src or /lib/modules is touched), 'dkms add', 'dkms
# build' and 'dkms install' groove for the newest installed Debian 6.1 and
# 6.12 kernels that have headers, then check the built module's vermagic and
# that depmod indexes the installed copy.  Prints TAP.  'make dkms-check'
# runs it.
#
#   scripts/dkms-check.sh [--keep]     run the check (--keep: leave the tree)
#   scripts/dkms-check.sh --stage DIR  only copy the DKMS source tree to DIR
#                                      (scripts/install.sh WITH_DKMS=1 uses it)
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")

# The module's sources: what Kbuild builds, nothing else (no build/ output).
stage() {
	local dst=$1
	mkdir -p "$dst" || return 1
	cp "$top/dkms.conf" "$top/Kbuild" "$dst/" || return 1
	mkdir -p "$dst/kmod" "$dst/uapi/linux" "$dst/common"
	cp "$top"/kmod/Kbuild "$dst/kmod/" || return 1
	for f in "$top"/kmod/*.[ch]; do
		case $f in *.mod.c) continue ;; esac	# kbuild output, not source
		cp "$f" "$dst/kmod/" || return 1
	done
	cp "$top/uapi/linux/groove.h" "$dst/uapi/linux/" || return 1
	cp "$top"/common/*.h "$dst/common/" || return 1
}

if [ "${1:-}" = --stage ]; then
	[ -n "${2:-}" ] || { echo "usage: $0 --stage DIR" >&2; exit 2; }
	stage "$2"
	exit
fi
keep=0
[ "${1:-}" = --keep ] && keep=1

# Newest installed kernel of a series with headers (as scripts/vm-run.sh picks).
newest_with_headers() {
	local v best=
	for d in /lib/modules/"$1"*; do
		v=${d##*/}
		[ -e "/lib/modules/$v/build/Makefile" ] || continue
		best=$(printf '%s\n%s\n' "$best" "$v" | sed '/^$/d' | sort -V | tail -n1)
	done
	echo "$best"
}

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $*"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }

kernels="$(newest_with_headers 6.1.) $(newest_with_headers 6.12.)"
echo "TAP version 13"
echo "1..$((1 + 5 * 2))"

if ! command -v dkms >/dev/null; then
	skip "dkms add: dkms is not installed (scripts/install-deps.sh installs it)"
	for k in 6.1 6.12; do
		for t in build vermagic install depmod remove; do
			skip "dkms $t for $k: dkms is not installed"
		done
	done
	exit 0
fi

work=$(mktemp -d /tmp/groove-dkms.XXXXXX)
[ $keep = 1 ] || trap 'rm -rf "$work"' EXIT
log=$work/log
# DKMS signs what it builds and would create /var/lib/dkms/mok.key for that:
# keep the throwaway key in the throwaway tree.
export mok_signing_key=$work/mok.key mok_certificate=$work/mok.pub
tree=(--dkmstree "$work/dkms" --sourcetree "$work/src" --installtree "$work/root/lib/modules" --no-depmod)
mkdir -p "$work/dkms" "$work/root/lib/modules"
# DKMS reads kernel headers through the install tree: point it at the real ones.
for k in $kernels; do
	mkdir -p "$work/root/lib/modules/$k"
	ln -s "/lib/modules/$k/build" "$work/root/lib/modules/$k/build"
	cp /lib/modules/"$k"/modules.{order,builtin,builtin.modinfo} "$work/root/lib/modules/$k/" 2>/dev/null
done

if stage "$work/src/groove-$version" && dkms add "${tree[@]}" "groove/$version" >"$log" 2>&1; then
	ok "dkms add groove/$version"
else
	not_ok "dkms add groove/$version"
	sed 's/^/# /' "$log"
fi

for series in 6.1 6.12; do
	k=$(newest_with_headers "$series.")
	if [ -z "$k" ]; then
		for t in build vermagic install depmod remove; do
			skip "dkms $t for $series: no installed $series kernel headers"
		done
		continue
	fi
	built=$work/dkms/groove/$version/$k/x86_64/module/groove.ko
	if nice dkms build "${tree[@]}" -k "$k" "groove/$version" >"$log" 2>&1 &&
	   ls "$built"* >/dev/null 2>&1; then
		ok "dkms build for $k"
	else
		not_ok "dkms build for $k"
		sed 's/^/# /' "$log" | tail -n 40
		find "$work/dkms" -name make.log -exec sed 's/^/# make.log: /' {} \; 2>/dev/null | tail -n 40
	fi
	vm=$(modinfo -F vermagic "$(ls "$built"* 2>/dev/null | head -n1)" 2>/dev/null)
	if [ "${vm%% *}" = "$k" ]; then
		ok "built module's vermagic is $k"
	else
		not_ok "built module's vermagic is $k (got '${vm:-nothing}')"
	fi
	if dkms install "${tree[@]}" -k "$k" "groove/$version" >"$log" 2>&1 &&
	   ls "$work/root/lib/modules/$k/updates/dkms/groove.ko"* >/dev/null 2>&1; then
		ok "dkms install for $k (into the throwaway tree)"
	else
		not_ok "dkms install for $k"
		sed 's/^/# /' "$log" | tail -n 30
	fi
	if depmod -b "$work/root" "$k" 2>"$log" &&
	   grep -q '^updates/dkms/groove\.ko' "$work/root/lib/modules/$k/modules.dep"; then
		ok "depmod indexes updates/dkms/groove.ko for $k"
	else
		not_ok "depmod indexes updates/dkms/groove.ko for $k"
		sed 's/^/# /' "$log"
	fi
	if dkms remove "${tree[@]}" -k "$k" "groove/$version" >"$log" 2>&1 &&
	   ! ls "$work/root/lib/modules/$k/updates/dkms/groove.ko"* >/dev/null 2>&1; then
		ok "dkms remove for $k"
	else
		not_ok "dkms remove for $k"
		sed 's/^/# /' "$log" | tail -n 20
	fi
done
[ $keep = 1 ] && echo "# kept $work"
[ $fails = 0 ]
