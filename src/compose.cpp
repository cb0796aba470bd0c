// Composition: the search path, the defaults tree (Hydra 1.1+ rules) and the merge of the final defaults list.
//
// The tree is built the way Hydra builds it: a config's own `override` entries are recorded before its children are
// expanded, and children are expanded last to first, so a later entry (and the command line, recorded first of all)
// wins over an earlier one; the first recorded override of a key is the one used.
#include "rig/compose.hpp"
#include "rig/limits.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <set>
#include <unordered_map>

#include "detail/defaults_entry.hpp"
#include "detail/list_merge.hpp"
#include "rig/interpolation.hpp"
#include "rig/overrides.hpp"
#include "rig/yaml.hpp"

namespace fs = std::filesystem;

namespace rig {

namespace {

constexpr std::string_view kExtensions[] = {".yaml", ".yml", ".json"};

bool has_config_extension(std::string_view name) {
  for (auto ext : kExtensions)
    if (name.ends_with(ext)) return true;
  return false;
}

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}
std::vector<fs::path>& registry() {
  static std::vector<fs::path> dirs;
  return dirs;
}

// Every name in `names`, the ones closest to `word` first.
std::vector<std::string> closest_first(std::string_view word, std::vector<std::string> names) {
  std::vector<std::string> out = closest(word, names, names.size());
  for (auto& n : names)
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(std::move(n));
  return out;
}

// `hydra`, `hydra/...` (groups) and `hydra.` keys: Hydra's own namespace (ComposeOptions::keep_hydra).
bool in_hydra_namespace(std::string_view key) {
  return key == "hydra" || key.starts_with("hydra/") || key.starts_with("hydra.") || key.starts_with("hydra@");
}

std::string join(const std::vector<std::string>& xs, std::string_view sep = ", ") {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : std::string(sep)) + x;
  return out;
}

}  // namespace

// ---- SearchPath -------------------------------------------------------------------------------------------------------

SearchPath SearchPath::standard(const std::vector<fs::path>& config_dirs) {
  SearchPath sp;
  for (const auto& d : config_dirs) sp.add(d, "--config-dir");
  if (const char* env = std::getenv("RIG_CONFIG_PATH"); env && *env) {
    std::string_view rest = env;
    while (!rest.empty()) {
      size_t colon = rest.find(':');
      std::string_view dir = rest.substr(0, colon);
      if (!dir.empty()) sp.add(fs::path(std::string(dir)), "RIG_CONFIG_PATH");
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    }
  }
  for (const auto& d : registered_config_dirs()) sp.add(d, "registered");
  return sp;
}

SearchPath& SearchPath::add(fs::path dir, std::string provider) {
  dirs_.push_back({std::move(dir), std::move(provider)});
  return *this;
}

SearchPath& SearchPath::prepend(fs::path dir, std::string provider) {
  dirs_.insert(dirs_.begin(), {std::move(dir), std::move(provider)});
  return *this;
}

std::optional<fs::path> SearchPath::find(std::string_view name) const {
  if (detail::escapes_search_path(name)) return std::nullopt;  // callers report it where it was written
  if (name.starts_with('/')) return std::nullopt;  // a name is relative to the search path's directories
  for (const auto& d : dirs_) {
    std::vector<fs::path> hits;
    for (auto ext : kExtensions) {
      fs::path p = d.path / (std::string(name) + std::string(ext));
      std::error_code ec;
      if (fs::is_regular_file(p, ec)) hits.push_back(p);
    }
    if (hits.size() > 1) {
      std::vector<std::string> files;
      for (const auto& h : hits) files.push_back(h.string());
      throw Error("rig.compose.ambiguous_name",
                  fmt::format("config name '{}' matches {} files in {}: {}", name, hits.size(), d.path.string(),
                              join(files)),
                  Origin{Source::make(hits.front().string())}, {}, "keep one of them, or rename the others");
    }
    if (hits.size() == 1) {
      if (!allow_links_outside_) check_inside(hits.front(), name);
      return hits.front();
    }
  }
  return std::nullopt;
}

// A file reached through a symlink must resolve inside one of the search path's directories.
void SearchPath::check_inside(const fs::path& file, std::string_view name) const {
  std::error_code ec;
  fs::path real = fs::canonical(file, ec);
  if (ec) return;  // reading it reports the problem
  for (const auto& d : dirs_) {
    fs::path root = fs::canonical(d.path, ec);
    if (ec) continue;
    auto [r, f] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
    if (r == root.end()) return;
  }
  throw Error("rig.compose.outside_search_path",
              fmt::format("config '{}' is {}, a link to {}, outside the search path", name, file.string(),
                          real.string()),
              Origin{Source::make(file.string())}, {},
              "copy the file into a config directory, add its directory with --config-dir, or allow links that "
              "leave the search path with --allow-outside-links");
}

bool SearchPath::group_exists(std::string_view group) const {
  if (group.empty() || detail::escapes_search_path(group)) return false;
  for (const auto& d : dirs_) {
    std::error_code ec;
    if (fs::is_directory(d.path / std::string(group), ec)) return true;
  }
  return false;
}

std::vector<std::string> SearchPath::options(std::string_view group) const {
  std::set<std::string> names;
  if (detail::escapes_search_path(group)) return {};
  for (const auto& d : dirs_) {
    std::error_code ec;
    fs::path dir = group.empty() ? d.path : d.path / std::string(group);
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string file = it->path().filename().string();
      for (auto ext : kExtensions)
        if (file.size() > ext.size() && file.ends_with(ext)) names.insert(file.substr(0, file.size() - ext.size()));
    }
  }
  return {names.begin(), names.end()};
}

