# Thin wrapper over CMake so that the README's commands stay short.
#   make          build the library, the tools, the tests and the benchmark (Release)
#   make check    build and run every test (ctest)
#   make demo     the main job: an in-process TLS handshake with its trace (tenon demo)
#   make bench    run the benchmark: tenon and OpenSSL side by side
#   make asan     build and run every test under AddressSanitizer + UBSan
#   make fuzz     build the libFuzzer targets (clang, ASan) and run each for FUZZ_SECONDS
#   make install  install into PREFIX (default /usr/local)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 20
PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all check demo bench asan fuzz install clean format

all: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)

check: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: all
	$(BUILD)/tools/tenon demo

bench: all
	$(BUILD)/bench/tenon-bench

asan:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTENON_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

fuzz:
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DTENON_SANITIZE=ON -DTENON_LIBFUZZER=ON -DTENON_BUILD_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	set -e; for f in $(FUZZ_BUILD)/tests/fuzz_*; do \
		name=$$(basename $$f); mkdir -p $(FUZZ_BUILD)/corpus/$$name; \
		log=$(FUZZ_BUILD)/$$name.log; \
		if $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			$(FUZZ_BUILD)/corpus/$$name > $$log 2>&1; then \
			echo "$$name: $$(grep -E 'stat::number_of_executed_units' $$log | tr -s ' ') in $(FUZZ_SECONDS) s, no crash"; \
		else tail -40 $$log; echo "$$name: FAILED"; exit 1; fi; \
	done

install: all
	cmake --install $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
