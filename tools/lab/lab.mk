# VM lab targets; the top Makefile includes this fragment:
#   include tools/lab/lab.mk
# Knobs: LAB_LINES="6.12 7.3" (default: every line of kernels.conf),
#        LAB_CASES="rmrr_direct_region" (default: every tests/scenarios case),
#        LAB_FAMILIES="amd" (default: every IOMMU family a case lists),
#        LAB_JOBS=2 (guests at once) and LAB_SMP=1 (vCPUs a guest) for
#        the scenarios,
#        LAB_CMD='uname -r' for lab-run,
#        CHAOS_SECONDS=900 (per line) and CHAOS_LINES="7.3" (default: every
#        line) for chaos, CHAOS_FAMILIES="intel" (default: intel amd virtio smmuv3).
# Cases that run build/iommuwatch need it built first: the top Makefile can
# add that prerequisite with "lab-check: all".

LAB_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
LAB_LINES ?=
LAB_CASES ?=
LAB_FAMILIES ?=
CHAOS_FAMILIES ?= intel amd virtio smmuv3
LAB_CMD ?= uname -r
CHAOS_SECONDS ?= 900
CHAOS_LINES ?=
# Where make check's fixed seed meets the most: Intel 6.12 (its release
# bug on the RMRR device, PASIDs), the newest line on AMD and on SMMUv3
# (another release domain, another architecture). A sequence costs one
# to three minutes; make check-full runs every line and family.
CHAOS_CHECK_TARGETS ?= 6.12 7.3/amd 7.3/smmuv3

# Two guests at once, of one vCPU each: on a 2-core host eight runs took
# 278 and 248 s so, 497 and 596 s one guest of two vCPUs at a time, and
# 380 and 236 s two guests of two vCPUs (README, "make check").
LAB_JOBS ?= 2
LAB_SMP ?= 1

.PHONY: kernels kmods lab-check lab-check-full lab-run chaos chaos-check \
	chaos-check-full

# The arm64 lines and userland too (SMMUv3 guests), fetched up front so
# that no case's output holds a download. The three use their own apt
# state and wait on the network more than on a core: side by side.
kernels:
	@$(LAB_DIR)/fetch-kernels $(LAB_LINES) & a=$$!; \
	$(LAB_DIR)/fetch-kernels --arch arm64 & b=$$!; \
	$(LAB_DIR)/mkroot arm64 >/dev/null & c=$$!; \
	st=0; for p in $$a $$b $$c; do wait $$p || st=1; done; exit $$st

# The PASID test module, for the lines whose kernel has the API (exit 2:
# it has not, e.g. 6.1).
kmods: kernels
	@for l in $${LAB_LINES:-$$(awk '!/^#/ && NF { print $$1 }' $(LAB_DIR)/kernels.conf)}; do \
		tests/kmod/build.sh $$l >/dev/null || [ $$? = 2 ] || exit 1; \
	done

# 'make check' runs each case on the targets its CHECK directive names;
# naming cases (LAB_CASES) runs them on every line and family they allow,
# as lab-check-full runs every case.
lab-check: kernels kmods
	LAB_SMP=$(LAB_SMP) $(LAB_DIR)/run-scenarios $(if $(LAB_CASES),,--check) -j $(LAB_JOBS) \
		$(addprefix -k ,$(LAB_LINES)) $(addprefix -f ,$(LAB_FAMILIES)) $(LAB_CASES)

lab-check-full: kernels kmods
	LAB_SMP=$(LAB_SMP) $(LAB_DIR)/run-scenarios -j $(LAB_JOBS) $(addprefix -k ,$(LAB_LINES)) \
		$(addprefix -f ,$(LAB_FAMILIES)) $(LAB_CASES)

# One command in a guest of the first LAB_LINES line (default: newest).
lab-run: kernels
	$(LAB_DIR)/vm-run $(addprefix -k ,$(firstword $(LAB_LINES))) -- sh -c '$(LAB_CMD)'

# Random, seeded sequences of real IOMMU operations, new seeds until
# CHAOS_SECONDS per line are spent; a report per line (tools/lab/chaos).
# Both run build/iommuwatch and build/tests/vfio_claim: the top Makefile's
# all and lab-helpers.
chaos: kernels all lab-helpers
	$(LAB_DIR)/chaos --seconds $(CHAOS_SECONDS) $(addprefix -k ,$(CHAOS_LINES)) \
		$(addprefix -f ,$(CHAOS_FAMILIES))

# The short, fixed-seed run: 'make check' on CHAOS_CHECK_TARGETS,
# 'make check-full' on every line and family.
chaos-check: kernels all lab-helpers
	$(LAB_DIR)/chaos --check $(addprefix -t ,$(CHAOS_CHECK_TARGETS))

chaos-check-full: kernels all lab-helpers
	$(LAB_DIR)/chaos --check $(addprefix -k ,$(CHAOS_LINES)) \
		$(addprefix -f ,$(CHAOS_FAMILIES))
