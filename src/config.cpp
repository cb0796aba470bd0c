#include "rig/config.hpp"

#include <atomic>
#include <mutex>
#include <unordered_set>

#include "detail/read_log.hpp"
#include "detail/resolution.hpp"

namespace rig {

namespace {

// The active ReadLog's record (detail/read_log.hpp). `logging` spares reads the lock when no log is active.
struct ActiveReads {
  std::mutex mutex;
  Node root;  // the tree whose reads count (shares its storage; null when no log is active)
  std::vector<std::string> paths;
  std::unordered_set<std::string> seen;
};
ActiveReads& active_reads() {
  static ActiveReads a;
  return a;
}
std::atomic<bool> logging{false};

}  // namespace

detail::ReadLog::ReadLog(const Node& root) {
  ActiveReads& a = active_reads();
  std::lock_guard lock(a.mutex);
  a.root = root;
  a.paths.clear();
  a.seen.clear();
  logging = true;
}

detail::ReadLog::~ReadLog() {
  ActiveReads& a = active_reads();
  std::lock_guard lock(a.mutex);
  logging = false;
  a.root = Node();
}

std::vector<std::string> detail::ReadLog::paths() const {
  ActiveReads& a = active_reads();
  std::lock_guard lock(a.mutex);
  return a.paths;
}

void detail::ReadLog::note(const Node& root, const KeyPath& full) {
  if (!logging.load(std::memory_order_relaxed)) return;
  ActiveReads& a = active_reads();
  std::lock_guard lock(a.mutex);
  if (!root.same_storage(a.root)) return;
  std::string s = full.to_string();
  if (a.seen.insert(s).second) a.paths.push_back(std::move(s));
}

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
  Node out = state_->materialize(state_->walk(loc_, path, path_));
  detail::ReadLog::note(state_->root(), full_path(path));
  return out;
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

const Node& Config::node() const {
  detail::ReadLog::note(state_->root(), path_);
  return *loc_->node;
}
const Node& Config::root() const { return state_->root(); }

Node Config::resolved() const {
  Node out = state_->tree_at(loc_);
  detail::ReadLog::note(state_->root(), path_);
  return out;
}

std::vector<std::string> Config::missing_keys() const {
  std::vector<std::string> out;
  for (const auto& k : rig::missing_keys(*loc_->node)) {
    KeyPath full = full_path(KeyPath::parse(k));
    out.push_back(full.to_string());
  }
  return out;
}

}  // namespace rig
