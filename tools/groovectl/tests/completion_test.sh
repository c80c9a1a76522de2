#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# groovectl.bash-completion: completes the commands groovectl has (its own
# 'groovectl --json help' list) and each command's options.  Prints
# "ok DESCRIPTION" or "not ok DESCRIPTION" lines for host_test.sh.
#   tests/completion_test.sh COMPLETION_FILE GROOVECTL
# shellcheck source=/dev/null
source "$1"
ctl=$2
complete_line() { # WORDS...: the candidates for the last word
	COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
	_groovectl
	[ ${#COMPREPLY[@]} = 0 ] || printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}
check() { # DESCRIPTION WANT GOT
	if [ "$2" = "$3" ]; then echo "ok $1"; else echo "not ok $1: want '$2', got '$3'"; fi
}
want=$("$ctl" --json help | python3 -c 'import json,sys; print(" ".join(sorted(c["name"] for c in json.load(sys.stdin)["commands"])) + " ")')
check "completes every command groovectl has" "$want" "$(complete_line groovectl "")"
check "completes a command prefix" "status " "$(complete_line groovectl st)"
check "add's options" "--device --help --info --json --node --quiet --version " \
	"$(complete_line groovectl add 1 --)"
check "fsck --d: --dry-run and --device" "--device --dry-run " "$(complete_line groovectl fsck --d)"
check "status has no --ko" "" "$(complete_line groovectl status --k)"
check "help completes command names" "add apply " "$(complete_line groovectl help a)"
check "load completes parameters" "volume_max= volume_size= " "$(complete_line groovectl load volume)"
check "after --device PATH, commands" "$want" "$(complete_line groovectl --device /tmp/x "")"
check "apply's options" "--dry-run --help --json --quiet --recreate " "$(complete_line groovectl apply --)"
check "list takes no --device" "" "$(complete_line groovectl list --dev)"
check "create completes named-groove keys" "limit_bytes= " "$(complete_line groovectl create cache l)"
check "create completes owner= and mode=" "mode= " "$(complete_line groovectl create cache mo)"