std::string SearchPath::describe() const {
  if (dirs_.empty()) return "  (empty)";
  std::string out;
  for (const auto& d : dirs_) out += fmt::format("{}  {}: {}", out.empty() ? "" : "\n", d.provider, d.path.string());
  return out;
}

void register_config_dir(fs::path dir) {
  std::lock_guard lock(registry_mutex());
  registry().push_back(std::move(dir));
}

std::vector<fs::path> registered_config_dirs() {
  std::lock_guard lock(registry_mutex());
  return registry();
}

namespace {

// rig.compose.bad_name when `name` would be looked up outside the search path (`../x`, `a/./b`).
void check_config_name(std::string_view name, const Origin& where) {
  if (!detail::escapes_search_path(name)) return;
  throw Error("rig.compose.bad_name",
              fmt::format("'{}' is not a config name: names are looked up inside the search path and may not "
                          "contain '.' or '..' segments or backslashes",
                          name),
              where, {},
              "to use a config outside the search path, add its directory with --config-dir (or RIG_CONFIG_PATH)");
}

}  // namespace

fs::path find_primary_config(std::string_view name, const SearchPath& search_path, const Origin& where) {
  if (has_config_extension(name)) {
    fs::path p{std::string(name)};
    std::error_code ec;
    if (!fs::is_regular_file(p, ec))
      throw IoError("rig.io.not_found", fmt::format("cannot read '{}': no such file", name),
                    Origin{Source::make(std::string(name))});
    return p;
  }
  std::string hint_path;
  for (auto ext : kExtensions) {
    std::error_code ec;
    if (fs::is_regular_file(std::string(name) + std::string(ext), ec)) {
      hint_path = std::string(name) + std::string(ext);
      break;
    }
  }
  check_config_name(name, Origin{Source::make(std::string(name))});
  if (search_path.empty())
    throw Error("rig.compose.no_search_path",
                     fmt::format("'{}' is a config name, but no config directory is set", name), {}, {},
                     hint_path.empty() ? "pass --config-dir DIR, set RIG_CONFIG_PATH, or give a file path with "
                                         "its extension (.yaml, .yml, .json)"
                                       : fmt::format("to load the file, write its path with the extension: {}",
                                                     hint_path));
  if (auto found = search_path.find(name)) return *found;
  std::string group, leaf(name);
  if (size_t slash = leaf.rfind('/'); slash != std::string::npos) {
    group = leaf.substr(0, slash);
    leaf = leaf.substr(slash + 1);
  }
  auto names = closest_first(leaf, search_path.options(group));
  Error err("rig.compose.unknown_config", fmt::format("no config named '{}' on the search path", name), where, {},
            hint_path.empty() ? did_you_mean(leaf, names)
                              : fmt::format("names are looked up on the search path only; to load the file, write "
                                            "its path with the extension: {}",
                                            hint_path));
  err.add_note({}, names.empty() ? std::string("the search path has no configs")
                                 : fmt::format("available{}: {}", group.empty() ? "" : " in '" + group + "'",
                                               join(names)));
  err.add_note({}, "search path:\n" + search_path.describe());
  throw err;
}

// ---- the defaults tree ----------------------------------------------------------------------------------------------

namespace {

using detail::DefaultEntry;
using detail::Placed;

struct LoadedConfig {
  fs::path file;
  Node body;  // without `defaults`
  std::vector<DefaultEntry> defaults;
  std::optional<detail::PackageHeader> header;
  bool has_policies = false;
};

// Loads each config once. Configs named by a defaults list are prefetched: worker threads read and parse them while
// the tree is being built, so the parse (most of a composition's cost) uses every core.
class Repository {
 public:
  explicit Repository(const SearchPath& sp) : sp_(sp) {}
  Repository(const Repository&) = delete;
  Repository& operator=(const Repository&) = delete;
  ~Repository() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      queue_.clear();
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
  }

  // The config, or nullptr when no file has that name. Rethrows the error of loading it.
  const LoadedConfig* load(const std::string& config_path) {
    std::unique_lock lock(mutex_);
    Slot& slot = slots_[config_path];
    if (slot.state == State::Queued) {
      queue_.erase(std::find(queue_.begin(), queue_.end(), config_path));
      slot.state = State::Absent;
    }
    if (slot.state == State::Absent) {
      slot.state = State::Loading;
      lock.unlock();
      Slot loaded = read_slot(config_path);
      lock.lock();
      slot = std::move(loaded);
      done_.notify_all();
    }
    done_.wait(lock, [&] { return slot.state == State::Done; });
    if (slot.error) std::rethrow_exception(slot.error);
    return slot.config ? &*slot.config : nullptr;
  }

  // Starts loading `config_path` in the background (when the machine has cores to spare).
  void prefetch(const std::string& config_path) {
    static const unsigned kWorkers = std::min(4u, std::max(1u, std::thread::hardware_concurrency()) - 1);
    if (kWorkers == 0) return;
    std::lock_guard lock(mutex_);
    Slot& slot = slots_[config_path];
    if (slot.state != State::Absent) return;
    slot.state = State::Queued;
    queue_.push_back(config_path);
    if (workers_.size() < kWorkers) workers_.emplace_back([this] { work(); });
    wake_.notify_one();
  }

  const SearchPath& search_path() const { return sp_; }

