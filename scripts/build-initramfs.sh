#!/bin/sh
# Build the busybox initramfs of the groove test VM.
#
#   scripts/build-initramfs.sh --kver KVER --ko groove.ko --out FILE.cpio
#       [--selftests DIR] [--bin FILE]... [--guest-script FILE]...
#       [--filter REGEX] [--exclude REGEX] [--no-selftests] [--test-timeout SECONDS]
#       [--named REGEX] [--env NAME=VALUE]...
#
# --named: selftest programs that match run on a named groove
# (GROOVE_TEST_GROOVE=named).
# --env exports NAME=VALUE to the selftests (e.g. a shorter run on a slow
# kernel); NAME must be GROOVE_*.
# Layout: busybox with applet links, /init (scripts/guest/init),
# /groove/groove.ko and /lib/modules/KVER/extra/groove.ko, the selftest
# binaries in /groove/selftests, helpers in /groove/bin, and the shared
# libraries of every dynamic binary (found with ldd).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
kver="" ko="" out="" selftests="" bins="" guest_scripts="" filter="" exclude="" named=""
run_selftests=1 test_timeout="" envs=""
while [ $# -gt 0 ]; do
	case "$1" in
	--kver) kver=$2; shift 2 ;;
	--ko) ko=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--selftests) selftests=$2; shift 2 ;;
	--bin) bins="$bins $2"; shift 2 ;;
	--guest-script) guest_scripts="$guest_scripts $2"; shift 2 ;;
	--filter) filter=$2; shift 2 ;;
	--exclude) exclude=$2; shift 2 ;;
	--named) named=$2; shift 2 ;;
	--no-selftests) run_selftests=0; shift ;;
	--test-timeout) test_timeout=$2; shift 2 ;;
	--env)
		case "$2" in
		GROOVE_[A-Z0-9_]*=*) ;;
		*) echo "build-initramfs: --env wants GROOVE_NAME=VALUE, not '$2'" >&2; exit 2 ;;
		esac
		envs="$envs
$2"
		shift 2 ;;
	*) echo "build-initramfs: unknown argument $1" >&2; exit 2 ;;
	esac
done
# Per-program limit: --test-timeout, else kselftest's settings file, else 300 s.
if [ -z "$test_timeout" ]; then
	test_timeout=$(sed -n 's/^timeout=\([0-9][0-9]*\)$/\1/p' "$top/selftests/groove/settings" 2>/dev/null)
	test_timeout=${test_timeout:-300}
fi
[ -n "$kver" ] && [ -n "$out" ] || { echo "build-initramfs: --kver and --out are required" >&2; exit 2; }

root="$out.root"
rm -rf "$root"
mkdir -p "$root"/proc "$root"/sys "$root"/dev "$root"/tmp "$root"/run \
	"$root"/groove/selftests "$root"/groove/bin "$root/lib/modules/$kver/extra"

# busybox and its applets.
busybox=/bin/busybox	# busybox-static
[ -x "$busybox" ] || busybox=$(command -v busybox)
mkdir -p "$root/bin"
cp "$busybox" "$root/bin/busybox"
"$busybox" --list-full | while read -r applet; do
	[ "$applet" = bin/busybox ] && continue
	mkdir -p "$root/$(dirname "$applet")"
	ln -sf /bin/busybox "$root/$applet"
done

# The module, where insmod and modprobe look for it.
if [ -n "$ko" ]; then
	cp "$ko" "$root/groove/groove.ko"
	cp "$ko" "$root/lib/modules/$kver/extra/groove.ko"
	depmod -b "$root" "$kver" 2>/dev/null || true
fi

if [ -n "$selftests" ] && [ -d "$selftests" ]; then
	for t in "$selftests"/*; do
		[ -f "$t" ] && [ -x "$t" ] && cp "$t" "$root/groove/selftests/"
	done
	# Companion files of the kselftest layout (settings, config) ride along.
	for f in settings config; do
		[ -f "$top/selftests/groove/$f" ] && cp "$top/selftests/groove/$f" "$root/groove/"
	done
fi
for b in $bins; do
	cp "$b" "$root/groove/bin/"
done
# Guest scripts run in the order given: /groove/guest-scripts/NN-name.
i=10
for g in $guest_scripts; do
	mkdir -p "$root/groove/guest-scripts"
	cp "$g" "$root/groove/guest-scripts/$i-$(basename "$g")"
	i=$((i + 1))
done

# Shared libraries of every dynamic binary, at the paths ldd reports.
# (busybox too: a dynamic busybox package may shadow busybox-static.)
{ echo "$root/bin/busybox"; find "$root/groove" -type f -perm -u+x; } | while read -r f; do
	ldd "$f" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'
done | sort -u | while read -r lib; do
	[ -e "$root$lib" ] && continue
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done

cp "$top/scripts/guest/init" "$root/init"
chmod 755 "$root/init"
{
	echo "GROOVE_FILTER='$(printf '%s' "$filter" | sed "s/'/'\\\\''/g")'"
	echo "GROOVE_EXCLUDE='$(printf '%s' "$exclude" | sed "s/'/'\\\\''/g")'"
	echo "GROOVE_NAMED='$(printf '%s' "$named" | sed "s/'/'\\\\''/g")'"
	echo "GROOVE_RUN_SELFTESTS=$run_selftests"
	echo "GROOVE_TEST_TIMEOUT=$test_timeout"
	printf '%s\n' "$envs" | while IFS= read -r kv; do
		[ -n "$kv" ] || continue
		printf "export %s='%s'\n" "${kv%%=*}" "$(printf '%s' "${kv#*=}" | sed "s/'/'\\\\''/g")"
	done
} > "$root/groove/vm.conf"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
