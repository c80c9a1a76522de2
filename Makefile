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
#   make install-user   user space only: libgroove, headers, groove.pc, groovectl, man pages
#                       (no kernel headers, no qemu, no scripts/install-deps.sh)
#   make install        install-user + udev rule, sysusers + groove.ko into /lib/modules/KVER/extra
#   make uninstall      remove what install/install-user put there (same PREFIX/DESTDIR/KVER)
#   make dkms-check     DKMS build for the installed kernels
#   make static-check   checkpatch, sparse, W=1, kernel-doc, codespell
#   make clean
#
# The default kernel is the running one when its headers are installed
# (/lib/modules/$(uname -r)/build), else the newest Debian 6.1 with headers and
# a matching /boot/vmlinuz-* (the module build says which and why); KVER= (or
# KDIR=) overrides it, e.g. make KVER=6.12.117+deb12-amd64.
# Kbuild (next to this file) is what the kernel's build system reads.

ifneq ($(KERNELRELEASE),)
# Invoked by kbuild: only Kbuild matters.
include $(src)/Kbuild
else

TOP := $(CURDIR)
RUNNING_KVER := $(shell uname -r)
ifeq ($(origin KVER)$(origin KDIR),undefinedundefined)
KVER_DEFAULT := 1
endif
# Deferred (=): resolved after `deps` has installed the kernels.
KVER ?= $(shell if [ -d /lib/modules/$(RUNNING_KVER)/build ]; then echo $(RUNNING_KVER); \
	else $(TOP)/scripts/resolve-kernel.sh 6.1 2>/dev/null | sed -n 's/^KVER=//p'; fi)
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr/local
DESTDIR ?=
JOBS ?= 2

optional_make = if [ -f $(1)/Makefile ]; then $(MAKE) -C $(1) $(2); fi

.PHONY: all deps deps-build module userlib selftests tools check demo bench install install-user \
	uninstall dkms-check static-check clean help

all: module userlib selftests tools

# Packages and the kselftest/checkpatch files: a no-op in seconds when present.
# deps: the whole test bed (check, demo, bench); deps-build: only what the
# build needs (make, make install: no qemu, no test kernels, no gnuplot).
deps:
	@sh scripts/install-deps.sh
	@sh scripts/fetch-ksft.sh

deps-build:
	@sh scripts/install-deps.sh --build

module: deps-build
	@test -n "$(KVER)" || { echo "module: neither the running kernel $(RUNNING_KVER) nor a Debian 6.1 kernel has headers (/lib/modules/<release>/build): install linux-headers-$(RUNNING_KVER) or set KVER= or KDIR="; exit 1; }
	@if [ -n "$(KVER_DEFAULT)" ]; then \
	  if [ "$(KVER)" = "$(RUNNING_KVER)" ]; then \
	    echo "module: building for the running kernel, $(KVER) (KVER= for another)"; \
	  else \
	    echo "module: the running kernel $(RUNNING_KVER) has no headers (/lib/modules/$(RUNNING_KVER)/build): building for the newest Debian 6.1 kernel, $(KVER) (KVER= for another)"; \
	  fi; \
	fi
	$(MAKE) -j$(JOBS) -C $(KDIR) M=$(TOP) modules

userlib: deps-build
	@$(call optional_make,userlib,)

selftests: deps-build userlib
	@sh scripts/install-deps.sh --ksft
	@sh scripts/fetch-ksft.sh
	$(MAKE) -C selftests/groove OUTPUT=$(TOP)/build/selftests

tools: deps-build userlib
	@$(call optional_make,tools/groovectl,)

check: deps
	@sh scripts/check.sh

demo: deps
	@sh scripts/demo.sh

bench: deps all
	@$(call optional_make,bench,)

# User space only: no deps, no kernel headers, no module.
install-user:
	@PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" sh scripts/install.sh --user

install: module userlib tools
	@PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" KVER="$(KVER)" sh scripts/install.sh
	@# What modules_install does for us, minus signing (no key outside
	@# Debian's build) and minus the kmod/ subfolder of our Kbuild layout.
	install -D -m 644 kmod/groove.ko $(DESTDIR)/lib/modules/$(KVER)/extra/groove.ko
	@if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi

# Everything install put there; groove.ko only for KVER (the default kernel
# unless given).  No deps: uninstalling must not install packages.
uninstall:
	@PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" sh scripts/install.sh --uninstall
	@ko="$(DESTDIR)/lib/modules/$(KVER)/extra/groove.ko"; \
	if [ -n "$(KVER)" ] && [ -e "$$ko" ]; then \
	  rm -f "$$ko" && echo "uninstall: removed $$ko"; \
	  rmdir "$(DESTDIR)/lib/modules/$(KVER)/extra" 2>/dev/null || true; \
	  if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi; \
	fi

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
	@sed -n '3,23p' Makefile | sed 's/^# \{0,1\}//'

endif
