# Entry points for people and CI. Everything installs what it needs first.
BUILD_DIR ?= build
KILN := $(BUILD_DIR)/kiln
JOBS ?= $(shell nproc)

.PHONY: all deps deps-runtime build demo install test unit e2e fuzz stress bench clean

all: build

# make demo and make install need only what builds and runs kiln; the test targets also
# install the test oracle and tools (podman, buildah, skopeo, a registry, hyperfine).
deps:
	@bash scripts/deps.sh test

deps-runtime:
	@bash scripts/deps.sh runtime

build: deps-runtime
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# make install PREFIX=/usr/local: the binary, its man pages and shell completions.
PREFIX ?= /usr/local
install: build
	@cmake --install $(BUILD_DIR) --prefix $(PREFIX)

demo: build
	@bash scripts/demo.sh $(KILN)

unit: deps build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

e2e: deps build
	@KILN=$(abspath $(KILN)) bats --jobs 1 tests/e2e

# Ten minutes a target (the long campaign; figures in docs/fuzz-results.md). make test
# keeps its short run: FUZZ_SECONDS=15 there, and its figures stay in build-fuzz/.
fuzz: deps
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-600} FUZZ_REPORT=$${FUZZ_REPORT:-docs/fuzz-results.md} bash scripts/fuzz.sh

test: deps build
	@BUILD_DIR=$(BUILD_DIR) FUZZ_SECONDS=$${FUZZ_SECONDS:-15} bash scripts/test.sh

stress: deps build
	@KILN=$(abspath $(KILN)) bash tests/stress/run.sh

bench: deps build
	@bash bench/run.sh $(KILN)

clean:
	rm -rf $(BUILD_DIR) build-fuzz