 private:
  enum class State { Absent, Queued, Loading, Done };
  struct Slot {
    State state = State::Absent;
    std::optional<LoadedConfig> config;
    std::exception_ptr error;
  };

  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      std::string path = std::move(queue_.front());
      queue_.pop_front();
      slots_[path].state = State::Loading;
      lock.unlock();
      Slot loaded = read_slot(path);
      lock.lock();
      slots_[path] = std::move(loaded);
      done_.notify_all();
    }
  }

  Slot read_slot(const std::string& config_path) const {
    Slot s;
    s.state = State::Done;
    try {
      if (auto file = sp_.find(config_path)) s.config = read(*file);
    } catch (...) {
      s.error = std::current_exception();
    }
    return s;
  }

  static LoadedConfig read(const fs::path& file) {
    LoadedConfig c;
    c.file = file;
    std::string text = read_file(file);
    bool json = file.extension() == ".json";
    c.body = json ? load_json(text, file.string()) : load_yaml(text, file.string());
    if (c.body.is_null()) c.body = Node::map(c.body.origin());
    if (!c.body.is_map())
      throw Error("rig.compose.not_a_map",
                  fmt::format("a composed config must be a map of keys, but '{}' holds a {}", file.string(),
                              kind_name(c.body.kind())),
                  c.body.origin().known() ? c.body.origin() : Origin{Source::make(file.string(), text), 1, 1});
    if (const Node* d = c.body.find("defaults")) {
      c.defaults = detail::parse_defaults(*d);
      c.body.erase("defaults");
    }
    if (!json) c.header = detail::find_package_header(c.body.origin().source ? c.body.origin().source
                                                                             : Source::make(file.string(), text));
    c.has_policies = detail::has_list_policies(c.body);
    return c;
  }

  const SearchPath& sp_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::deque<std::string> queue_;
  std::unordered_map<std::string, Slot> slots_;  // node-based: pointers to configs stay valid
  std::vector<std::thread> workers_;
  bool stopping_ = false;
};

struct ChoiceOverride {
  DefaultEntry::Value value = DefaultEntry::Value::Name;
  std::vector<std::string> names;
  bool append = false;     // `group+=[x]`: extends the choice
  bool force_add = false;  // `++group=x`: appended when nothing matches
  bool external = false;
  bool used = false;
  Origin origin;
  std::string text;        // as the user wrote it, for messages
  std::string containing;  // the config whose defaults list holds it
};

struct Deletion {
  std::optional<std::string> name;
  Origin origin;
  std::string text;
  bool used = false;
};

struct KnownChoice {
  std::string name;
  Origin origin;
  bool external = false;
  bool is_null = false;
};

struct FixedEntry {
  std::string group, name;
  Origin origin;
};

std::string describe_value(const DefaultEntry::Value v, const std::vector<std::string>& names) {
  switch (v) {
    case DefaultEntry::Value::Null: return "null";
    case DefaultEntry::Value::Missing: return "???";
    case DefaultEntry::Value::Names: return "[" + join(names) + "]";
    case DefaultEntry::Value::Name: return names.empty() ? "" : names.front();
  }
  return {};
}

class TreeBuilder {
 public:
  TreeBuilder(Repository& repo, bool hydra_namespace) : repo_(repo), hydra_namespace_(hydra_namespace) {}

  std::map<std::string, ChoiceOverride> choices;
  std::map<std::string, Deletion> deletions;
  std::vector<DefaultEntry> appends;

  DefaultsTreeNode build(Placed primary) {
    DefaultsTreeNode root = expand(std::move(primary), true);
    check_all_used();
    return root;
  }

  // Keys of `++group=x` overrides that matched nothing (to retry as appends).
  std::vector<std::string> unused_force_adds() const {
    std::vector<std::string> out;
    for (const auto& [k, c] : choices)
      if (c.force_add && !c.used) out.push_back(k);
    return out;
  }

  // What a defaults-list interpolation may name: the choices made so far, by identity (a null choice names nothing).
  std::vector<std::pair<std::string, std::string>> known_choices() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [k, v] : known_)
      if (!v.is_null) out.emplace_back(k, v.name);
    return out;
  }

  void check_all_used() const;

 private:
  DefaultsTreeNode expand(Placed el, bool is_root);
  void expand_children(DefaultsTreeNode& node, const Placed& el, const LoadedConfig& loaded, bool is_root);
  DefaultsTreeNode expand_multi_select(const Placed& el, DefaultsTreeNode node, const Origin& choice_origin);
  void record_known(const Placed& el, const Origin& choice_origin);
  void register_overrides(const std::vector<DefaultEntry>& defaults, const Placed& parent, const std::string& path);
  bool apply_override(Placed& el, DefaultsTreeNode& node);
  void prefetch_children(const std::vector<DefaultEntry>& defaults, const Placed& parent, const std::string& package);
  [[noreturn]] void unknown_option(const Placed& el, const Origin& choice_origin);
  void check_leaf(const DefaultsTreeNode& node, const Origin& choice_origin, bool external);
  void check_cycle(const std::string& config_path, const Origin& at) const;

  Repository& repo_;
  bool hydra_namespace_;  // the hydra group is Hydra's: not composed (ComposeOptions::keep_hydra)
  std::map<std::string, KnownChoice> known_;
  std::map<std::string, std::vector<std::string>> known_keys_by_group_;
  std::vector<FixedEntry> fixed_;
  std::vector<std::pair<std::string, Origin>> stack_;  // configs being expanded, with the entry that led in
  std::map<std::string, std::pair<Origin, bool>> leaves_;  // identities of leaf options: where chosen, external
};

