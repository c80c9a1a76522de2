#!/bin/sh
# Run the mapping benchmark (map_bench.c) and libgroove on /dev/groove
# (dev_bench.c) in the test VM on one kernel; write their figures to
# results/map-<series>.csv and results/dev-<series>.csv.
#
#   bench/map_vm.sh 6.1|6.12 [rounds]
#
# The static binaries travel inside the guest script (base64), so
# the VM runner needs nothing but --guest-script.  The VM gets 512 huge pages
# of 2 MiB at boot for the hugetlbfs case, and the runner's debug options
# that would distort timing (page poisoning, init_on_free, slub_debug) are
# switched off again for this boot.  Exit 4: VM runner or kernel missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
series=${1:?usage: map_vm.sh 6.1|6.12 [rounds]}
rounds=${2:-3}
out="$here/results/map-$series.csv"
guest="$here/build/map-guest-$series.sh"

if [ ! -x "$top/scripts/vm-run.sh" ]; then
	echo "# map_vm: SKIP: scripts/vm-run.sh is missing" >&2
	exit 4
fi
make -s -C "$here" build/map_bench
dev=""
make -s -C "$here" build/dev_bench 2>/dev/null && dev="$here/build/dev_bench"
mkdir -p "$here/results"
# embed NAME FILE: a heredoc that recreates FILE as /tmp/NAME in the guest.
embed() {
	echo "base64 -d > /tmp/$1 <<\"${1}_EOF\""
	base64 "$2"
	echo "${1}_EOF"
	echo "chmod 755 /tmp/$1"
}
{
	echo '#!/bin/sh'
	embed map_bench "$here/build/map_bench"
	[ -z "$dev" ] || embed dev_bench "$dev"
	echo 'echo "# thp: $(cat /sys/kernel/mm/transparent_hugepage/enabled)"'
	echo 'echo "# hugepages: $(cat /proc/sys/vm/nr_hugepages)"'
	echo "/tmp/map_bench -k /groove/groove.ko -r $rounds"
	echo 'rc=$?'
	if [ -n "$dev" ]; then
		# libgroove on /dev/groove: comments only, the TAP is map_bench's.
		echo "/tmp/dev_bench --rounds 5 --batches 5 --csv /tmp/dev.csv 2>&1 | sed 's/^/# /'"
		echo "sed 's/^/# devcsv: /' /tmp/dev.csv 2>/dev/null"
	fi
	echo 'exit $rc'
} > "$guest"

set +e
"$top/scripts/vm-run.sh" --kver "$series" --no-selftests --mem 8192 --smp 2 \
	--timeout 900 --guest-script "$guest" \
	--append "hugepages=512 transparent_hugepage=madvise init_on_free=0 page_poison=0 slub_debug=-" \
	> "$here/build/map-vm-$series.log" 2>&1
rc=$?
set -e
cat "$here/build/map-vm-$series.log"
sed -n 's/^# csv: //p' "$here/build/map-vm-$series.log" > "$out.tmp"
if [ -s "$out.tmp" ]; then
	mv "$out.tmp" "$out"
else
	rm -f "$out.tmp"
fi
dev_out="$here/results/dev-$series.csv"
sed -n 's/^# devcsv: //p' "$here/build/map-vm-$series.log" > "$dev_out.tmp"
if [ -s "$dev_out.tmp" ]; then
	mv "$dev_out.tmp" "$dev_out"
else
	rm -f "$dev_out.tmp"
fi
exit $rc
