#include "rig/config.hpp"

#include "detail/resolution.hpp"

namespace rig {

Config::Config() : Config(Node::map()) {}

Config::Config(Node root) : state_(std::make_shared<detail::Resolution>(std::move(root))) {
  loc_ = state_->root_loc();
}

Config::Config(std::shared_ptr<detail::Resolution> state, const detail::Loc* loc, KeyPath path)
    : state_(std::move(state)), loc_(loc), path_(std::move(path)) {}

KeyPath Config::full_path(const KeyPath& relative) const {
  KeyPath full = path_;
  for (const auto& s : relative.segments()) {
    if (s.index && s.key.size() <= 18)  // longer: no list has such an index; kept as written
      full.push_index(std::stoull(s.key));
    else
      full.push_key(s.key);
  }
  return full;
}

Node Config::resolved_at(const KeyPath& path) const {
  return state_->materialize(state_->walk(loc_, path, path_));
}

bool Config::contains(std::string_view path) const {
  try {
    (void)state_->walk(loc_, KeyPath::parse(path), path_);
    return true;
  } catch (const KeyError&) {
    return false;
  }
}

Config Config::at(std::string_view path) const {
  KeyPath p = KeyPath::parse(path);
  detail::Value v = state_->walk(loc_, p, path_);
  return Config(state_, state_->place(v), full_path(p));
}

Config Config::operator[](std::string_view key) const {
  KeyPath p;
  p.push_key(std::string(key));
  detail::Value v = state_->walk(loc_, p, path_);
  return Config(state_, state_->place(v), full_path(p));
}

Config Config::operator[](size_t index) const {
  KeyPath p;
  p.push_index(index);
  detail::Value v = state_->walk(loc_, p, path_);
  return Config(state_, state_->place(v), full_path(p));
}

const Node& Config::node() const { return *loc_->node; }
const Node& Config::root() const { return state_->root(); }

Node Config::resolved() const { return state_->tree_at(loc_); }

std::vector<std::string> Config::missing_keys() const {
  std::vector<std::string> out;
  for (const auto& k : rig::missing_keys(node())) {
    KeyPath full = full_path(KeyPath::parse(k));
    out.push_back(full.to_string());
  }
  return out;
}

}  // namespace rig
