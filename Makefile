# occsnap - build, test, snapshot. See README.md.
CC      ?= cc
PKGS    := libcurl libzip expat sqlite3 jansson inih libcrypto zlib
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -pthread -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CPPFLAGS += -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -I. $(shell pkg-config --cflags $(PKGS))
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -lcsv -lm

# Snapshot runs read ../shared/mirror when it is there (offline development);
# set MIRROR= (empty) to fetch from the real upstream URLs.
MIRROR  ?= $(wildcard ../shared/mirror)
# options of the run: make snapshot ARGS="--force" (SNAPSHOT_ARGS is the older name)
SNAPSHOT_ARGS ?=
ARGS ?=

LIB_SRC  := $(wildcard common/*.c extract/*.c transform/*.c load/*.c read/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=build/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/tests/%)
# fixture helpers linked into every unit test binary (not a test itself)
UNIT_UTIL := build/obj/tests/unit/testutil.o

.PHONY: all test unit integration snapshot bench clean
# keep object files of the test binaries (no "rm" after the test summary)
.SECONDARY:
all: build/occsnap

build/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

build/libocc.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/occsnap: build/obj/cli/occsnap.o build/libocc.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

build/tests/%: build/obj/tests/unit/%.o $(UNIT_UTIL) build/libocc.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

unit: $(UNIT_BIN)
integration: build/occsnap

# The Data Package test validates with Frictionless' own library (npm,
# pinned by package-lock.json); installed once, on first `make test`.
tests/datapackage/node_modules/.installed: tests/datapackage/package-lock.json
	cd tests/datapackage && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: build/occsnap $(UNIT_BIN) tests/datapackage/node_modules/.installed
	bash tests/run.sh

snapshot: build/occsnap
	./build/occsnap snapshot $(if $(MIRROR),--mirror $(MIRROR)) $(SNAPSHOT_ARGS) $(ARGS)

bench: build/occsnap
	bash tests/bench.sh

clean:
	rm -rf build

-include $(shell find build/obj -name '*.d' 2>/dev/null)
