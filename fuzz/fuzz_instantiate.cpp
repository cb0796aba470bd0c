// `instantiate` from arbitrary configs against a small registry: any bytes are loaded as YAML and the root (and each
// top-level value) is built as a Model, a Optimizer, a value type and a partial. rig builds the object or throws a
// rig::Error that names where. Never a crash, a hang or another exception; only registered components are reached.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
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

// instantiate<T>, and the property validation rests on: rig::check<T> (instantiate's checks, nothing built) reports
// exactly instantiate's errors — same ids at the same places — and none when it succeeds.
template <class T, class Use>
void build_and_check(const rig::Node& n, Use&& use) {
  std::vector<rig::Error> built;
  std::optional<T> product;
  try {
    product.emplace(rig::instantiate<T>(n));
  } catch (const rig::ErrorList& e) {
    built = e.errors();
  } catch (const rig::Error& e) {
    built = {e};
  }
  for (const auto& e : built) expect_located(e);
  if (product) attempt([&] { use(*product); });  // a partial's call: its own errors, not the property's
  std::vector<rig::Error> checked = rig::check<T>(n);
  auto key = [](const rig::Error& e) {
    return e.id() + "@" + e.key_path() + ":" + std::to_string(e.origin().line) + ":" + std::to_string(e.origin().column);
  };
  std::vector<std::string> a, b;
  for (const auto& e : built) a.push_back(key(e));
  for (const auto& e : checked) b.push_back(key(e));
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  if (a != b) __builtin_trap();
}

void build_all(const rig::Node& n) {
  build_and_check<std::shared_ptr<fz::Model>>(n, [](auto&&) {});
  build_and_check<std::unique_ptr<fz::Optimizer>>(n, [](auto&&) {});
  build_and_check<fz::Schedule>(n, [](auto&&) {});
  build_and_check<std::function<std::unique_ptr<fz::Optimizer>(double)>>(n, [](auto&& make) {
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
