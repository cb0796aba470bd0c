// rig/compose.hpp — one run's config, composed from named configs and config groups (Hydra 1.1+ semantics).
//
// A config directory holds a primary config and config groups (sub-directories of interchangeable options):
//
//   configs/train.yaml            defaults:              configs/model/mlp.yaml       configs/optimizer/adam.yaml
//   configs/model/{mlp,convnet}     - model: mlp           dims: [64, 64]               lr: 3e-4
//   configs/optimizer/adam          - optimizer: adam
//                                   - _self_
//                                 trainer: {max_steps: 10}
//
//   rig::ComposeOptions opts;
//   opts.search_path = rig::SearchPath::standard({"configs"});       // --config-dir, RIG_CONFIG_PATH, registered
//   opts.overrides = {rig::parse_override("model=convnet", 1), rig::parse_override("optimizer.lr=0.01", 2)};
//   rig::Composition c = rig::compose("train", opts);
//   c.config;                                  // model: {...convnet...}, optimizer: {lr: 0.01}, trainer: {...}
//   rig::format_defaults_tree(c.tree);         // which file made each part, in order, with the choices made
//
// Defaults-list entries (in any config, recursively): `- model: mlp` (overridable choice), `- model/mlp` (fixed),
// `- optional group: x` (skipped when x does not exist), `- override group: y` (changes a choice made elsewhere),
// `- group@package: x` (placed at another package), `- group: null` (placeholder), `- group: [a, b]` (multi-select),
// `- group: ???` (the user must choose) and `- _self_` (where this config's own body goes; appended when absent).
// Group paths are relative to the containing config's group; a leading `/` makes them absolute. A `# @package X`
// header (X may be `_global_`) moves a file's body. Later entries override choices of earlier ones (Hydra's rule: the
// last appearance of a group decides its value, the first its position).
//
// Command line (rig/overrides.hpp's grammar): `group=option`, `group=[a,b]`, `+group=option` (add), `++group=option`
// (add or choose), `~group` / `~group=option` (remove), `group@pkg=option`, `group+=[x]` (extend a multi-select). An
// override whose key is not a group on the search path is a value override, applied to the composed tree.
//
// Beyond Hydra (docs/composition.md): a key written `name+:` appends its list to the list composed so far, `+name:`
// prepends it; on the command line `name+=[x]` appends.
//
// Names are looked up inside the search path only: a name with a `..` or `.` segment (`model: ../x`), a backslash or a
// NUL is rig.compose.bad_name (docs/reliability.md).
//
// Every error is a rig::Error with id `rig.compose.*`, located at the defaults-list entry or argument at fault.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rig/node.hpp"
#include "rig/overrides.hpp"

namespace rig {

// Directories searched for named configs, highest priority first. A name (`train`, `model/mlp`) is found in the first
// directory that has `<name>.yaml`, `<name>.yml` or `<name>.json`; a group's options are the union over directories.
class SearchPath {
 public:
  struct Dir {
    std::filesystem::path path;
    std::string provider;  // "--config-dir", "RIG_CONFIG_PATH", "registered", "<code>", ...
  };

  SearchPath() = default;

  // `--config-dir` directories (in the order given), then RIG_CONFIG_PATH (':'-separated), then the directories
  // registered from code with register_config_dir().
  static SearchPath standard(const std::vector<std::filesystem::path>& config_dirs = {});

  SearchPath& add(std::filesystem::path dir, std::string provider = "<code>");
  SearchPath& prepend(std::filesystem::path dir, std::string provider = "<code>");
  const std::vector<Dir>& dirs() const { return dirs_; }
  bool empty() const { return dirs_.empty(); }

  // The file of config `name` (no extension; '/' separates groups), or nullopt. Two files of one name in the same
  // directory (`a.yaml` and `a.json`) are an error (rig.compose.ambiguous_name).
  std::optional<std::filesystem::path> find(std::string_view name) const;
  // True when some directory has a sub-directory `group`.
  bool group_exists(std::string_view group) const;
  // The config names in `group` ("" for the top level), sorted, without extensions.
  std::vector<std::string> options(std::string_view group) const;

