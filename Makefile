# SPDX-License-Identifier: GPL-2.0
#
# xnic: top-level entry points. The README's two commands are `make demo`
# and `make check`; both run the setup step when something is missing.

# Deferred (=): the headers may only appear once `make setup` has run inside
# this same make. Not exported: scripts find their own kernel, and a KVER or
# KDIR given on the command line reaches them anyway.
KVER ?= $(shell scripts/kver.sh 2>/dev/null)
KDIR ?= /lib/modules/$(KVER)/build

.PHONY: all modules userspace bpf testprogs lint check demo bench docs deb setup \
	install uninstall clean

all: modules bpf userspace testprogs

modules:
	@test -n "$(KVER)" || { echo "no kernel headers: run make setup" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

bpf:
	@if [ -f bpf/Makefile ]; then $(MAKE) -C bpf; fi

# Small BPF programs the VM tests attach (tests/progs).
testprogs:
	$(MAKE) -C tests/progs
	$(MAKE) -C tests/bpf
	$(MAKE) -C bench

userspace:
	@if [ -f userspace/Makefile ]; then $(MAKE) -C userspace; fi

# W=1, sparse (C=1) and checkpatch --strict over the module.
lint:
	scripts/lint.sh

setup:
	scripts/setup.sh

check:
	scripts/check.sh

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh

# docs/xnicctl.md from xnicctl --help (tests/cli/run.sh checks it is current).
# Debian packages xnic-dkms and xnicctl, into build/deb.
deb:
	scripts/deb.sh

docs: userspace
	scripts/gen-docs.sh

# DKMS install/uninstall of the module for the Debian 6.1 kernel.
install:
	scripts/dkms.sh install

uninstall:
	scripts/dkms.sh uninstall

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	@if [ -f userspace/Makefile ]; then $(MAKE) -C userspace clean; fi
	@if [ -f bpf/Makefile ]; then $(MAKE) -C bpf clean; fi
	$(MAKE) -C tests/progs clean
	$(MAKE) -C tests/bpf clean
	$(MAKE) -C bench clean
	rm -rf build
