#!/bin/sh
# Build (once) and cache groove's debug kernel: Debian unstable's
# linux-source-7.2 (fetch-source.sh downloads it) with x86_64 defconfig + kvm_guest.config + groove-debug.config (KASAN, lockdep,
# kmemleak, fault injection...).  The result is a bzImage plus a kernel tree
# prepared for out-of-tree module builds (make -C "$KDIR" M=...).
#
# Cache: $GROOVE_DEBUG_KERNEL_CACHE (default /var/cache/groove/debug-kernel)
# /<key>/{bzImage,build/}, key = hash of the fragment, the source package
# version, the compiler version and RECIPE below.  Built in a temp dir and
# renamed into place, so a half-built kernel is never visible.
#
# Usage: build.sh                 build unless cached (cold: ~25 min on 2 cores)
#        build.sh --print-paths   print KIMAGE=/KDIR= lines; exit 1 if not built
#        build.sh --config-only   make and check the .config only (seconds), in DIR
#                                 given as the next argument (default: a temp dir)

# POSIX sh (+ local): scripts/resolve-kernel.sh runs it with sh.
# shellcheck disable=SC3043
set -eu

# Bump when the build steps change in a way that changes the result.
RECIPE=2

here=$(cd "$(dirname "$0")" && pwd)
fragment=$here/groove-debug.config
fetch_source=$here/fetch-source.sh
tarball=""
cache_root=${GROOVE_DEBUG_KERNEL_CACHE:-/var/cache/groove/debug-kernel}
jobs=${GROOVE_DEBUG_KERNEL_JOBS:-2}
keep_entries=2

die() { echo "debug-kernel: $*" >&2; exit 1; }
log() { echo "debug-kernel: $*" >&2; }

src_version() {
	sh "$fetch_source" --version
}

# The fragment's options, not its comments: rewording a comment must not
# cost a 70-minute rebuild.
cache_key() {
	{
		grep -E '^CONFIG_|^# CONFIG_[A-Za-z0-9_]+ is not set$' "$fragment"
		echo "src=$(src_version)"
		echo "cc=$(gcc -dumpfullversion)"
		echo "recipe=$RECIPE"
	} | sha256sum | cut -c1-16
}

# Extract the source tarball into $1 (the top-level directory is dropped).
extract_source() {
	tarball=$(sh "$fetch_source") || die "no kernel source to build from"
	mkdir -p "$1"
	tar -xJf "$tarball" -C "$1" --strip-components=1
}

