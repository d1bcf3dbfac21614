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

.PHONY: kernels lab-check lab-run

kernels:
	$(LAB_DIR)/fetch-kernels $(LAB_LINES)

lab-check: kernels
	$(LAB_DIR)/run-scenarios $(addprefix -k ,$(LAB_LINES)) $(LAB_CASES)

# One command in a guest of the first LAB_LINES line (default: newest).
lab-run: kernels
	$(LAB_DIR)/vm-run $(addprefix -k ,$(firstword $(LAB_LINES))) -- sh -c '$(LAB_CMD)'
