# copyscope — what each way of sending bytes over TCP costs on this machine.
#
#   make            build bin/copyscope, bin/copyscope-server, bin/copyscope-client
#   make check      build and run every test (unit, end-to-end, fuzz smoke)
#   make profile    install missing packages of building and profiling (as root), sweep,
#                   render plots/tables/report
#   make render     figures, DIR/tables.md and DIR/report.md of RESULTS (default results/latest)
#   make plots | tables | report   one of those steps; tables also prints the text tables
#   make deps       install missing Debian packages (root) or print the apt-get line:
#                   those of building and profiling (deps-profile) and of the tests
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS (default 60)
#   make bench      side-by-side comparisons in bench/ (not tests)
#
# Honoured: CC CFLAGS CPPFLAGS LDFLAGS LDLIBS PREFIX DESTDIR SANITIZE=address,undefined|thread

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
CC        ?= cc
CFLAGS    ?= -O2 -g
SANITIZE  ?=
SWEEP     ?= parte
RESULTS   ?= results/latest

comma     := ,
VARIANT   := $(if $(SANITIZE),$(subst $(comma),-,$(SANITIZE)),default)
BUILD     := build/$(VARIANT)
# Sanitized builds keep their own binaries so that bin/ always holds the plain build.
BIN       := $(if $(SANITIZE),$(BUILD)/bin,bin)

override CPPFLAGS += -D_GNU_SOURCE -Iharness -Iworkloads
override CFLAGS   += -std=c11 -Wall -Wextra -Werror -MMD -MP -pthread
override LDFLAGS  += -pthread
ifneq ($(SANITIZE),)
override CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
override LDFLAGS  += -fsanitize=$(SANITIZE)
endif

# io_uring zero-copy is built only where liburing's header is present: the
# other strategies never depend on it.
HAVE_LIBURING := $(shell printf '\043include <liburing.h>\n' | $(CC) -E -x c - >/dev/null 2>&1 && echo 1)
ifeq ($(HAVE_LIBURING),1)
override CPPFLAGS += -DHAVE_LIBURING=1
WL_LIBS := -luring
endif

HARNESS_LIBS  := -lpfm -linih -lcsv -lm
WORKLOAD_LIBS := $(WL_LIBS) -lm

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

