#!/bin/sh
# Markdown report of results/*.csv: results/report.md, also spliced into
# README.md between the "results:begin" and "results:end" marks.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
res=${RESULTS:-results}
md="$res/report.md"

# One table per timed question: a row per case, a column per allocator,
# "median (ratio to the best peer)".
table() { # csv case-expr [allocator order]
	awk -F, -v order_list="${3:-glibc jemalloc mimalloc tcmalloc boost groove}" '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	{
		c = ('"$2"'); a = $col["allocator"]
		if (!(c in seen)) { seen[c] = 1; cases[++nc] = c }
		aseen[a] = 1
		v[c, a] = sprintf("%.1f (%.2f)", $col["median_ns"], $col["ratio_to_best_peer"])
		p[c, a] = $col["p99_ns"]
	}
	END {
		na = split(order_list, order, " ")
		printf "| case |"
		for (i = 1; i <= na; i++) if (order[i] in aseen) printf " %s |", order[i]
		printf "\n| --- |"
		for (i = 1; i <= na; i++) if (order[i] in aseen) printf " ---: |"
		printf "\n"
		for (j = 1; j <= nc; j++) {
			printf "| %s |", cases[j]
			for (i = 1; i <= na; i++) if (order[i] in aseen) {
				x = v[cases[j], order[i]]
				printf " %s |", (x == "" ? "-" : x)
			}
			printf "\n"
		}
	}' "$1"
}

# groove / mimalloc medians against groove's design performance targets.
targets() {
	awk -F, '
	FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	{ m[$col["case"], $col["allocator"]] = $col["median_ns"] }
	END {
		n = split("pair 512 B|64 then free 512 B|64 then free 64 KiB|64 then free 1 MiB", cs, "|")
		split("3|4|1|0.3", lim, "|")
		print "| workload | mimalloc ns | groove ns | groove / mimalloc | target | met |"
		print "| --- | ---: | ---: | ---: | ---: | --- |"
		for (i = 1; i <= n; i++) {
			mi = m[cs[i], "mimalloc"]; gr = m[cs[i], "groove"]
			if (mi == "" || gr == "") {
				printf "| %s | %s | %s | - | <= %sx | not measured |\n", cs[i], (mi == "" ? "-" : mi), (gr == "" ? "-" : gr), lim[i]
				continue
			}
			r = gr / mi
			printf "| %s | %.1f | %.1f | %.2f | <= %sx | %s |\n", cs[i], mi, gr, r, lim[i], (r <= lim[i] ? "yes" : "no")
		}
	}' "$@"
}