void TreeBuilder::check_cycle(const std::string& config_path, const Origin& at) const {
  for (size_t i = 0; i < stack_.size(); ++i) {
    if (stack_[i].first != config_path) continue;
    std::string chain;
    for (size_t j = i; j < stack_.size(); ++j) chain += stack_[j].first + " -> ";
    chain += config_path;
    Error err("rig.compose.cycle", fmt::format("cycle in defaults lists: {}", chain), at, {},
              "remove one of the entries so that no config includes itself");
    for (size_t j = i + 1; j < stack_.size(); ++j)
      err.add_note(stack_[j].second, fmt::format("'{}' is included here", stack_[j].first));
    throw err;
  }
}

void TreeBuilder::record_known(const Placed& el, const Origin& choice_origin) {
  std::string key = el.override_key();
  std::string name = describe_value(el.entry.value, el.entry.names);
  auto [it, fresh] = known_.try_emplace(
      key, KnownChoice{name, choice_origin, el.entry.external, el.entry.value == DefaultEntry::Value::Null});
  // One identity (group + final package) chosen twice is an error when the choices differ (Hydra: "Multiple values
  // for KEY"). The same choice twice is checked once the option is loaded: see check_leaf.
  if (!fresh && name != it->second.name) {
    const KnownChoice& other = it->second;
    bool add = el.entry.external || other.external;
    const Origin& here = el.entry.external ? choice_origin : other.external ? other.origin : choice_origin;
    Error err(add ? "rig.compose.add_exists" : "rig.compose.duplicate_group",
              add ? fmt::format("cannot add '{}': the defaults list already chooses it", key)
              : name == other.name ? fmt::format("'{}' appears twice in the defaults tree (both '{}')", key, name)
                                   : fmt::format("'{}' is chosen twice: '{}' and '{}'", key, name, other.name),
              add ? here : choice_origin, {},
              add ? fmt::format("to change the choice, write {}={}", key, el.entry.external ? name : other.name)
                  : fmt::format("to change a choice made elsewhere, write `- override {}: {}`", key, name));
    err.add_note(add ? (el.entry.external ? other.origin : choice_origin) : other.origin,
                 "the other choice is made here");
    throw err;
  }
  auto& keys = known_keys_by_group_[el.group_path()];
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
}

void TreeBuilder::register_overrides(const std::vector<DefaultEntry>& defaults, const Placed& parent,
                                     const std::string& path) {
  const DefaultEntry* last_override = nullptr;
  for (const auto& d : defaults) {
    if (d.type == DefaultEntry::Type::Self) continue;
    if (last_override && !d.is_override && !d.external) {
      Error err("rig.compose.override_position",
                fmt::format("in '{}': override entries must come after the other entries of a defaults list", path),
                last_override->origin, {}, "move the `override` entries to the end of the list");
      err.add_note(d.origin, "this entry follows it");
      throw err;
    }
    if (!d.is_override) continue;
    last_override = &d;
    Placed p{d, parent.group_path(), parent.final_package(), std::nullopt, false};
    std::string key = p.override_key();
    if (choices.count(key)) continue;  // the command line and later entries were recorded first: they win
    ChoiceOverride c;
    c.value = d.value;
    c.names = d.names;
    c.origin = d.origin;
    c.text = fmt::format("override {}: {}", d.path, describe_value(d.value, d.names));
    c.containing = path;
    choices.emplace(key, std::move(c));
  }
}

bool TreeBuilder::apply_override(Placed& el, DefaultsTreeNode& node) {
  auto it = choices.find(el.override_key());
  if (it == choices.end()) return false;
  ChoiceOverride& c = it->second;
  c.used = true;
  if (c.append) {
    std::vector<std::string> names;
    if (el.entry.value == DefaultEntry::Value::Name || el.entry.value == DefaultEntry::Value::Names)
      names = el.entry.names;
    names.insert(names.end(), c.names.begin(), c.names.end());
    el.entry.names = std::move(names);
    el.entry.value = DefaultEntry::Value::Names;
  } else {
    el.entry.value = c.value;
    el.entry.names = c.names;
  }
  node.overridden = true;
  node.origin = c.origin;
  return true;
}

// Queues the configs the children will most likely load: their choices as known now (a later subtree may still
// override one; then the prefetched file is simply not used).
void TreeBuilder::prefetch_children(const std::vector<DefaultEntry>& defaults, const Placed& parent,
                                    const std::string& package) {
  for (const auto& d : defaults) {
    if (d.type == DefaultEntry::Type::Self || d.is_override) continue;
    Placed child{d, parent.group_path(), package, std::nullopt, false};
    std::vector<std::string> names = d.names;
    DefaultEntry::Value value = d.value;
    if (d.type == DefaultEntry::Type::Group) {
      if (auto it = choices.find(child.override_key()); it != choices.end() && !it->second.append) {
        names = it->second.names;
        value = it->second.value;
      }
      if (value != DefaultEntry::Value::Name && value != DefaultEntry::Value::Names) continue;
      for (const auto& n : names)
        if (n.find("${") == std::string::npos) repo_.prefetch(child.group_path() + "/" + n);
    } else if (d.path.find("${") == std::string::npos) {
      repo_.prefetch(child.config_path());
    }
  }
}

