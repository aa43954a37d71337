# mapbench build.  `make run` builds and runs the main job, `make test` runs the test suite; both
# first run `make deps`, which installs missing Debian packages when root and otherwise prints the
# exact apt-get line.  Sources are found by wildcard, one folder per module (see docs/ARCHITECTURE.md).

# `make` alone builds ./mapbench: the target-specific lines below are rules too, and would
# otherwise be the default goal.
.DEFAULT_GOAL := all

BUILD ?= build
CC ?= cc
CXX ?= c++
PKGS := liburcu-memb liburcu-cds ck hwloc sqlite3 benchmark inih tbb absl_flat_hash_map
TEST_PKGS := cmocka
SANITIZE ?=

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_LIBS = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror
# CFLAGS and CXXFLAGS are the user's (make CFLAGS="-O3 -march=native" works); the flags every
# build needs are kept apart in ALL_*FLAGS, so a command-line CFLAGS cannot drop -std=c11 or -Werror.
CFLAGS ?= -O2 -g
CXXFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 $(WARN) -D_GNU_SOURCE -pthread -I. $(SANITIZE) $(PKG_CFLAGS) -MMD -MP $(CFLAGS)
ALL_CXXFLAGS = -std=c++17 $(WARN) -pthread -I. $(SANITIZE) $(PKG_CFLAGS) -MMD -MP $(CXXFLAGS)
LDFLAGS += -pthread $(SANITIZE)
LDLIBS += $(PKG_LIBS) -ldl -lm -lstdc++

# Baked into runner/environment.o so every stored run names the build it came from: library
# versions, the flags the code was really compiled with (the user's CFLAGS, -march included, and
# any sanitizer), the target the compiler chose when CFLAGS name none, and the commit.
LIBRARY_VERSIONS := $(foreach p,$(PKGS),$(p)=$(shell pkg-config --modversion $(p) 2>/dev/null))
BUILD_CFLAGS = $(strip -std=c11 $(CFLAGS) $(SANITIZE))
BUILD_MARCH = $(shell $(CC) $(CFLAGS) -Q --help=target 2>/dev/null | awk '$$1 == "-march=" { print $$2; exit }')
$(BUILD)/runner/environment.o: ALL_CFLAGS += -DMAPBENCH_LIBRARY_VERSIONS='"$(LIBRARY_VERSIONS)"' \
	-DMAPBENCH_CFLAGS='"$(BUILD_CFLAGS)"' -DMAPBENCH_MARCH='"$(BUILD_MARCH)"'

# The commit the binary is built from, "+dirty" when tracked files differ from it; empty outside a
# git checkout.  The stamp changes only when the value (or the flags) does, so environment.o is
# rebuilt then only.
GIT_COMMIT := $(shell git rev-parse HEAD 2>/dev/null)
GIT_COMMIT := $(if $(GIT_COMMIT),$(GIT_COMMIT)$(shell git diff --quiet HEAD -- 2>/dev/null || echo +dirty))
$(BUILD)/runner/environment.o: ALL_CFLAGS += -DMAPBENCH_GIT_COMMIT='"$(GIT_COMMIT)"'
$(BUILD)/runner/environment.o: $(BUILD)/commit.stamp
$(BUILD)/commit.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(GIT_COMMIT) $(BUILD_CFLAGS)' | cmp -s - $@ || echo '$(GIT_COMMIT) $(BUILD_CFLAGS)' > $@
FORCE:

