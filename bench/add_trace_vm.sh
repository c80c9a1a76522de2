#!/bin/sh
# Where the time of one GROOVE_IOC_ADD goes, in the test VM on one kernel:
# ftrace's function_graph over the ADD path (the module's functions and the
# alloc_contig_range() steps), printed with absolute times.
#
#   bench/add_trace_vm.sh 6.1|6.12 [volume MiB]     (default 1024)
#
# One boot: an ADD and a memset of as many bytes (the bench's ratio), three
# more ADDs, each on a freshly loaded module, all timed without tracing,
# then one ADD under function_graph.
# The graph (entry and exit times, durations) is printed as "# ftrace:"
# lines; the whole console stays in bench/build/add-trace-<series>.log.
# GROOVE_TRACE_APPEND adds kernel parameters (e.g. init_on_alloc=0);
# GROOVE_TRACE_WARM sets the number of untraced ADDs after the first (3).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
series=${1:?usage: add_trace_vm.sh 6.1|6.12 [volume MiB]}
mib=${2:-1024}
guest="$here/build/add-trace-guest-$series.sh"
log="$here/build/add-trace-$series.log"

make -s -C "$here" build/add_once
embed() {
	echo "base64 -d > /tmp/$1 <<\"${1}_EOF\""
	base64 "$2"
	echo "${1}_EOF"
	echo "chmod 755 /tmp/$1"
}
{
	echo '#!/bin/sh'
	embed add_once "$here/build/add_once"
	cat <<GUEST
vs=\$(($mib * 1048576))
dmesg | grep -E 'mem auto-init|Linux version' | sed 's/^/# /'
load() { insmod /groove/groove.ko volume_size=\$vs volume_max=1; }
# The ring buffer first: allocated later, its unmovable pages would land
# in the ranges the warm-up ADDs gave back.
mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
echo 4096 > /sys/kernel/tracing/buffer_size_kb
load && /tmp/add_once -m; rmmod groove
for i in \$(seq ${GROOVE_TRACE_WARM:-3}); do load && /tmp/add_once; rmmod groove; done
load || exit 1
cd /sys/kernel/tracing || exit 1
for f in clear_page_erms clear_page_rep clear_page_orig kernel_init_pages \
	pfn_to_online_page post_alloc_hook split_free_pages split_map_pages; do
	grep -qw "^\$f" available_filter_functions && echo "# traceable: \$f"
done
echo 0 > tracing_on
echo function_graph > current_tracer
: > set_ftrace_filter
echo ':mod:groove' >> set_ftrace_filter
for f in alloc_contig_range alloc_contig_range_noprof start_isolate_page_range \
	undo_isolate_page_range __alloc_contig_migrate_range isolate_freepages_range \
	test_pages_isolated drain_all_pages lru_add_drain_all lru_cache_disable \
	lru_cache_enable split_free_pages split_map_pages post_alloc_hook \
	kernel_init_pages migrate_pages isolate_migratepages_range \
	reclaim_clean_pages_from_list free_contig_range synchronize_srcu_expedited \
	unmap_mapping_range queue_work_on flush_work; do
	echo "\$f" >> set_ftrace_filter 2>/dev/null
done
echo nofuncgraph-irqs > trace_options 2>/dev/null
echo funcgraph-tail > trace_options 2>/dev/null
echo funcgraph-abstime > trace_options 2>/dev/null
echo 1 > tracing_on
/tmp/add_once
echo 0 > tracing_on
echo '# ftrace-raw-begin'
cat trace
echo '# ftrace-raw-end'
rmmod groove
GUEST
} > "$guest"

set +e
nice -n 10 "$top/scripts/vm-run.sh" --kver "$series" --no-selftests --mem 8192 --smp 2 \
	--timeout 900 --guest-script "$guest" \
	--append "init_on_free=0 page_poison=0 slub_debug=- ${GROOVE_TRACE_APPEND:-}" \
	> "$log" 2>&1
rc=$?
set -e
grep -E '^# (add|memset|traceable|.*mem auto-init)' "$log" || true
# The graph itself: few lines, as only the filtered functions appear.
sed -n '/# ftrace-raw-begin/,/# ftrace-raw-end/p' "$log" | grep -v '^#' |
	sed 's/^/# ftrace: /'
exit $rc
