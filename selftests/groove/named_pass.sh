#!/bin/sh
# Guest script (scripts/vm-run.sh --guest-script): run the selftests whose
# fixtures open a groove once more, on a named groove (GROOVE_TEST_GROOVE=
# named: the fixture creates /dev/grooves/selftest with its geometry through
# /dev/groove-control).  One TAP line per program; its own TAP as comments.
set -u
dir=${GROOVE_SELFTESTS:-/groove/selftests}
progs="groove_addremove_test groove_mmap_test groove_hugemap_test
groove_ioctl_errors_test groove_hostile_test groove_info_test
groove_join_test groove_limits_test groove_pop_hazard_test e2e_persist_test"

n=0
for p in $progs; do
	n=$((n + 1))
done
echo "1..$n"
n=0
fails=0
for p in $progs; do
	n=$((n + 1))
	if [ ! -x "$dir/$p" ]; then
		echo "ok $n $p on a named groove # SKIP not built"
		continue
	fi
	GROOVE_TEST_GROOVE=named "$dir/$p" > /tmp/named_pass.out 2>&1
	rc=$?
	sed 's/^/# /' /tmp/named_pass.out
	case $rc in
	0) echo "ok $n $p on a named groove" ;;
	4) echo "ok $n $p on a named groove # SKIP" ;;
	*) echo "not ok $n $p on a named groove (exit $rc)"; fails=$((fails + 1)) ;;
	esac
done
[ $fails = 0 ]