[[noreturn]] void TreeBuilder::unknown_option(const Placed& el, const Origin& choice_origin) {
  const std::string group = el.group_path();
  const std::string name = el.name();
  if (el.entry.type == DefaultEntry::Type::Config) {
    std::string dir = group;
    auto names = closest_first(name, repo_.search_path().options(dir));
    Error err("rig.compose.unknown_config",
              fmt::format("no config '{}' on the search path", el.config_path()), el.entry.origin, {},
              did_you_mean(name, names));
    if (!names.empty()) err.add_note({}, fmt::format("available in '{}': {}", dir.empty() ? "/" : dir, join(names)));
    err.add_note({}, "search path:\n" + repo_.search_path().describe());
    throw err;
  }
  auto options = closest_first(name, repo_.search_path().options(group));
  bool group_exists = repo_.search_path().group_exists(group);
  Error err("rig.compose.unknown_option",
            group_exists ? fmt::format("group '{}' has no option '{}'", group, name)
                         : fmt::format("no config group '{}' on the search path (choosing '{}')", group, name),
            choice_origin, {}, group_exists ? did_you_mean(name, options) : std::string());
  if (group_exists) err.add_note({}, fmt::format("options of '{}': {}", group, join(options)));
  if (&choice_origin != &el.entry.origin && choice_origin.source != el.entry.origin.source)
    err.add_note(el.entry.origin, "the group's entry is here");
  err.add_note({}, "search path:\n" + repo_.search_path().describe());
  throw err;
}

// Multi-select: each option is a config of the group, merged in order at the group's package.
DefaultsTreeNode TreeBuilder::expand_multi_select(const Placed& el, DefaultsTreeNode node, const Origin& choice_origin) {
  node.package = el.final_package(false);
  for (auto it = el.entry.names.rbegin(); it != el.entry.names.rend(); ++it) {
    DefaultEntry option;
    option.type = DefaultEntry::Type::Config;
    option.path = el.entry.path + "/" + *it;
    option.package = el.entry.package;  // unset: the option goes where its group would
    option.optional = el.entry.optional;
    option.origin = choice_origin;
    option.selected = true;
    node.children.push_back(expand(Placed{option, el.parent_dir, el.parent_package, std::nullopt, false}, false));
  }
  std::reverse(node.children.begin(), node.children.end());
  if (node.children.empty()) node.skipped = true;
  return node;
}

DefaultsTreeNode TreeBuilder::expand(Placed el, bool is_root) {
  using V = DefaultEntry::Value;
  DefaultsTreeNode node;
  const bool group = el.entry.type == DefaultEntry::Type::Group;
  node.type = is_root ? DefaultsTreeNode::Type::Primary
                      : group ? DefaultsTreeNode::Type::Group : DefaultsTreeNode::Type::Config;
  node.origin = el.entry.origin;
  node.optional = el.entry.optional;
  Origin choice_origin = el.entry.origin;
  if (group) {
    node.group = el.group_path();
    if (apply_override(el, node)) choice_origin = node.origin;
    node.choice = describe_value(el.entry.value, el.entry.names);
  }

  if (group) node.override_key = el.override_key();
  if (!is_root && hydra_namespace_ && in_hydra_namespace(el.group_path() + (group ? "" : "/"))) {
    node.config_path = group ? el.group_path() + "/" + node.choice : el.config_path();
    node.package = el.final_package();
    node.skipped = true;
    node.skip_reason = "Hydra's own namespace: not composed (rig print --keep-hydra composes it)";
    return node;
  }
  // A multi-select stands for configs of its group, not for a choice: like Hydra, it is neither a known choice nor
  // something `~group` deletes.
  if (group && el.entry.value == V::Names) return expand_multi_select(el, std::move(node), choice_origin);
  if (group) {
    auto del = deletions.find(node.override_key);
    if (del != deletions.end() && (!del->second.name || *del->second.name == node.choice)) {
      del->second.used = true;
      node.skipped = true;
      node.skip_reason = "deleted by " + del->second.origin.to_string();
      return node;
    }
  }

  const bool has_name = !(group && (el.entry.value == V::Null || el.entry.value == V::Missing));
  if (has_name) check_config_name(el.config_path(), group ? choice_origin : el.entry.origin);
  const LoadedConfig* loaded = nullptr;
  try {
    if (has_name) loaded = repo_.load(el.config_path());
  } catch (const Error& e) {
    // Errors of finding the file (two files of one name, a link out of the search path) are the entry's: locate
    // them there, with the file as a note.
    if (e.id() != "rig.compose.ambiguous_name" && e.id() != "rig.compose.outside_search_path") throw;
    Error located(e.id(), e.message(), group ? choice_origin : el.entry.origin, {}, e.hint());
    located.add_note(e.origin(), "the file");
    throw located;
  }
  if (loaded && loaded->header) el.header = loaded->header->package;
  node.config_path = has_name ? el.config_path() : el.group_path();
  node.package = el.final_package();
  if (size_t max = tree_limits().max_depth;
      !node.package.empty() && static_cast<size_t>(std::count(node.package.begin(), node.package.end(), '.')) >= max)
    throw LimitError("rig.limit.depth",
                     fmt::format("package '{}' nests deeper than the limit of {} levels", node.package, max),
                     choice_origin, {}, "rig::TreeLimits::max_depth bounds every tree rig builds");
  if (group) record_known(el, choice_origin);
  if (group && el.entry.value == V::Null) {
    node.skipped = true;
    node.skip_reason = "placeholder: nothing loaded";
    return node;
  }
  if (group && el.entry.value == V::Missing) {
    auto options = repo_.search_path().options(node.group);
    throw Error("rig.compose.missing_choice",
                fmt::format("group '{}' needs a choice: its defaults entry is '?\?\?'", node.override_key),
                choice_origin, {},
                fmt::format("choose one on the command line: {}=<option>{}", node.override_key,
                            options.empty() ? std::string() : " (options: " + join(options) + ")"));
  }
  if (!loaded) {
    if (el.entry.optional) {
      node.skipped = true;
      node.skip_reason = "optional, not found";
      return node;
    }
    if (is_root) find_primary_config(el.config_path(), repo_.search_path());  // throws the listing error
    unknown_option(el, choice_origin);
  }
  node.file = loaded->file;
  if (!group && !is_root && !el.entry.selected) fixed_.push_back({el.group_path(), el.name(), el.entry.origin});
  check_cycle(node.config_path, el.entry.origin);

  expand_children(node, el, *loaded, is_root);
  if (group && node.children.empty()) check_leaf(node, choice_origin, el.entry.external);
  return node;
}

