# Thin wrapper: every target installs missing Debian packages (one script), then drives CMake.
JOBS ?= $(shell nproc)
BUILD := build
DEPS ?= test
HOTSPOT := $(BUILD)/bin/hotspot
SAMPLE := data/sample

FUZZ_SECONDS ?= 60
FUZZERS := csv time polygons config ogr top

.PHONY: deps build demo test slow-test bench fuzz format clean python

deps:
	@bash scripts/install-deps.sh $(DEPS)

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

# The sample run, the README's pictures (docs/images: the QGIS default view, the quick-look, the
# briefing) and its "Which map should patrols trust?" output and plot (the evaluate line).
demo: DEPS = test
demo: build
	$(HOTSPOT) run --config $(SAMPLE)/run.json
	QT_QPA_PLATFORM=offscreen /usr/bin/python3 scripts/demo_images.py out/demo.gpkg docs/images
	@mkdir -p docs
	$(HOTSPOT) evaluate --config $(SAMPLE)/run.json --out out/evaluate.gpkg --plot docs/evaluate.png \
	  > docs/evaluate.txt.tmp && mv docs/evaluate.txt.tmp docs/evaluate.txt && cat docs/evaluate.txt

test: build
	@ctest --preset release -j $(JOBS)

# The Python module in .venv, as a Python user installs it: a venv that sees Debian's numpy,
# geopandas and dask, and pip building the extension with this repository's CMake (no network).
python: DEPS = python
python: deps
	@/usr/bin/python3 -m venv --system-site-packages .venv
	@CMAKE_BUILD_PARALLEL_LEVEL=$(JOBS) .venv/bin/pip install --no-build-isolation --no-index ./python
	@cd / && $(CURDIR)/.venv/bin/python -c "import hotspot; print('hotspot', hotspot.__version__, 'in', '$(CURDIR)/.venv')"

# Tests too slow for every commit (10 million incidents): ctest label `slow`.
slow-test: build
	@ctest --preset slow

bench: DEPS = bench
bench: build
	@bash benchmarks/compare/run_all.sh

# Each libFuzzer target for FUZZ_SECONDS; new inputs go to build-fuzz/corpus, findings to
# build-fuzz/findings (pin each as a file in tests/fuzz/regressions/<target>/).
fuzz: DEPS = fuzz
fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS) --target $(addsuffix _fuzz,$(FUZZERS))
	@for t in $(FUZZERS); do \
	  mkdir -p build-fuzz/corpus/$$t build-fuzz/findings/$$t; \
	  echo "== $${t}_fuzz for $(FUZZ_SECONDS) s"; \
	  build-fuzz/bin/$${t}_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096 \
	    -artifact_prefix=build-fuzz/findings/$$t/ -print_final_stats=1 \
	    build-fuzz/corpus/$$t tests/fuzz/corpus/$$t tests/fuzz/regressions/$$t || exit 1; \
	done

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD) build-dev build-asan build-ubsan build-fuzz build-python out .venv python/build
