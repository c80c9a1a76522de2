#!/bin/sh
# PNG plots of results/*.csv with gnuplot: one bar chart per question.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
res=${RESULTS:-results}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v gnuplot > /dev/null; then
	echo "plot: gnuplot missing (scripts/install-deps.sh installs gnuplot-nox)" >&2
	exit 0
fi

# Pivot "case,allocator,value" rows into a matrix: one row per case, one
# column per allocator, in a fixed allocator order.
pivot() { # csv case-expr value-column out
	awk -F, -v val="$3" '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	{
		c = ('"$2"'); a = $col["allocator"]
		if (!(c in seen)) { seen[c] = 1; cases[++nc] = c }
		if (!(a in aseen)) { aseen[a] = 1 }
		v[c, a] = $col[val]
	}
	END {
		split("glibc jemalloc mimalloc tcmalloc boost groove", order, " ")
		printf "case"
		for (i = 1; i <= 6; i++) if (order[i] in aseen) printf "\t%s", order[i]
		printf "\n"
		for (j = 1; j <= nc; j++) {
			printf "\"%s\"", cases[j]
			for (i = 1; i <= 6; i++) if (order[i] in aseen) {
				x = v[cases[j], order[i]]
				printf "\t%s", (x == "" || x == "nan" ? "NaN" : x)
			}
			printf "\n"
		}
	}' "$1" > "$4"
}

bars() { # data title ylabel png [logscale]
	cols=$(head -n1 "$1" | awk -F'\t' '{ print NF }')
	gnuplot <<GP
set terminal pngcairo size 1000,520 noenhanced font ",10"
set output "$4"
set title "$2"
set ylabel "$3"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key top left
set grid ytics
set datafile separator "\t"
set xtics rotate by -20
${5:+set logscale y}
plot for [i=2:$cols] "$1" using i:xtic(1) title columnhead(i)
GP
}

for b in sizes large ring; do
	[ -s "$res/$b.csv" ] || continue
	pivot "$res/$b.csv" '$col["case"]' median_ns "$tmp/$b.dat"
done
[ -s "$res/churn.csv" ] &&
	pivot "$res/churn.csv" '$col["threads"] " thread(s)"' median_ns "$tmp/churn.dat"
[ -s "$res/frag.csv" ] &&
	awk -F, 'NR > 1 { printf "\"%s\"\t%s\n", $1, $7 }' "$res/frag.csv" > "$tmp/frag.dat"

[ -s "$tmp/sizes.dat" ] && bars "$tmp/sizes.dat" "1. alloc+free pair, one thread (median)" "ns per pair (log)" "$res/sizes.png" log
[ -s "$tmp/large.dat" ] && bars "$tmp/large.dat" "4. large objects (median)" "ns per object (log)" "$res/large.png" log
[ -s "$tmp/churn.dat" ] && bars "$tmp/churn.dat" "2. larson churn, cross-thread frees (median)" "ns per pair, all threads (log)" "$res/churn.png" log
[ -s "$tmp/ring.dat" ] && bars "$tmp/ring.dat" "3. producer/consumer across two processes (median)" "ns per message (log)" "$res/ring.png" log
if [ -s "$tmp/frag.dat" ]; then
	gnuplot <<GP
set terminal pngcairo size 800,420 noenhanced font ",10"
set output "$res/frag.png"
set title "5. bytes held / live bytes after 10^7 random ops (lower is better)"
set style fill solid 0.85 border -1
set boxwidth 0.6
set grid ytics
set yrange [0:*]
set datafile separator "\t"
plot "$tmp/frag.dat" using 0:2:xtic(1) with boxes notitle
GP
fi

# Mapping: faults per GiB and first-touch ms per case, one cluster per kernel.
for k in 6.1 6.12; do
	f="$res/map-$k.csv"
	[ -s "$f" ] || continue
	awk -F, -v k="$k" 'NR > 1 {
		n[$2]++; fl[$2] += $6; t[$2] += $7 / 1e6
		if (!($2 in seen)) { seen[$2] = 1; order[++m] = $2 }
	} END { for (i = 1; i <= m; i++) { c = order[i]
		printf "\"%s %s\"\t%.1f\t%.1f\n", k, c, fl[c] / n[c], t[c] / n[c] } }' "$f"
done > "$tmp/map.dat"
if [ -s "$tmp/map.dat" ]; then
	gnuplot <<GP
set terminal pngcairo size 1000,520 noenhanced font ",10"
set output "$res/map.png"
set title "first touch of 1 GiB in the VM (TCG), mean of rounds"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set grid ytics
set key top right
set datafile separator "\t"
set xtics rotate by -25
plot "$tmp/map.dat" using 2:xtic(1) title "faults per GiB", "" using 3 title "first touch, ms"
GP
fi
ls "$res"/*.png 2>/dev/null | sed 's/^/# plot: /' >&2 || true