// The same identity chosen twice with the same option is allowed when the option has a defaults list (Hydra merges
// it twice) but not when it is a leaf: Hydra's "KEY appears more than once in the final defaults list".
void TreeBuilder::check_leaf(const DefaultsTreeNode& node, const Origin& choice_origin, bool external) {
  auto [it, fresh] = leaves_.try_emplace(node.override_key, choice_origin, external);
  if (fresh) return;
  const bool add = external || it->second.second;
  Error err(add ? "rig.compose.add_exists" : "rig.compose.duplicate_group",
            add ? fmt::format("cannot add '{}': the defaults list already chooses '{}'", node.override_key,
                              node.choice)
                : fmt::format("'{}' appears twice in the defaults tree (both '{}')", node.override_key, node.choice),
            external ? choice_origin : it->second.second ? it->second.first : choice_origin, {},
            add ? fmt::format("it is chosen already; to change the choice, write {}=OPTION", node.override_key)
                : "keep one of the entries, or place one at another package (`- group@pkg: option`)");
  err.add_note(external || !it->second.second ? it->second.first : choice_origin, "the other entry is here");
  throw err;
}

// The children of a config with a defaults list: its entries, expanded last to first (Hydra's order), and _self_.
void TreeBuilder::expand_children(DefaultsTreeNode& node, const Placed& el, const LoadedConfig& loaded, bool is_root) {
  using V = DefaultEntry::Value;
  std::vector<DefaultEntry> defaults = loaded.defaults;
  size_t selves = 0;
  for (const auto& d : defaults) {
    if (d.type != DefaultEntry::Type::Self) continue;
    if (++selves > 1)
      throw Error("rig.compose.duplicate_self", fmt::format("'_self_' appears twice in '{}'", node.config_path),
                  d.origin, "defaults", "keep one `- _self_`: it marks where this config's own body goes");
  }
  if (defaults.empty() && !(is_root && !appends.empty())) return;  // a leaf: its body is merged as is
  if (selves == 0) {
    DefaultEntry self;
    self.type = DefaultEntry::Type::Self;
    self.origin = Origin{loaded.body.origin().source, 0, 0};
    defaults.push_back(std::move(self));  // Hydra 1.1+: a config overrides what its defaults list brings in
  }
  if (is_root) defaults.insert(defaults.end(), appends.begin(), appends.end());
  register_overrides(defaults, el, node.config_path);

  prefetch_children(defaults, el, node.package);
  stack_.emplace_back(node.config_path, el.entry.origin);
  if (size_t max = tree_limits().max_depth; stack_.size() > max)
    throw LimitError("rig.limit.depth",
                     fmt::format("defaults lists include one another deeper than the limit of {} levels", max),
                     el.entry.origin, {}, "rig::TreeLimits::max_depth bounds every tree rig builds");
  std::vector<std::pair<size_t, Placed>> deferred;  // interpolated choices, resolved once their siblings are known
  for (auto it = defaults.rbegin(); it != defaults.rend(); ++it) {
    const DefaultEntry& d = *it;
    if (d.type == DefaultEntry::Type::Self) {
      DefaultsTreeNode self;
      self.type = DefaultsTreeNode::Type::Self;
      self.config_path = node.config_path;
      self.package = node.package;
      self.file = node.file;
      self.origin = d.origin;
      node.children.push_back(std::move(self));
      continue;
    }
    if (d.is_override) continue;
    Placed child{d, el.group_path(), node.package, std::nullopt, false};
    // An interpolated choice is resolved once its siblings are chosen, unless an override replaces it: then the
    // interpolation is never evaluated (Hydra applies the override first).
    const bool overridden = d.type == DefaultEntry::Type::Group && [&] {
      auto c = choices.find(child.override_key());
      return c != choices.end() && !c->second.append;
    }();
    const std::string& text = d.type == DefaultEntry::Type::Group ? (d.names.empty() ? d.path : d.names.front()) : d.path;
    if (d.value == V::Name && !overridden && text.find("${") != std::string::npos) {
      deferred.emplace_back(node.children.size(), std::move(child));
      node.children.emplace_back();
      continue;
    }
    node.children.push_back(expand(std::move(child), false));
  }
  for (auto& [index, child] : deferred) {
    const bool is_group = child.entry.type == DefaultEntry::Type::Group;
    std::string resolved = detail::interpolate_choice(is_group ? child.entry.names.front() : child.entry.path,
                                                      known_choices(), child.entry.origin);
    if (is_group) {
      child.entry.names = {resolved};
    } else {
      child.entry.path = resolved;
      child.entry.names = {resolved.substr(resolved.rfind('/') + 1)};
    }
    node.children[index] = expand(std::move(child), false);
  }
  stack_.pop_back();
  std::reverse(node.children.begin(), node.children.end());
}

