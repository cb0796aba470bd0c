// Writes the inputs of bench/compare_cold.py (the same generators as the in-process benchmarks) into DIR:
//   synthetic.yaml      10k leaves, 1k interpolations (bench_interp's synthetic tree)
//   large20.yaml        the generated ~20 MB config (bench_yaml's)
//   config100k.yaml     100 sections x 10 groups x 100 leaves (bench_overrides' config)
//   overrides1000.txt   bench_overrides' 1,000 overrides, one a line
// and prints each file's node count as JSON on stdout.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "bench_util.hpp"
#include "rig/yaml.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: rig_bench_cold_inputs DIR\n");
    return 2;
  }
  std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  auto write = [&](const char* name, const std::string& text) {
    std::ofstream(dir / name, std::ios::binary) << text;
    return rig::load_yaml(text).node_count();
  };
  size_t synthetic = write("synthetic.yaml", rig::bench::synthetic_yaml(10000, 1000));
  size_t large = write("large20.yaml", rig::bench::large_config_yaml(20u << 20));
  size_t config100k = write("config100k.yaml", rig::dump_yaml(rig::bench::big_config()));
  std::ofstream overrides(dir / "overrides1000.txt");
  for (const auto& o : rig::bench::override_args()) overrides << o << '\n';
  std::printf("{\"synthetic.yaml\": %zu, \"large20.yaml\": %zu, \"config100k.yaml\": %zu}\n", synthetic, large, config100k);
  return 0;
}
