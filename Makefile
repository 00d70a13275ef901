# Entry points for people and CI. Everything installs what it needs first.
BUILD_DIR ?= build
KILN := $(BUILD_DIR)/kiln
JOBS ?= $(shell nproc)

.PHONY: all deps build demo test unit e2e fuzz stress bench clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	@bash scripts/demo.sh $(KILN)

unit: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

e2e: build
	@KILN=$(abspath $(KILN)) bats --jobs 1 tests/e2e

# Ten minutes a target (the long campaign; figures in docs/fuzz-results.md). make test
# keeps its short run: FUZZ_SECONDS=15 there, and its figures stay in build-fuzz/.
fuzz: deps
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-600} FUZZ_REPORT=$${FUZZ_REPORT:-docs/fuzz-results.md} bash scripts/fuzz.sh

test: build
	@BUILD_DIR=$(BUILD_DIR) FUZZ_SECONDS=$${FUZZ_SECONDS:-15} bash scripts/test.sh

stress: build
	@KILN=$(abspath $(KILN)) bash tests/stress/run.sh

bench: build
	@bash bench/run.sh $(KILN)

clean:
	rm -rf $(BUILD_DIR) build-fuzz
