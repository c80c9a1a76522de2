#!/bin/sh
# Run every benchmark and refresh results/ and the figures in README.md.
# Called by `make -C bench` (and so by the top-level `make bench`).
#
# Environment:
#   BENCH_ROUNDS=N      rounds per host benchmark (default 7, at least 5)
#   BENCH_QUICK=1       smaller counts: a smoke run, figures not kept
#   BENCH_ONLY=a,b      only these allocators (glibc jemalloc mimalloc
#                       tcmalloc boost groove)
#   BENCH_VM=0          skip the mapping benchmark in the VM
#   BENCH_MAP_ROUNDS=N  rounds of the mapping benchmark per kernel (default 5)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
rounds=${BENCH_ROUNDS:-7}
res=results
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	res=build/results-quick	# a smoke run never overwrites the report
fi
mkdir -p "$res"

{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "host: $(uname -srm), $(nproc) CPUs: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
	echo "memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "peers: $(dpkg-query -W -f '${Package} ${Version}, ' libc6 libjemalloc2 libmimalloc2.0 libtcmalloc-minimal4 libboost-dev 2>/dev/null | sed 's/, $//')"
	echo "libgroove: $(git -C .. log -1 --format='%h %cd' --date=iso -- userlib 2>/dev/null || echo '?')"
	echo "groove.ko: $(git -C .. log -1 --format='%h %cd' --date=iso -- kmod 2>/dev/null || echo '?')"
	echo "groove arena: file backend in /dev/shm, volume size ${GROOVE_BENCH_VOLUME_SIZE:-1073741824}"
} > "$res/machine.txt"

for b in sizes large churn ring frag; do
	rm -f "$res/$b.csv"
	echo "# bench: $b" >&2
	"build/bench_$b" --rounds "$rounds" --csv "$res/$b.csv" | tee "$res/$b.txt"
done

if [ "${BENCH_VM:-1}" = 1 ] && [ "${BENCH_QUICK:-0}" != 1 ]; then
	for k in 6.1 6.12; do
		echo "# bench: map ($k, in the VM)" >&2
		if ! ./map_vm.sh "$k" "${BENCH_MAP_ROUNDS:-5}" > "$res/map-$k.txt" 2>&1; then
			echo "# bench: map on $k did not pass; see $res/map-$k.txt" >&2
		fi
		grep -E '^(ok|not ok|# )' "$res/map-$k.txt" | grep -v '^# csv' || true
	done
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$res/machine.txt"

RESULTS=$res ./plot.sh
RESULTS=$res ./report.sh
