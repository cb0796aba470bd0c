#!/usr/bin/env bash
# Builds the 10k-component benchmark and its baseline in build-10k/ (Release, -O2), then prints: CPU seconds to
# compile the components with and without registrations, the size of both binaries, and the runtime figures.
# Slow: ~10 minutes of CPU. Usage: bash bench/registry10k/measure.sh [SOURCE_DIR]
set -eu
src="${1:-$(cd "$(dirname "$0")/../.." && pwd)}"
out="$src/build-10k"
cmake -S "$src" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DRIG_BENCH_REGISTRY_10K=ON -DRIG_BUILD_TESTS=OFF -DRIG_BUILD_TOOLS=OFF >/dev/null
cmake --build "$out" --target rig >/dev/null
cpu() { /usr/bin/time -f "%U %S" "$@" 2>&1 >/dev/null | tail -1 | awk '{print $1 + $2}'; }
base=$(cpu cmake --build "$out" -j2 --target rig_registry_10k_baseline)
full=$(cpu cmake --build "$out" -j2 --target rig_registry_10k)
n=$(( $(grep -c RIG_COMPONENT "$out"/bench/registry10k/generated/*.cpp | awk -F: '{s+=$2} END {print s}') ))
size_full=$(stat -c %s "$out/bench/registry10k/rig_registry_10k")
size_base=$(stat -c %s "$out/bench/registry10k/rig_registry_10k_baseline")
echo "components: $n"
echo "compile CPU s: with registrations $full, baseline $base"
awk -v f="$full" -v b="$base" -v n="$n" 'BEGIN { printf "compile per component: %.1f ms\n", (f - b) * 1000 / n }'
echo "binary bytes: with $size_full, baseline $size_base"
awk -v f="$size_full" -v b="$size_base" -v n="$n" 'BEGIN { printf "binary per component: %.0f B\n", (f - b) / n }'
size "$out/bench/registry10k/rig_registry_10k" "$out/bench/registry10k/rig_registry_10k_baseline"
"$out/bench/registry10k/rig_registry_10k"
