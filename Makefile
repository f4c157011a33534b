# Tripod — the two commands are `make demo` and `make check`.
#   make demo    install what is needed, build, generate and load a synthetic panel, run the engine
#   make check   build with AddressSanitizer + UBSan, run every test, the lint and the fuzzers
#   make bench   the benchmarks of bench/ (large; minutes)
#   make install PREFIX=DIR   bin/tripod and share/tripod/refdata under DIR (default /usr/local)
.PHONY: all setup build demo check test lint fuzz bench format clean install

JOBS         ?= $(shell nproc)
BUILD        ?= build
CHECK_BUILD  ?= build-check
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 30
DEMO_DIR     ?= demo
DEMO_PATIENTS ?= 5000
DEMO_SEED    ?= 42
TRIPOD       := $(BUILD)/tripod
PREFIX       ?= /usr/local

all: build

setup:
	@scripts/setup

build: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DTRIPOD_TESTS=OFF >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

# Two years of history so that the predictive model has an earlier window to
# learn from and HCC recapture has a prior year to look back on.
demo: build
	@rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	$(TRIPOD) generate --patients $(DEMO_PATIENTS) --seed $(DEMO_SEED) --years 2 --out $(DEMO_DIR)/data
	$(TRIPOD) import --db $(DEMO_DIR)/tripod.db $(DEMO_DIR)/data
	$(TRIPOD) info --db $(DEMO_DIR)/tripod.db
	$(TRIPOD) analyze --db $(DEMO_DIR)/tripod.db --as-of 2025-12-31 >/dev/null
	$(TRIPOD) report --db $(DEMO_DIR)/tripod.db
	@scripts/demo-summary $(TRIPOD) $(DEMO_DIR) $(DEMO_PATIENTS)

check: setup
	@cmake -S . -B $(CHECK_BUILD) -DCMAKE_BUILD_TYPE=Debug -DTRIPOD_SANITIZE=ON >/dev/null
	@cmake --build $(CHECK_BUILD) -j $(JOBS) -- --no-print-directory
	scripts/lint
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(CHECK_BUILD) --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory fuzz

test: check

lint:
	scripts/lint

fuzz: setup
	@scripts/fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build
	@bench/run $(BUILD)

install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)
	@echo "installed $(PREFIX)/bin/tripod and $(PREFIX)/share/tripod/refdata"

format:
	scripts/format

clean:
	rm -rf $(BUILD) $(CHECK_BUILD) $(FUZZ_BUILD) $(DEMO_DIR)
