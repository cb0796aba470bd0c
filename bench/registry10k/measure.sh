#!/usr/bin/env bash
# The registry measurements of docs/performance.md. Usage: bash bench/registry10k/measure.sh [--compile-only] [SOURCE_DIR]
#  1. compile time and object size per component: one generated file of 100 components compiled at -O2 with and
#     without its RIG_COMPONENT lines (CPU seconds, `size` of the object), the difference divided by 100; and the
#     same against the hand-written factory functions rig replaces (which, unlike the bare file, compile the
#     classes' own code: constructors, vtables, destructors). Each compile is the best of 3, interleaved;
#  2. the 10k binary (build-10k/, librig at -O2, the generated components at -O0 to keep the build to minutes on a
#     shared 2-core machine): start-up registration, index build, lookup time, memory per entry.
set -eu
compile_only=0
if [[ "${1:-}" == --compile-only ]]; then compile_only=1; shift; fi
src="${1:-$(cd "$(dirname "$0")/../.." && pwd)}"
out="$src/build-10k"
gen=$(mktemp -d)
trap 'rm -rf "$gen"' EXIT
python3 "$src/bench/registry10k/generate.py" "$gen" 1 100
cpu() { /usr/bin/time -f "%U %S" "$@" 2>&1 >/dev/null | tail -1 | awk '{print $1 + $2}'; }
flags="-std=c++20 -O2 -DNDEBUG -I$src/include -I$src/bench/registry10k -c $gen/components_000.cpp"
with=9999 without=9999 factory=9999
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; }
for run in 1 2 3; do
  with=$(min "$with" "$(cpu g++ $flags -o "$gen/with.o")")
  without=$(min "$without" "$(cpu g++ $flags -DRIG_BENCH_NO_REGISTER -o "$gen/without.o")")
  factory=$(min "$factory" "$(cpu g++ $flags -DRIG_BENCH_HAND_FACTORY -o "$gen/factory.o")")
done
bytes() { size "$1" | awk 'NR==2 {print $4}'; }
bytes_with=$(bytes "$gen/with.o") bytes_without=$(bytes "$gen/without.o") bytes_factory=$(bytes "$gen/factory.o")
echo "compile CPU s for 100 components: registered $with, bare classes $without, hand-written factories $factory"
awk -v f="$with" -v b="$without" 'BEGIN { printf "compile per component: %.1f ms (registered minus bare)\n", (f - b) * 10 }'
awk -v f="$with" -v b="$factory" \
  'BEGIN { printf "compile per component: %.1f ms (registered minus hand-written factories)\n", (f - b) * 10 }'
echo "object bytes (text+data+bss): registered $bytes_with, bare $bytes_without, factories $bytes_factory"
awk -v f="$bytes_with" -v b="$bytes_without" 'BEGIN { printf "object size per component: %.0f B (minus bare)\n", (f - b) / 100 }'
awk -v f="$bytes_with" -v b="$bytes_factory" \
  'BEGIN { printf "object size per component: %.0f B (minus factories)\n", (f - b) / 100 }'
((compile_only)) && exit 0

cmake -S "$src" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DRIG_BENCH_REGISTRY_10K=ON -DRIG_10K_COMPONENT_FLAGS=-O0 -DRIG_BUILD_TESTS=OFF -DRIG_BUILD_TOOLS=OFF >/dev/null
cmake --build "$out" -j2 --target rig_registry_10k >/dev/null
bin="$out/bench/registry10k/rig_registry_10k"
for run in 1 2 3; do echo "--- run $run"; "$bin"; done
