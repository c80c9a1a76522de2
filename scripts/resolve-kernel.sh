#!/bin/sh
# Resolve a kernel name to the files a groove build and VM boot need.
#
#   scripts/resolve-kernel.sh 6.1|6.12|6.12-rt|debug|<full version>
#
# prints three shell-assignable lines:
#   KVER=<kernel release>  KIMAGE=<bzImage/vmlinuz>  KDIR=<kbuild dir>
# "6.1"/"6.12"/"6.12-rt" pick the newest installed Debian kernel of that
# series (-rt: the PREEMPT_RT flavour) that has both /boot/vmlinuz-<v> and
# /lib/modules/<v>/build.  "debug" asks
# scripts/debug-kernel/build.sh.  Exit 4 (skip) when the kernel is absent.
set -eu

want=${1:?usage: resolve-kernel.sh 6.1|6.12|6.12-rt|debug|<version>}
top=$(cd "$(dirname "$0")/.." && pwd)

complete() {
	[ -f "/boot/vmlinuz-$1" ] && [ -d "/lib/modules/$1/build" ]
}

emit() {
	echo "KVER=$1"
	echo "KIMAGE=$2"
	echo "KDIR=$3"
}

case "$want" in
debug)
	dbg="$top/scripts/debug-kernel/build.sh"
	if [ ! -x "$dbg" ] && [ ! -f "$dbg" ]; then
		echo "resolve-kernel: $dbg is missing: no debug kernel" >&2
		exit 4
	fi
	paths=$(sh "$dbg" --print-paths 2>/dev/null) || {
		echo "resolve-kernel: the debug kernel is not built (run sh $dbg)" >&2
		exit 4
	}
	kimage=$(echo "$paths" | sed -n 's/^KIMAGE=//p')
	kdir=$(echo "$paths" | sed -n 's/^KDIR=//p')
	if [ ! -f "$kimage" ] || [ ! -d "$kdir" ]; then
		echo "resolve-kernel: debug kernel paths are stale ($kimage, $kdir)" >&2
		exit 4
	fi
	kver=$(cat "$kdir/include/config/kernel.release" 2>/dev/null ||
		make -s -C "$kdir" kernelrelease)
	emit "$kver" "$kimage" "$kdir"
	;;
6.1 | 6.12 | 6.12-rt)
	best=""
	for m in /lib/modules/"${want%-rt}".*; do
		v=${m#/lib/modules/}
		complete "$v" || continue
		# "6.1" must not match 6.12.x and vice versa.
		case "$want" in
		6.1) case "$v" in 6.1.*-rt-*) continue ;; 6.1.*) ;; *) continue ;; esac ;;
		6.12) case "$v" in 6.12.*-rt-*) continue ;; 6.12.*) ;; *) continue ;; esac ;;
		6.12-rt) case "$v" in 6.12.*-rt-*) ;; *) continue ;; esac ;;
		esac
		best="$best$v
"
	done
	best=$(printf '%s' "$best" | sort -V | tail -n1)
	if [ -z "$best" ]; then
		echo "resolve-kernel: no installed Debian $want kernel with /boot/vmlinuz-* and headers (scripts/install-deps.sh)" >&2
		exit 4
	fi
	emit "$best" "/boot/vmlinuz-$best" "/lib/modules/$best/build"
	;;
*)
	if ! complete "$want"; then
		echo "resolve-kernel: /boot/vmlinuz-$want or /lib/modules/$want/build is missing" >&2
		exit 4
	fi
	emit "$want" "/boot/vmlinuz-$want" "/lib/modules/$want/build"
	;;
esac
