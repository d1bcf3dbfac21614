# VM lab targets; the top Makefile includes this fragment:
#   include tools/lab/lab.mk
# Knobs: LAB_LINES="6.12 7.3" (default: every line of kernels.conf),
#        LAB_CASES="rmrr_direct_region" (default: every tests/scenarios case),
#        LAB_CMD='uname -r' for lab-run.
# Cases that run build/iommuwatch need it built first: the top Makefile can
# add that prerequisite with "lab-check: all".

LAB_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
LAB_LINES ?=
LAB_CASES ?=
LAB_CMD ?= uname -r

.PHONY: kernels kmods lab-check lab-run

kernels:
	$(LAB_DIR)/fetch-kernels $(LAB_LINES)

# The PASID test module, for the lines whose kernel has the API (exit 2:
# it has not, e.g. 6.1).
kmods: kernels
	@for l in $${LAB_LINES:-$$(awk '!/^#/ && NF { print $$1 }' $(LAB_DIR)/kernels.conf)}; do \
		tests/kmod/build.sh $$l >/dev/null || [ $$? = 2 ] || exit 1; \
	done

lab-check: kernels kmods
	$(LAB_DIR)/run-scenarios $(addprefix -k ,$(LAB_LINES)) $(LAB_CASES)

# One command in a guest of the first LAB_LINES line (default: newest).
lab-run: kernels
	$(LAB_DIR)/vm-run $(addprefix -k ,$(firstword $(LAB_LINES))) -- sh -c '$(LAB_CMD)'
