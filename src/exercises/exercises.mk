# The course exercises (docs/exercises/README.md): which reference file holds
# each exercise's functions, and the stub selection.
#
# A reference file keeps the exercised functions between
#   #ifndef GCAM_EXERCISE_EX05  ...  #endif  // GCAM_EXERCISE_EX05
# Selecting ex05 compiles the whole tree with -DGCAM_EXERCISE_EX05, so that
# block drops out and the student's stub src/exercises/ex05_*.cpp stands in
# for it; the rest of the file (the op's tape record, say) stays in use.
#
# Included by the Makefile right after LIB_SRC and TEST_SRC are listed and
# before the build folders and object lists are made from them, so that a
# selection can swap sources and move BUILD. The targets (make exercise,
# exercises-check, student-kit, ...) are in the Makefile's "course exercises" block.
#
#   make test EXERCISES="ex05 ex06"   stubs of ex05 and ex06, references elsewhere
#   make test EXERCISES=all           every stub
#   make exercise N=5                 selects the stub of ex05 itself (added to EXERCISES)
#   make exercise N=5 REFERENCE=1     leaves ex05 out of the selection: its reference
#
# A selection builds into $(BUILD)/exercises/<ids joined by '-', or 'all'>/
# (double/ and float/ below it), never into the reference build folders.

# Default: no stub (the reference build). The student kit sets "all" here.
EXERCISES ?=

# $(call exercise,<id>,<name>,<reference file>): the stub is
# src/exercises/<id>_<name>.cpp, the page docs/exercises/<id>-<name with '-'>.md,
# the macro GCAM_EXERCISE_<ID>.
define exercise
EXERCISE_IDS += $(1)
EXERCISE_NAME_$(1) := $(2)
EXERCISE_STUB_$(1) := src/exercises/$(1)_$(2).cpp
EXERCISE_REF_$(1)  := $(3)
EXERCISE_DOC_$(1)  := docs/exercises/$(1)-$(subst _,-,$(2)).md
EXERCISE_MACRO_$(1) := GCAM_EXERCISE_$(subst ex,EX,$(1))
endef
EXERCISE_IDS :=
$(eval $(call exercise,ex01,central_difference,src/gradcheck/central_difference.cpp))
$(eval $(call exercise,ex02,relu,src/ops/relu.cpp))
$(eval $(call exercise,ex03,linear,src/ops/linear.cpp))
$(eval $(call exercise,ex04,tape_walk,src/autograd/tape_walk.cpp))
$(eval $(call exercise,ex05,conv2d_forward,src/ops/conv2d.cpp))
$(eval $(call exercise,ex06,conv2d_backward,src/ops/conv2d.cpp))
$(eval $(call exercise,ex07,max_pool,src/ops/max_pool2d.cpp))
$(eval $(call exercise,ex08,softmax_cross_entropy,src/ops/softmax_cross_entropy.cpp))
$(eval $(call exercise,ex09,sgd,src/train/sgd.cpp))
$(eval $(call exercise,ex10,channel_weights,src/gradcam/channel_weights.cpp))
$(eval $(call exercise,ex11,weighted_map,src/gradcam/weighted_map.cpp))
$(eval $(call exercise,ex12,upsample,src/gradcam/upsample.cpp))
$(eval $(call exercise,ex13,batch_norm_backward,src/ops/batch_norm2d.cpp))
$(eval $(call exercise,ex14,residual_backward,src/nn/blocks.cpp))
EXERCISE_IDS := $(strip $(EXERCISE_IDS))

# "5", "05", "ex5" and "ex05" all name ex05.
exercise_id = $(foreach n,$(patsubst ex%,%,$(1)),ex$(if $(filter 1 2 3 4 5 6 7 8 9,$(n)),0$(n),$(n)))

EXERCISE_SELECTED := $(if $(filter all,$(EXERCISES)),$(EXERCISE_IDS),$(foreach e,$(EXERCISES),$(call exercise_id,$(e))))
EXERCISE_UNKNOWN  := $(filter-out $(EXERCISE_IDS),$(EXERCISE_SELECTED))
ifneq ($(EXERCISE_UNKNOWN),)
$(error EXERCISES: unknown exercise '$(EXERCISE_UNKNOWN)'; choose from $(EXERCISE_IDS) or all)
endif

# make exercise N=<id> checks the student's own stub: the goal selects it, as
# EXERCISES=<id> would, so the build goes to $(BUILD)/exercises/<selection>.
# REFERENCE=1 (instructors) checks the reference block instead: <id> is then
# left out of the selection. REFERENCE is read from the command line only, so
# that a variable of that name in the environment cannot switch a student's
# check to the reference.
EXERCISE_N :=
EXERCISE_REFERENCE :=
ifneq ($(filter exercise,$(MAKECMDGOALS)),)
EXERCISE_N := $(call exercise_id,$(N))
ifneq ($(words $(EXERCISE_N)) $(filter $(EXERCISE_N),$(EXERCISE_IDS)),1 $(EXERCISE_N))
$(error make exercise N=<1..14 or ex01..ex14>: '$(N)' is not an exercise; they are $(EXERCISE_IDS))
endif
ifneq ($(filter-out environment,$(origin REFERENCE)),)
ifeq ($(filter-out 0 1,$(REFERENCE)),)
EXERCISE_REFERENCE := $(filter 1,$(REFERENCE))
else
$(error make exercise N=$(N) REFERENCE=1 checks the reference instead of the stub; REFERENCE='$(REFERENCE)' is neither 1 nor 0)
endif
endif
ifeq ($(EXERCISE_REFERENCE),)
EXERCISE_SELECTED += $(EXERCISE_N)
else
EXERCISE_SELECTED := $(filter-out $(EXERCISE_N),$(EXERCISE_SELECTED))
endif
endif

# Where the reference block is absent (the student kit strips it), the stub is always used.
exercise_has_reference = $(shell grep -qs '^\#ifndef $(EXERCISE_MACRO_$(1))$$' $(EXERCISE_REF_$(1)) && echo yes)
EXERCISE_NO_REFERENCE := $(strip $(foreach e,$(EXERCISE_IDS),$(if $(call exercise_has_reference,$(e)),,$(e))))
EXERCISE_SELECTED := $(sort $(EXERCISE_SELECTED) $(EXERCISE_NO_REFERENCE))

ifneq ($(EXERCISE_SELECTED),)
exercise_empty :=
exercise_space := $(exercise_empty) $(exercise_empty)
EXERCISE_TAG := $(if $(filter-out $(EXERCISE_SELECTED),$(EXERCISE_IDS)),$(subst $(exercise_space),-,$(EXERCISE_SELECTED)),all)
override BUILD := $(BUILD)/exercises/$(EXERCISE_TAG)
LIB_SRC += $(foreach e,$(EXERCISE_SELECTED),$(EXERCISE_STUB_$(e)))
EXERCISE_DEFINES := $(foreach e,$(EXERCISE_SELECTED),-D$(EXERCISE_MACRO_$(e)))
endif

# The checks of every exercise, tagged [ex01] ... [ex14].
TEST_SRC += $(sort $(wildcard tests/exercises/*.cpp))
