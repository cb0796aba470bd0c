#include "test_util.hpp"

#include "rig/yaml.hpp"

#include <unistd.h>

#include <fstream>
#include <random>

namespace rig::testing {

TempDir::TempDir() {
  std::random_device rd;
  auto base = std::filesystem::temp_directory_path();
  for (;;) {
    path_ = base / ("rig-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    if (std::filesystem::create_directory(path_)) break;
  }
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& text) const {
  auto p = path_ / name;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

rig::Node yaml(std::string_view text, std::string_view source_name) {
  return rig::load_yaml(text, std::string(source_name));
}

}  // namespace rig::testing