# Every line of the fragment must be in the final .config: "CONFIG_X=v" as
# is, "# CONFIG_X is not set" as not =y/=m/=value.  Prints the ones that
# were dropped (a missing dependency, a typo) and fails.
check_config() {
	local config=$1 line sym bad=0

	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF -- "$line" "$config" || {
				echo "  wanted '$line', got '$(grep -E "^(# )?${line%%=*}[= ]" "$config" || echo absent)'"
				bad=1
			}
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			if grep -q "^$sym=" "$config"; then
				echo "  wanted '$line', got '$(grep "^$sym=" "$config")'"
				bad=1
			fi
			;;
		esac
	done <"$fragment"
	return $bad
}

# Configure the tree in $1 and check the result.
configure() {
	local tree=$1

	make -C "$tree" -s defconfig >/dev/null
	(cd "$tree" && ./scripts/kconfig/merge_config.sh -m -O . .config \
		kernel/configs/kvm_guest.config "$fragment" >/dev/null)
	make -C "$tree" -s olddefconfig >/dev/null
	if ! check_config "$tree/.config" >&2; then
		die "the options above did not survive olddefconfig; fix $fragment"
	fi
	log "config ok: every option of $(basename "$fragment") survived olddefconfig"
}

# Drop what out-of-tree module builds never read (objects of the kernel
# proper, the intermediate vmlinux images).  scripts/ and tools/ keep their
# objects: fixdep, modpost and objtool are run by M= builds.
prune_tree() {
	local tree=$1

	find "$tree" \( -path "$tree/scripts" -o -path "$tree/tools" \) -prune -o \
		-type f \( -name '*.o' -o -name '*.a' -o -name '*.ko' -o -name '*.mod.c' \) \
		-print0 | xargs -0 rm -f
	rm -f "$tree"/vmlinux.o "$tree"/.tmp_vmlinux* "$tree"/arch/x86/boot/compressed/vmlinux.bin*
}

build_into() {
	local dir=$1 tree=$1/build start end

	start=$(date +%s)
	log "extracting linux-source $(src_version)"
	extract_source "$tree"
	configure "$tree"
	log "building bzImage + modules_prepare with nice -n 10 make -j$jobs (log: $dir/build.log)"
	if ! nice -n 10 make -C "$tree" -j"$jobs" bzImage modules modules_prepare \
		>"$dir/build.log" 2>&1; then
		tail -n 40 "$dir/build.log" >&2
		cp "$dir/build.log" "$cache_root/last-failed-build.log" || true
		die "kernel build failed (log: $cache_root/last-failed-build.log)"
	fi
	[ -s "$tree/Module.symvers" ] || cp "$tree/vmlinux.symvers" "$tree/Module.symvers"
	cp "$tree/arch/x86/boot/bzImage" "$dir/bzImage"
	prune_tree "$tree"
	end=$(date +%s)
	{
		echo "key=$(cache_key)"
		echo "src=$(src_version)"
		echo "cc=$(gcc -dumpfullversion)"
		echo "kernelrelease=$(make -C "$tree" -s kernelrelease)"
		echo "build_seconds=$((end - start))"
		echo "built=$(date -u +%FT%TZ)"
	} >"$dir/build-info"
}

# Keep the newest $keep_entries cache entries.
prune_cache() {
	ls -1dt "$cache_root"/*/ 2>/dev/null | tail -n +$((keep_entries + 1)) |
		while read -r old; do
			log "removing old cache entry $old"
			rm -rf "$old"
		done
}

print_paths() {
	local dir
	dir=$cache_root/$(cache_key)
	if [ ! -f "$dir/bzImage" ] || [ ! -f "$dir/build/Module.symvers" ]; then
		echo "debug-kernel: not built yet ($dir); run $0" >&2
		exit 1
	fi
	echo "KIMAGE=$dir/bzImage"
	echo "KDIR=$dir/build"
}

main() {
	local key dir tmp

	[ -f "$fragment" ] || die "$fragment missing"
	# --print-paths must stay offline and fast: it only reads the cache.
	if [ "${1:-}" != --print-paths ]; then
		sh "$fetch_source" >/dev/null || die "cannot fetch the kernel source"
	fi
	src_version >/dev/null || die "no cached kernel source (run $fetch_source)"

	case ${1:-} in
	--print-paths)
		print_paths
		return
		;;
	--config-only)
		tmp=${2:-$(mktemp -d /tmp/groove-debug-config.XXXXXX)}
		extract_source "$tmp"
		configure "$tmp"
		echo "$tmp/.config"
		return
		;;
	-h | --help)
		sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'
		return
		;;
	"") ;;
	*) die "unknown argument '$1' (try --help)" ;;
	esac

	[ "$(id -u)" = 0 ] || [ -w "$(dirname "$cache_root")" ] || [ -w "$cache_root" ] ||
		die "cannot write $cache_root"
	mkdir -p "$cache_root"
	key=$(cache_key)
	dir=$cache_root/$key

	# One builder at a time; a second caller waits and then finds it cached.
	exec 9>"$cache_root/.lock"
	flock 9
	if [ -f "$dir/bzImage" ]; then
		log "cached: $dir"
		return
	fi
	# Under the lock, any temp dir is a leftover of a killed build.
	rm -rf "$cache_root"/.tmp-*
	tmp=$cache_root/.tmp-$key
	trap 'rm -rf "$tmp"' EXIT
	mkdir -p "$tmp"
	build_into "$tmp"
	mv -T "$tmp" "$dir"
	trap - EXIT
	prune_cache
	log "built $dir in $(sed -n 's/^build_seconds=//p' "$dir/build-info") s"
}

main "$@"
