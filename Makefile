# occsnap - build, test, snapshot. See README.md.
CC      ?= cc
PKGS    := libcurl libzip expat sqlite3 jansson inih libcrypto zlib libisal
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -pthread -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CPPFLAGS += -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -I. $(shell pkg-config --cflags $(PKGS))
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -lcsv -lm

# SANITIZE=1 builds everything (library, CLI, unit tests) with AddressSanitizer
# and UndefinedBehaviorSanitizer into build-san/, so a normal build stays.
ifeq ($(SANITIZE),1)
BUILD   ?= build-san
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
CFLAGS  += $(SAN)
# halt on the first report; the exit code fails the suite that hit it
export ASAN_OPTIONS  ?= abort_on_error=0:detect_leaks=1:exitcode=86
export UBSAN_OPTIONS ?= halt_on_error=1:print_stacktrace=1:exitcode=87
else
BUILD   ?= build
endif
B := $(BUILD)

# make fuzz: libFuzzer targets (clang), each run FUZZ_SECONDS on a corpus of
# hand-made seeds plus slices of the mirror's files made in build-fuzz/.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_TARGETS := csvread xlsx zipfile config occode
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS  := -O1 -g -std=c11 -pthread -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
                $(FUZZ_SAN) -fsanitize=fuzzer-no-link

# Snapshot runs read ../shared/mirror when it is there (offline development);
# set MIRROR= (empty) to fetch from the real upstream URLs.
MIRROR  ?= $(wildcard ../shared/mirror)
# options of the run: make snapshot ARGS="--force" (SNAPSHOT_ARGS is the older name)
SNAPSHOT_ARGS ?=
ARGS ?=

LIB_SRC  := $(wildcard common/*.c extract/*.c transform/*.c load/*.c read/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
# fixture helpers linked into every unit test binary (not a test itself)
UNIT_UTIL := $(B)/obj/tests/unit/testutil.o
# each fuzz target's entry point, replayed over its seeds and regressions
REPLAY_BIN := $(FUZZ_TARGETS:%=$(B)/tests/test_fuzz_%)
FUZZ_BIN   := $(FUZZ_TARGETS:%=build-fuzz/fuzz_%)

.PHONY: all test unit integration snapshot bench clean fuzz fuzz-build
# keep object files of the test binaries (no "rm" after the test summary)
.SECONDARY:
all: $(B)/occsnap

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libocc.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/occsnap: $(B)/obj/cli/occsnap.o $(B)/libocc.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/test_fuzz_%: $(B)/obj/tests/fuzz/fuzz_%.o $(B)/obj/tests/fuzz/replay_%.o \
                        $(B)/obj/tests/fuzz/memzip.o $(B)/libocc.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/obj/tests/fuzz/replay_%.o: tests/fuzz/replay.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -DFUZZ_NAME='"$*"' -MMD -MP -c -o $@ $<

# test tools the integration scripts run (not suites themselves)
TOOL_BIN := $(B)/tests/tools/sheetdump
$(B)/tests/tools/%: $(B)/obj/tests/tools/%.o $(B)/libocc.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(UNIT_UTIL) $(B)/libocc.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

unit: $(UNIT_BIN) $(REPLAY_BIN)
integration: $(B)/occsnap $(TOOL_BIN)

build-fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

build-fuzz/libocc.a: $(LIB_SRC:%.c=build-fuzz/obj/%.o)
	@rm -f $@
	ar rcs $@ $^

build-fuzz/fuzz_%: build-fuzz/obj/tests/fuzz/fuzz_%.o build-fuzz/obj/tests/fuzz/memzip.o \
                   build-fuzz/libocc.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

fuzz-build: $(FUZZ_BIN)

# Seeds: tests/fuzz/seeds/ plus slices of the mirror's files (never committed).
fuzz: $(FUZZ_BIN)
	FUZZ_SECONDS=$(FUZZ_SECONDS) MIRROR=$(MIRROR) bash tests/fuzz/run.sh $(FUZZ_TARGETS)

# The Data Package test validates with Frictionless' own library (npm,
# pinned by package-lock.json); installed once, on first `make test`.
tests/datapackage/node_modules/.installed: tests/datapackage/package-lock.json
	cd tests/datapackage && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The site's browser test drives Debian's chromium with playwright-core (npm,
# pinned by package-lock.json), installed the same way.
tests/site/node_modules/.installed: tests/site/package-lock.json
	cd tests/site && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The suite runs the build in $(B): the unit tests and replays found there,
# the integration scripts with OCCSNAP_BIN.
test: $(B)/occsnap $(UNIT_BIN) $(REPLAY_BIN) $(TOOL_BIN) tests/datapackage/node_modules/.installed \
      tests/site/node_modules/.installed
	OCCSNAP_BUILD=$(B) OCCSNAP_BIN=$(abspath $(B))/occsnap bash tests/run.sh

snapshot: $(B)/occsnap
	./$(B)/occsnap snapshot $(if $(MIRROR),--mirror $(MIRROR)) $(SNAPSHOT_ARGS) $(ARGS)

bench: $(B)/occsnap
	bash tests/bench.sh

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