void TreeBuilder::check_all_used() const {
  for (const auto& [key, c] : choices) {
    if (c.used || c.force_add) continue;
    if (hydra_namespace_ && in_hydra_namespace(key)) continue;  // overrides of Hydra's groups (hydra/sweeper)
    std::string group = key.substr(0, key.find('@'));
    for (const auto& f : fixed_) {
      if (f.group != group || group.empty()) continue;
      Error err("rig.compose.fixed_entry",
                fmt::format("'{}' cannot choose '{}': the defaults list fixes '{}/{}'", c.text, key, group, f.name),
                c.origin, {},
                fmt::format("make the entry overridable by writing it as `- {}: {}`", group, f.name));
      err.add_note(f.origin, "the fixed entry is here");
      throw err;
    }
    std::vector<std::string> candidates;
    if (auto it = known_keys_by_group_.find(group); it != known_keys_by_group_.end()) candidates = it->second;
    std::string hint;
    if (!candidates.empty())
      hint = fmt::format("the defaults list has {}: did you mean that?", join(candidates, " and "));
    else if (c.external)
      hint = fmt::format("to add it to the defaults list, write +{}", c.text);
    else if (group.starts_with("hydra/"))
      hint = fmt::format("'{}' is one of Hydra's built-in groups, which rig does not provide: drop the entry, or "
                         "leave the `hydra` group out (~hydra)",
                         group);
    else {
      std::vector<std::string> all;
      for (const auto& [k, v] : known_) all.push_back(k);
      hint = did_you_mean(group, all);
      if (hint.empty())
        hint = "an override changes the choice of an entry composed before it; add the entry itself with "
               "`- group: option`";
    }
    throw Error("rig.compose.override_not_found",
                c.external ? fmt::format("cannot select '{}': '{}' is not in the defaults list", c.text, key)
                           : fmt::format("in '{}': '{}' matches no entry of the defaults list (group '{}')",
                                         c.containing, c.text, key),
                c.origin, {}, hint);
  }
  for (const auto& [key, d] : deletions) {
    if (d.used) continue;
    std::vector<std::string> all;
    for (const auto& [k, v] : known_) all.push_back(k);
    std::string hint = did_you_mean(key, all);
    if (auto it = known_.find(key); it != known_.end() && d.name)
      hint = fmt::format("'{}' is chosen as '{}', not '{}'", key, it->second.name, *d.name);
    throw Error("rig.compose.delete_not_found",
                fmt::format("cannot delete '{}': no such entry in the defaults list", d.text), d.origin, {}, hint);
  }
}

// ---- the merge ------------------------------------------------------------------------------------------------------

void collect_parts(const DefaultsTreeNode& n, std::vector<ComposedPart>& out) {
  if (n.skipped) return;
  if (n.children.empty()) {
    if (n.file.empty()) return;
    out.push_back({n.config_path, n.package, n.file, n.type == DefaultsTreeNode::Type::Self});
    return;
  }
  for (const auto& c : n.children) collect_parts(c, out);
}

void collect_choices(const DefaultsTreeNode& n, std::vector<std::pair<std::string, std::string>>& out) {
  if (n.type == DefaultsTreeNode::Type::Group && !n.override_key.empty()) out.emplace_back(n.override_key, n.choice);
  for (const auto& c : n.children) collect_choices(c, out);
}

void merge_at(Node& root, std::string_view package, const Node& body, bool policies) {
  Node* dst = &root;
  while (!package.empty()) {
    size_t dot = package.find('.');
    std::string seg(package.substr(0, dot));
    package = dot == std::string_view::npos ? std::string_view() : package.substr(dot + 1);
    if (!dst->is_map()) *dst = Node::map(body.origin());
    Node* child = dst->find_mut(seg);
    if (!child) {
      if (package.empty() && !policies) {
        dst->set(seg, body);  // shared with the cache: copy-on-write makes this O(1)
        return;
      }
      child = &dst->set(seg, Node::map(body.origin()));
    }
    dst = child;
  }
  if (policies)
    detail::merge_with_policies(*dst, body);
  else
    merge_with_history(*dst, body);  // a replaced value stays in the new one's history() (rig print --history)
}

