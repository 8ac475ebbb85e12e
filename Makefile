# Grad-CAM from scratch — build, test, demo.
#
# Two builds of the same sources, chosen at compile time (include/gcam/core/tensor.hpp):
#   build/double  Scalar = double   tests and gradient checks (make test)
#   build/float   Scalar = float    the fast build: CLI, demo, training, bench
#
# `make help` lists every target. Builds use every core by default
# (JOBS=1 for one at a time).

SHELL    := /bin/bash
.DEFAULT_GOAL := all
# Every core unless the caller chose (-j N on the command line or in MAKEFLAGS).
JOBS     ?= $(shell nproc 2>/dev/null || echo 1)
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(JOBS)
endif
CXX      ?= g++
BUILD    ?= build
OPT      ?= -O2
WERROR   ?=
CXXFLAGS ?=
# The fast build may use this CPU's vector units (CI runs on the same machine).
FAST_ARCH ?= -march=native
COMMON   := -std=c++17 -Wall -Wextra -Wpedantic $(WERROR) -Iinclude -MMD -MP
LDLIBS   := -pthread

DEB_PACKAGES := libstb-dev catch2
STB_HEADER   := /usr/include/stb/stb_image.h
CATCH_HEADER := /usr/include/catch2/catch.hpp

LIB_SRC  := $(sort $(wildcard src/*.cpp src/*/*.cpp))
LIB_SRC  := $(filter-out src/cli/% src/exercises/%,$(LIB_SRC))
CLI_SRC  := $(sort $(wildcard src/cli/*.cpp))
TEST_SRC := $(sort $(wildcard tests/*.cpp))
EXAMPLES := $(basename $(notdir $(wildcard examples/*.cpp)))

# Course exercises: EXERCISES="ex05 ex06" (or all) adds those students' stubs to
# LIB_SRC, defines GCAM_EXERCISE_EX05 ... so that the reference blocks drop out,
# and moves BUILD to $(BUILD)/exercises/<selection>.
include src/exercises/exercises.mk

DBL := $(BUILD)/double
FLT := $(BUILD)/float
DBL_FLAGS := $(COMMON) $(EXERCISE_DEFINES) $(OPT) $(CXXFLAGS)
FLT_FLAGS := $(COMMON) $(EXERCISE_DEFINES) -O3 $(FAST_ARCH) -DGCAM_FLOAT32 $(CXXFLAGS)

.PHONY: all deps test demo clean examples cli fashion-data fashion resnet bench

all: cli examples

deps: $(STB_HEADER) $(CATCH_HEADER)

# $(call apt_install,<packages>,<file they provide>): install when run as root
# with apt-get, otherwise say exactly what to run.
define apt_install
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing missing Debian packages: $(1)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null \
	  || { echo "error: apt-get could not install $(1). Check the network and apt sources, then run: apt-get install $(1)"; exit 1; }; \
	else \
	  echo "error: $(2) is missing. Install the Debian packages as root: sudo apt-get install $(1)"; exit 1; \
	fi
	@test -f $(2) || { echo "error: $(2) is still missing after installing $(1)"; exit 1; }
endef

# One grouped target (&:): with -j the install runs once, not once per header.
$(STB_HEADER) $(CATCH_HEADER) &:
	$(call apt_install,$(DEB_PACKAGES),$(STB_HEADER))
	@test -f $(CATCH_HEADER) || { echo "error: $(CATCH_HEADER) is still missing after installing $(DEB_PACKAGES)"; exit 1; }

# Fashion-MNIST (real data, ~30 MB) for `gradcam train --data fashion`.
FASHION_DIR := /usr/share/datasets/fashion-mnist
fashion-data: $(FASHION_DIR)/train-images-idx3-ubyte.gz

$(FASHION_DIR)/train-images-idx3-ubyte.gz:
	$(call apt_install,dataset-fashion-mnist,$@)

# The recipe of docs/training.md: fashion-cnn, SGD lr 0.01 momentum 0.9, batch 64, 5 epochs.
fashion: $(FLT)/gradcam fashion-data
	$(FLT)/gradcam train --model fashion-cnn --data fashion --epochs 5 --batch 64 --lr 0.01 --momentum 0.9 \
	  --seed 1 --out $(BUILD)/fashion.ckpt

# The recipe of docs/gradcam-any-cnn.md: resnet-mini, SGD lr 0.05 momentum 0.9, weight decay 5e-4,
# batch 64, the learning rate annealed to 0 over 5 epochs (cosine).
resnet: $(FLT)/gradcam fashion-data
	$(FLT)/gradcam train --model resnet-mini --data fashion --epochs 5 --batch 64 --lr 0.05 --momentum 0.9 \
	  --weight-decay 5e-4 --schedule cosine --seed 1 --out $(BUILD)/resnet.ckpt

# ---- object files: one rule per build -----------------------------------------
$(DBL)/obj/%.o: %.cpp | deps
	@mkdir -p $(dir $@)
	$(CXX) $(DBL_FLAGS) -c $< -o $@

$(FLT)/obj/%.o: %.cpp | deps
	@mkdir -p $(dir $@)
	$(CXX) $(FLT_FLAGS) -c $< -o $@

DBL_LIB := $(LIB_SRC:%.cpp=$(DBL)/obj/%.o)
FLT_LIB := $(LIB_SRC:%.cpp=$(FLT)/obj/%.o)

$(DBL)/tests: $(DBL_LIB) $(TEST_SRC:%.cpp=$(DBL)/obj/%.o)
	$(CXX) $(DBL_FLAGS) $^ -o $@ $(LDLIBS)

$(FLT)/tests: $(FLT_LIB) $(TEST_SRC:%.cpp=$(FLT)/obj/%.o)
	$(CXX) $(FLT_FLAGS) $^ -o $@ $(LDLIBS)

$(FLT)/gradcam: $(FLT_LIB) $(CLI_SRC:%.cpp=$(FLT)/obj/%.o)
	$(CXX) $(FLT_FLAGS) $^ -o $@ $(LDLIBS)

$(FLT)/examples/%: $(FLT_LIB) $(FLT)/obj/examples/%.o
	@mkdir -p $(dir $@)
	$(CXX) $(FLT_FLAGS) $^ -o $@ $(LDLIBS)

cli: $(FLT)/gradcam
examples: $(EXAMPLES:%=$(FLT)/examples/%)

# Double build: every test except [trained]. Float build: the tests tagged
# [float]: fast vs reference kernels in single precision, reproducibility,
# and the end-to-end tests on a trained shapes-cnn.
# Fashion-MNIST is installed first: tests explain its images (make fashion-data).
test: layout-check fashion-data $(DBL)/tests $(FLT)/tests
	@echo "== double build: all tests but [trained] (those train a net: float build)"
	@set -o pipefail; $(DBL)/tests "~[trained]" | tee $(DBL)/test.log; double=$$?; \
	echo "== float32 build: tests tagged [float]"; \
	$(FLT)/tests "[float]" | tee $(FLT)/test.log; float=$$?; \
	echo "== both builds"; \
	awk '/^[0-9]+ passed, [0-9]+ failed$$/ { p += $$1; f += $$3 } END { printf "%d passed, %d failed\n", p, f }' \
	  $(DBL)/test.log $(FLT)/test.log; \
	test $$double -eq 0 && test $$float -eq 0

# The layers, file and function lengths (tests/layout/check_layout.sh), and
# that the check catches a planted violation of each rule.
.PHONY: layout-check format format-check help
layout-check:
	@tests/layout/check_layout.sh
	@tests/layout/check_layout_selftest.sh

# clang-format with the repository's .clang-format (Debian: clang-format).
FORMAT_FILES = $(shell git ls-files 'src/*.cpp' 'src/*.hpp' 'include/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'examples/*.cpp')
CLANG_FORMAT ?= clang-format
$(if $(filter format format-check,$(MAKECMDGOALS)),$(if $(shell command -v $(CLANG_FORMAT)),,\
  $(shell { [ "$$(id -u)" = 0 ] && apt-get install -y -qq clang-format >/dev/null 2>&1; } || true)))
format-check:
	@command -v $(CLANG_FORMAT) >/dev/null || { echo "error: clang-format is missing: apt-get install clang-format"; exit 1; }
	@$(CLANG_FORMAT) --dry-run --Werror $(FORMAT_FILES) && echo "format-check: $(words $(FORMAT_FILES)) files formatted as .clang-format says"
format:
	$(CLANG_FORMAT) -i $(FORMAT_FILES)

help:
	@echo "Targets (docs/architecture.md explains the layout):"
	@echo "  make / make all        the CLI build/float/gradcam and the examples"
	@echo "  make demo              train shapes-cnn (~10 s), write Grad-CAM overlays to build/demo/"
	@echo "  make test              layout check, then the suite in both builds; ends with 'N passed, N failed'"
	@echo "  make deps              install the missing Debian packages (libstb-dev, catch2)"
	@echo "  make fashion           train fashion-cnn on Fashion-MNIST -> build/fashion.ckpt"
	@echo "  make resnet            train resnet-mini on Fashion-MNIST (~13 min on 2 cores) -> build/resnet.ckpt"
	@echo "  make bench             speed and memory of the float build (docs/performance.md)"
	@echo "  make bench-compare     make bench and its PyTorch peer interleaved (RUNS=3): medians and ratios"
	@echo "  make report-check      the demo's HTML report rendered by headless Chromium: every panel there"
	@echo "  make report-shots      one screenshot per report panel of make demo -> docs/images/"
	@echo "  make exercise N=5      check course exercise 5: the student's stub src/exercises/ex05_*.cpp"
	@echo "  make exercise N=5 REFERENCE=1   the same checks against the reference (instructors)"
	@echo "  make exercises-check   every stub selected: every exercise's checks must fail"
	@echo "  make student-kit DEST=<folder>   a copy for students without the reference solutions"
	@echo "  make student-kit-check           build a kit, fill in each exercise, check exactly it passes"
	@echo "  make layout-check      the layers, file and function lengths (and a planted violation)"
	@echo "  make format-check      clang-format would change nothing; make format applies it"
	@echo "  make sanitize          the suite under AddressSanitizer + UBSan (build/sanitize)"
	@echo "  make fuzz FUZZ_SECONDS=600     libFuzzer on the image, IDX and checkpoint readers"
	@echo "  make clean             remove build/"
	@echo "Variables: JOBS=<n> (default: every core), WERROR=-Werror, EXERCISES=\"ex05 ex06\" or all, BUILD=<folder>"

# The README's first command: builds, trains shapes-cnn, writes overlays.
demo: $(FLT)/gradcam
	$(FLT)/gradcam demo --out-dir $(BUILD)/demo

# ---- benchmark (issue: fast path) -------------------------------------------------
# Figures go to the terminal; the last line is one JSON object.
$(FLT)/bench: $(FLT_LIB) $(FLT)/obj/tests/bench/bench.o
	$(CXX) $(FLT_FLAGS) $^ -o $@ $(LDLIBS)

bench: $(FLT)/bench $(FLT)/gradcam fashion-data
	$(FLT)/bench $(FLT)/gradcam

# This project and PyTorch side by side (tests/bench/bench_compare.py): both
# benchmarks interleaved, RUNS times each, medians and ratios, last line JSON.
# PyTorch (Debian's python3-torch, with OpenBLAS) is a measuring tool only, never a
# dependency: installed here like the packages of make deps.
TORCH_PACKAGES := python3-torch python3-torchvision libopenblas0-pthread
TORCH_MARKER   := /usr/lib/python3/dist-packages/torchvision/__init__.py
OPENBLAS_LIB   := /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3
RUNS ?= 3
.PHONY: bench-compare
$(TORCH_MARKER) $(OPENBLAS_LIB) &:
	$(call apt_install,$(TORCH_PACKAGES),$(TORCH_MARKER))
	@test -f $(OPENBLAS_LIB) || { echo "error: $(OPENBLAS_LIB) is still missing after installing $(TORCH_PACKAGES)"; exit 1; }

bench-compare: $(FLT)/bench $(FLT)/gradcam fashion-data $(TORCH_MARKER) $(OPENBLAS_LIB)
	/usr/bin/python3 tests/bench/bench_compare.py $(FLT)/bench $(FLT)/gradcam --runs=$(RUNS)

# ---- the HTML report in a real browser -----------------------------------------------
# make report-check: the demo's report (a quick 2-epoch demo in $(BUILD)/report-check)
# rendered by headless Chromium to a PNG; tests/report/panel_shots.cpp fails on a
# blank page, a page cut short or an empty panel. Chromium is a test tool here, never
# a dependency of the framework: installed like the packages of make deps.
# make report-shots: the same check on the full demo (make demo), writing one
# screenshot per panel to docs/images/report-panel-<n>.png (docs/gradcam.md shows them).
CHROMIUM     := /usr/bin/chromium
REPORT_CHECK := $(BUILD)/report-check
# Root in CI: Chromium's sandbox needs a user namespace it may not get.
CHROMIUM_SHOT = $(CHROMIUM) --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --user-data-dir=$(REPORT_CHECK)/profile --window-size=1100,9000
.PHONY: report-check report-shots

$(CHROMIUM):
	$(call apt_install,chromium,$@)

$(FLT)/panel_shots: $(FLT_LIB) $(FLT)/obj/tests/report/panel_shots.o
	$(CXX) $(FLT_FLAGS) $^ -o $@ $(LDLIBS)

report-check: $(FLT)/gradcam $(FLT)/panel_shots $(CHROMIUM)
	@mkdir -p $(REPORT_CHECK)
	$(FLT)/gradcam demo --out-dir $(REPORT_CHECK)/demo --epochs 2 --scenes 1 --threads 2 >/dev/null
	$(CHROMIUM_SHOT) --screenshot=$(REPORT_CHECK)/page.png file://$(abspath $(REPORT_CHECK))/demo/report/index.html 2>/dev/null
	$(FLT)/panel_shots $(REPORT_CHECK)/page.png 7
	@echo "report-check: the demo's report renders in Chromium with all 7 panels"

report-shots: $(FLT)/panel_shots $(CHROMIUM)
	@test -f $(BUILD)/demo/report/index.html || { echo "error: run make demo first"; exit 1; }
	@mkdir -p $(REPORT_CHECK)
	$(CHROMIUM_SHOT) --screenshot=$(REPORT_CHECK)/demo-page.png file://$(abspath $(BUILD))/demo/report/index.html 2>/dev/null
	$(FLT)/panel_shots $(REPORT_CHECK)/demo-page.png 7 docs/images/report-panel

# ---- course exercises ----------------------------------------------------------------
# (students: docs/exercises/README.md; instructors: docs/exercises/INSTRUCTORS.md; the
# table of exercises, the stub selection with EXERCISES=... and the handling of N= and
# REFERENCE= are in src/exercises/exercises.mk, included above)
#
# make exercise N=5            the checks of ex05 ([ex05]) against the student's stub
#                              src/exercises/ex05_conv2d_forward.cpp: the goal selects that
#                              stub (as EXERCISES=ex05 would, added to any other selection)
# make exercise N=5 REFERENCE=1  the same checks against the reference block (instructors;
#                              refused in a student copy, which has no reference blocks)
# make exercises-check         every stub selected: every exercise's checks must fail
# make student-kit DEST=dir    a copy of the tree without the reference solutions
# make student-kit-check       builds a kit in a temp folder, fills in KIT_EXERCISES
.PHONY: exercise exercise-tests exercises-check student-kit student-kit-check

# tests/exercises/run_exercise.sh runs the checks and says what was checked, and for a
# stub what is not written yet, where to write it and which page to read.
ifeq ($(EXERCISE_REFERENCE),)
exercise: $(DBL)/tests
	@tests/exercises/run_exercise.sh stub $(DBL)/tests $(EXERCISE_N) $(EXERCISE_STUB_$(EXERCISE_N)) \
	  $(EXERCISE_DOC_$(EXERCISE_N))
else ifneq ($(filter $(EXERCISE_N),$(EXERCISE_NO_REFERENCE)),)
exercise:
	@echo "error: REFERENCE=1 checks the reference solution of $(EXERCISE_N), and this copy has none"; \
	echo "($(EXERCISE_REF_$(EXERCISE_N)) has no block $(EXERCISE_MACRO_$(EXERCISE_N)): a student copy)."; \
	echo "Check your own code with: make exercise N=$(N)"; exit 1
else
exercise: $(DBL)/tests
	@tests/exercises/run_exercise.sh reference $(DBL)/tests $(EXERCISE_N) $(EXERCISE_REF_$(EXERCISE_N)) \
	  $(EXERCISE_DOC_$(EXERCISE_N))
endif

# The test program of the current selection (used by the scripts below).
exercise-tests: $(DBL)/tests

# With every stub selected, each exercise's checks must fail, every test case
# of it, with its stub's "not implemented" message, and without reaching the
# stub of another exercise. Builds $(BUILD)/exercises/all/double (double only).
EXERCISE_PAGES = $(foreach e,$(EXERCISE_IDS),$(e)=$(EXERCISE_DOC_$(e)))
ifneq ($(EXERCISE_NO_REFERENCE),)
exercises-check:
	@echo "error: this is a student copy (no reference file for $(EXERCISE_NO_REFERENCE)); exercises-check is for"; \
	echo "instructors. Check your work with: make exercise N=<1..14>"; exit 1
else ifeq ($(EXERCISE_TAG),all)
exercises-check: $(DBL)/tests
	@tests/exercises/check_stubs_fail.sh $(DBL)/tests $(EXERCISE_PAGES)
else
exercises-check:
	@$(MAKE) --no-print-directory EXERCISES=all exercises-check
endif

# A private copy for students: git's file list (tracked and untracked, not
# ignored) without build/ and without the reference files of the exercises;
# EXERCISES defaults to all there. DEST must not exist or be empty.
student-kit:
	@test -n "$(DEST)" || { echo "error: make student-kit DEST=<new folder>"; exit 1; }
	@src/exercises/make_student_kit.sh "$(DEST)" $(foreach e,$(EXERCISE_IDS),$(e)=$(EXERCISE_REF_$(e))=$(EXERCISE_STUB_$(e)))

# Makes a kit in a temp folder, builds it (double), requires every exercise to
# fail there with its message, then fills in each of KIT_EXERCISES with its
# reference file and requires exactly that exercise to pass.
KIT_EXERCISES ?= all
student-kit-check:
	+@MAKE="$(MAKE)" tests/exercises/student_kit_check.sh "$(KIT_EXERCISES)" \
	  $(foreach e,$(EXERCISE_IDS),$(e)=$(EXERCISE_STUB_$(e))=$(EXERCISE_REF_$(e))=$(EXERCISE_DOC_$(e)))

# ---- hardening ------------------------------------------------------------------------
# (docs/hardening.md)
# make sanitize                the test suite under AddressSanitizer + UndefinedBehaviorSanitizer,
#                              built in $(BUILD)/sanitize (objects never mix with the normal builds)
# make fuzz                    each libFuzzer target for FUZZ_SECONDS (default 60), one after the
#                              other: FUZZ_TARGETS="image idx checkpoint" (clang++, $(BUILD)/fuzz)
# make fuzz-corpus             rewrite the seed corpus tests/fuzz/corpus/ with the project's writers
.PHONY: sanitize sanitize-run fuzz fuzz-build fuzz-corpus

# The bad-input and interrupt tests ([float], tests/test_bad_inputs*.cpp) run
# the command-line tool that sits next to the test program.
test: $(FLT)/gradcam

# GCC warns falsely under the sanitizers (-Wmaybe-uninitialized in libstdc++'s <regex>, say) and
# its manual advises against -Werror with them: warnings as errors are for the normal builds.
# No -O level here: the double build gets OPT=-O1 (the level ASan's manual suggests), the float
# build keeps its -O3 -march=native, so the code checked is the code the CLI and demo run (and the
# [trained] tests take ~8 minutes under ASan instead of ~17 at -O1).
SANITIZE_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -g \
                  -Wno-maybe-uninitialized
SANITIZE_ENV   := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:check_initialization_order=1 \
                  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Which float tests run sanitized: all of them. The [trained] ones train shapes-cnn (seconds
# normally, minutes under ASan); SANITIZE_FLOAT_TESTS='[float]~[trained]' leaves them out for a
# quick run (docs/hardening.md has the timings).
SANITIZE_FLOAT_TESTS ?= [float]

sanitize:
	+@$(MAKE) --no-print-directory BUILD=$(BUILD)/sanitize OPT=-O1 CXXFLAGS="$(SANITIZE_FLAGS)" WERROR= sanitize-run

# (Called by `make sanitize` with the sanitizer flags; on its own it runs the plain builds.)
sanitize-run: $(DBL)/tests $(FLT)/tests $(FLT)/gradcam
	@echo "== sanitized double build: all its tests ([trained] ones run in the float build)"
	@set -o pipefail; start=$$SECONDS; \
	$(SANITIZE_ENV) $(DBL)/tests "~[trained]" | tee $(DBL)/test.log; double=$$?; \
	echo "== sanitized float32 build: tests tagged $(SANITIZE_FLOAT_TESTS)"; \
	$(SANITIZE_ENV) $(FLT)/tests "$(SANITIZE_FLOAT_TESTS)" | tee $(FLT)/test.log; float=$$?; \
	echo "== sanitizers, both builds ($$((SECONDS - start)) s)"; \
	awk '/^[0-9]+ passed, [0-9]+ failed$$/ { p += $$1; f += $$3 } END { printf "%d passed, %d failed\n", p, f }' \
	  $(DBL)/test.log $(FLT)/test.log; \
	test $$double -eq 0 && test $$float -eq 0

# libFuzzer needs clang and its runtime (Debian: clang, libclang-rt-14-dev).
FUZZ_CXX      ?= clang++
FUZZ_SECONDS  ?= 60
FUZZ_TARGETS  ?= image idx checkpoint
FUZZ          := $(BUILD)/fuzz
FUZZ_FLAGS    := -std=c++17 -Wall -Wextra -Wpedantic $(WERROR) -Iinclude -MMD -MP -O1 -g -fno-omit-frame-pointer \
                 -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_PACKAGES := clang libclang-rt-14-dev
FUZZ_RESOURCE := $(shell $(FUZZ_CXX) -print-resource-dir 2>/dev/null)
FUZZ_RUNTIME  := $(or $(FUZZ_RESOURCE),/usr/lib/llvm-14/lib/clang/14.0.6)/lib/linux/libclang_rt.fuzzer-x86_64.a
FUZZ_LIB      := $(LIB_SRC:%.cpp=$(FUZZ)/obj/%.o)

$(FUZZ_RUNTIME):
	$(call apt_install,$(FUZZ_PACKAGES),$@)

$(FUZZ)/obj/%.o: %.cpp | deps $(FUZZ_RUNTIME)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ)/fuzz_%: $(FUZZ_LIB) $(FUZZ)/obj/tests/fuzz/fuzz_%.o
	$(FUZZ_CXX) $(FUZZ_FLAGS) -fsanitize=fuzzer $^ -o $@ $(LDLIBS)

fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ)/fuzz_%)

# One target at a time, one process each (-jobs=1 -workers=1: libFuzzer then
# logs to <run folder>/fuzz-0.log). New inputs go to $(FUZZ)/corpus/<target>,
# crashes to $(FUZZ)/artifacts/<target>/; the seeds in tests/fuzz/corpus are
# only read. Prints libFuzzer's final statistics of each target.
fuzz: fuzz-build
	@failed=; for t in $(FUZZ_TARGETS); do \
	  run=$(abspath $(FUZZ))/run/$$t; \
	  mkdir -p $$run $(FUZZ)/corpus/$$t $(FUZZ)/artifacts/$$t; \
	  echo "== fuzz_$$t for $(FUZZ_SECONDS) s (log: $$run/fuzz-0.log)"; \
	  ( cd $$run && $(abspath $(FUZZ))/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -jobs=1 -workers=1 \
	      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	      -artifact_prefix=$(abspath $(FUZZ))/artifacts/$$t/ \
	      $(abspath $(FUZZ))/corpus/$$t $(abspath tests/fuzz/corpus)/$$t >$$run/parent.log 2>&1 ) \
	    || failed="$$failed $$t"; \
	  grep -E '^#[0-9]+[[:space:]]+DONE|^Done|^stat::|^(==[0-9]+==)?ERROR|^SUMMARY|runtime error|Test unit written' \
	    $$run/fuzz-0.log | awk '!seen[$$0]++' || tail -n 20 $$run/fuzz-0.log; \
	  echo "   corpus: $$(ls $(FUZZ)/corpus/$$t | wc -l) new inputs ($$(du -sk $(FUZZ)/corpus/$$t | cut -f1) KB)"; \
	done; \
	if [ -n "$$failed" ]; then \
	  echo "error: fuzzing found a problem in:$$failed (see $(FUZZ)/artifacts/ and the logs above);" \
	       "add the input to tests/fuzz/regressions/<target>/"; exit 1; \
	fi

$(DBL)/make_fuzz_corpus: $(DBL_LIB) $(DBL)/obj/tests/fuzz/make_corpus.o
	$(CXX) $(DBL_FLAGS) $^ -o $@ $(LDLIBS)

fuzz-corpus: $(DBL)/make_fuzz_corpus
	$(DBL)/make_fuzz_corpus tests/fuzz/corpus

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
