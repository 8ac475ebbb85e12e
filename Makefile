# Grad-CAM from scratch — build, test, demo.
#
# Two builds of the same sources, chosen at compile time (include/gcam/tensor.hpp):
#   build/double  Scalar = double   tests and gradient checks (make test)
#   build/float   Scalar = float    the fast build: CLI, demo, training, bench
#
# make deps    install missing Debian packages (libstb-dev, catch2)
# make         build the CLI (build/float/gradcam) and the examples
# make test    build and run the test suite (double, then float agreement tests)
# make demo    train shapes-cnn on synthetic data, write Grad-CAM overlays
# make clean   remove build/

CXX      ?= g++
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
LIB_SRC  := $(filter-out src/cli/main.cpp src/exercises/%,$(LIB_SRC))
TEST_SRC := $(sort $(wildcard tests/*.cpp))
EXAMPLES := $(basename $(notdir $(wildcard examples/*.cpp)))

DBL := build/double
FLT := build/float
DBL_FLAGS := $(COMMON) $(OPT) $(CXXFLAGS)
FLT_FLAGS := $(COMMON) -O3 $(FAST_ARCH) -DGCAM_FLOAT32 $(CXXFLAGS)

.PHONY: all deps test demo clean examples cli

all: cli examples

deps: $(STB_HEADER) $(CATCH_HEADER)

$(STB_HEADER) $(CATCH_HEADER):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing missing Debian packages: $(DEB_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PACKAGES) >/dev/null \
	  || { echo "error: apt-get could not install $(DEB_PACKAGES). Check the network/apt sources, then run: apt-get install $(DEB_PACKAGES)"; exit 1; }; \
	else \
	  echo "error: $@ is missing. Install the Debian packages as root: sudo apt-get install $(DEB_PACKAGES)"; exit 1; \
	fi
	@test -f $@ || { echo "error: $@ still missing after installing $(DEB_PACKAGES)"; exit 1; }

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

$(FLT)/gradcam: $(FLT_LIB) $(FLT)/obj/src/cli/main.o
	$(CXX) $(FLT_FLAGS) $^ -o $@ $(LDLIBS)

$(FLT)/examples/%: $(FLT_LIB) $(FLT)/obj/examples/%.o
	@mkdir -p $(dir $@)
	$(CXX) $(FLT_FLAGS) $^ -o $@ $(LDLIBS)

cli: $(FLT)/gradcam
examples: $(EXAMPLES:%=$(FLT)/examples/%)

# Double build: every test. Float build: the tests tagged [float] (fast vs
# reference kernels in single precision, and anything precision-sensitive).
test: $(DBL)/tests $(FLT)/tests
	@echo "== double build: all tests"
	@$(DBL)/tests
	@echo "== float32 build: tests tagged [float]"
	@$(FLT)/tests "[float]"

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
