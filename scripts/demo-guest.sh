#!/bin/sh
# The story `make demo` tells, run inside the test VM (scripts/demo.sh).
# Shared by infra and the tools engineer: extend it, keep it readable.
# Tools: groovectl (tools/groovectl), groove-demo-worker (scripts/guest/),
# share_offset (examples/); all in /groove/bin on the guest's PATH.
set -u
ko=${GROOVE_KO:-/groove/groove.ko}
step=0

chapter() {
	step=$((step + 1))
	echo
	echo "== $step. $*"
}
# Show a command, then run it.
run() {
	echo "\$ $*"
	"$@" 2>&1 | sed 's/^/  /'
}
have() {
	command -v "$1" >/dev/null 2>&1
}
ctl() {
	if have groovectl; then
		run groovectl "$@"
	else
		echo "(groovectl is not built yet: skipping 'groovectl $*')"
	fi
}

chapter "Load groove.ko: 2 MiB volumes, at most 16 of them"
run insmod "$ko" volume_size=2M volume_max=16
run ls -l /dev/groove

chapter "What the kernel reports (GROOVE_IOC_INFO)"
ctl info

chapter "Reserve 4 volumes of physically contiguous, zeroed memory"
ctl add 4 --info "demo"
ctl status

if have groove-demo-worker; then
	chapter "Three processes allocate at once, each with its own mapping"
	echo "\$ groove-demo-worker alloc A 200 4096 & (and B, C with other sizes)"
	groove-demo-worker alloc A 200 4096 /tmp/A.offsets &
	a=$!
	groove-demo-worker alloc B 1000 512 /tmp/B.offsets &
	b=$!
	groove-demo-worker alloc C 4 262144 /tmp/C.offsets &
	c=$!
	ok=0
	wait $a || ok=1
	wait $b || ok=1
	wait $c || ok=1
	[ $ok = 0 ] || echo "  (a worker failed)"
	echo "The workers have exited; their objects stay in the groove:"
	ctl status

	chapter "Only empty volumes can leave: try to remove all 4"
	ctl remove 4
	ctl status

	chapter "Other processes free the objects by offset"
	run groove-demo-worker free /tmp/A.offsets
	run groove-demo-worker free /tmp/B.offsets
	run groove-demo-worker free /tmp/C.offsets
	ctl verify
fi

if have share_offset; then
	chapter "examples/share_offset: hand an object to a child process by offset"
	run share_offset /dev/groove
fi

chapter "Now every volume is empty and can go back to the kernel"
ctl remove 16
ctl status

chapter "Unload"
run rmmod groove
run ls /dev/groove
echo
echo "== The end."
