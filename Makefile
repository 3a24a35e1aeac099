# Thin wrapper over CMake so that the README's commands stay short.
#   make          build the library, the tools, the tests and the benchmark (Release)
#   make check    install the tests' dependencies (.ci/install-deps) if missing, build, and run
#                 every test (ctest)
#   make check-slow  the slow known-answer runs kept out of `make check`: the 1,000,000-test
#                 accumulated ML-KEM hashes of C2SP CCTV (several minutes)
#   make demo     the main job: an in-process TLS handshake with its trace (tenon demo)
#   make pictures the demo's HTML report (docs/demo-report.html) and its screenshot
#                 (docs/demo-report.png, in the README), taken in headless chromium
#   make bench    run the benchmark: tenon and OpenSSL side by side
#   make asan     build and run every test under AddressSanitizer + UBSan
#   make fuzz     build the libFuzzer targets (clang, ASan) and run each for FUZZ_SECONDS; then
#                 the same for the engine targets (TLS 1.3 and 1.2) of the fuzzing build
#                 (null cipher, TENON_FUZZ_BYPASS, in its own directory: docs/fuzzing.md),
#                 after writing their seed corpora
#   make install  install into PREFIX (default /usr/local)
#   make loadtest tenon server --http against nginx (tests/loadtest/run.py): 10,000 idle
#                 connections, handshake storms (h2load), CPU per connection, faults; the table
#                 goes to $(BUILD)/loadtest/results.md. LOADTEST_ARGS=--quick for smaller numbers
#   make bogo     BoringSSL's TLS test runner (../shared/bogo) against tests/bogo/shim.c: fails on
#                 any failing test or fewer passing tests than config.json's floor
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_BYPASS_BUILD ?= build-fuzz-bypass
FUZZ_SECONDS ?= 20
PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

BOGO_DIR ?= ../shared/bogo
BOGO_OUT ?= $(BUILD)/bogo
BOGO_TESTS ?=
BOGO_WORKERS ?= 2

.PHONY: all deps check check-slow demo pictures bench asan fuzz install clean format bogo loadtest

all: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)

# The tests' dependencies come from .ci/install-deps (the script CI uses): run as root or where
# `sudo -n true` works; elsewhere make check stops at once with the command to run.
deps:
	@if ! .ci/install-deps --check >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then .ci/install-deps; \
		else .ci/install-deps --check || true; \
			echo "make check: install the test dependencies first, with:  sudo .ci/install-deps"; \
			exit 1; fi; \
	fi

check: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX) \
		-DTENON_REQUIRE_TESTS=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

check-slow: all
	$(BUILD)/tests/test_mlkem --million

# The build's own output goes to $(BUILD)/build.log (shown only if the build fails), so the
# demo is what one sees; a build without the tests' dependencies says so in one line.
demo:
	@mkdir -p $(BUILD)
	@{ test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release \
		-DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS); } > $(BUILD)/build.log 2>&1 && \
		cmake --build $(BUILD) -j $(JOBS) --target tenon >> $(BUILD)/build.log 2>&1 || \
		{ tail -40 $(BUILD)/build.log; echo "make demo: the build failed (all of it in $(BUILD)/build.log)"; exit 1; }
	@if [ -f $(BUILD)/skipped.txt ]; then echo "(note: $$(cat $(BUILD)/skipped.txt))"; fi
	@$(BUILD)/tools/tenon demo

pictures: all
	sh docs/pictures.sh $(BUILD)/tools/tenon docs

bench: all
	$(BUILD)/bench/tenon-bench

LOADTEST_ARGS ?=
loadtest: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target tenon
	python3 tests/loadtest/run.py --tenon $(BUILD)/tools/tenon --out $(BUILD)/loadtest $(LOADTEST_ARGS)

asan:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTENON_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

# Runs every fuzz_* target of build directory $(1) for FUZZ_SECONDS on its corpus directory and
# reports its executions and final coverage (and how many inputs connected, where it says).
define run_fuzz_targets
	set -e; for f in $(1)/tests/fuzz_*; do \
		name=$$(basename $$f); mkdir -p $(1)/corpus/$$name; \
		log=$(1)/$$name.log; \
		if $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			$(1)/corpus/$$name > $$log 2>&1; then \
			cov=$$(grep -E 'DONE +cov:' $$log | tail -1 | sed -E 's/.*cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+).*/cov \1, ft \2, corpus \3/'); \
			echo "$$name: $$(grep -E 'stat::number_of_executed_units' $$log | tr -s ' '), $$cov in $(FUZZ_SECONDS) s, no crash"; \
			grep -E '^fuzz_.*reached the connected state' $$log || true; \
		else tail -40 $$log; echo "$$name: FAILED"; exit 1; fi; \
	done
endef

fuzz:
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DTENON_SANITIZE=ON -DTENON_LIBFUZZER=ON -DTENON_BUILD_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	$(call run_fuzz_targets,$(FUZZ_BUILD))
	@echo "== the fuzzing build (TENON_FUZZ_BYPASS: insecure by design, fuzz targets only)"
	cmake -S . -B $(FUZZ_BYPASS_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DTENON_SANITIZE=ON -DTENON_LIBFUZZER=ON -DTENON_FUZZ_BYPASS=ON $(CMAKE_FLAGS)
	cmake --build $(FUZZ_BYPASS_BUILD) -j $(JOBS)
	set -e; for f in $(FUZZ_BYPASS_BUILD)/tests/fuzz_*; do \
		$$f -tenon_seeds=$(FUZZ_BYPASS_BUILD)/corpus/$$(basename $$f); \
	done
	$(call run_fuzz_targets,$(FUZZ_BYPASS_BUILD))

# BoGo (tests/bogo/README.md). The runner is built once into $(BOGO_OUT); BOGO_TESTS='Basic-*'
# runs a subset (the floor is then not checked).
bogo: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target tenon_shim
	test -x $(BOGO_OUT)/runner.test || $(BOGO_DIR)/build-runner.sh $(abspath $(BOGO_OUT))/runner.test
	rm -f $(BOGO_OUT)/results.json
	cd $(BOGO_OUT) && nice -n 5 ./runner.test -shim-path $(abspath $(BUILD))/tenon_shim \
		-num-workers $(BOGO_WORKERS) -pipe -allow-unimplemented \
		-shim-config $(abspath tests/bogo/config.json) -json-output results.json \
		$(if $(BOGO_TESTS),-test '$(BOGO_TESTS)') > runner.log 2>&1 || true
	python3 $(BOGO_DIR)/tools/bogo-summary.py $(BOGO_OUT)/results.json
	python3 tests/bogo/check.py $(BOGO_OUT)/results.json tests/bogo/config.json $(if $(BOGO_TESTS),--no-floor)

install: all
	cmake --install $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(FUZZ_BYPASS_BUILD)
