# SPDX-License-Identifier: GPL-2.0
#
# groove: top-level build.  `make demo` and `make check` are the two entry
# points; see README.md.
#
#   make [KVER=<kernel release>] [KDIR=<kbuild dir>]   module, library, selftests, tools
#   make module | userlib | selftests | tools
#   make check          static checks, host tests, VM tests on 6.1 and 6.12 (+ debug kernel)
#   make demo           boot the 6.1 VM and tell the groove story
#   make bench          benchmarks (bench/)
#   make install        library, headers, tools (scripts/install.sh) + groove.ko into /lib/modules/KVER/extra
#   make dkms-check     DKMS build for the installed kernels
#   make static-check   checkpatch, sparse, W=1, kernel-doc, codespell
#   make clean
#
# The default kernel is the newest Debian 6.1 with headers and a matching
# /boot/vmlinuz-*; KVER= (or KDIR=) overrides it, e.g. make KVER=6.12.117+deb12-amd64.
# Kbuild (next to this file) is what the kernel's build system reads.

ifneq ($(KERNELRELEASE),)
# Invoked by kbuild: only Kbuild matters.
include $(src)/Kbuild
else

TOP := $(CURDIR)
# Deferred (=): resolved after `deps` has installed the kernels.
KVER ?= $(shell $(TOP)/scripts/resolve-kernel.sh 6.1 2>/dev/null | sed -n 's/^KVER=//p')
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr/local
DESTDIR ?=
JOBS ?= 2

optional_make = if [ -f $(1)/Makefile ]; then $(MAKE) -C $(1) $(2); fi

.PHONY: all deps module userlib selftests tools check demo bench install \
	dkms-check static-check clean help

all: module userlib selftests tools

# Packages and the kselftest/checkpatch files: a no-op in seconds when present.
deps:
	@sh scripts/install-deps.sh
	@sh scripts/fetch-ksft.sh

module: deps
	@test -n "$(KVER)" || { echo "no Debian 6.1 kernel with headers found: set KVER= or KDIR="; exit 1; }
	$(MAKE) -j$(JOBS) -C $(KDIR) M=$(TOP) modules

userlib: deps
	@$(call optional_make,userlib,)

selftests: deps userlib
	$(MAKE) -C selftests/groove OUTPUT=$(TOP)/build/selftests

tools: deps userlib
	@$(call optional_make,tools/groovectl,)

check: deps
	@sh scripts/check.sh

demo: deps
	@sh scripts/demo.sh

bench: deps all
	@$(call optional_make,bench,)

install: all
	@if [ -f scripts/install.sh ]; then \
		PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" KVER="$(KVER)" sh scripts/install.sh; fi
	@# What modules_install does for us, minus signing (no key outside
	@# Debian's build) and minus the kmod/ subfolder of our Kbuild layout.
	install -D -m 644 kmod/groove.ko $(DESTDIR)/lib/modules/$(KVER)/extra/groove.ko
	@if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi

dkms-check: deps
	@if [ -f scripts/dkms-check.sh ]; then sh scripts/dkms-check.sh; \
	else echo "dkms-check: scripts/dkms-check.sh is not there yet"; fi

static-check: deps
	@sh scripts/static-check.sh

clean:
	-@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(TOP) clean; fi
	-@$(call optional_make,userlib,clean)
	-@$(call optional_make,tools/groovectl,clean)
	-@$(call optional_make,bench,clean)
	rm -rf build/selftests build/guest build/vm build/check build/static
	rm -rf $(filter-out build/ksft,$(wildcard build/*))

help:
	@sed -n '3,17p' Makefile | sed 's/^# \{0,1\}//'

endif
