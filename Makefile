# SPDX-License-Identifier: GPL-2.0
# iommuwatch: CO-RE BPF programs + a static C loader.

VERSION		:= 0.1.0
# Kernel names of the architectures: x86 (x86-64) and arm64.
HOST_ARCH	:= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
ARCH		?= $(HOST_ARCH)
CLANG		?= clang
LLVM_STRIP	?= llvm-strip
BPFTOOL		?= bpftool
ifeq ($(ARCH),$(HOST_ARCH))
OUT		:= build
CC		?= gcc
else
# A cross build: Debian's cross compiler and the target's -dev packages
# installed through multiarch (make deps ARCH=...), its own build dir.
CROSS_TRIPLET_x86	:= x86_64-linux-gnu
CROSS_TRIPLET_arm64	:= aarch64-linux-gnu
CROSS_TRIPLET	:= $(CROSS_TRIPLET_$(ARCH))
$(if $(CROSS_TRIPLET),,$(error ARCH=$(ARCH): not one of x86 arm64))
OUT		:= build/$(ARCH)
CC		:= $(CROSS_TRIPLET)-gcc
AR		:= $(CROSS_TRIPLET)-ar
endif
PREFIX		?= /usr/local
DESTDIR		?=

VMLINUX_DIR	:= vmlinux/$(ARCH)
INCLUDES	:= -Iinclude -I$(OUT) -I$(VMLINUX_DIR)
# clang -target bpf lacks the arch's system include dirs: take gcc's view.
CLANG_BPF_SYS_INCLUDES ?= $(shell $(CLANG) -v -E - </dev/null 2>&1 \
	| sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')

CFLAGS		?= -g -O2
CFLAGS		+= -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
		   -DIOMMUWATCH_VERSION='"$(VERSION)"' $(EXTRA_CFLAGS)
LDFLAGS		+= $(EXTRA_LDFLAGS)
# Hardened as dpkg-buildflags' hardening=+all builds a package: a stack
# protector, checked libc calls, a position-independent executable whose
# relocations are all resolved at start and then read-only. Flags given
# from outside (debian/rules passes dpkg-buildflags') stay; _FORTIFY_SOURCE
# is added only where they do not define it (a second value is an error)
# and where they optimise, which it needs.
CFLAGS		+= -fstack-protector-strong -fstack-clash-protection -fPIE
LDFLAGS		+= -pie -Wl,-z,relro -Wl,-z,now
ifeq ($(findstring _FORTIFY_SOURCE,$(CPPFLAGS) $(CFLAGS)),)
ifneq ($(filter -O1 -O2 -O3 -Os,$(CFLAGS)),)
CPPFLAGS	+= -D_FORTIFY_SOURCE=2
endif
endif
# libbpf, libelf, zlib and json-c are linked in, so the binary needs no
# BPF library on the host; libc, libmicrohttpd (whose static archive
# drags in GnuTLS) and GnuTLS (the page's hashes for its CSP: already
# there for libmicrohttpd) stay shared. SHARED_LIBS=1 links every library
# shared (the Debian package: the distribution's security updates then reach
# them, and dpkg-shlibdeps names them in Depends).
ifeq ($(SHARED_LIBS),1)
LDLIBS		:= -Wl,--as-needed -lbpf -ljson-c -lcap -lmicrohttpd -lgnutls -lm
else
LDLIBS		:= -Wl,-Bstatic -lbpf -lelf -lz -ljson-c -lcap -Wl,-Bdynamic \
		   -lmicrohttpd -lgnutls -lpthread -lm
endif

BPF_SRCS	:= $(wildcard bpf/*.bpf.c)
BPF_OBJS	:= $(patsubst bpf/%.bpf.c,$(OUT)/%.bpf.o,$(BPF_SRCS))
SKELS		:= $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))
HDRS		:= $(wildcard include/*.h)

# The core library: every module that needs no BPF object and no libbpf.
# It is built once into an archive that the binary and the benchmark link;
# the unit tests and the fuzzer link one sanitized build of the same list.
CORE		:= caps domains escape http intmap journal jsonl jsonw log metrics \
		   outfile output pipeline platform prom record recording replay \
		   report report_html report_layout rules runas state status sysfs \
		   timeline landing
# The loader, the hooks and what drives them (linked by the binary only).
BPF_SIDE	:= main daemon hook_attach hook_btf hooks kallsyms late_modules loader \
		   log_libbpf probe session trace
CORE_LIB	:= $(OUT)/libiwcore.a
CORE_LIBS	:= -ljson-c -lcap -lmicrohttpd -lgnutls -lpthread -lm
BPF_SIDE_OBJS	:= $(patsubst %,$(OUT)/%.o,$(BPF_SIDE))
UNSORTED	:= $(filter-out $(patsubst %,src/%.c,$(CORE) $(BPF_SIDE)),$(wildcard src/*.c))
$(if $(UNSORTED),$(error put $(UNSORTED) in CORE or BPF_SIDE))

# Sanitized flavour (clang: libFuzzer needs its coverage in the library).
# No recovery: the first sanitizer report ends the program with a non-zero
# status, where UBSan's default prints "runtime error" and exits 0.
SAN		:= $(OUT)/san
SAN_LIB		:= $(SAN)/libiwcore.a
SAN_CFLAGS	:= -g -O1 -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
		   -DIOMMUWATCH_VERSION='"$(VERSION)"' -fno-omit-frame-pointer \
		   -fsanitize=address,undefined -fno-sanitize-recover=all \
		   $(EXTRA_CFLAGS)
UNIT_SRCS	:= $(wildcard tests/unit/test_*.c)
UNIT_BINS	:= $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))
CANARY		:= $(OUT)/tests/canary
CANARY_BINS	:= $(patsubst tests/unit/canary/%.c,$(CANARY)/%,\
		     $(wildcard tests/unit/canary/*.c))

ifeq ($(V),1)
	Q =
	msg =
else
	Q = @
	msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.PHONY: all clean deps test unit unit-canary check check-full demo install \
	vmlinux lab-helpers fuzz bench bench-consumer bench-report
.DELETE_ON_ERROR:
.SECONDARY:

all: $(OUT)/iommuwatch

deps:
	$(Q)bash tools/deps.sh

$(OUT) $(OUT)/tests $(SAN) $(CANARY):
	$(Q)mkdir -p $@

$(OUT)/%.bpf.o: bpf/%.bpf.c include/%.h $(wildcard bpf/*.bpf.h) \
		  $(VMLINUX_DIR)/vmlinux.h | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -Wall -Werror -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) \
		$(INCLUDES) $(CLANG_BPF_SYS_INCLUDES) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name iommuwatch_bpf > $@

$(OUT)/%.o: src/%.c $(HDRS) | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(INCLUDES) -c $< -o $@

$(BPF_SIDE_OBJS) $(HOOK_OBJS) $(SAN)/late_modules.o: $(SKELS)

$(CORE_LIB): $(patsubst %,$(OUT)/%.o,$(CORE))
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(OUT)/iommuwatch: $(BPF_SIDE_OBJS) $(CORE_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Unit tests and the fuzzer: no root, no kernel; sanitizers on, linked
# dynamically. -fsanitize=fuzzer-no-link gives the fuzzer its coverage;
# in the unit tests the sanitizer runtime answers those hooks.
$(SAN)/%.o: src/%.c $(HDRS) | $(SAN)
	$(call msg,CC-SAN,$@)
	$(Q)$(CLANG) $(SAN_CFLAGS) -fsanitize=fuzzer-no-link $(INCLUDES) -c $< -o $@

$(SAN_LIB): $(patsubst %,$(SAN)/%.o,$(CORE))
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# The BPF-side modules with unit tests: the hook set and its parts.
HOOK_OBJS	:= $(patsubst %,$(SAN)/%.o,hook_attach hook_btf hooks kallsyms)
$(OUT)/tests/test_hooks: $(HOOK_OBJS) $(SKELS)
$(OUT)/tests/test_hooks: TEST_LIBS := -lbpf -lelf -lz
$(OUT)/tests/test_kallsyms: $(SAN)/kallsyms.o
$(OUT)/tests/test_late_modules: $(HOOK_OBJS) $(SAN)/late_modules.o $(SKELS)
$(OUT)/tests/test_late_modules: TEST_LIBS := -lbpf -lelf -lz

$(OUT)/tests/test_%: tests/unit/test_%.c tests/unit/unit.h $(HDRS) $(SAN_LIB) \
		     | $(OUT)/tests
	$(call msg,CC-TEST,$@)
	$(Q)$(CLANG) $(SAN_CFLAGS) $(INCLUDES) -Itests/unit $< $(filter %.o,$^) \
		$(SAN_LIB) $(TEST_LIBS) $(CORE_LIBS) -o $@

# The harness's canaries: test programs broken on purpose (UB, a leak, an
# exit halfway, no case) that tests/unit/canary.sh makes run.sh fail.
$(CANARY)/%: tests/unit/canary/%.c tests/unit/unit.h | $(CANARY)
	$(call msg,CC-TEST,$@)
	$(Q)$(CLANG) $(SAN_CFLAGS) $(CANARY_CFLAGS) $(INCLUDES) -Itests/unit $< \
		$(CANARY_LIBS) -o $@
$(CANARY)/ub_recover: tests/unit/canary/ub.c
$(CANARY)/ub_recover: CANARY_CFLAGS := -fsanitize-recover=all
$(CANARY)/leak: CANARY_LIBS := -lbpf

unit-canary: $(CANARY_BINS)
	$(Q)bash tests/unit/canary.sh $(CANARY)

unit: $(UNIT_BINS) unit-canary
	$(Q)bash tests/unit/run.sh $(UNIT_BINS)

test: unit

-include tools/lab/lab.mk

lab-check: all lab-helpers

# The README's two commands: each installs what it needs first.
# On x86-64 the arm64 build too: the lab's SMMUv3 guests run it.
CHECK_CROSS	:= $(if $(filter x86,$(HOST_ARCH)),arm64)

check: deps
	$(Q)$(MAKE) --no-print-directory all lab-helpers
	$(Q)$(foreach a,$(CHECK_CROSS),$(MAKE) --no-print-directory ARCH=$(a) all lab-helpers &&) true
	$(Q)bash tests/check.sh

# Every lab case on every line and family, chaos on every target: the
# long run before an issue that touches the BPF side or a line is closed.
check-full:
	$(Q)CHECK_FULL=1 $(MAKE) --no-print-directory check

# ARCH=arm64 on an x86-64 host: the arm64 lab (SMMUv3) runs the cross build.
demo: deps
	$(Q)$(MAKE) --no-print-directory all lab-helpers
	$(Q)IW=$(OUT)/iommuwatch DEMO_ARCH=$(ARCH) DEMO_HOST_ARCH=$(HOST_ARCH) \
		bash tools/demo.sh

vmlinux:
	$(Q)bash tools/gen-vmlinux.sh

SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
SYSCONF_DIR ?= /etc

# The unit names the binary where this install puts it.
install: $(OUT)/iommuwatch
	install -D -m 0755 $(OUT)/iommuwatch $(DESTDIR)$(PREFIX)/sbin/iommuwatch
	install -d $(DESTDIR)$(SYSTEMD_UNIT_DIR)
	sed 's|/usr/sbin/iommuwatch|$(PREFIX)/sbin/iommuwatch|' \
		contrib/systemd/iommuwatch.service \
		> $(DESTDIR)$(SYSTEMD_UNIT_DIR)/iommuwatch.service
	install -D -m 0644 contrib/systemd/iommuwatch.default \
		$(DESTDIR)$(SYSCONF_DIR)/default/iommuwatch
	install -D -m 0644 contrib/prometheus/iommuwatch.rules.yml \
		$(DESTDIR)$(PREFIX)/share/iommuwatch/iommuwatch.rules.yml
	install -D -m 0644 doc/iommuwatch.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/iommuwatch.8

clean:
	$(Q)rm -rf $(OUT)

# Helpers the lab scenarios run inside the guest (static: no guest libc).
LAB_HELPERS := $(OUT)/tests/vfio_claim

$(OUT)/tests/%: tests/lab/%.c | $(OUT)/tests
	$(call msg,CC-LAB,$@)
	$(Q)$(CC) $(CFLAGS) -static $< -o $@

lab-helpers: $(LAB_HELPERS)

# libFuzzer on the replay reader; FUZZ_SECONDS bounds a run.
FUZZ_SECONDS ?= 30
$(OUT)/tests/fuzz_jsonl: tests/fuzz/fuzz_jsonl.c $(HDRS) $(SAN_LIB) | $(OUT)/tests
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(SAN_CFLAGS) -fsanitize=fuzzer $(INCLUDES) $< $(SAN_LIB) \
		$(CORE_LIBS) -o $@

fuzz: $(OUT)/tests/fuzz_jsonl
	$(Q)bash tests/fuzz/run.sh $< $(FUZZ_SECONDS)

# Benchmarks (ratios side by side; see README "Performance").
$(OUT)/bench/consumer: tests/bench/consumer.c $(HDRS) $(CORE_LIB)
	$(call msg,CC-BENCH,$@)
	$(Q)mkdir -p $(OUT)/bench
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) $< $(CORE_LIB) $(CORE_LIBS) -o $@

bench-consumer: $(OUT)/bench/consumer
	$(Q)$< $(BENCH_EVENTS)

# report over a long journal, against replay of the same lines.
BENCH_RECORDS	?= 1000000
bench-report: $(OUT)/iommuwatch
	$(Q)tests/bench/report.sh $(BENCH_RECORDS)

# Every benchmark: the userspace consumer on the host, then the lab ones
# (probe cost, storm overhead, start-up) on BENCH_LINES, for each of
# BENCH_FAMILIES (smmuv3: the arm64 guest, running the arm64 build).
BENCH_LINES	?= 7.3
BENCH_FAMILIES	?= intel
bench: bench-consumer bench-report all kernels
	$(Q)$(if $(filter smmuv3,$(BENCH_FAMILIES)),$(MAKE) --no-print-directory ARCH=arm64 all &&) true
	$(Q)$(foreach f,$(BENCH_FAMILIES),tools/bench/run.sh --iommu $(f) \
		$(foreach l,$(BENCH_LINES),-k $(l)) &&) true
