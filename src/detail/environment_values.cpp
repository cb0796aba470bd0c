#include "detail/environment_values.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

namespace rig::detail {

namespace {

struct Noted {
  std::string variable, value;
};

struct Values {
  std::mutex mutex;
  std::vector<Noted> values;  // longest first, so that a value containing another is replaced whole
  std::atomic<bool> any{false};
};

Values& values() {
  static Values v;
  return v;
}

}  // namespace

void note_environment_value(std::string_view variable, std::string_view value) {
  if (value.size() < kMinHiddenLength) return;
  Values& v = values();
  std::lock_guard lock(v.mutex);
  for (const auto& n : v.values)
    if (n.value == value) return;
  v.values.push_back({std::string(variable), std::string(value)});
  std::stable_sort(v.values.begin(), v.values.end(),
                   [](const Noted& a, const Noted& b) { return a.value.size() > b.value.size(); });
  v.any = true;
}

std::string hide_environment_values(std::string text) {
  Values& v = values();
  if (!v.any.load(std::memory_order_relaxed)) return text;
  std::lock_guard lock(v.mutex);
  for (const auto& n : v.values) {
    std::string shown = "<env:" + n.variable + ">";
    for (size_t p = text.find(n.value); p != std::string::npos; p = text.find(n.value, p + shown.size()))
      text.replace(p, n.value.size(), shown);
  }
  return text;
}

namespace {
constexpr std::string_view kEnvironmentSourcePrefix = "env ";
}  // namespace

std::string environment_source_name(std::string_view variable) {
  return std::string(kEnvironmentSourcePrefix) + std::string(variable);
}

std::optional<std::string_view> environment_variable_of(const Source* source) {
  if (!source || !source->name.starts_with(kEnvironmentSourcePrefix)) return std::nullopt;
  return std::string_view(source->name).substr(kEnvironmentSourcePrefix.size());
}

}  // namespace rig::detail