LIB_C := $(filter-out cli/main.c,$(wildcard base/*.c maps/*.c scenarios/*.c runner/*.c store/*.c reports/*.c cli/*.c))
LIB_CXX := $(wildcard maps/*.cc runner/*.cc)
LIB_OBJ := $(LIB_C:%.c=$(BUILD)/%.o) $(LIB_CXX:%.cc=$(BUILD)/%.o)
TEST_SUPPORT := $(filter-out tests/test_%.c,$(wildcard tests/*.c))
TEST_SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(BUILD)/%.o)
TEST_SRC := $(filter-out tests/test_dimension.c,$(wildcard tests/test_*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%) $(BUILD)/tests/test_dimension
PLUGIN_SRC := $(wildcard tests/plugins/*.c)
PLUGIN_SO := $(PLUGIN_SRC:tests/plugins/%.c=$(BUILD)/plugins/%.so)

.PHONY: all deps run test test-build asan tsan bench clean report-check go-check
all: ./mapbench

./mapbench: $(BUILD)/mapbench
	rm -f $@ && cp $< $@

$(BUILD)/mapbench: $(BUILD)/cli/main.o $(BUILD)/libmapbench.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libmapbench.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_SUPPORT_OBJ) $(BUILD)/libmapbench.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(TEST_LIBS)

# The test-dimension build: tests/test_dimension.c with scenarios/ and store/ compiled again with
# -DMAPBENCH_TEST_DIMENSION, which adds one case dimension (a field of struct bench_case and a row
# of scenarios/case_dims.c), to show that a new dimension is parsed, stored, migrated, keyed and
# described with nothing else changed.  Nothing below scenarios/ sees struct bench_case, so base/,
# maps/ and runner/result.o link as built.
DIM_SRC := $(wildcard scenarios/*.c store/*.c) tests/test_dimension.c
DIM_OBJ := $(DIM_SRC:%.c=$(BUILD)/test-dimension/%.o) $(filter $(BUILD)/base/% $(BUILD)/maps/%,$(LIB_OBJ)) \
	$(BUILD)/runner/result.o

$(BUILD)/test-dimension/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DMAPBENCH_TEST_DIMENSION -c -o $@ $<

$(BUILD)/tests/test_dimension: $(DIM_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(TEST_LIBS)

# Plugins for the plugin-loading tests: built without -Werror's friends complaining about
# deliberately broken vtables; -fPIC shared objects.
$(BUILD)/plugins/%.so: tests/plugins/%.c maps/map.h
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -I. -fPIC -shared $(SANITIZE) -o $@ $<

deps:
	@sh tools/deps.sh

test-build: $(BUILD)/mapbench $(TEST_BIN) $(PLUGIN_SO)

# The suite: every test binary, then the ASan/UBSan build of the same suite.  tools/run-tests.sh
# prints cmocka's per-binary summaries and one closing "N passed, N failed" line.
test: deps
	@sh tools/check-layers.sh
	@sh tools/check-default-goal.sh
	@$(MAKE) --no-print-directory test-build
	sh tools/run-tests.sh $(BUILD)
	@$(MAKE) --no-print-directory asan

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" test-build
	MAPBENCH_TEST_QUICK=1 ASAN_OPTIONS=detect_leaks=1 sh tools/run-tests.sh build-asan

# TSan cannot see liburcu's custom synchronisation, so it runs the lock-based backends (their
# options too: rwlock:impl=go and striped:lock=go-rwlock are Go's RWMutex, whose C11 atomics TSan
# follows), Go's RWMutex on its own, the allocation accounting's per-thread counters, and the C++
# references whose synchronisation is all in headers compiled here: ref-absl (std::mutex,
# std::shared_mutex) and ref-tbb-unordered (oneTBB's atomics). ref-tbb-hash is left out like rcu,
# cow and ref-lfht: its range guard waits for liburcu grace periods, which TSan cannot see.
TSAN_BACKENDS := mutex,rwlock,striped,syncmap,ref-absl,ref-tbb-unordered
tsan:
	@$(MAKE) --no-print-directory BUILD=build-tsan SANITIZE="-fsanitize=thread" test-build
	MAPBENCH_TEST_QUICK=1 MAPBENCH_TEST_BACKENDS=$(TSAN_BACKENDS) \
	  TSAN_OPTIONS=halt_on_error=1 sh tools/run-tests.sh build-tsan test_maps_concurrency \
	  test_go_rwmutex test_accounting

# The harness's own performance, each backend's single-thread get, and each reference library's
# bare loop against the same backend through the window (bench/bare.h): figures, not a test.
BENCH_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard bench/*.c)) \
	$(patsubst %.cc,$(BUILD)/%.o,$(wildcard bench/*.cc))

# BENCH names sections to run (harness stability backends bare goals layout); empty runs them all.
BENCH ?=
bench: deps
	$(MAKE) $(BUILD)/bench/harness
	$(BUILD)/bench/harness $(BENCH)

$(BUILD)/bench/harness: $(BENCH_OBJ) $(BUILD)/libmapbench.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The main job: measure the quick preset into results.db and render its report.
run: deps all
	./mapbench run quick --db results.db
	./mapbench report --db results.db --out report

# Go's own map benchmarks against the go-sync preset on this machine: runs them with Debian's Go
# toolchain (golang-go; caches under $(BUILD)/go-check), imports them, runs go-sync with the specs
# that behave like Go's maps, and prints both orderings (tools/go-check.sh).  Figures, not a test.
go-check: all
	sh tools/go-check.sh $(BUILD)

# Renders report/index.html (from `mapbench report`) in headless Chromium, to look at the page as
# a reader would: report/index.png at a desktop's width, report/index-laptop.png at a laptop's
# (1366 px wide; its first 768 px are what the reader sees first), each 4000 px tall.  Skipped
# when Chromium is not installed (Debian `chromium`).  REPORT_DIR=DIR checks another report.
REPORT_DIR ?= report
REPORT_SHOTS := index.png:1400 index-laptop.png:1366
report-check:
	@if [ ! -x /usr/bin/chromium ]; then echo "report-check: skipped, /usr/bin/chromium not installed (apt-get install chromium)"; \
	elif [ ! -f $(REPORT_DIR)/index.html ]; then echo "report-check: no $(REPORT_DIR)/index.html: run ./mapbench report first"; exit 1; \
	else dir=$$(cd $(REPORT_DIR) && pwd); for shot in $(REPORT_SHOTS); do \
	  profile=$$(mktemp -d) && /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	  --disable-background-networking --disable-component-update --disable-sync --user-data-dir=$$profile \
	  --screenshot=$$dir/$${shot%%:*} --window-size=$${shot##*:},4000 file://$$dir/index.html >/dev/null 2>&1; \
	  status=$$?; rm -rf $$profile; [ $$status -eq 0 ] && echo "report-check: wrote $(REPORT_DIR)/$${shot%%:*} ($${shot##*:} px wide)" \
	  || { echo "report-check: chromium failed ($$status)"; exit 1; }; done; fi

clean:
	rm -rf build build-asan build-tsan mapbench

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
