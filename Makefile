# rig: the two commands of the quick start. Each one installs what is missing, configures, builds, then runs.
#   make run   - the main job
#   make test  - every test, also the core tests under ASan+UBSan
JOBS ?= $(shell nproc)

.PHONY: run test deps deps-run build build-asan build-tsan build-fuzz fuzz fuzz-smoke bench clean run-classify

# Two sets of Debian packages (scripts/install-deps): `run` for the main job, `test` adds the test and development
# tools (SLURM, munge, clang, hyperfine, the Python oracles, the shells completion is tested in, ...).
deps-run:
	@scripts/install-deps run

deps:
	@scripts/install-deps test

build: deps
	@cmake --preset default -DRIG_BUILD_TESTS=ON -DRIG_BUILD_BENCH=ON >/dev/null
	@cmake --build --preset default -j $(JOBS)

build-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)

build-tsan: deps
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan -j $(JOBS) --target rig_thread_tests

build-fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)

# The main job: train the classify recipe on Fashion-MNIST and print its test accuracy. Builds only what it runs
# (the recipe and the rig tool); the run directory is outputs/classify/<date>_<time>.
# Configured without tests and benchmarks: their packages (GoogleTest, Google Benchmark) are in the test set only.
run: deps-run
	@cmake --preset default -DRIG_BUILD_TESTS=OFF -DRIG_BUILD_BENCH=OFF >/dev/null
	@cmake --build --preset default -j $(JOBS) --target classify rig_tool
	./build/tools/rig/rig run classify --config fashion_mnist_mlp

run-classify: run

# The ASan run gets a 64 MiB stack: interpolation resolution recurses once per link of a chain, up to the configured
# limits (tests/limits_test.cpp, InterpolationScale), and ASan's frames are several times larger.
test: build build-asan build-tsan build-fuzz
	ctest --preset default -j $(JOBS)
	ulimit -s 65536 && ctest --preset asan -j $(JOBS) -L core
	ctest --test-dir build-tsan -L threads --output-on-failure
	fuzz/run 20

# Longer fuzzing sessions: make fuzz FUZZ_SECONDS=600
FUZZ_SECONDS ?= 120
fuzz: build-fuzz
	fuzz/run $(FUZZ_SECONDS)

bench: build
	bench/run-all

clean:
	rm -rf build build-asan build-tsan build-fuzz