{
	echo "Figures of the last full run ($(sed -n 's/^date: //p' "$res/machine.txt" 2>/dev/null))."
	echo "Machine: $(sed -n 's/^host: //p' "$res/machine.txt" 2>/dev/null);" \
	     "load average before/after: $(sed -n 's/^load before: //p' "$res/machine.txt" 2>/dev/null) /" \
	     "$(sed -n 's/^load after: //p' "$res/machine.txt" 2>/dev/null)."
	echo "Peers: $(sed -n 's/^peers: //p' "$res/machine.txt" 2>/dev/null)."
	echo "Measured: libgroove $(sed -n 's/^libgroove: //p' "$res/machine.txt" 2>/dev/null)," \
	     "groove.ko $(sed -n 's/^groove.ko: //p' "$res/machine.txt" 2>/dev/null)."
	echo
	echo "Cells: median ns per operation (ratio to the best peer's median; groove is never"
	echo "the best peer, so its ratio says how far it is from the best of the others)."
	echo "p99 and sample counts are in the CSV files."
	echo
	echo "### Design performance targets: groove / mimalloc (same run, one thread)"
	echo
	if [ -s "$res/sizes.csv" ] && [ -s "$res/large.csv" ]; then
		targets "$res/sizes.csv" "$res/large.csv"
	else
		echo "(not measured)"
	fi
	echo
	for b in sizes large churn ring; do
		[ -s "$res/$b.csv" ] || continue
		case $b in
		sizes) echo "### 1. Size sweep: alloc+free pair, one thread (ns per pair)" ;;
		large) echo "### 4. Large objects (ns per object: one alloc + one free)" ;;
		churn) echo "### 2. Larson churn, 512 B..64 KiB, cross-thread frees (ns per pair, wall time / pairs of all threads)" ;;
		ring) echo "### 3. Producer/consumer across two processes (ns per message)" ;;
		esac
		echo
		if [ $b = churn ]; then
			table "$res/$b.csv" '$col["threads"] " thread(s)"'
		else
			table "$res/$b.csv" '$col["case"]'
		fi
		echo
		echo "![$b]($b.png)" | sed "s|(|(results/|"
		echo
	done
	if [ -s "$res/frag.csv" ]; then
		echo "### 5. Fragmentation after 10^7 random ops, 512 B..64 KiB, live target 256 MiB"
		echo
		echo "| allocator | live MiB | held MiB | held / live | ratio to best peer | largest allocatable | ns/op median | p99 |"
		echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
		awk -F, 'NR > 1 {
			printf "| %s | %.1f | %.1f | %.3f | %.2f | %s | %.1f | %.1f |\n", $1, $4 / 1048576,
			       $6 / 1048576, $7, $8, ($9 < 0 ? "unbounded (OS)" : sprintf("%.1f MiB", $9 / 1048576)), $10, $11
		}' "$res/frag.csv"
		awk -F, 'NR > 1 && $12 != "" && $12 >= 0 {
			printf "\n%s held bytes are counted whole (every byte of its data volumes but container slots open to any class); by the count of earlier figures (live footprints plus free objects below volume level) it held %.1f MiB, %.3f of live.\n",
			       $1, $12 / 1048576, $12 / $4
		}' "$res/frag.csv"
		echo
		echo "![frag](results/frag.png)"
		echo
	fi
	if ls "$res"/map-*.csv > /dev/null 2>&1; then
		echo "### Design mapping targets (VM, TCG, mean over rounds)"
		echo
		echo "| kernel | target | measured | met |"
		echo "| --- | --- | ---: | --- |"
		for k in 6.1 6.12; do
			f="$res/map-$k.csv"
			[ -s "$f" ] || continue
			awk -F, -v k="$k" 'NR > 1 { n[$2]++; fl[$2] += $6; ad[$2] += $8; ms[$2] += $9 }
			END {
				lim = (k == "6.1" ? 512 : 1)
				if (n["groove-1G"]) {
					f = fl["groove-1G"] / n["groove-1G"]
					printf "| %s | faults per GiB, 1 GiB volumes <= %d | %.0f | %s |\n", k, lim, f, (f <= lim ? "yes" : "no")
				} else
					printf "| %s | faults per GiB, 1 GiB volumes <= %d | not measured | - |\n", k, lim
				split("groove-2M groove-1G", cs, " ")
				for (i = 1; i <= 2; i++) if (n[cs[i]] && ms[cs[i]] > 0) {
					r = ad[cs[i]] / ms[cs[i]]
					printf "| %s | add %s volumes <= 1.5x memset | %.2fx | %s |\n", k, substr(cs[i], 8), r, (r <= 1.5 ? "yes" : "no")
				}
			}' "$f"
		done
		echo
	fi
	for k in 6.1 6.12; do
		f="$res/map-$k.csv"
		[ -s "$f" ] || continue
		echo "### Mapping in the VM, kernel $(awk -F, 'NR == 2 { print $1 }' "$f") (TCG; mean over rounds)"
		echo
		echo "| case | rounds | faults per GiB | first touch of 1 GiB, ms | GROOVE_IOC_ADD, ms | memset of the same bytes, ms | add / memset |"
		echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
		awk -F, 'NR > 1 {
			if (!($2 in n)) order[++m] = $2
			n[$2]++; fl[$2] += $6; t[$2] += $7; ad[$2] += $8; ms[$2] += $9
		} END { for (i = 1; i <= m; i++) { c = order[i]
			if (ad[c] > 0)
				printf "| %s | %d | %.0f | %.1f | %.1f | %.1f | %.2f |\n", c, n[c], fl[c] / n[c], t[c] / n[c] / 1e6, ad[c] / n[c] / 1e6, ms[c] / n[c] / 1e6, ad[c] / ms[c]
			else
				printf "| %s | %d | %.0f | %.1f | - | %.1f | - |\n", c, n[c], fl[c] / n[c], t[c] / n[c] / 1e6, ms[c] / n[c] / 1e6
		} }' "$f"
		echo
	done
	for k in 6.1 6.12; do
		f="$res/dev-$k.csv"
		[ -s "$f" ] || continue
		echo "### libgroove on /dev/groove vs a file vs glibc, in the VM, kernel $k (TCG: compare within the row only)"
		echo
		table "$f" '$col["case"]' "glibc groove-dev groove-file"
		echo
	done
	if ls "$res"/map-*.csv > /dev/null 2>&1; then
		echo "![map](results/map.png)"
		echo
	fi
} > "$md"

# Splice into README.md (only for the real results directory).
if [ "$res" = results ] && [ -f README.md ] && grep -q '<!-- results:begin -->' README.md; then
	awk -v md="$md" '
	/<!-- results:begin -->/ { print; while ((getline l < md) > 0) print l; skip = 1; next }
	/<!-- results:end -->/ { skip = 0 }
	!skip' README.md > README.md.tmp && mv README.md.tmp README.md
fi
echo "# report: $md" >&2
