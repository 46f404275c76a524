# The two commands of the quick start (README.md). Both install what is missing first, so they
# work on a fresh Debian 12 machine; both are safe to run again.
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all deps build run test test-unit bench clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# Starts `clicktrail serve` on ./data with a demo account and link, and prints what to try.
run: build
	@scripts/run-demo.sh $(BUILD)/clicktrail

# Every test: unit (under ASan+UBSan), integration, end-to-end and fault, through ctest.
test: build
	@ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS) --timeout 900

test-unit: build
	@ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS) -L unit

# Benchmarks are not tests: figures go to bench/RESULTS.md.
bench: build
	@bench/redirect_bench.sh $(BUILD)/clicktrail

clean:
	rm -rf $(BUILD)
