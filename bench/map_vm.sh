#!/bin/sh
# Run the mapping benchmark (map_bench.c) in the test VM on one kernel and
# write its figures to results/map-<series>.csv.
#
#   bench/map_vm.sh 6.1|6.12 [rounds]
#
# The static map_bench binary travels inside the guest script (base64), so
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
mkdir -p "$here/results"
{
	echo '#!/bin/sh'
	echo 'base64 -d > /tmp/map_bench <<"MAP_BENCH_EOF"'
	base64 "$here/build/map_bench"
	echo 'MAP_BENCH_EOF'
	echo 'chmod 755 /tmp/map_bench'
	echo 'echo "# thp: $(cat /sys/kernel/mm/transparent_hugepage/enabled)"'
	echo 'echo "# hugepages: $(cat /proc/sys/vm/nr_hugepages)"'
	echo "exec /tmp/map_bench -k /groove/groove.ko -r $rounds"
} > "$guest"

set +e
"$top/scripts/vm-run.sh" --kver "$series" --no-selftests --mem 6144 --smp 2 \
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
exit $rc
