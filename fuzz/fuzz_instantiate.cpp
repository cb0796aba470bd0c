// `instantiate` from arbitrary configs against a small registry: any bytes are loaded as YAML and the root (and each
// top-level value) is built as a Model, a Optimizer, a value type and a partial. rig builds the object or throws a
// rig::Error that names where. Never a crash, a hang or another exception; only registered components are reached.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "instantiate_registry.hpp"
#include "rig/validate.hpp"
#include "rig/yaml.hpp"

namespace {

void expect_located(const rig::Error& e) {
  if (e.id().empty()) __builtin_trap();
  (void)rig::format(e);
}

template <class F>
void attempt(F&& f) {
  try {
    f();
  } catch (const rig::Error& e) {
    expect_located(e);
  }
}

void build_all(const rig::Node& n) {
  attempt([&] { (void)rig::instantiate<std::shared_ptr<fz::Model>>(n); });
  attempt([&] { (void)rig::instantiate<std::unique_ptr<fz::Optimizer>>(n); });
  attempt([&] { (void)rig::instantiate<fz::Schedule>(n); });
  attempt([&] {
    auto make = rig::instantiate<std::function<std::unique_ptr<fz::Optimizer>(double)>>(n);
    if (make) (void)make(0.5);
  });
  attempt([&] { (void)rig::with_defaults(n); });
  std::vector<rig::Error> errors;
  attempt([&] { rig::check_component(n, nullptr, {}, errors); });
  for (const auto& e : errors) expect_located(e);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool once = [] {
    rig::record_operative_config(false);  // a process-long list would only grow
    return true;
  }();
  (void)once;
  rig::Node root;
  try {
    root = rig::load_yaml(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.yaml");
  } catch (const rig::Error& e) {
    expect_located(e);
    return 0;
  }
  build_all(root);
  if (root.is_map())
    for (const auto& entry : root.entries()) build_all(entry.value);
  attempt([&] {
    rig::ValidationReport r = rig::validate_config(root);
    (void)r.format();
  });
  return 0;
}
