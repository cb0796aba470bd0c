// rig/config.hpp — a config as recipes read it: lazily resolving, typed, located.
//
// A Config is a view of one position in a config tree. Reads resolve exactly the interpolations they need (and
// remember the results, so reading everything costs what one rig::resolve() costs); errors name the key path and
// point into the YAML.
//
//   rig::Config cfg(rig::load_yaml_file("train.yaml"));
//   int steps   = cfg.get<int>("trainer.max_steps");
//   auto dir    = cfg.get<std::string>("output_dir");        // "${root}/run1" resolved
//   rig::Config model = cfg["model"];                        // a view; follows `model: ${presets.small}`
//   auto dims   = model.get<std::vector<int64_t>>("dims");
//   rig::Node plain = cfg.resolved();                         // the whole subtree, resolved
//   if (auto m = cfg.missing_keys(); !m.empty()) ...          // every ??? at once
//
// Copies are cheap and share the resolution cache. A Config is not meant to be read from several threads at once
// without external locking; give each thread its own Config(cfg.node()) instead.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rig/interpolation.hpp"
#include "rig/node.hpp"

namespace rig {

namespace detail {
class Resolution;
struct Loc;
}  // namespace detail

class Config {
 public:
  Config();  // an empty map
  explicit Config(Node root);

  // The value at `path` (relative to this view), resolved and converted with Convert<T>.
  template <class T>
  T get(std::string_view path) const {
    KeyPath p = KeyPath::parse(path);
    KeyPath full = full_path(p);
    return Convert<T>::from(resolved_at(p), full);
  }
  template <class T>
  T get_or(std::string_view path, T fallback) const {
    KeyPath p = KeyPath::parse(path);
    if (!contains(path)) return fallback;
    KeyPath full = full_path(p);
    return Convert<T>::from(resolved_at(p), full);
  }
  // This view's own value, resolved and converted.
  template <class T>
  T as() const {
    KeyPath p;
    KeyPath full = path_;
    return Convert<T>::from(resolved_at(p), full);
  }

  bool contains(std::string_view path) const;
  Config operator[](std::string_view key) const;
  Config operator[](size_t index) const;
  Config at(std::string_view path) const;

  const Node& node() const;  // this view's node as written (interpolations unresolved)
  Node resolved() const;     // this view's subtree, fully resolved; an unreferenced ??? stays ???
  std::vector<std::string> missing_keys() const;  // full key paths of every ??? under this view
  const KeyPath& path() const { return path_; }
  const Node& root() const;

 private:
  Config(std::shared_ptr<detail::Resolution> state, const detail::Loc* loc, KeyPath path);
  Node resolved_at(const KeyPath& path) const;
  KeyPath full_path(const KeyPath& relative) const;

  std::shared_ptr<detail::Resolution> state_;
  const detail::Loc* loc_ = nullptr;
  KeyPath path_;
};

}  // namespace rig