// Sorts the command line into group selections (recorded in `tb`) and value overrides (returned).
std::vector<Override> sort_overrides(const ComposeOptions& options, const SearchPath& sp, TreeBuilder& tb,
                                     const std::set<std::string>& force_as_append) {
  using K = OverrideKind;
  std::vector<Override> values;
  for (const Override& o : options.overrides) {
    if (!options.keep_hydra && in_hydra_namespace(o.key_text)) continue;  // Hydra's settings: not the job's config
    bool selects = !o.is_sweep() && o.kind != K::Replace &&
                   (!o.value || o.value->is_string() || o.value->is_null() || o.value->is_list());
    const std::string group_key = detail::normalize_group(o.key_text);
    if (!selects || !sp.group_exists(group_key)) {
      values.push_back(o);
      continue;
    }
    DefaultEntry e;
    e.type = DefaultEntry::Type::Group;
    e.path = group_key;
    e.package = o.package;
    e.origin = o.value ? o.value->origin() : o.origin;
    e.external = true;
    if (o.value) {
      if (o.value->is_null()) {
        e.value = DefaultEntry::Value::Null;
      } else if (o.value->is_list()) {
        e.value = DefaultEntry::Value::Names;
        for (const auto& x : o.value->elements()) {
          if (!x.is_string())
            throw Error("rig.compose.bad_choice",
                             fmt::format("'{}': a group takes option names, not a {}", o.text, kind_name(x.kind())),
                             x.origin().known() ? x.origin() : o.value->origin(), o.key_text,
                             fmt::format("write {}=[a, b] with the names of options of '{}'", o.key_text,
                                         o.key_text));
          e.names.push_back(x.str());
        }
      } else {
        e.names = {o.value->str()};
      }
    }
    Placed placed{e, "", "", std::nullopt, false};
    std::string key = placed.override_key();  // `db@db=x` is plain `db`; `db@backup=x` is `db@backup`
    std::string text = o.text;
    if (text.starts_with("++")) text = text.substr(2);
    else if (text.starts_with("+")) text = text.substr(1);
    switch (o.kind) {
      case K::Delete:
        tb.deletions[key] = Deletion{o.value ? std::optional<std::string>(o.value->is_string() ? o.value->str()
                                                                                               : std::string("null"))
                                             : std::nullopt,
                                     o.origin, o.text.substr(1)};
        break;
      case K::Add: tb.appends.push_back(e); break;
      case K::ForceAdd:
        if (force_as_append.count(key)) {
          tb.appends.push_back(e);
          break;
        }
        [[fallthrough]];
      case K::Set:
      case K::Replace:
      case K::Append: {
        ChoiceOverride c;
        c.value = e.value;
        c.names = e.names;
        c.append = o.kind == K::Append;
        c.force_add = o.kind == K::ForceAdd;
        c.external = true;
        c.origin = e.origin;
        c.text = text;
        tb.choices[key] = std::move(c);  // a later argument wins over an earlier one
        break;
      }
    }
  }
  return values;
}

}  // namespace

Composition compose(std::string_view name, const ComposeOptions& options) {
  SearchPath sp = options.search_path;
  fs::path primary_file = find_primary_config(name, sp, options.name_origin);
  std::string primary_name(name);
  if (has_config_extension(name)) {
    sp.prepend(primary_file.has_parent_path() ? primary_file.parent_path() : fs::path("."), "primary config");
    primary_name = primary_file.stem().string();
  }
  Repository repo(sp);
  DefaultEntry root_entry;
  root_entry.type = DefaultEntry::Type::Config;
  root_entry.path = primary_name;
  root_entry.names = {primary_name.substr(primary_name.rfind('/') + 1)};

  std::set<std::string> force_as_append;
  for (int attempt = 0;; ++attempt) {
    TreeBuilder tb(repo, !options.keep_hydra);
    std::vector<Override> values = sort_overrides(options, sp, tb, force_as_append);
    DefaultsTreeNode tree = tb.build(Placed{root_entry, "", "", std::nullopt, true});
    auto retry = tb.unused_force_adds();
    if (!retry.empty() && attempt == 0) {
      force_as_append.insert(retry.begin(), retry.end());
      continue;
    }
    Composition out;
    out.tree = std::move(tree);
    collect_parts(out.tree, out.parts);
    collect_choices(out.tree, out.choices);
    out.config = Node::map();
    for (const auto& part : out.parts) {
      const LoadedConfig* c = repo.load(part.config_path);
      merge_at(out.config, part.package, c->body, c->has_policies);
    }
    detail::check_depth(out.config, tree_limits().max_depth);  // packages nest bodies below their levels
    if (!options.keep_hydra) out.config.erase("hydra");  // Hydra's compose() leaves it out of the job config too
    if (options.apply_value_overrides) apply_overrides(out.config, values);
    out.value_overrides = std::move(values);
    return out;
  }
}

// ---- printing the tree ------------------------------------------------------------------------------------------------

namespace {

void format_node(const DefaultsTreeNode& n, int depth, std::string& out) {
  std::string line(static_cast<size_t>(depth) * 2, ' ');
  using T = DefaultsTreeNode::Type;
  switch (n.type) {
    case T::Primary: line += n.config_path; break;
    case T::Self: line += "_self_"; break;
    case T::Group: line += (n.optional ? "optional " : "") + n.override_key + ": " + n.choice; break;
    case T::Config: line += n.config_path; break;
  }
  std::vector<std::string> notes;
  if (n.type != T::Primary && !(n.type == T::Group && !n.children.empty() && n.file.empty()) && !n.skipped)
    notes.push_back("@" + (n.package.empty() ? std::string("_global_") : n.package));
  if (n.overridden) notes.push_back("chosen at " + n.origin.to_string());
  if (n.skipped) notes.push_back(n.skip_reason.empty() ? std::string("skipped") : n.skip_reason);
  if (!n.file.empty() && n.type != T::Self) notes.push_back(n.file.string());
  if (!notes.empty()) line += "  (" + join(notes, ", ") + ")";
  out += line + "\n";
  for (const auto& c : n.children) format_node(c, depth + 1, out);
}

}  // namespace

std::string format_defaults_tree(const DefaultsTreeNode& root) {
  std::string out;
  format_node(root, 0, out);
  return out;
}

}  // namespace rig