  // "  --config-dir: configs\n  RIG_CONFIG_PATH: /etc/rig\n" — for error messages.
  std::string describe() const;

  // A config file found through a symbolic link (the file, or a linked directory) whose target lies outside every
  // directory of the search path is refused (rig.compose.outside_search_path, showing both paths) unless this is
  // set: `rig print --allow-outside-links` (docs/reliability.md).
  SearchPath& allow_links_outside(bool allow) {
    allow_links_outside_ = allow;
    return *this;
  }
  bool links_outside_allowed() const { return allow_links_outside_; }

 private:
  void check_inside(const std::filesystem::path& file, std::string_view name) const;

  std::vector<Dir> dirs_;
  bool allow_links_outside_ = false;
};

// Registers a directory searched after --config-dir and RIG_CONFIG_PATH (recipes register their bundled configs).
void register_config_dir(std::filesystem::path dir);
std::vector<std::filesystem::path> registered_config_dirs();

// One node of the defaults tree: a config that took part in the composition, where it came from and its children
// (the expansion of its own defaults list, `_self_` among them) in composition order.
struct DefaultsTreeNode {
  enum class Type { Primary, Config, Group, Self };
  Type type = Type::Config;
  std::string config_path;  // "model/mlp"; for _self_, the config it stands for
  std::string group;        // "model" for a group choice, else empty
  std::string choice;       // the option chosen ("mlp"); "null" for a placeholder
  std::string package;      // where the body went: "model", "" for the root
  std::string override_key;  // the key a command line uses: "model", "db@backup"
  std::filesystem::path file;  // empty for placeholders and skipped optionals
  Origin origin;               // the defaults-list entry or argument that brought it in
  bool overridden = false;     // the choice differs from the one written in the entry
  bool skipped = false;        // deleted, placeholder (null), or optional and absent
  bool optional = false;       // written `- optional group: option`
  std::string skip_reason;     // why it was skipped: "placeholder", "deleted by argv[3]", "optional, not found"
  std::vector<DefaultsTreeNode> children;
};

// One entry of the final, flat defaults list: the configs merged, in order.
struct ComposedPart {
  std::string config_path;
  std::string package;
  std::filesystem::path file;
  bool is_self = false;  // the body of a config that also has a defaults list
};

struct ComposeOptions {
  SearchPath search_path;
  std::vector<Override> overrides;     // command-line overrides, in order (rig::parse_override)
  bool apply_value_overrides = true;   // false: leave them in Composition::value_overrides for the caller
                                       // (rig print layers them with the environment through rig::ConfigSources)
  // Hydra's namespace: by default the `hydra` group (hydra/..., Hydra's runtime settings and plugins) is not composed,
  // overrides of it and of `hydra.*` are accepted and dropped, and the top-level `hydra` node is removed from the
  // result, as Hydra's compose() leaves it out of the job config. true: they compose like any other group and key
  // (`rig print --keep-hydra`; docs/composition.md).
  bool keep_hydra = false;
  Origin name_origin = {};  // where the primary config's name was written (an argv position), for its errors
};

struct Composition {
  Node config;                                            // the composed tree (interpolations unresolved)
  DefaultsTreeNode tree;                                  // root: the primary config
  std::vector<ComposedPart> parts;                        // the flat defaults list
  std::vector<std::pair<std::string, std::string>> choices;  // group override key -> option, in tree order
  std::vector<Override> value_overrides;                  // the overrides that were not group selections
};

// Composes config `name` (a name on the search path, without extension) or `path` (a file with a .yaml, .yml or
// .json extension; its directory is searched first for groups). An unknown name is an error listing the available
// names, closest first; it is never retried as a file path.
Composition compose(std::string_view name, const ComposeOptions& options);

// The primary config alone: a path with a config extension, else a name on `search_path` (errors as compose()).
// `where` locates errors about the name (an unknown name is rig.compose.unknown_config there).
std::filesystem::path find_primary_config(std::string_view name, const SearchPath& search_path,
                                          const Origin& where = {});

// The defaults tree as indented text: one line per config, with its choice, package and file.
std::string format_defaults_tree(const DefaultsTreeNode& root);

}  // namespace rig