WL_MAINS  := workloads/server.c workloads/client.c
WL_LIB    := $(filter-out $(WL_MAINS),$(wildcard workloads/*.c)) \
	     harness/cpulist.c # --cpus: one CPU-list check for harness and workloads
HR_MAIN   := harness/main.c
HR_LIB    := $(filter-out $(HR_MAIN),$(wildcard harness/*.c)) \
	     workloads/options.c # sizes and seconds: read as the workloads read them

UNIT_WL   := $(wildcard tests/unit/test_wl_*.c)
UNIT_HR   := $(filter-out $(UNIT_WL),$(wildcard tests/unit/test_*.c))
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)

PROGRAMS  := $(BIN)/copyscope $(BIN)/copyscope-server $(BIN)/copyscope-client
UNIT_BINS := $(if $(UNIT_WL),$(BUILD)/tests/unit-workloads) $(if $(UNIT_HR),$(BUILD)/tests/unit-harness)

# Debian (12, bookworm) packages. Building, profiling and rendering need the first
# list (make profile checks only it); the tests and fuzzing need the second too
# (make check and make deps check both). bench/ installs iperf3 and sockperf itself.
DEBS_PROFILE := gcc make pkg-config libpfm4-dev libinih-dev libcsv-dev liburing-dev \
	gnuplot-nox iproute2
DEBS_TEST    := libcriterion-dev bats clang libclang-rt-14-dev python3

.PHONY: all check deps deps-profile profile render plots tables report fuzz bench format install \
	clean tracefs

all: $(PROGRAMS)

$(BIN)/copyscope: $(call obj,$(HR_MAIN) $(HR_LIB))
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(HARNESS_LIBS) $(LDLIBS)

$(BIN)/copyscope-server: $(call obj,workloads/server.c $(WL_LIB))
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(WORKLOAD_LIBS) $(LDLIBS)

$(BIN)/copyscope-client: $(call obj,workloads/client.c $(WL_LIB))
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(WORKLOAD_LIBS) $(LDLIBS)

$(BUILD)/tests/unit-workloads: $(call obj,$(UNIT_WL) $(WL_LIB))
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lcriterion $(WORKLOAD_LIBS) $(LDLIBS)

$(BUILD)/tests/unit-harness: $(call obj,$(UNIT_HR) $(HR_LIB))
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -lcriterion $(HARNESS_LIBS) $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

-include $(wildcard $(BUILD)/*/*.d $(BUILD)/*/*/*.d)

# --- packages ---------------------------------------------------------------
# $(call install_debs,PACKAGES): as root, installs those that are missing;
# otherwise names them in the apt-get line to run, and fails (exit 2).
install_debs = missing=$$(for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "copyscope: installing $$(echo $$missing)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
		else \
			echo "copyscope: missing packages; run: sudo apt-get install -y $$(echo $$missing)" >&2; exit 2; \
		fi; \
	fi

deps:
	@$(call install_debs,$(DEBS_PROFILE) $(DEBS_TEST))
	@$(MAKE) --no-print-directory tracefs

deps-profile:
	@$(call install_debs,$(DEBS_PROFILE))
	@$(MAKE) --no-print-directory tracefs

# Tracepoint events (tracepoint:skb:...) need tracefs; mount it when we can.
tracefs:
	@if [ ! -d /sys/kernel/tracing/events ] && [ "$$(id -u)" = 0 ]; then \
		mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true; fi

# --- tests ------------------------------------------------------------------
check: deps $(PROGRAMS) $(UNIT_BINS) $(if $(FUZZ_SRC),fuzz-build)
	@COPYSCOPE_BIN=$(BIN) BUILD=$(BUILD) SANITIZE=$(SANITIZE) tests/run.sh

# --- the main job -------------------------------------------------------------
# A sweep that had failed runs (exit 1) still renders: its failures are in
# runs.csv and the report. Bad input or an interrupted sweep (exit >= 2) stops here.
profile: deps-profile all
	@dir=results/$$(date -u +%Y%m%dT%H%M%SZ)-$(SWEEP); \
	$(BIN)/copyscope sweep perfcfg/sweeps/$(SWEEP).ini --out $$dir; rc=$$?; \
	if [ -f $$dir/runs.csv ]; then ln -sfn $$(basename $$dir) results/latest; fi; \
	if [ $$rc -gt 1 ]; then exit $$rc; fi; \
	$(MAKE) --no-print-directory render RESULTS=$$dir && \
	echo "copyscope: results in $$dir (results/latest); read $$dir/report.md"; \
	exit $$rc

# RESULTS/tables.md, written whole (a temporary file, then a rename); render and tables.
write_tables_md = $(BIN)/copyscope table $(RESULTS) --level all --format md >$(RESULTS)/tables.md.tmp && \
	mv $(RESULTS)/tables.md.tmp $(RESULTS)/tables.md && echo "copyscope: tables in $(RESULTS)/tables.md" || \
	{ rm -f $(RESULTS)/tables.md.tmp; exit 2; }

render: plots
	@$(write_tables_md)
	@$(BIN)/copyscope report $(RESULTS)

plots: $(BIN)/copyscope
	@plots/render.sh $(RESULTS)

tables: $(BIN)/copyscope
	@$(BIN)/copyscope table $(RESULTS) --level all
	@$(write_tables_md)

report: $(BIN)/copyscope
	@$(BIN)/copyscope report $(RESULTS)

# --- fuzzing (clang, libFuzzer) ----------------------------------------------
# Each target links only the module it fuzzes (and that module's library), so
# no harness/workload symbol clashes and no libpfm in a parser's fuzzer.
# `make fuzz` fuzzes each for FUZZ_SECONDS; `make check` builds them (when
# clang can link libFuzzer) and tests/e2e/fuzz.bats runs a short smoke of
# each over tests/fuzz/corpus/<target>/ and replays tests/fuzz/regressions/<target>/.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_BUILD   := build/fuzz
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -Iharness -Iworkloads -g -O1 -Wall -Wextra -Werror \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRC))
HAVE_LIBFUZZER := $(shell printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }\n' | \
	$(FUZZ_CC) -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1 && echo 1)

# what each target links besides its own file
FUZZ_DEPS_fuzz_sweepfile := harness/sweepfile.c harness/cpulist.c
FUZZ_LIBS_fuzz_sweepfile := -linih -lm
FUZZ_DEPS_fuzz_eventfile := harness/eventfile.c
FUZZ_DEPS_fuzz_csv       := harness/dataset.c
FUZZ_LIBS_fuzz_csv       := -lcsv -lm
FUZZ_DEPS_fuzz_hello     := workloads/hello.c

.PHONY: fuzz-build
fuzz-build: $(if $(HAVE_LIBFUZZER),$(FUZZ_BINS))
	@$(if $(HAVE_LIBFUZZER),:,echo "fuzz: $(FUZZ_CC) cannot link libFuzzer (install clang and libclang-rt-14-dev): fuzz targets not built")

.SECONDEXPANSION:
$(FUZZ_BUILD)/%: tests/fuzz/%.c $$(FUZZ_DEPS_$$*)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -o $@ $< $(FUZZ_DEPS_$*) $(FUZZ_LIBS_$*)

-include $(wildcard $(FUZZ_BUILD)/*.d)

fuzz: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do n=$$(basename $$f); \
		mkdir -p build/fuzz/corpus/$$n build/fuzz/crashes; \
		echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=build/fuzz/crashes/$$n- \
			build/fuzz/corpus/$$n tests/fuzz/corpus/$$n || { \
			echo "fuzz: $$n crashed: move the input from build/fuzz/crashes/ into tests/fuzz/regressions/$$n/"; \
			exit 1; }; done

# --- the rest -----------------------------------------------------------------
bench: all
	@bench/run-all.sh

format:
	clang-format -i $(wildcard harness/*.[ch] workloads/*.[ch] tests/unit/*.[ch] tests/fuzz/*.[ch])

install: all
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(BINDIR)

clean:
	rm -rf build bin
