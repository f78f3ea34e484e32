# Thin wrapper: every target installs missing Debian packages (one script), then drives CMake.
JOBS ?= $(shell nproc)
BUILD := build
DEPS ?= test
HOTSPOT := $(BUILD)/bin/hotspot
SAMPLE := data/sample

.PHONY: deps build demo test bench format clean

deps:
	@bash scripts/install-deps.sh $(DEPS)

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

demo: DEPS = build
demo: build
	@mkdir -p out
	$(HOTSPOT) aggregate --communes $(SAMPLE)/communes.gpkg --zones $(SAMPLE)/zones.geojson \
	    --incidents $(SAMPLE)/incidents.csv --population-field population --work-crs EPSG:9210 \
	    --out out/demo.gpkg

test: build
	@ctest --preset release -j $(JOBS)

bench: DEPS = bench
bench: build
	@bash benchmarks/compare/run_all.sh

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD) build-dev build-asan build-ubsan out
